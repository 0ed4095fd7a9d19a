import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Duration, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../src/constructs/certificate-authority';
import { PluginCaSecret } from '../../src/constructs/plugin-ca-secret';
import { SecretChart } from '../../src/constructs/secret-chart';
import { TlsSecret } from '../../src/constructs/tls-secret';
import { TrustBundle } from '../../src/constructs/trust-bundle';
import { TrustmeshApp } from '../../src/constructs/trustmesh-app';
import { Diagnostic, TrustmeshError } from '../../src/errors';
import { CaMaterial } from '../../src/pki/ca-material';
import { Clock } from '../../src/pki/clock';
import { IssuedCertificate } from '../../src/pki/issued-certificate';
import { KeyAlgorithm } from '../../src/pki/key-algorithm';
import { catchTrustmesh, tempApp } from '../helpers';
import { fixedPki, leaksPrivateKey, T0, tempDir } from '../pki/pki-fixtures';

const DAY = 86400_000;
const CLOCK = Clock.fixed(new Date(T0.getTime() + DAY));

interface Fixture {
  root: IssuedCertificate;
  nextRoot: IssuedCertificate;
  east: IssuedCertificate;
  west: IssuedCertificate;
  gateway: IssuedCertificate;
  material: CaMaterial;
}

/** RSA fixture keys + fixed clock + counter serials: byte-identical certificates on every run. */
async function fixture(): Promise<Fixture> {
  const pki = fixedPki(['rsa2048-1', 'rsa2048-2', 'rsa2048-3', 'rsa2048-4', 'rsa2048-5']);
  const root = await pki.createRoot({ algorithm: KeyAlgorithm.RSA_2048, commonName: 'Root CA G1' });
  const east = await pki.createIntermediate(root, { cluster: 'east' });
  const west = await pki.createIntermediate(root, { cluster: 'west' });
  const gateway = await pki.issueServerCertificate(east, { hosts: ['juice-shop.istio-succinctly.io'] });
  const nextRoot = await pki.createRoot({ algorithm: KeyAlgorithm.RSA_2048, commonName: 'Root CA G2' });
  const material = CaMaterial.of({
    trustDomain: 'cluster.local',
    signingRoot: root.certificate,
    clusters: [{ cluster: 'west', intermediate: west }, { cluster: 'east', intermediate: east }],
    credentials: [{ name: 'juice-shop', kind: 'gateway', cluster: 'east', credential: gateway }],
  });
  return { root, nextRoot, east, west, gateway, material };
}

