/**
 * What istiod does with a gateway credential Secret before Envoy may use it
 * (`pilot/pkg/credentials/kube/secrets.go` `ExtractCertInfo`, `pilot/pkg/xds/sds.go`
 * `ValidateCertificate`), plus the key-pair check Envoy applies when it loads the pair:
 *
 * - the certificate and key come from `cert`/`key`, else `tls.crt`/`tls.key` (both non-empty);
 * - the first PEM block of the certificate must parse as X.509 (with `@peculiar/x509`), and be
 *   valid now (not expired, not before `notBefore`);
 * - the private key must parse and belong to the certificate's public key.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/
 * @module
 */
import { createPrivateKey, createPublicKey } from 'crypto';
import type * as X509 from '@peculiar/x509';
import { asRecord } from '../../../private/records';
import { LoadedObject } from '../../config/istio-config';

/** A Secret's certificate and key, decoded, and under which keys they were found. */
export interface CredentialPair {
  readonly cert: string;
  readonly key: string;
  /** `tls.crt`/`tls.key` or `cert`/`key`. */
  readonly keys: readonly [string, string];
}

/** The data of a Secret as text: `data` base64-decoded, `stringData` as written (it wins, as in the API server). */
export function secretData(secret: LoadedObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asRecord(secret.body.data))) if (typeof v === 'string') out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(asRecord(secret.body.stringData))) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The certificate and key istiod reads from a Secret, or why there is none. */
export function credentialPair(data: Readonly<Record<string, string>>): CredentialPair | string {
  if (data.cert && data.key) return { cert: data.cert, key: data.key, keys: ['cert', 'key'] };
  if (data['tls.crt'] && data['tls.key']) return { cert: data['tls.crt'], key: data['tls.key'], keys: ['tls.crt', 'tls.key'] };
  if ('cert' in data && 'key' in data) return 'found keys "cert" and "key", but they were empty';
  if ('tls.crt' in data && 'tls.key' in data) return 'found keys "tls.crt" and "tls.key", but they were empty';
  const found = Object.keys(data).sort();
  return `it has neither tls.crt/tls.key nor cert/key (found: ${found.length === 0 ? 'no keys' : found.slice(0, 3).join(', ') + (found.length > 3 ? `, and ${found.length - 3} more` : '')})`;
}

/** Why the pair cannot serve TLS at `now`, or undefined when it can. */
export function certificateProblem(pair: CredentialPair, now: Date): string | undefined {
  const block = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pair.cert);
  if (!block) return `${pair.keys[0]} holds no PEM block`;
  if (block[1] !== 'CERTIFICATE') return `the first PEM block of ${pair.keys[0]} is a ${block[1]}, not a CERTIFICATE`;
  let cert: X509.X509Certificate;
  try {
    cert = new (x509Module().X509Certificate)(block[0]);
  } catch (e) {
    return `${pair.keys[0]} is not an X.509 certificate (${e instanceof Error ? e.message : String(e)})`;
  }
  if (now.getTime() > cert.notAfter.getTime()) return `the certificate ${cert.subject} expired on ${cert.notAfter.toISOString()}`;
  if (now.getTime() < cert.notBefore.getTime()) return `the certificate ${cert.subject} is not valid before ${cert.notBefore.toISOString()}`;
  let publicKey: Buffer;
  try {
    publicKey = createPublicKey(createPrivateKey(pair.key)).export({ type: 'spki', format: 'der' });
  } catch (e) {
    return `${pair.keys[1]} is not a PEM private key (${e instanceof Error ? e.message : String(e)})`;
  }
  if (!publicKey.equals(Buffer.from(cert.publicKey.rawData))) return `${pair.keys[1]} is not the private key of the certificate ${cert.subject}`;
  return undefined;
}

/**
 * `@peculiar/x509`, loaded on first use: it needs the `reflect-metadata` polyfill (for tsyringe)
 * before it loads, as `src/pki/crypto-provider.ts` explains; parsing needs no crypto provider.
 */
function x509Module(): typeof X509 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('reflect-metadata');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@peculiar/x509') as typeof X509;
}
