import { Duration } from 'cdk8s';
import { TrustmeshError } from '../errors';
import { Certificate } from './certificate';
import { CertificateProfile, profileExtensions } from './certificate-profiles';
import { Clock } from './clock';
import { webCrypto, x509, X509Algorithm, x509Crypto, X509CryptoKey } from './crypto-provider';
import { IssuedCertificate } from './issued-certificate';
import { KeyAlgorithm } from './key-algorithm';
import { KeyGenerator } from './key-generator';
import { validateClusterName, validateHostName, validateNamespace } from './names';
import { PrivateKey } from './private-key';
import { SpiffeId } from './spiffe-id';

/** Injectable sources of time, keys and serial numbers. */
export interface PkiOptions {
  /**
   * The clock certificates are issued by.
   * @default Clock.system()
   */
  readonly clock?: Clock;
  /**
   * Where new private keys come from.
   * @default KeyGenerator.webCrypto()
   */
  readonly keyGenerator?: KeyGenerator;
  /**
   * Produces serial numbers (hexadecimal, positive).
   * @default - 128 random bits
   */
  readonly serialNumbers?: () => string;
}

/** Options shared by every certificate. */
export interface CertificateOptions {
  /**
   * Key algorithm of the new key.
   * @default - roots: ECDSA P-256; everything else: the issuer's {@link KeyAlgorithm.leafDefault}
   * for leaves, the issuer's algorithm for intermediates
   */
  readonly algorithm?: KeyAlgorithm;
  /**
   * Re-use this key instead of generating one (re-signing a certificate keeps its key).
   * @default - a new key from the key generator
   */
  readonly privateKey?: PrivateKey;
  /**
   * Validity period, counted from now. Never extends past the issuer's `notAfter` (the end is
   * clamped, as istiod clamps workload certificates).
   * @default - root 3650 days, intermediate 1825 days, workload 24 hours, server and client 90 days
   */
  readonly ttl?: Duration;
}

/** Options of {@link Pki.createRoot}. */
export interface RootCaOptions extends CertificateOptions {
  /** @default 'trustmesh' */
  readonly organization?: string;
  /** @default 'Root CA' */
  readonly commonName?: string;
}

/** Options of {@link Pki.createIntermediate}. */
export interface IntermediateCaOptions extends CertificateOptions {
  /** Cluster the intermediate signs for; becomes `L=<cluster>` in the subject (as Istio's makefiles do). */
  readonly cluster: string;
  /**
   * Namespace of istiod; the intermediate carries the DNS SAN `istiod.<namespace>.svc`.
   * @default 'istio-system'
   */
  readonly istiodNamespace?: string;
  /** @default 'trustmesh' */
  readonly organization?: string;
  /** @default 'Intermediate CA' */
  readonly commonName?: string;
}

/** Options of {@link Pki.issueWorkloadCertificate}. */
export interface WorkloadCertificateOptions extends CertificateOptions {
  /** Trust domain, e.g. `cluster.local`. */
  readonly trustDomain: string;
  /** Kubernetes namespace of the workload. */
  readonly namespace: string;
  /** Kubernetes service account of the workload. */
  readonly serviceAccount: string;
}

/** Options of {@link Pki.issueServerCertificate}. */
export interface ServerCertificateOptions extends CertificateOptions {
  /** Host names the certificate is valid for (DNS SANs); the first is also the subject CN. */
  readonly hosts: readonly string[];
}

/** Options of {@link Pki.issueClientCertificate}. */
export interface ClientCertificateOptions extends CertificateOptions {
  /** Subject common name identifying the client. */
  readonly commonName: string;
  /** @default - no DNS SANs */
  readonly dnsNames?: readonly string[];
  /** @default - no URI SANs (pass a SPIFFE ID to make the client a mesh principal) */
  readonly uris?: readonly string[];
}

/** istiod backdates workload certificates by this much (`ClockSkewGracePeriod`). */
const CLOCK_SKEW_GRACE_MS = 2 * 60 * 1000;

/** Default validity periods. */
export const DEFAULT_TTL = {
  root: Duration.days(3650),
  intermediate: Duration.days(1825),
  workload: Duration.hours(24),
  server: Duration.days(90),
  client: Duration.days(90),
} as const;

/**
 * Issues the certificates of a mesh: a root CA, one intermediate per cluster under it (the Istio
 * plug-in CA layout), workload SVIDs, and gateway server and client certificates.
 *
 * Everything is asynchronous (key generation and signing use WebCrypto) and meant to run before
 * constructs are built. The clock, key generator and serial numbers are injectable so tests are
 * reproducible.
 *
 * @see https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/
 * @example
 * const pki = new Pki();
 * const root = await pki.createRoot();
 * const east = await pki.createIntermediate(root, { cluster: 'east' });
 * const svid = await pki.issueWorkloadCertificate(east, { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'cart' });
 */
