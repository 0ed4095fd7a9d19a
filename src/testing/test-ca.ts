/**
 * A CA for users' tests: what `trustmesh ca init` (and `ca issue`) would give, built in memory, with
 * fixed dates and serial numbers and nothing written anywhere.
 *
 * Why not fixed keys, or keys derived from a seed? A private key committed to a package is a
 * private key anyone can read — fine for trustmesh's own fixtures, not for a helper users build on.
 * Keys derived from a seed would not make certificates byte-stable either: ECDSA signatures are
 * randomized (WebCrypto has no deterministic-nonce option), and RSA keys would need a hand-written
 * prime search. So the keys are fresh per call and never leave memory, everything else is fixed,
 * and `synthYaml` replaces what differs per run (certificates, fingerprints) by stable stand-ins.
 *
 * @module
 */
import { Duration } from 'cdk8s';
import { CaMaterial } from '../pki/ca-material';
import { Clock } from '../pki/clock';
import { KeyAlgorithm } from '../pki/key-algorithm';
import { Pki } from '../pki/pki';

/** When every test CA certificate is issued: fixed, so dates in snapshots never move. */
export const TEST_CA_ISSUED_AT = new Date('2025-01-01T00:00:00Z');

/** Validity of every test CA certificate: long enough that no test ever meets an expiry check. */
const TEST_CA_VALIDITY = Duration.days(100 * 365);

/** A gateway (server) credential of the test CA, as `trustmesh ca issue gateway` issues it. */
export interface TestGatewayCredential {
  /** Credential name (what `GatewayCredential.fromCa(ca, name)` and `addGatewayCredential` take). */
  readonly name: string;
  /** Cluster whose intermediate signs it. */
  readonly cluster: string;
  /** Host names (DNS SANs); the first is the subject CN. */
  readonly hosts: readonly string[];
}

/** A client credential of the test CA, as `trustmesh ca issue client` issues it. */
export interface TestClientCredential {
  readonly name: string;
  readonly cluster: string;
  readonly commonName: string;
}

/** Options of {@link testCertificateAuthority}. */
export interface TestCertificateAuthorityOptions {
  /** Clusters, one intermediate each; `Mesh.useCertificateAuthority` uses the mesh name by default. */
  readonly clusters: readonly string[];
  /** @default 'cluster.local' */
  readonly trustDomain?: string;
  /** @default - none */
  readonly gatewayCredentials?: readonly TestGatewayCredential[];
  /** @default - none */
  readonly clientCredentials?: readonly TestClientCredential[];
  /** @default KeyAlgorithm.ECDSA_P256 - fast, and what `trustmesh ca init` uses */
  readonly algorithm?: KeyAlgorithm;
}

/**
 * CA material for tests: a root, one intermediate per cluster and the requested credentials, all
 * issued at {@link TEST_CA_ISSUED_AT}, valid for 100 years, with serial numbers 01, 02, … in
 * issuing order (root, intermediates, gateway credentials, client credentials). Keys are generated
 * in memory for each call and never written.
 *
 * @example
 * const ca = await testCertificateAuthority({ clusters: ['shop'], gatewayCredentials: [{ name: 'shop', cluster: 'shop', hosts: ['shop.example.com'] }] });
 * mesh.useCertificateAuthority(ca);
 * expect(synthYaml(app)).toMatchSnapshot();   // the same on every machine
 */
export async function testCertificateAuthority(options: TestCertificateAuthorityOptions): Promise<CaMaterial> {
  let serial = 0;
  const pki = new Pki({ clock: Clock.fixed(TEST_CA_ISSUED_AT), serialNumbers: () => (++serial).toString(16).padStart(2, '0') });
  const ttl = TEST_CA_VALIDITY;
  const root = await pki.createRoot({ algorithm: options.algorithm ?? KeyAlgorithm.ECDSA_P256, commonName: 'Test Root CA', ttl });
  const intermediates = new Map<string, Awaited<ReturnType<Pki['createIntermediate']>>>();
  for (const cluster of options.clusters) intermediates.set(cluster, await pki.createIntermediate(root, { cluster, ttl }));
  const issuer = (cluster: string, what: string): NonNullable<ReturnType<typeof intermediates.get>> => {
    const found = intermediates.get(cluster);
    if (!found) throw new TypeError(`testCertificateAuthority: ${what} names cluster "${cluster}", which is not in clusters [${options.clusters.join(', ')}]`);
    return found;
  };
  const credentials = [];
  for (const g of options.gatewayCredentials ?? []) {
    const credential = await pki.issueServerCertificate(issuer(g.cluster, `gateway credential ${g.name}`), { hosts: g.hosts, ttl });
    credentials.push({ name: g.name, kind: 'gateway' as const, cluster: g.cluster, credential });
  }
  for (const c of options.clientCredentials ?? []) {
    const credential = await pki.issueClientCertificate(issuer(c.cluster, `client credential ${c.name}`), { commonName: c.commonName, ttl });
    credentials.push({ name: c.name, kind: 'client' as const, cluster: c.cluster, credential });
  }
  return CaMaterial.of({
    trustDomain: options.trustDomain ?? 'cluster.local',
    signingRoot: root.certificate,
    clusters: [...intermediates].map(([cluster, intermediate]) => ({ cluster, intermediate })),
    credentials,
    source: 'testCertificateAuthority (in memory)',
  });
}
