/**
 * The X.509 extensions of each kind of certificate trustmesh issues, matching Istio's plug-in CA
 * profile (`tools/certs/common.mk`) and what istiod puts in workload certificates
 * (`security/pkg/pki/util/generate_cert.go`).
 *
 * @module
 */
import { webcrypto } from 'crypto';
import type * as X509 from '@peculiar/x509';
import { x509, x509Crypto, X509CryptoKey } from './crypto-provider';
import { KeyAlgorithm } from './key-algorithm';

/** Which profile to apply. @internal */
export type CertificateProfile =
  | { readonly kind: 'root' }
  | { readonly kind: 'intermediate'; readonly dnsNames: readonly string[] }
  | { readonly kind: 'workload'; readonly uri: string }
  | { readonly kind: 'server'; readonly dnsNames: readonly string[] }
  | { readonly kind: 'client'; readonly uris: readonly string[]; readonly dnsNames: readonly string[] };

/**
 * Extensions for a certificate of the given profile.
 *
 * - root: `critical, CA:TRUE`; `critical, keyCertSign, cRLSign, digitalSignature`; subject and
 *   authority key identifiers.
 * - intermediate: as root plus `pathlen:0` and the DNS SAN `istiod.<ns>.svc` that Istio's makefiles
 *   put on cluster intermediates.
 * - workload (SVID): `critical, CA:FALSE`; `critical, digitalSignature` (plus `keyEncipherment`
 *   for RSA keys, as istiod does; it is meaningless for ECDSA keys); EKU serverAuth + clientAuth;
 *   the SPIFFE URI SAN, critical because the subject is empty (RFC 5280 §4.2.1.6).
 * - server / client: leaf as above with EKU serverAuth / clientAuth and DNS (or URI) SANs.
 *
 * @internal
 */
export async function profileExtensions(
  profile: CertificateProfile,
  subjectKey: webcrypto.CryptoKey,
  subjectAlgorithm: KeyAlgorithm,
  issuerKey: webcrypto.CryptoKey,
): Promise<X509.Extension[]> {
  const lib = x509();
  const crypto = x509Crypto();
  const flags = lib.KeyUsageFlags;
  const authorityKeyId = await lib.AuthorityKeyIdentifierExtension.create(issuerKey as unknown as X509CryptoKey, false, crypto);
  const sans = (names: ReadonlyArray<{ type: 'dns' | 'url'; value: string }>, critical = false): X509.Extension[] =>
    names.length > 0 ? [new lib.SubjectAlternativeNameExtension(names.map((n) => ({ ...n })), critical)] : [];

  if (profile.kind === 'root' || profile.kind === 'intermediate') {
    const extensions: X509.Extension[] = [
      new lib.BasicConstraintsExtension(true, profile.kind === 'intermediate' ? 0 : undefined, true),
      new lib.KeyUsagesExtension(combine(flags.keyCertSign, flags.cRLSign, flags.digitalSignature), true),
      await lib.SubjectKeyIdentifierExtension.create(subjectKey as unknown as X509CryptoKey, false, crypto),
      authorityKeyId,
    ];
    if (profile.kind === 'intermediate') extensions.push(...sans(profile.dnsNames.map((value) => ({ type: 'dns', value }))));
    return extensions;
  }

  const usage = subjectAlgorithm.family === 'rsa' ? combine(flags.digitalSignature, flags.keyEncipherment) : flags.digitalSignature;
  const ekus = profile.kind === 'workload'
    ? [lib.ExtendedKeyUsage.serverAuth, lib.ExtendedKeyUsage.clientAuth]
    : profile.kind === 'server' ? [lib.ExtendedKeyUsage.serverAuth] : [lib.ExtendedKeyUsage.clientAuth];
  const leaf: X509.Extension[] = [
    new lib.BasicConstraintsExtension(false, undefined, true),
    new lib.KeyUsagesExtension(usage, true),
    new lib.ExtendedKeyUsageExtension(ekus, false),
    authorityKeyId,
  ];
  if (profile.kind === 'workload') {
    leaf.push(...sans([{ type: 'url', value: profile.uri }], true));
  } else if (profile.kind === 'server') {
    leaf.push(...sans(profile.dnsNames.map((value) => ({ type: 'dns', value }))));
  } else {
    leaf.push(...sans([
      ...profile.dnsNames.map((value) => ({ type: 'dns' as const, value })),
      ...profile.uris.map((value) => ({ type: 'url' as const, value })),
    ]));
  }
  return leaf;
}

/** Sum of distinct single-bit flags, which equals their bitwise OR. */
function combine(...flags: number[]): number {
  return [...new Set(flags)].reduce((a, b) => a + b, 0);
}