function decode(secret: Record<string, any>): Record<string, string> {
  return Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('CertificateAuthority', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture();
  });

  it('synthesizes a reviewable trust bundle and summary (snapshot, no private key anywhere in it)', () => {
    const app = tempApp();
    const mesh = new Construct(app, 'shop');
    const ca = new CertificateAuthority(mesh, 'ca', { material: f.material, clusters: ['east'], clock: CLOCK });
    ca.addGatewayCredential('juice-shop', { verifyClients: true });
    const out = app.synthOutput();
    const reviewable = out.files.map((file) => ({ path: file.path, content: file.content }));
    expect(reviewable.map((file) => file.path)).toEqual(['shop/ca/ca-summary.md', 'shop/ca/trust-bundle.policy.k8s.yaml']);
    for (const file of reviewable) expect(leaksPrivateKey(file.content)).toBe(false);
    expect(reviewable).toMatchSnapshot();
    expect(out.secretFiles.map((file) => file.path)).toEqual(['shop/ca/east-secrets.k8s.yaml']);
    expect(out.warnings).toEqual([]);
  });

  it('writes key material only to the secrets directory, with 0600 files, and nothing secret to dist', () => {
    const app = tempApp();
    const ca = new CertificateAuthority(app, 'ca', { material: f.material, clusters: ['east'], clock: CLOCK });
    ca.addGatewayCredential('juice-shop');
    app.synth();
    const dist = walk(app.outdir);
    expect(dist.length).toBeGreaterThan(0);
    for (const file of dist) expect(leaksPrivateKey(fs.readFileSync(file, 'utf8'))).toBe(false);
    const secrets = walk(app.secretsOutdir);
    expect(secrets.map((s) => path.relative(app.secretsOutdir, s)).sort()).toEqual(['.gitignore', 'ca/east-secrets.k8s.yaml']);
    for (const file of secrets) expect((fs.statSync(file).mode % 0o1000).toString(8)).toBe('600');
    const text = fs.readFileSync(path.join(app.secretsOutdir, 'ca/east-secrets.k8s.yaml'), 'utf8');
    expect(leaksPrivateKey(text)).toBe(true);
  });

  it('emits cacerts with the four keys Istio reads: ca-cert, ca-key, root-cert (the bundle), cert-chain (intermediate + root)', () => {
    const app = tempApp();
    for (const [cluster, intermediate] of [['east', f.east], ['west', f.west]] as const) {
      const ca = new CertificateAuthority(new Construct(app, cluster), 'ca', { material: f.material, clusters: [cluster], clock: CLOCK });
      expect(ca.clusters).toEqual([cluster]);
      const chart = ca.node.findChild(`${cluster}-secrets`) as Chart;
      expect(SecretChart.isSecretChart(chart)).toBe(true);
      const [secret] = Testing.synth(chart);
      expect(secret).toMatchObject({ kind: 'Secret', type: 'Opaque', metadata: { name: 'cacerts', namespace: 'istio-system' } });
      const data = decode(secret);
      expect(Object.keys(data).sort()).toEqual(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem']);
      expect(data['ca-cert.pem']).toBe(intermediate.certificate.pem);
      expect(data['ca-key.pem']).toBe(intermediate.privateKey.revealPem());
      expect(data['cert-chain.pem']).toBe(intermediate.certificate.pem + f.root.certificate.pem);
      expect(data['root-cert.pem']).toBe(f.root.certificate.pem);
    }
  });

  it('synthesizes two clusters in one TrustmeshApp as one top-level folder per cluster', () => {
    const app = tempApp();
    for (const cluster of ['east', 'west']) new CertificateAuthority(new Construct(app, cluster), 'ca', { material: f.material, clusters: [cluster], clock: CLOCK });
    app.synth();
    expect(walk(app.secretsOutdir).map((s) => path.relative(app.secretsOutdir, s)).sort())
      .toEqual(['.gitignore', 'east/ca/east-secrets.k8s.yaml', 'west/ca/west-secrets.k8s.yaml']);
    expect(walk(app.outdir).map((s) => path.relative(app.outdir, s)).sort())
      .toEqual(['east/ca/ca-summary.md', 'east/ca/trust-bundle.policy.k8s.yaml', 'west/ca/ca-summary.md', 'west/ca/trust-bundle.policy.k8s.yaml']);
  });

  it('refuses to put the cacerts of several clusters into one output folder (TM_CA_ONE_CLUSTER_PER_OUTPUT)', () => {
    const e = catchTrustmesh(() => new CertificateAuthority(tempApp(), 'ca', { material: f.material }));
    expect(e.code).toBe('TM_CA_ONE_CLUSTER_PER_OUTPUT');
    expect(e.message).toMatch(/clusters east, west/);
    expect(e.fix).toMatch(/one top-level construct \(one Mesh\) per cluster/);
  });

  it('carries both roots in the trust bundle and in cacerts root-cert.pem during a rotation', () => {
    const material = CaMaterial.of({
      trustDomain: 'cluster.local',
      signingRoot: f.root.certificate,
      otherTrustedRoots: [f.nextRoot.certificate],
      clusters: [{ cluster: 'east', intermediate: f.east }],
      rotation: 'new-root-trusted',
    });
    const app = tempApp();
    const ca = new CertificateAuthority(app, 'ca', { material, clock: CLOCK });
    const out = app.synthOutput();
    const bundle = out.manifests.find((m) => m.manifest.kind === 'ConfigMap')!.manifest as Record<string, any>;
    expect(bundle.metadata).toEqual({ name: 'trustmesh-ca-root-cert', namespace: 'istio-system' });
    expect(bundle.data['root-cert.pem']).toBe(f.root.certificate.pem + f.nextRoot.certificate.pem);
    const secret = out.manifests.find((m) => m.manifest.kind === 'Secret')!.manifest as Record<string, any>;
    expect(decode(secret)['root-cert.pem']).toBe(f.root.certificate.pem + f.nextRoot.certificate.pem);
    expect(out.files.find((file) => file.path.endsWith('ca-summary.md'))!.content).toMatch(/in progress, step 1 of 3[\s\S]*\| also trusted \| O=trustmesh, CN=Root CA G2/);
    expect(ca.trustBundle.configMapName).toBe('trustmesh-ca-root-cert');
  });

  it('emits gateway credentials as kubernetes.io/tls Secrets, with ca.crt only for client verification', () => {
    const app = tempApp();
    const ca = new CertificateAuthority(app, 'ca', { material: f.material, clusters: ['east'], clock: CLOCK });
    const simple = ca.addGatewayCredential('juice-shop', { secretName: 'juice-shop-credential', namespace: 'istio-ingress' });
    expect(simple.secretName).toBe('juice-shop-credential');
    const secrets = app.synthOutput().manifests.filter((m) => m.manifest.type === 'kubernetes.io/tls').map((m) => m.manifest as Record<string, any>);
    expect(secrets).toHaveLength(1);
    expect(secrets[0].metadata).toEqual({ name: 'juice-shop-credential', namespace: 'istio-ingress' });
    const data = decode(secrets[0]);
    expect(Object.keys(data).sort()).toEqual(['tls.crt', 'tls.key']);
    expect(data['tls.crt']).toBe(f.gateway.certificate.pem + f.east.certificate.pem);

    const app2 = tempApp();
    new CertificateAuthority(app2, 'ca', { material: f.material, clusters: ['east'], clock: CLOCK, gatewayCredentials: [{ credential: 'juice-shop', verifyClients: true }] });
    const mutual = app2.synthOutput().manifests.find((m) => m.manifest.type === 'kubernetes.io/tls')!.manifest as Record<string, any>;
    expect(decode(mutual)['ca.crt']).toBe(f.root.certificate.pem);
  });

  it('rejects unknown clusters and credentials, and a credential emitted twice, with coded errors at the construct', () => {
    const app = tempApp();
    const e = catchTrustmesh(() => new CertificateAuthority(app, 'ca', { material: f.material, clusters: ['north'] }));
    expect(e.code).toBe('TM_CA_UNKNOWN_CLUSTER');
    expect(e.message).toMatch(/allowed: east, west/);
    expect(e.message).toMatch(/\[ca\]/);
    const ca = new CertificateAuthority(app, 'ca2', { material: f.material, clusters: ['east'], clock: CLOCK });
    expect(catchTrustmesh(() => ca.addGatewayCredential('nope')).code).toBe('TM_CA_UNKNOWN_CREDENTIAL');
    ca.addGatewayCredential('juice-shop');
    expect(catchTrustmesh(() => ca.addGatewayCredential('juice-shop')).code).toBe('TM_CA_DUPLICATE');
  });

  describe('expiry at synth', () => {
    const warnings = (clock: Clock, expiryWarning?: Duration): Diagnostic[] => {
      const seen: Diagnostic[] = [];
      const app = tempApp({ onWarning: (d) => seen.push(d) });
      new CertificateAuthority(app, 'ca', { material: f.material, clusters: ['east'], clock, expiryWarning });
      app.synthOutput().warnings.forEach((d) => seen.push(d));
      return seen;
    };
    const eastExpiry = (): number => f.east.certificate.notAfter.getTime();

    it('warns with TM_CA_EXPIRING when a CA certificate expires within 90 days', () => {
      const found = warnings(Clock.fixed(new Date(eastExpiry() - 30 * DAY)));
      expect(found.map((d) => d.code)).toEqual(['TM_CA_EXPIRING']);
      expect(found[0].message).toMatch(/intermediate CA of cluster east O=trustmesh, L=east, CN=Intermediate CA .* expires on 20\d\d-.*, in 30 day/);
      expect(found[0].fix).toMatch(/trustmesh ca renew --cluster east/);
      expect(found[0].location?.constructPath).toBe('ca');
    });

    it('takes a configurable window', () => {
      expect(warnings(Clock.fixed(new Date(eastExpiry() - 30 * DAY)), Duration.days(10))).toEqual([]);
      expect(warnings(Clock.fixed(new Date(eastExpiry() - 5 * DAY)), Duration.days(10)).map((d) => d.code)).toEqual(['TM_CA_EXPIRING']);
    });

    describe('of gateway and client credentials', () => {
      const diagnostics = (at: Date): Diagnostic[] => {
        const seen: Diagnostic[] = [];
        const app = tempApp({ onWarning: (d) => seen.push(d) });
        const ca = new CertificateAuthority(app, 'ca', { material: f.material, clusters: ['east'], clock: Clock.fixed(at) });
        ca.addGatewayCredential('juice-shop');
        try {
          app.synthOutput().warnings.forEach((d) => seen.push(d));
        } catch (e) {
          seen.push(...(e as { errors?: Diagnostic[] }).errors ?? [], { code: (e as TrustmeshError).code, severity: 'error', message: (e as Error).message });
        }
        return seen;
      };
      const gatewayExpiry = (): number => f.gateway.certificate.notAfter.getTime();

      it('warns with TM_CERT_EXPIRING within 30 days of a credential\'s expiry, naming the renew command', () => {
        const found = diagnostics(new Date(gatewayExpiry() - 10 * DAY));
        expect(found.map((d) => d.code)).toEqual(['TM_CERT_EXPIRING']);
        expect(found[0].message).toMatch(/credential juice-shop .* in 10 day/);
        expect(found[0].fix).toBe('re-issue it: `trustmesh ca renew --credential juice-shop`');
      });

      it('fails with TM_CERT_EXPIRED once it has expired', () => {
        const codes = diagnostics(new Date(gatewayExpiry() + DAY)).map((d) => d.code);
        expect(codes).toContain('TM_CERT_EXPIRED');
        expect(codes).not.toContain('TM_CA_EXPIRED');
      });

      it('warns with TM_CA_NOT_YET_VALID and TM_CERT_NOT_YET_VALID when the clock is before their validity (a wrong clock)', () => {
        const found = diagnostics(new Date(f.root.certificate.notBefore.getTime() - DAY));
        expect([...new Set(found.map((d) => d.code))].sort()).toEqual(['TM_CA_NOT_YET_VALID', 'TM_CERT_NOT_YET_VALID']);
        expect(found.every((d) => d.severity === 'warning')).toBe(true);
        expect(found[0].fix).toMatch(/check the clock/);
      });
    });

    it('fails with TM_CA_EXPIRED naming the certificate, its not-after date and the fix; nothing is written', () => {
      const app = tempApp();
      new CertificateAuthority(app, 'ca', { material: f.material, clusters: ['east'], clock: Clock.fixed(new Date(f.root.certificate.notAfter.getTime() + DAY)) });
      let error: unknown;
      try {
        app.synth();
      } catch (e) {
        error = e;
      }
      expect(TrustmeshError.isTrustmeshError(error)).toBe(true);
      const message = (error as Error).message;
      expect(message).toMatch(/TM_CA_EXPIRED: root CA O=trustmesh, CN=Root CA G1 \(SHA-256 [0-9A-F:]+…\) expired on 2036-/);
      expect(message).toMatch(/fix: rotate the root with overlap: `trustmesh ca rotate begin`/);
      expect(message).toMatch(/TM_CA_EXPIRED: intermediate CA of cluster east/);
      expect(fs.existsSync(app.outdir)).toBe(false);
    });
  });

  it('refuses material whose cluster intermediate was signed by another root (TM_CA_CHAIN_INVALID)', () => {
    const e = catchTrustmesh(() => CaMaterial.of({
      trustDomain: 'cluster.local',
      signingRoot: f.nextRoot.certificate,
      clusters: [{ cluster: 'east', intermediate: f.east }],
    }));
    expect(e.code).toBe('TM_CA_CHAIN_INVALID');
    expect(e.message).toMatch(/the intermediate of cluster "east" does not chain to the signing root .*Root CA G2/);
    expect(e.fix).toBe('re-issue it under the current root with `trustmesh ca renew --cluster east`');
  });

  it('a trust bundle without roots is refused (TM_CA_NO_ROOT)', () => {
    const e = catchTrustmesh(() => new TrustBundle(tempApp(), 'bundle', { roots: [] }));
    expect(e.code).toBe('TM_CA_NO_ROOT');
    expect(e.location?.constructPath).toBe('bundle');
  });

  it('fromSecretName emits nothing secret (nor anything else)', () => {
    const app = tempApp();
    const ca = CertificateAuthority.fromSecretName(app, 'ca', 'cacerts', { trustDomain: 'prod.example.com' });
    expect(ca).toMatchObject({ secretName: 'cacerts', namespace: 'istio-system', trustDomain: 'prod.example.com', emitsKeyMaterial: false });
    const out = app.synthOutput();
    expect(out.manifests).toEqual([]);
    expect(out.secretFiles).toEqual([]);
    expect(catchTrustmesh(() => CertificateAuthority.fromSecretName(app, 'bad', 'Ca_Certs')).code).toBe('TM_INVALID_NAME');
  });

  it('works under any scope, and can put the trust bundle into a chart it is given', () => {
    const app = tempApp();
    const meshChart = new Chart(app, 'istio-system', { disableResourceNameHashes: true });
    new CertificateAuthority(new Construct(app, 'mesh'), 'ca', { material: f.material, clusters: ['east'], clock: CLOCK, chart: meshChart });
    const out = app.synthOutput();
    expect(out.manifests.filter((m) => m.manifest.kind === 'ConfigMap').map((m) => m.file)).toEqual(['istio-system.policy.k8s.yaml']);
    expect(out.files.map((file) => file.path)).toContain('mesh/ca/ca-summary.md');
  });

  it('refuses to synthesize key material under a plain cdk8s App, which would write it into the reviewable output', () => {
    const app = new App({ outdir: path.join(tempDir('tm-plain-'), 'dist') });
    new CertificateAuthority(app, 'ca', { material: f.material, clusters: ['east'], clock: CLOCK });
    expect(() => app.synth()).toThrow(/TM_SECRETS_NEED_TRUSTMESH_APP/);
  });

  it('insists that TlsSecret and PluginCaSecret live in a SecretChart', () => {
    const app = new TrustmeshApp();
    const chart = new Chart(app, 'public');
    expect(() => new TlsSecret(chart, 's', { name: 'x', namespace: 'istio-system', credential: f.gateway })).toThrow(TypeError);
    expect(() => new PluginCaSecret(chart, 'p', { intermediate: f.east, trustBundlePem: f.root.certificate.pem })).toThrow(/must be created inside a SecretChart/);
  });
});

