import { webCrypto } from './crypto-provider';
import { KeyAlgorithm } from './key-algorithm';
import { PrivateKey } from './private-key';

/** Progress of key generation (RSA 4096 takes seconds per key on a shared core). */
export interface KeyGenerationProgress {
  readonly phase: 'started' | 'finished';
  /** What the key is for, e.g. `intermediate CA for east`. */
  readonly purpose: string;
  readonly algorithm: KeyAlgorithm;
  /** Set when finished. */
  readonly elapsedMs?: number;
}

/**
 * Where new private keys come from. Injected so tests can use fixed keys (and so run fast and
 * produce reproducible certificates); any object with a matching `generate` method fits.
 *
 * @example
 * const keys = KeyGenerator.fromPems([rootKeyPem, eastKeyPem]); // tests
 * const keys = KeyGenerator.webCrypto();                        // everything else
 */
export abstract class KeyGenerator {
  /** Fresh keys from Node's WebCrypto (the default). */
  public static webCrypto(): KeyGenerator {
    return new WebCryptoKeyGenerator();
  }

  /**
   * Hands out the given keys in order, one per `generate` call, and fails when they run out or
   * when a key does not have the requested algorithm. For tests.
   */
  public static fromPems(pems: readonly string[]): KeyGenerator {
    return new FixedKeyGenerator(pems.map((pem) => PrivateKey.fromPem(pem)));
  }

  /** Wraps a generator to report when each key starts and finishes (for progress output). */
  public static withProgress(inner: KeyGenerator, onProgress: (event: KeyGenerationProgress) => void): KeyGenerator {
    return new ProgressKeyGenerator(inner, onProgress);
  }

  /**
   * A new key pair.
   * @param algorithm the key algorithm
   * @param purpose what the key is for, e.g. `root CA` or `intermediate CA for east` (for progress
   * messages and error messages)
   */
  public abstract generate(algorithm: KeyAlgorithm, purpose: string): Promise<PrivateKey>;
}

class WebCryptoKeyGenerator extends KeyGenerator {
  public async generate(algorithm: KeyAlgorithm, _purpose: string): Promise<PrivateKey> {
    const pair = await webCrypto().subtle.generateKey(algorithm.webCrypto.generate, true, ['sign', 'verify']);
    return PrivateKey.fromCryptoKey(pair.privateKey);
  }
}

class FixedKeyGenerator extends KeyGenerator {
  private next = 0;

  public constructor(private readonly keys: readonly PrivateKey[]) {
    super();
  }

  public async generate(algorithm: KeyAlgorithm, purpose: string): Promise<PrivateKey> {
    const index = this.next++;
    const key = this.keys[index];
    if (!key) {
      throw new TypeError(`KeyGenerator.fromPems: no injected key left for ${purpose} (${this.keys.length} given)`);
    }
    if (key.algorithm !== algorithm) {
      throw new TypeError(`KeyGenerator.fromPems: injected key #${index} is ${key.algorithm.name}, but ${purpose} needs ${algorithm.name}`);
    }
    return key;
  }
}

class ProgressKeyGenerator extends KeyGenerator {
  public constructor(private readonly inner: KeyGenerator, private readonly onProgress: (event: KeyGenerationProgress) => void) {
    super();
  }

  public async generate(algorithm: KeyAlgorithm, purpose: string): Promise<PrivateKey> {
    const started = Date.now();
    this.onProgress({ phase: 'started', purpose, algorithm });
    const key = await this.inner.generate(algorithm, purpose);
    this.onProgress({ phase: 'finished', purpose, algorithm, elapsedMs: Date.now() - started });
    return key;
  }
}
