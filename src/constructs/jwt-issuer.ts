import { assertJwtIssuer, JwtHeaderLocation, JwtIssuerSpec } from '../model/jwt-issuer';

/** Props of {@link JwtIssuer.of}. */
export interface JwtIssuerProps {
  /** The `iss` claim tokens carry, e.g. `https://accounts.example.com`. */
  readonly issuer: string;
  /**
   * URL of the issuer's JSON Web Key Set. Exactly one of `jwksUri` and `jwks`.
   * @default - none; then `jwks` is required
   */
  readonly jwksUri?: string;
  /**
   * Inline JSON Web Key Set (public keys only). Exactly one of `jwksUri` and `jwks`.
   * @default - none; then `jwksUri` is required
   */
  readonly jwks?: string;
  /**
   * Accepted audiences (`aud`).
   * @default - Istio accepts tokens whose audience is the service's host name only
   */
  readonly audiences?: string[];
  /**
   * Headers the token may come in (with an optional prefix such as `Bearer `).
   * @default - Authorization: Bearer (and the `access_token` query parameter) when no location is given
   */
  readonly fromHeaders?: JwtHeaderLocation[];
  /** Query parameters the token may come in. @default - see fromHeaders */
  readonly fromParams?: string[];
  /** Cookies the token may come in (Istio 1.22+). @default - see fromHeaders */
  readonly fromCookies?: string[];
  /** Forward the original token to the application. @default false */
  readonly forwardOriginalToken?: boolean;
  /** Header to receive the verified payload (base64url JSON). @default - not emitted */
  readonly outputPayloadToHeader?: string;
}

/**
 * An end-user token issuer (RequestAuthentication `jwtRules[]`). A value object: pass the same
 * instance wherever the issuer is needed; trustmesh merges the rules per workload.
 *
 * @example
 * const issuer = JwtIssuer.of({ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' });
 * httpbin.requireJwt(issuer, { exceptPaths: ['/healthz'] });
 * @see https://istio.io/latest/docs/reference/config/security/jwt/
 */
export class JwtIssuer {
  /** Validates and creates an issuer. */
  public static of(props: JwtIssuerProps): JwtIssuer {
    return new JwtIssuer(props);
  }

  public readonly issuer: string;
  private readonly spec: JwtIssuerSpec;

  private constructor(props: JwtIssuerProps) {
    const spec: JwtIssuerSpec = {
      issuer: props.issuer,
      jwksUri: props.jwksUri,
      jwks: props.jwks,
      audiences: [...(props.audiences ?? [])],
      fromHeaders: [...(props.fromHeaders ?? [])],
      fromParams: [...(props.fromParams ?? [])],
      fromCookies: [...(props.fromCookies ?? [])],
      forwardOriginalToken: props.forwardOriginalToken ?? false,
      outputPayloadToHeader: props.outputPayloadToHeader,
    };
    assertJwtIssuer(spec);
    this.issuer = spec.issuer;
    this.spec = spec;
  }

  /** @internal */
  public _toSpec(): JwtIssuerSpec {
    return this.spec;
  }
}
