/**
 * The one place where trustmesh sets up `@peculiar/x509`.
 *
 * `@peculiar/x509` resolves its algorithms through tsyringe, which refuses to load unless the
 * `reflect-metadata` polyfill is installed first, and it signs through a WebCrypto provider that
 * has to be chosen. Doing both at import time would make importing trustmesh change global state,
 * so every PKI entry point calls {@link x509} instead, which sets things up on first use.
 *
 * @module
 */
import { webcrypto } from 'crypto';
import type * as X509 from '@peculiar/x509';

/** The `@peculiar/x509` module type. */
export type X509Module = typeof X509;

// @peculiar/x509 declares its parameters with the DOM WebCrypto types (`Crypto`, `CryptoKey`),
// which Node's typings name differently; these aliases name them without requiring the DOM lib.
/** The crypto provider type `@peculiar/x509` expects. @internal */
export type X509Crypto = NonNullable<Parameters<X509Module['X509CertificateGenerator']['create']>[1]>;
/** The key type `@peculiar/x509` expects. @internal */
export type X509CryptoKey = X509.X509CertificateCreateWithKeyParams['signingKey'];
/** The signing algorithm type `@peculiar/x509` expects. @internal */
export type X509Algorithm = NonNullable<X509.X509CertificateCreateParamsBase['signingAlgorithm']>;

/** Node's WebCrypto, typed as `@peculiar/x509` expects its crypto provider. @internal */
export function x509Crypto(): X509Crypto {
  return webcrypto as unknown as X509Crypto;
}

/**
 * Node's WebCrypto implementation, the only crypto provider trustmesh uses.
 *
 * Typed as the DOM `Crypto` that `@peculiar/x509` expects; Node's implementation is compatible.
 */
export function webCrypto(): webcrypto.Crypto {
  return webcrypto;
}

/**
 * Returns `@peculiar/x509`, installing `reflect-metadata` and Node's WebCrypto as its provider.
 *
 * Safe to call many times: Node caches the modules, and setting the same provider again is a no-op
 * in effect. The only global state touched is what `@peculiar/x509` itself requires (the `Reflect`
 * metadata API and its default crypto provider).
 */
export function x509(): X509Module {
  // tsyringe, loaded by @peculiar/x509, throws at load time without the Reflect metadata API.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('reflect-metadata');
  // Loaded lazily (not imported) so that importing trustmesh has no side effects.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require('@peculiar/x509') as X509Module;
  module.cryptoProvider.set(x509Crypto());
  return module;
}
