import { createHash, createPublicKey } from 'crypto';
import type * as X509 from '@peculiar/x509';
import { TrustmeshError } from '../errors';
import { x509 } from './crypto-provider';
import { KeyAlgorithm } from './key-algorithm';
import { encodePem, splitPem } from './pem';

/** Plain, JSON-friendly facts about a certificate: what `ca inspect --output json` prints. */
export interface CertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  /** Hexadecimal, lower case, without leading zero bytes. */
  readonly serialNumber: string;
  /** ISO 8601. */
  readonly notBefore: string;
  /** ISO 8601. */
  readonly notAfter: string;
  readonly dnsNames: readonly string[];
  readonly uris: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly isCa: boolean;
  readonly pathLength?: number;
  readonly keyUsages: readonly string[];
  readonly extendedKeyUsages: readonly string[];
  readonly keyAlgorithm: string;
  /** SHA-256 over the DER certificate, upper-case hex pairs joined by `:` (as `openssl x509 -fingerprint -sha256`). */
  readonly fingerprintSha256: string;
  readonly subjectKeyId?: string;
  readonly authorityKeyId?: string;
}

const KEY_USAGE_NAMES: ReadonlyArray<readonly [number, string]> = [
  [1, 'digitalSignature'], [2, 'nonRepudiation'], [4, 'keyEncipherment'], [8, 'dataEncipherment'],
  [16, 'keyAgreement'], [32, 'keyCertSign'], [64, 'cRLSign'], [128, 'encipherOnly'], [256, 'decipherOnly'],
];

const EKU_NAMES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'ocspSigning',
};

/**
 * An X.509 certificate, parsed once: its PEM plus the facts trustmesh reports and checks
 * (subject, SANs, validity, CA constraints, fingerprint). Immutable, synchronous, and free of key
 * material, so constructs can take it as plain input.
 *
 * @example
 * const root = Certificate.fromPem(fs.readFileSync('root-cert.pem', 'utf8'));
 * root.notAfter; root.fingerprintSha256;
 */
export class Certificate {
  /**
   * Parses exactly one certificate.
   * @param pem PEM text holding one `CERTIFICATE` block
   * @param file where it was read from, for error messages
   * @throws TrustmeshError `TM_CA_BAD_PEM`
   */
  public static fromPem(pem: string, file?: string): Certificate {
    const all = Certificate.parseBundle(pem, file);
    if (all.length !== 1) {
      throw new TrustmeshError('TM_CA_BAD_PEM', `expected one certificate, found ${all.length}`, {
        location: file ? { file } : undefined,
        fix: 'put a single certificate in this file; bundles belong in root-cert.pem or cert-chain.pem',
      });
    }
    return all[0];
  }

  /**
   * Parses every certificate of a PEM bundle (such as `cert-chain.pem` or a trust bundle), in order.
   * @throws TrustmeshError `TM_CA_BAD_PEM` when a block is not a certificate or does not parse.
   */
  public static parseBundle(text: string, file?: string): Certificate[] {
    return splitPem(text, file).map((block, index) => {
      if (block.label !== 'CERTIFICATE') {
        throw new TrustmeshError('TM_CA_BAD_PEM', `PEM block #${index + 1} is a "${block.label}", not a CERTIFICATE`, {
          location: file ? { file } : undefined,
          fix: 'certificate files must hold only certificates; keys live in their own *-key.pem files',
        });
      }
      try {
        return new Certificate(new (x509().X509Certificate)(block.der));
      } catch (e) {
        throw new TrustmeshError('TM_CA_BAD_PEM', `PEM block #${index + 1} is not a valid X.509 certificate`, {
          location: file ? { file } : undefined,
          fix: 'restore the file from a backup, or re-create the material with `trustmesh ca init --force`',
          cause: e,
        });
      }
    });
  }

  /** The certificate as one PEM block, ending with a newline. */
  public readonly pem: string;
  /** Subject DN, e.g. `O=trustmesh, CN=Root CA G1`; empty for SPIFFE workload certificates. */
  public readonly subject: string;
  /** Issuer DN. */
  public readonly issuer: string;
  /** Hexadecimal serial number. */
  public readonly serialNumber: string;
  /** DNS names of the subject alternative name extension. */
  public readonly dnsNames: readonly string[];
  /** URIs of the subject alternative name extension (SPIFFE IDs). */
  public readonly uris: readonly string[];
  /** IP addresses of the subject alternative name extension. */
  public readonly ipAddresses: readonly string[];
  /** Whether basic constraints say CA:TRUE. */
  public readonly isCa: boolean;
  /** Basic constraints path length, when set. */
  public readonly pathLength?: number;
  /** Key usage names, e.g. `keyCertSign`. */
  public readonly keyUsages: readonly string[];
  /** Extended key usage names, e.g. `serverAuth`. */
  public readonly extendedKeyUsages: readonly string[];
  /** The subject key algorithm, if trustmesh supports it. */
  public readonly keyAlgorithm?: KeyAlgorithm;
  /** SHA-256 fingerprint, `AB:CD:…` (as `openssl x509 -fingerprint -sha256` prints it). */
  public readonly fingerprintSha256: string;
  /** Subject key identifier, hex. */
  public readonly subjectKeyId?: string;
  /** Authority key identifier (key id form), hex. */
  public readonly authorityKeyId?: string;
  private readonly notBeforeMillis: number;
  private readonly notAfterMillis: number;
  private readonly der: Buffer;
  private readonly spki: Buffer;

