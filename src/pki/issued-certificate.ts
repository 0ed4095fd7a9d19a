import { TrustmeshError } from '../errors';
import { Certificate } from './certificate';
import { joinPem } from './pem';
import { PrivateKey } from './private-key';

/**
 * A certificate together with its private key and the certificates above it (nearest issuer
 * first, ending with the root). A root has no issuers.
 *
 * This is what the {@link Pki} functions return and what they take as the issuer of the next
 * certificate.
 */
export class IssuedCertificate {
  /**
   * Bundles a certificate with its key and issuer chain.
   * @throws TrustmeshError `TM_CA_KEY_MISMATCH` when the key does not belong to the certificate.
   */
  public static of(certificate: Certificate, privateKey: PrivateKey, issuers: readonly Certificate[] = [], file?: string): IssuedCertificate {
    if (!privateKey.matches(certificate.publicKeySpki())) {
      throw new TrustmeshError('TM_CA_KEY_MISMATCH', `the private key does not belong to the certificate ${certificate}`, {
        location: file ? { file } : undefined,
        fix: 'keep each *-key.pem next to the certificate it was created with; restore both from a backup, or re-create them with `trustmesh ca init --force`',
      });
    }
    return new IssuedCertificate(certificate, privateKey, issuers);
  }

  private constructor(
    /** The certificate. */
    public readonly certificate: Certificate,
    /** Its private key (redacted when printed). */
    public readonly privateKey: PrivateKey,
    /** Issuers, nearest first, ending with the root; empty for a root. */
    public readonly issuers: readonly Certificate[],
  ) {
    Object.freeze(this.issuers);
  }

  /** The root this certificate chains to (itself for a root). */
  public get root(): Certificate {
    return this.issuers.length > 0 ? this.issuers[this.issuers.length - 1] : this.certificate;
  }

  /**
   * The certificate and its issuers without the root: what a TLS peer sends (`tls.crt`).
   */
  public chainPem(): string {
    return joinPem([this.certificate, ...this.issuers.slice(0, -1)].map((c) => c.pem));
  }

  /**
   * The certificate and all its issuers including the root: Istio's `cert-chain.pem`.
   */
  public fullChainPem(): string {
    return joinPem([this.certificate, ...this.issuers].map((c) => c.pem));
  }
}
