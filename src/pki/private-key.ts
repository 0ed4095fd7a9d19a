import { createPrivateKey, createPublicKey, KeyObject, webcrypto } from 'crypto';
import { inspect } from 'util';
import { TrustmeshError } from '../errors';
import { webCrypto } from './crypto-provider';
import { KeyAlgorithm } from './key-algorithm';

const REDACTED = 'PrivateKey(redacted)';

/**
 * A private key, held as PKCS#8 PEM and never shown by accident.
 *
 * `toString()`, `toJSON()`, `util.inspect` (so `console.log`) and test snapshots print
 * `PrivateKey(redacted)`; the PEM is only returned by the explicitly named {@link revealPem}, which
 * trustmesh calls when writing the key store and the secret output, nowhere else.
 */
export class PrivateKey {
  /**
   * Parses a private key PEM: PKCS#8 (`PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) or PKCS#1
   * (`RSA PRIVATE KEY`). Encrypted keys are not supported.
   * @param pem the PEM text
   * @param file where it was read from, for error messages
   * @throws TrustmeshError `TM_CA_BAD_PEM` when it is not a readable key of a supported algorithm.
   */
  public static fromPem(pem: string, file?: string): PrivateKey {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: pem, format: 'pem' });
    } catch (e) {
      throw new TrustmeshError('TM_CA_BAD_PEM', 'not a readable private key', {
        location: file ? { file } : undefined,
        allowed: 'an unencrypted PEM private key (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)',
        fix: 'restore the file from a backup, or re-create the material with `trustmesh ca init --force`',
        cause: e,
      });
    }
    return PrivateKey.fromKeyObject(key, file);
  }

  /**
   * Wraps a WebCrypto private key. The key must be extractable.
   * @internal
   */
  public static fromCryptoKey(key: webcrypto.CryptoKey): PrivateKey {
    return PrivateKey.fromKeyObject(KeyObject.from(key));
  }

  private static fromKeyObject(key: KeyObject, file?: string): PrivateKey {
    const algorithm = KeyAlgorithm.fromKeyDetails(key.asymmetricKeyType, key.asymmetricKeyDetails);
    if (!algorithm) {
      const details = key.asymmetricKeyDetails;
      throw new TrustmeshError('TM_CA_UNKNOWN_ALGORITHM', 'the private key uses an unsupported algorithm', {
        location: file ? { file } : undefined,
        value: `${key.asymmetricKeyType ?? 'unknown'}${details?.namedCurve ? ` ${details.namedCurve}` : ''}${details?.modulusLength ? ` ${details.modulusLength}` : ''}`,
        allowed: KeyAlgorithm.all().map((a) => a.name).join(', '),
      });
    }
    const pem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
    return new PrivateKey(pem, algorithm, spki);
  }

  /** The key algorithm. */
  public readonly algorithm: KeyAlgorithm;
  readonly #pem: string;
  readonly #spki: Buffer;

  private constructor(pem: string, algorithm: KeyAlgorithm, spki: Buffer) {
    this.#pem = pem;
    this.#spki = spki;
    this.algorithm = algorithm;
  }

  /**
   * The PKCS#8 PEM (a `PRIVATE KEY` block). Only for writing key material to its
   * git-ignored destination (the key store, the secrets output).
   */
  public revealPem(): string {
    return this.#pem;
  }

  /** DER SubjectPublicKeyInfo of the matching public key. */
  public publicKeySpki(): Buffer {
    return Buffer.from(this.#spki);
  }

  /** Whether this key belongs to the given public key (DER SubjectPublicKeyInfo). */
  public matches(spki: Uint8Array): boolean {
    return Buffer.compare(this.#spki, Buffer.from(spki)) === 0;
  }

  /** The key pair as WebCrypto keys, for signing. @internal */
  public async toCryptoKeyPair(): Promise<webcrypto.CryptoKeyPair> {
    const subtle = webCrypto().subtle;
    const params = this.algorithm.webCrypto.import;
    const der = createPrivateKey(this.#pem).export({ type: 'pkcs8', format: 'der' });
    const [privateKey, publicKey] = await Promise.all([
      subtle.importKey('pkcs8', der, params, true, ['sign']),
      subtle.importKey('spki', this.#spki, params, true, ['verify']),
    ]);
    return { privateKey, publicKey };
  }

  /** Never the key itself. */
  public toString(): string {
    return REDACTED;
  }

  /** Never the key itself. */
  public toJSON(): string {
    return REDACTED;
  }

  /** Never the key itself. @internal */
  public [inspect.custom](): string {
    return REDACTED;
  }
}