  private constructor(cert: X509.X509Certificate) {
    const lib = x509();
    this.der = Buffer.from(cert.rawData);
    this.pem = encodePem('CERTIFICATE', this.der);
    this.subject = cert.subject;
    this.issuer = cert.issuer;
    this.serialNumber = cert.serialNumber.toLowerCase();
    this.notBeforeMillis = cert.notBefore.getTime();
    this.notAfterMillis = cert.notAfter.getTime();

    // x509 returns Array subclasses; copy into plain arrays so callers (and snapshots) see plain data.
    const names = [...cert.getExtensions(lib.SubjectAlternativeNameExtension)].flatMap((e) => [...e.names.items].map((n) => n.toJSON()));
    this.dnsNames = Object.freeze(names.filter((n) => n.type === 'dns').map((n) => n.value));
    this.uris = Object.freeze(names.filter((n) => n.type === 'url').map((n) => n.value));
    this.ipAddresses = Object.freeze(names.filter((n) => n.type === 'ip').map((n) => n.value));

    const basic = cert.getExtension(lib.BasicConstraintsExtension);
    this.isCa = basic?.ca ?? false;
    this.pathLength = basic?.pathLength;
    const usage = cert.getExtension(lib.KeyUsagesExtension);
    this.keyUsages = Object.freeze(usage ? KEY_USAGE_NAMES.filter(([flag]) => Math.floor(usage.usages / flag) % 2 === 1).map(([, n]) => n) : []);
    const eku = cert.getExtension(lib.ExtendedKeyUsageExtension);
    this.extendedKeyUsages = Object.freeze([...(eku?.usages ?? [])].map((u) => EKU_NAMES[String(u)] ?? String(u)));
    this.subjectKeyId = cert.getExtension(lib.SubjectKeyIdentifierExtension)?.keyId;
    this.authorityKeyId = cert.getExtension(lib.AuthorityKeyIdentifierExtension)?.keyId;

    this.spki = Buffer.from(cert.publicKey.rawData);
    const publicKey = createPublicKey({ key: this.spki, format: 'der', type: 'spki' });
    this.keyAlgorithm = KeyAlgorithm.fromKeyDetails(publicKey.asymmetricKeyType, publicKey.asymmetricKeyDetails);
    this.fingerprintSha256 = createHash('sha256').update(this.der).digest('hex').toUpperCase().match(/../g)!.join(':');
    Object.freeze(this);
  }

  /** Start of the validity period (a fresh copy). */
  public get notBefore(): Date {
    return new Date(this.notBeforeMillis);
  }

  /** End of the validity period (a fresh copy). */
  public get notAfter(): Date {
    return new Date(this.notAfterMillis);
  }

  /** Whether issuer and subject are the same name (roots are self-issued). */
  public get selfIssued(): boolean {
    return this.subject === this.issuer;
  }

  /** DER SubjectPublicKeyInfo. */
  public publicKeySpki(): Buffer {
    return Buffer.from(this.spki);
  }

  /** DER encoding of the certificate. */
  public toDer(): Buffer {
    return Buffer.from(this.der);
  }

  /** Whether `at` lies inside the validity period. */
  public isValidAt(at: Date): boolean {
    const t = at.getTime();
    return t >= this.notBeforeMillis && t <= this.notAfterMillis;
  }

  /** Whole days from `at` until the certificate expires (negative once it has expired). */
  public daysUntilExpiry(at: Date): number {
    return Math.floor((this.notAfterMillis - at.getTime()) / 86_400_000);
  }

  /** Whether this is the same certificate (same DER bytes). */
  public equals(other: Certificate): boolean {
    return this.fingerprintSha256 === other.fingerprintSha256;
  }

  /** The parsed `@peculiar/x509` object. @internal */
  public toX509(): X509.X509Certificate {
    return new (x509().X509Certificate)(this.der);
  }

  /** Plain facts, for JSON output. */
  public toJSON(): CertificateInfo {
    return {
      subject: this.subject,
      issuer: this.issuer,
      serialNumber: this.serialNumber,
      notBefore: this.notBefore.toISOString(),
      notAfter: this.notAfter.toISOString(),
      dnsNames: this.dnsNames,
      uris: this.uris,
      ipAddresses: this.ipAddresses,
      isCa: this.isCa,
      ...(this.pathLength !== undefined ? { pathLength: this.pathLength } : {}),
      keyUsages: this.keyUsages,
      extendedKeyUsages: this.extendedKeyUsages,
      keyAlgorithm: this.keyAlgorithm?.name ?? 'unsupported',
      fingerprintSha256: this.fingerprintSha256,
      ...(this.subjectKeyId ? { subjectKeyId: this.subjectKeyId } : {}),
      ...(this.authorityKeyId ? { authorityKeyId: this.authorityKeyId } : {}),
    };
  }

  /** `subject (SHA-256 AB:CD:EF:01…)`, for messages. */
  public toString(): string {
    return `${this.subject || '(empty subject)'} (SHA-256 ${this.fingerprintSha256.slice(0, 23)}…)`;
  }
}