export class Pki {
  private readonly clock: Clock;
  private readonly keyGenerator: KeyGenerator;
  private readonly serialNumbers: () => string;

  public constructor(options: PkiOptions = {}) {
    this.clock = options.clock ?? Clock.system();
    this.keyGenerator = options.keyGenerator ?? KeyGenerator.webCrypto();
    this.serialNumbers = options.serialNumbers ?? randomSerialNumber;
  }

  /** A self-signed root CA. */
  public async createRoot(options: RootCaOptions = {}): Promise<IssuedCertificate> {
    const algorithm = options.algorithm ?? options.privateKey?.algorithm ?? KeyAlgorithm.ECDSA_P256;
    const key = options.privateKey ?? await this.keyGenerator.generate(algorithm, 'root CA');
    const subject: Array<Record<string, string[]>> = [{ O: [options.organization ?? 'trustmesh'] }, { CN: [options.commonName ?? 'Root CA'] }];
    return this.sign({ kind: 'root' }, subject, key, undefined, options.ttl ?? DEFAULT_TTL.root);
  }

  /** A cluster intermediate CA (`pathlen:0`, `L=<cluster>`, SAN `istiod.<ns>.svc`) under a root. */
  public async createIntermediate(root: IssuedCertificate, options: IntermediateCaOptions): Promise<IssuedCertificate> {
    const cluster = validateClusterName(options.cluster);
    const istiodNamespace = validateNamespace(options.istiodNamespace ?? 'istio-system');
    assertCanIssue(root, 'an intermediate CA');
    if (root.certificate.pathLength === 0) {
      throw new TrustmeshError('TM_CA_NOT_A_CA', `${root.certificate} has pathlen:0 and cannot sign another CA`, {
        fix: 'create intermediates under the root CA',
      });
    }
    const algorithm = options.algorithm ?? options.privateKey?.algorithm ?? root.privateKey.algorithm;
    const key = options.privateKey ?? await this.keyGenerator.generate(algorithm, `intermediate CA for ${cluster}`);
    const subject: Array<Record<string, string[]>> = [
      { O: [options.organization ?? 'trustmesh'] }, { L: [cluster] }, { CN: [options.commonName ?? 'Intermediate CA'] },
    ];
    return this.sign({ kind: 'intermediate', dnsNames: [`istiod.${istiodNamespace}.svc`] }, subject, key, root,
      options.ttl ?? DEFAULT_TTL.intermediate);
  }

  /**
   * A workload certificate (SVID) as istiod would issue it: empty subject, critical URI SAN
   * `spiffe://<td>/ns/<ns>/sa/<sa>`, EKU serverAuth + clientAuth.
   */
  public async issueWorkloadCertificate(issuer: IssuedCertificate, options: WorkloadCertificateOptions): Promise<IssuedCertificate> {
    const id = SpiffeId.forServiceAccount(options.trustDomain, options.namespace, options.serviceAccount);
    assertCanIssue(issuer, 'a workload certificate');
    const key = await this.leafKey(issuer, options, `workload ${id.uri}`);
    return this.sign({ kind: 'workload', uri: id.uri }, [], key, issuer, options.ttl ?? DEFAULT_TTL.workload);
  }

  /**
   * A TLS server certificate for host names, e.g. for a gateway's `credentialName` Secret.
   * @throws TrustmeshError `TM_CA_INVALID_HOST` for a bad or missing host name.
   */
  public async issueServerCertificate(issuer: IssuedCertificate, options: ServerCertificateOptions): Promise<IssuedCertificate> {
    if (!options.hosts || options.hosts.length === 0) {
      throw new TrustmeshError('TM_CA_INVALID_HOST', 'a server certificate needs at least one host name', {
        fix: 'pass the host names clients connect to, e.g. `--host juice-shop.example.com`',
      });
    }
    const hosts = [...new Set(options.hosts.map(validateHostName))];
    assertCanIssue(issuer, 'a server certificate');
    const key = await this.leafKey(issuer, options, `server certificate for ${hosts[0]}`);
    return this.sign({ kind: 'server', dnsNames: hosts }, [{ CN: [hosts[0]] }], key, issuer, options.ttl ?? DEFAULT_TTL.server);
  }

