import { TrustmeshError } from '../errors';

/** Where a JWT is read from. Empty lists everywhere mean Istio's default (Authorization: Bearer, `access_token`). */
export interface JwtHeaderLocation {
  readonly name: string;
  /** e.g. `Bearer `. */
  readonly prefix?: string;
}

/**
 * An end-user token issuer, as Istio's RequestAuthentication `jwtRules[]` entry needs it.
 * @see https://istio.io/latest/docs/reference/config/security/jwt/
 */
export interface JwtIssuerSpec {
  readonly issuer: string;
  /** Exactly one of jwksUri and jwks. */
  readonly jwksUri?: string;
  readonly jwks?: string;
  /** Accepted `aud` values; empty accepts the service name only (Istio's default). */
  readonly audiences: readonly string[];
  readonly fromHeaders: readonly JwtHeaderLocation[];
  readonly fromParams: readonly string[];
  readonly fromCookies: readonly string[];
  readonly forwardOriginalToken: boolean;
  readonly outputPayloadToHeader?: string;
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/**
 * Validates an issuer definition.
 * @throws TrustmeshError TM_INVALID_JWT_ISSUER, TM_JWKS_PRIVATE_KEY, TM_INVALID_HEADER_NAME
 */
export function assertJwtIssuer(spec: JwtIssuerSpec): void {
  const fail = (problem: string, value: unknown, allowed: string, fix?: string): never => {
    throw new TrustmeshError('TM_INVALID_JWT_ISSUER', `JWT issuer ${problem}`, { value, allowed, fix });
  };
  if (typeof spec.issuer !== 'string' || spec.issuer.trim() === '' || spec.issuer !== spec.issuer.trim()) {
    fail('has an empty or padded "issuer"', spec.issuer, 'the exact `iss` claim value, e.g. "https://accounts.example.com"');
  }
  if ((spec.jwksUri === undefined) === (spec.jwks === undefined)) {
    const both = spec.jwksUri !== undefined;
    fail(`"${spec.issuer}" needs exactly one of jwksUri and jwks`, { jwksUri: spec.jwksUri, jwks: spec.jwks === undefined ? undefined : '…' },
      'either a jwksUri (https://…) or an inline jwks document',
      both ? 'remove one of them: keep jwksUri to follow the issuer\'s key rotation, or jwks to pin the keys inline'
        : 'set jwksUri to the issuer\'s JWKS endpoint (or jwks to an inline key set)');
  }
  if (spec.jwksUri !== undefined) {
    let scheme = '';
    try {
      scheme = new URL(spec.jwksUri).protocol;
    } catch {
      scheme = '';
    }
    if (scheme !== 'https:' && scheme !== 'http:') {
      fail(`"${spec.issuer}" has a jwksUri that is not an http(s) URL`, spec.jwksUri, 'an absolute http:// or https:// URL', 'use the https:// URL of the JWKS');
    }
  }
  if (spec.jwks !== undefined) assertPublicJwks(spec.issuer, spec.jwks);
  for (const aud of spec.audiences) {
    if (typeof aud !== 'string' || aud === '') fail(`"${spec.issuer}" has an empty audience`, aud, 'non-empty audience strings');
  }
  for (const h of spec.fromHeaders) assertHeaderName(h.name, 'JWT header location');
  if (spec.outputPayloadToHeader !== undefined) assertHeaderName(spec.outputPayloadToHeader, 'outputPayloadToHeader');
  for (const p of spec.fromParams) if (!p) fail(`"${spec.issuer}" has an empty query parameter location`, p, 'a parameter name');
  for (const c of spec.fromCookies) if (!c) fail(`"${spec.issuer}" has an empty cookie location`, c, 'a cookie name');
}

/**
 * @throws TrustmeshError TM_INVALID_HEADER_NAME
 */
export function assertHeaderName(name: string, what: string): void {
  if (typeof name === 'string' && HEADER_NAME.test(name)) return;
  throw new TrustmeshError('TM_INVALID_HEADER_NAME', `${what} is not a valid HTTP header name`, {
    value: name,
    allowed: 'an RFC 7230 token: letters, digits and !#$%&\'*+-.^_`|~',
  });
}

function assertPublicJwks(issuer: string, jwks: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(jwks);
  } catch (e) {
    throw new TrustmeshError('TM_INVALID_JWT_ISSUER', `JWT issuer "${issuer}" has an inline jwks that is not JSON`, {
      allowed: 'a JSON Web Key Set: {"keys": [...]}', cause: e,
    });
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new TrustmeshError('TM_INVALID_JWT_ISSUER', `JWT issuer "${issuer}" has an inline jwks without keys`, {
      allowed: 'a JSON Web Key Set with a non-empty "keys" array',
    });
  }
  for (const key of keys) {
    const members = typeof key === 'object' && key !== null ? Object.keys(key) : [];
    const secret = members.filter((m) => PRIVATE_JWK_MEMBERS.includes(m));
    if (secret.length > 0) {
      throw new TrustmeshError('TM_JWKS_PRIVATE_KEY', `JWT issuer "${issuer}" has private key material in its inline jwks`, {
        value: secret.join(', '),
        allowed: 'public key members only (kty, kid, n, e, x, y, crv, alg, use)',
        fix: 'publish only the public keys; the private key must never reach mesh configuration',
      });
    }
  }
}
