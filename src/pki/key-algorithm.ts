import { TrustmeshError } from '../errors';

/** Names of the supported key algorithms, as used on the command line and in the key store. */
export type KeyAlgorithmName = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096';

/** WebCrypto parameters for one algorithm. @internal */
export interface WebCryptoParams {
  readonly generate: RsaHashedKeyGenParams | EcKeyGenParams;
  readonly import: RsaHashedImportParams | EcKeyImportParams;
  readonly sign: { readonly name: string; readonly hash: string };
}

interface RsaHashedKeyGenParams { name: string; modulusLength: number; publicExponent: Uint8Array; hash: string }
interface EcKeyGenParams { name: string; namedCurve: string }
interface RsaHashedImportParams { name: string; hash: string }
interface EcKeyImportParams { name: string; namedCurve: string }

/**
 * A key algorithm for CA and leaf keys: ECDSA on P-256 or P-384, or RSA with 2048, 3072 or 4096
 * bit moduli. Signatures use SHA-256, except P-384 keys, which sign with SHA-384.
 *
 * Istio's own `tools/certs` makefiles use RSA 4096 for roots and intermediates; istiod issues
 * RSA 2048 workload keys unless `ECC_SIGNATURE_ALGORITHM=ECDSA` (P-256). ECDSA P-256 is the
 * trustmesh default because it is fast to generate and small on the wire.
 *
 * @example
 * KeyAlgorithm.parse('rsa-4096') === KeyAlgorithm.RSA_4096
 */
export class KeyAlgorithm {
  /** ECDSA on NIST P-256 with SHA-256 (the default). */
  public static readonly ECDSA_P256 = new KeyAlgorithm('ecdsa-p256', 'ecdsa', 256);
  /** ECDSA on NIST P-384 with SHA-384. */
  public static readonly ECDSA_P384 = new KeyAlgorithm('ecdsa-p384', 'ecdsa', 384);
  /** RSA 2048 (PKCS#1 v1.5) with SHA-256. */
  public static readonly RSA_2048 = new KeyAlgorithm('rsa-2048', 'rsa', 2048);
  /** RSA 3072 (PKCS#1 v1.5) with SHA-256. */
  public static readonly RSA_3072 = new KeyAlgorithm('rsa-3072', 'rsa', 3072);
  /** RSA 4096 (PKCS#1 v1.5) with SHA-256; what Istio's `tools/certs` generates. Slow to generate. */
  public static readonly RSA_4096 = new KeyAlgorithm('rsa-4096', 'rsa', 4096);

  /** Every supported algorithm, in the order they are listed to users. */
  public static all(): readonly KeyAlgorithm[] {
    return [KeyAlgorithm.ECDSA_P256, KeyAlgorithm.ECDSA_P384, KeyAlgorithm.RSA_2048, KeyAlgorithm.RSA_3072, KeyAlgorithm.RSA_4096];
  }

  /**
   * The algorithm with this name (case-insensitive; `p256`, `ec-p256`, `rsa4096` are accepted too).
   * @throws TrustmeshError `TM_CA_UNKNOWN_ALGORITHM` for anything else.
   */
  public static parse(name: string): KeyAlgorithm {
    const normalized = String(name).trim().toLowerCase().replace(/_/g, '-');
    const aliases: Record<string, KeyAlgorithmName> = {
      'p256': 'ecdsa-p256',
      'p-256': 'ecdsa-p256',
      'ec-p256': 'ecdsa-p256',
      'ecdsa': 'ecdsa-p256',
      'ec': 'ecdsa-p256',
      'ecdsa-p-256': 'ecdsa-p256',
      'p384': 'ecdsa-p384',
      'p-384': 'ecdsa-p384',
      'ec-p384': 'ecdsa-p384',
      'ecdsa-p-384': 'ecdsa-p384',
      'rsa': 'rsa-2048',
      'rsa2048': 'rsa-2048',
      'rsa3072': 'rsa-3072',
      'rsa4096': 'rsa-4096',
    };
    const canonical = aliases[normalized] ?? normalized;
    const found = KeyAlgorithm.all().find((a) => a.name === canonical);
    if (found) return found;
    throw new TrustmeshError('TM_CA_UNKNOWN_ALGORITHM', 'unknown key algorithm', {
      value: name,
      allowed: KeyAlgorithm.all().map((a) => a.name).join(', '),
      fix: 'pass one of the allowed names, e.g. `--algorithm ecdsa-p256` (fast) or `--algorithm rsa-4096` (what Istio\'s tools/certs uses)',
    });
  }

  /**
   * Recognizes the algorithm of a key from Node's key details.
   * @internal
   */
  public static fromKeyDetails(
    type: string | undefined, details: { namedCurve?: string; modulusLength?: number } | undefined,
  ): KeyAlgorithm | undefined {
    if (type === 'ec') {
      if (details?.namedCurve === 'prime256v1' || details?.namedCurve === 'P-256') return KeyAlgorithm.ECDSA_P256;
      if (details?.namedCurve === 'secp384r1' || details?.namedCurve === 'P-384') return KeyAlgorithm.ECDSA_P384;
      return undefined;
    }
    if (type === 'rsa') {
      return KeyAlgorithm.all().find((a) => a.family === 'rsa' && a.size === details?.modulusLength);
    }
    return undefined;
  }

  /** Stable name, e.g. `ecdsa-p256`. */
  public readonly name: KeyAlgorithmName;
  /** Key family. */
  public readonly family: 'ecdsa' | 'rsa';
  /** Curve size or modulus length in bits. */
  public readonly size: number;

  private constructor(name: KeyAlgorithmName, family: 'ecdsa' | 'rsa', size: number) {
    this.name = name;
    this.family = family;
    this.size = size;
  }

  /** Whether generating a key takes long enough (seconds on a shared core) to show progress. */
  public get slowToGenerate(): boolean {
    return this.family === 'rsa' && this.size >= 3072;
  }

  /**
   * The algorithm for leaf certificates (workloads, gateways, clients) issued under a CA of this
   * algorithm: ECDSA P-256 under ECDSA CAs, RSA 2048 under RSA CAs (istiod's workload default).
   */
  public get leafDefault(): KeyAlgorithm {
    return this.family === 'rsa' ? KeyAlgorithm.RSA_2048 : KeyAlgorithm.ECDSA_P256;
  }

  /** WebCrypto parameters. @internal */
  public get webCrypto(): WebCryptoParams {
    if (this.family === 'ecdsa') {
      const namedCurve = `P-${this.size}`;
      return {
        generate: { name: 'ECDSA', namedCurve },
        import: { name: 'ECDSA', namedCurve },
        sign: { name: 'ECDSA', hash: this.size === 384 ? 'SHA-384' : 'SHA-256' },
      };
    }
    return {
      generate: { name: 'RSASSA-PKCS1-v1_5', modulusLength: this.size, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      sign: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    };
  }

  /** The name. */
  public toString(): string {
    return this.name;
  }

  /** The name, so the algorithm serializes as a plain string. */
  public toJSON(): string {
    return this.name;
  }
}