  /** A TLS client certificate, e.g. for a client of a MUTUAL gateway. */
  public async issueClientCertificate(issuer: IssuedCertificate, options: ClientCertificateOptions): Promise<IssuedCertificate> {
    if (typeof options.commonName !== 'string' || options.commonName.trim() === '' || options.commonName.length > 64) {
      throw new TrustmeshError('TM_CA_INVALID_SUBJECT', 'a client certificate needs a common name of 1 to 64 characters', {
        value: options.commonName,
        fix: 'pass a name that identifies the client, e.g. `--common-name partner.example.com`',
      });
    }
    const dnsNames = (options.dnsNames ?? []).map(validateHostName);
    const uris = (options.uris ?? []).map((u) => (u.startsWith('spiffe://') ? SpiffeId.parse(u).uri : u));
    assertCanIssue(issuer, 'a client certificate');
    const key = await this.leafKey(issuer, options, `client certificate for ${options.commonName}`);
    return this.sign({ kind: 'client', dnsNames, uris }, [{ CN: [options.commonName] }], key, issuer, options.ttl ?? DEFAULT_TTL.client);
  }

  private async leafKey(issuer: IssuedCertificate, options: CertificateOptions, purpose: string): Promise<PrivateKey> {
    if (options.privateKey) return options.privateKey;
    return this.keyGenerator.generate(options.algorithm ?? issuer.privateKey.algorithm.leafDefault, purpose);
  }

  private async sign(
    profile: CertificateProfile,
    subject: ReadonlyArray<Record<string, string[]>>,
    key: PrivateKey,
    issuer: IssuedCertificate | undefined,
    ttl: Duration,
  ): Promise<IssuedCertificate> {
    const ttlMs = ttl.toMilliseconds();
    if (!(ttlMs > 0)) throw new TypeError(`certificate ttl must be positive, got ${ttl.toHumanString()}`);
    const lib = x509();
    const now = this.clock.now().getTime();
    if (issuer && !issuer.certificate.isValidAt(new Date(now))) {
      throw new TrustmeshError('TM_CA_EXPIRED', `cannot issue under ${issuer.certificate}: it is not valid at ${new Date(now).toISOString()}`, {
        value: { notBefore: issuer.certificate.notBefore.toISOString(), notAfter: issuer.certificate.notAfter.toISOString() },
        fix: 'renew the intermediate (`trustmesh ca renew --cluster <name>`) or rotate the root (`trustmesh ca rotate begin`)',
      });
    }
    const notBefore = new Date(now - CLOCK_SKEW_GRACE_MS);
    const wanted = now + ttlMs;
    const notAfter = new Date(issuer ? Math.min(wanted, issuer.certificate.notAfter.getTime()) : wanted);

    const subjectKeys = await key.toCryptoKeyPair();
    const signer = issuer ? await issuer.privateKey.toCryptoKeyPair() : subjectKeys;
    const signingAlgorithm = (issuer?.privateKey.algorithm ?? key.algorithm).webCrypto.sign;
    const subjectName = new lib.Name(subject.map((rdn) => ({ ...rdn })));
    const issuerName = issuer ? issuer.certificate.toX509().subjectName : subjectName;
    const cert = await lib.X509CertificateGenerator.create({
      serialNumber: this.serialNumbers(),
      subject: subjectName,
      issuer: issuerName,
      notBefore,
      notAfter,
      publicKey: subjectKeys.publicKey as unknown as X509CryptoKey,
      signingKey: signer.privateKey as unknown as X509CryptoKey,
      signingAlgorithm: { ...signingAlgorithm } as unknown as X509Algorithm,
      extensions: await profileExtensions(profile, subjectKeys.publicKey, key.algorithm, signer.publicKey),
    }, x509Crypto());
    const certificate = Certificate.fromPem(cert.toString('pem'));
    return IssuedCertificate.of(certificate, key, issuer ? [issuer.certificate, ...issuer.issuers] : []);
  }
}

function assertCanIssue(issuer: IssuedCertificate, what: string): void {
  const cert = issuer.certificate;
  if (!cert.isCa || !cert.keyUsages.includes('keyCertSign')) {
    throw new TrustmeshError('TM_CA_NOT_A_CA', `${cert} is not a CA certificate and cannot sign ${what}`, {
      fix: 'issue certificates under a cluster intermediate (or the root) from the key store',
    });
  }
}

function randomSerialNumber(): string {
  const bytes = webCrypto().getRandomValues(new Uint8Array(16));
  // A positive INTEGER of 16 octets: clear the sign bit, and keep the first octet non-zero so the
  // DER encoding has no leading zero to strip.
  bytes[0] = (bytes[0] % 0x7f) + 1;
  return Buffer.from(bytes).toString('hex');
}
