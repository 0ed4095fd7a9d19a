import { TrustmeshError } from '../errors';
import { assertDnsSubdomain } from '../model/names';
import { Certificate } from '../pki/certificate';
import type { IssuedCertificate } from '../pki/issued-certificate';
import { splitPem } from '../pki/pem';
import { PrivateKey } from '../pki/private-key';
import { WORKLOAD_CREDENTIALS_PATH } from '../render/sidecar/volumes';

/** Already-issued SVID material, as PEM text. */
export interface SvidPem {
  /** The SVID then its intermediates (without the root): the Secret's `tls.crt`. */
  readonly certificateChain: string;
  /** The SVID's private key: the Secret's `tls.key`. */
  readonly privateKey: string;
  /** Root certificate(s) peers are verified against: the Secret's `ca.crt`. */
  readonly trustBundle: string;
}

/** Options of the {@link StandaloneIdentity} factories. */
export interface StandaloneIdentityOptions {
  /**
   * Name of the `kubernetes.io/tls` Secret.
   * @default - `<serviceAccount>-svid`
   */
  readonly secretName?: string;
  /**
   * Where the application container sees `cert-chain.pem`, `key.pem` and `root-cert.pem`.
   * @default '/var/run/secrets/workload-spiffe-credentials'
   */
  readonly mountPath?: string;
}

/**
 * A workload identity (SVID) issued by trustmesh's CA ahead of time, for workloads that run without
 * istiod issuing their certificate. The SVID goes into a `kubernetes.io/tls` Secret that is written
 * to the secrets output (never to `dist/`), and is mounted into the application container under
 * Istio's file-mounted names; with manual injection it also backs the proxy's `workload-certs`
 * volume, so pilot-agent serves this SVID instead of requesting one.
 *
 * The certificate must name the service's identity: its URI SAN is checked against
 * `spiffe://<trust-domain>/ns/<namespace>/sa/<serviceAccount>` when the workload is built.
 *
 * @example
 * const svid = await pki.issueWorkloadCertificate(intermediate, { trustDomain: 'cluster.local', namespace: 'legacy', serviceAccount: 'billing' });
 * ns.addService('billing', { inMesh: false, workload: { image, identity: StandaloneIdentity.fromIssuedCertificate(svid) } });
 */
export class StandaloneIdentity {
  /** From a certificate issued with {@link Pki.issueWorkloadCertificate}. */
  public static fromIssuedCertificate(svid: IssuedCertificate, options: StandaloneIdentityOptions = {}): StandaloneIdentity {
    return StandaloneIdentity.fromPem({
      certificateChain: svid.chainPem(),
      privateKey: svid.privateKey.revealPem(),
      trustBundle: svid.root.pem,
    }, options);
  }

  /**
   * From PEM text (e.g. read from the key store).
   * @throws TrustmeshError `TM_CA_BAD_PEM` / `TM_CA_KEY_MISMATCH` / `TM_SVID_NOT_A_WORKLOAD_CERTIFICATE`
   */
  public static fromPem(pem: SvidPem, options: StandaloneIdentityOptions = {}): StandaloneIdentity {
    const chain = Certificate.parseBundle(pem.certificateChain);
    Certificate.parseBundle(pem.trustBundle);
    const leaf = chain[0];
    const key = PrivateKey.fromPem(pem.privateKey);
    if (!key.matches(leaf.publicKeySpki())) {
      throw new TrustmeshError('TM_CA_KEY_MISMATCH', `the private key does not belong to ${leaf}`, {
        fix: 'pass the key the SVID was issued for',
      });
    }
    const spiffe = leaf.uris.filter((u) => u.startsWith('spiffe://'));
    if (leaf.isCa || spiffe.length !== 1) {
      throw new TrustmeshError('TM_SVID_NOT_A_WORKLOAD_CERTIFICATE', `${leaf} is not a workload certificate with one SPIFFE ID`, {
        value: leaf.uris,
        fix: 'issue it with Pki.issueWorkloadCertificate (or `trustmesh ca issue workload`)',
      });
    }
    if (options.secretName !== undefined) assertDnsSubdomain(options.secretName, 'SVID secret name');
    const mountPath = options.mountPath ?? WORKLOAD_CREDENTIALS_PATH;
    if (!mountPath.startsWith('/') || mountPath.includes(':')) {
      throw new TrustmeshError('TM_INVALID_MOUNT_PATH', 'mountPath must be an absolute path without ":"', { value: mountPath });
    }
    return new StandaloneIdentity(spiffe[0], joinPemText(pem.certificateChain), pem.privateKey, joinPemText(pem.trustBundle),
      options.secretName, mountPath);
  }

  private constructor(
    /** The SPIFFE ID the certificate carries. */
    public readonly spiffeId: string,
    /** @internal */
    public readonly _certificateChain: string,
    /** @internal */
    public readonly _privateKey: string,
    /** @internal */
    public readonly _trustBundle: string,
    /** The Secret name, when given. */
    public readonly secretName: string | undefined,
    /** Where the application container sees the files. */
    public readonly mountPath: string,
  ) {}

  /** Redacted: the key never appears in logs. */
  public toString(): string {
    return `StandaloneIdentity(${this.spiffeId})`;
  }

  /** Redacted: the key never appears in JSON dumps. */
  public toJSON(): { spiffeId: string } {
    return { spiffeId: this.spiffeId };
  }
}

/** Normalizes PEM text to blocks joined by newlines with one trailing newline (stable bytes in the Secret). */
function joinPemText(text: string): string {
  const blocks = splitPem(text);
  return blocks.map((b) => b.pem).join('');
}