describe('Mesh.useCertificateAuthority', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture();
  });

  it('emits the trust bundle into the root-namespace file and cacerts into the secrets output', async () => {
    const { Mesh } = await import('../../src/constructs/mesh');
    const app = tempApp();
    const mesh = new Mesh(app, 'east');
    mesh.useCertificateAuthority(f.material, { clock: CLOCK });
    const output = app.synthOutput();
    expect(output.files.map((x) => x.path)).toEqual(['east/ca-summary.md', 'east/istio-system.policy.k8s.yaml']);
    expect(output.files[1].content).toMatch(/name: trustmesh-ca-root-cert/);
    expect(output.secretFiles.map((x) => x.path)).toEqual(['east/CertificateAuthority/east-secrets.k8s.yaml']);
    expect(output.files.some((x) => leaksPrivateKey(x.content))).toBe(false);
  });

  it('refuses material of another trust domain (TM_CA_TRUST_DOMAIN_MISMATCH) and a second CA', async () => {
    const { Mesh } = await import('../../src/constructs/mesh');
    const app = tempApp();
    const mesh = new Mesh(app, 'east', { trustDomain: 'example.org' });
    mesh.useCertificateAuthority(f.material, { clock: CLOCK });
    const e = catchTrustmesh(() => app.synthOutput());
    expect(e.message).toMatch(/TM_CA_TRUST_DOMAIN_MISMATCH: the CA material was created for trust domain "cluster.local", but mesh "east" uses "example.org"/);
    expect(catchTrustmesh(() => mesh.useCertificateAuthority(f.material)).code).toBe('TM_CA_ALREADY_SET');
  });
});
