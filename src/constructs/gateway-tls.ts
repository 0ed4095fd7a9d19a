import { TrustmeshError, TrustmeshUsageError } from '../errors';
import { GatewayCredential } from './gateway-credential';
import { GatewayTlsMode, TlsProtocolVersion } from '../model/ingress-gateway';

/** TLS protocol versions a gateway server accepts. */
export enum TlsVersion {
  TLS_1_2 = 'TLSV1_2',
  TLS_1_3 = 'TLSV1_3',
}

/** Options of the terminating {@link GatewayTls} modes. */
export interface GatewayTlsOptions {
  /**
   * Oldest TLS version accepted. Written out even at its default, so the output states it.
   * @default TlsVersion.TLS_1_2
   */
  readonly minProtocolVersion?: TlsVersion;
  /**
   * Newest TLS version accepted.
   * @default - Envoy's newest (TLS 1.3)
   */
  readonly maxProtocolVersion?: TlsVersion;
}

/** Options of {@link GatewayTls.mutual} and {@link GatewayTls.optionalMutual}. */
export interface MutualGatewayTlsOptions extends GatewayTlsOptions {
  /**
   * Client certificate SANs (DNS names or URIs, e.g. a SPIFFE ID) accepted.
   * @default - any client certificate the CA bundle verifies
   */
  readonly subjectAltNames?: string[];
}

const VERSION_ORDER: readonly TlsProtocolVersion[] = ['TLSV1_2', 'TLSV1_3'];

/**
 * How a gateway server handles TLS. The mode is always written into the Gateway: its zero value is
 * PASSTHROUGH, so a `tls` block without it would quietly stop terminating TLS.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode
 * @example
 * GatewayTls.simple(credential)                        // terminate TLS with the credential's certificate
 * GatewayTls.mutual(credential)                        // also require a client certificate the CA verifies
 * GatewayTls.passthrough()                             // forward the TLS connection by SNI; the backend terminates it
 */
export class GatewayTls {
  /** Terminate TLS with the credential's certificate (server authentication only). */
  public static simple(credential: GatewayCredential, options: GatewayTlsOptions = {}): GatewayTls {
    return new GatewayTls('SIMPLE', credential, options, []);
  }

  /** Terminate TLS and require a client certificate verified against the credential's CA bundle. */
  public static mutual(credential: GatewayCredential, options: MutualGatewayTlsOptions = {}): GatewayTls {
    return new GatewayTls('MUTUAL', credential, options, checkSans(options.subjectAltNames));
  }

  /**
   * Terminate TLS and verify a client certificate when one is presented (Istio 1.19+). Clients
   * without one are let through: combine with authorization.
   */
  public static optionalMutual(credential: GatewayCredential, options: MutualGatewayTlsOptions = {}): GatewayTls {
    return new GatewayTls('OPTIONAL_MUTUAL', credential, options, checkSans(options.subjectAltNames));
  }

  /**
   * Do not terminate: route the TLS connection by its SNI to the backend, which terminates it.
   * The gateway sees no HTTP, so routes match on the host only and gateway authorization on
   * connection attributes only.
   */
  public static passthrough(): GatewayTls {
    return new GatewayTls('PASSTHROUGH', undefined, {}, []);
  }

  /** The server TLS mode. */
  public readonly mode: GatewayTlsMode;
  /** The certificate (terminating modes). */
  public readonly credential?: GatewayCredential;
  /** @internal */
  public readonly _minProtocolVersion?: TlsProtocolVersion;
  /** @internal */
  public readonly _maxProtocolVersion?: TlsProtocolVersion;
  /** @internal */
  public readonly _subjectAltNames: readonly string[];

  private constructor(mode: GatewayTlsMode, credential: GatewayCredential | undefined, options: GatewayTlsOptions, sans: readonly string[]) {
    if (mode !== 'PASSTHROUGH' && !(credential instanceof GatewayCredential)) {
      throw new TrustmeshUsageError(`GatewayTls.${mode.toLowerCase()}: credential must be a GatewayCredential (GatewayCredential.fromCa or .fromSecretName)`);
    }
    this.mode = mode;
    this.credential = credential;
    if (mode !== 'PASSTHROUGH') {
      const min = options.minProtocolVersion ?? TlsVersion.TLS_1_2;
      const max = options.maxProtocolVersion;
      for (const v of [min, max]) {
        if (v !== undefined && !VERSION_ORDER.includes(v as TlsProtocolVersion)) {
          throw new TrustmeshError('TM_INVALID_TLS_VERSION', 'TLS protocol version is not supported', {
            value: v, allowed: 'TlsVersion.TLS_1_2 or TlsVersion.TLS_1_3 (TLS 1.0 and 1.1 are obsolete, RFC 8996)',
          });
        }
      }
      if (max !== undefined && VERSION_ORDER.indexOf(max as TlsProtocolVersion) < VERSION_ORDER.indexOf(min as TlsProtocolVersion)) {
        throw new TrustmeshError('TM_INVALID_TLS_VERSION', `maxProtocolVersion ${max} is older than minProtocolVersion ${min}`, {
          value: { minProtocolVersion: min, maxProtocolVersion: max },
        });
      }
      this._minProtocolVersion = min as TlsProtocolVersion;
      this._maxProtocolVersion = max as TlsProtocolVersion | undefined;
    }
    this._subjectAltNames = sans;
  }
}

function checkSans(sans: readonly string[] | undefined): string[] {
  if (sans === undefined) return [];
  if (!Array.isArray(sans) || sans.length === 0 || sans.some((s) => typeof s !== 'string' || s === '' || /\s/.test(s))) {
    throw new TrustmeshError('TM_EMPTY_MATCH_LIST', 'subjectAltNames is empty or has an empty name', {
      value: sans, allowed: 'DNS names or URIs, e.g. "client.example.com" or "spiffe://cluster.local/ns/a/sa/b"',
    });
  }
  return [...sans];
}
