// Every bundled example, synthesized as `npm run synth` does (dist/ plus the key material in the
// secrets directory, gateway credentials included), analyzed by the real CLI one mesh (= one
// cluster) at a time: no error — with the inferred inventory, and with istioctl's default ingress
// gateway assumed, where the gateway credentials are parsed and checked against their keys.
import * as fs from 'fs';
import * as path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bookinfoMesh, fooHttpbinMesh, microShakeFactoryMesh, microShakeFactoryMutualMesh, microShakeFactoryPassthroughMesh } from '../../../src/examples';
import { CaMaterial } from '../../../src/pki/ca-material';
import { KeyAlgorithm } from '../../../src/pki/key-algorithm';
import { runCli } from '../../cli/cli-runner';
import { JUICE_SHOP } from '../../constructs/edge-fixtures';
import { tempApp } from '../../helpers';
import { fixedPki } from '../../pki/pki-fixtures';

interface JsonOutput {
  readonly findings: readonly { readonly severity: string; readonly code: string; readonly file: string }[];
  readonly summary: { readonly errors: number; readonly files: number };
}

/** What `trustmesh ca init` and `ca issue gateway` give `npm run synth`: one intermediate per example mesh, the juice-shop credentials. */
async function exampleMaterial(at: Date): Promise<CaMaterial> {
  const pki = fixedPki(['p256-1', 'p256-2', 'p256-3', 'p256-4', 'p256-5', 'p256-6', 'p256-7', 'p256-8'], at);
  const root = await pki.createRoot({ algorithm: KeyAlgorithm.ECDSA_P256, commonName: 'Root CA G1' });
  const clusters: { cluster: string; intermediate: Awaited<ReturnType<typeof pki.createIntermediate>> }[] = [];
  for (const cluster of ['bookinfo', 'foo-httpbin', 'micro-shake-factory', 'micro-shake-factory-mutual', 'micro-shake-factory-passthrough']) {
    clusters.push({ cluster, intermediate: await pki.createIntermediate(root, { cluster }) });
  }
  const intermediate = (name: string) => clusters.find((c) => c.cluster === name)!.intermediate;
  return CaMaterial.of({
    trustDomain: 'cluster.local',
    signingRoot: root.certificate,
    clusters,
    credentials: [
      {
        name: 'juice-shop',
        kind: 'gateway',
        cluster: 'micro-shake-factory',
        credential: await pki.issueServerCertificate(intermediate('micro-shake-factory'), { hosts: [JUICE_SHOP] }),
      },
      {
        name: 'juice-shop-mutual',
        kind: 'gateway',
        cluster: 'micro-shake-factory-mutual',
        credential: await pki.issueServerCertificate(intermediate('micro-shake-factory-mutual'), { hosts: [JUICE_SHOP] }),
      },
    ],
  });
}

const EXAMPLES = [bookinfoMesh, fooHttpbinMesh, microShakeFactoryMesh, microShakeFactoryMutualMesh, microShakeFactoryPassthroughMesh];

describe('analyze on the bundled examples', () => {
  let outdir = '';
  let secretsdir = '';
  let meshes: string[] = [];

  beforeAll(async () => {
    const ca = await exampleMaterial(new Date());
    const app = tempApp();
    for (const define of EXAMPLES) define(app, { ca });
    app.synth();
    outdir = app.outdir;
    secretsdir = path.join(outdir, '..', 'secrets');
    meshes = fs.readdirSync(outdir).filter((m) => fs.statSync(path.join(outdir, m)).isDirectory()).sort();
  });

  it('synthesizes every example mesh, with its gateway credentials', () => {
    expect(meshes).toEqual(['bookinfo', 'foo-httpbin', 'micro-shake-factory', 'micro-shake-factory-mutual', 'micro-shake-factory-passthrough']);
    const secrets = fs.readFileSync(path.join(secretsdir, 'micro-shake-factory', 'CertificateAuthority', 'micro-shake-factory-secrets.k8s.yaml'), 'utf8');
    expect(secrets).toMatch(/name: juice-shop-credential/);
  });

  it.each([
    ['the inferred inventory', []],
    ['the default ingress gateway assumed', ['--assume-default-ingress']],
  ])('reports no error on any mesh with %s', (_name, flags) => {
    for (const mesh of meshes) {
      const run = runCli(['analyze', path.join(outdir, mesh), path.join(secretsdir, mesh), '--output', 'json', ...flags]);
      expect(run.stderr, mesh).toBe('');
      const out = JSON.parse(run.stdout) as JsonOutput;
      expect(out.findings.filter((f) => f.severity === 'error'), mesh).toEqual([]);
      expect(run.code, mesh).toBe(0);
      expect(out.summary.files).toBeGreaterThan(1);
    }
  });

  it('with the default ingress gateway assumed, a broken credential of an example is found (the check is not vacuous)', () => {
    const mesh = path.join(secretsdir, 'micro-shake-factory');
    const file = path.join(mesh, 'CertificateAuthority', 'micro-shake-factory-secrets.k8s.yaml');
    const broken = path.join(outdir, '..', 'broken-secrets');
    fs.mkdirSync(broken, { recursive: true });
    // The gateway credential's key replaced by the intermediate CA's key from the cacerts Secret.
    const text = fs.readFileSync(file, 'utf8');
    const gatewayKey = /tls\.key: (\S+)/.exec(text)?.[1];
    const caKey = /ca-key\.pem: (\S+)/.exec(text)?.[1];
    expect(gatewayKey && caKey && gatewayKey !== caKey).toBeTruthy();
    fs.writeFileSync(path.join(broken, 'secrets.yaml'), text.replace(gatewayKey!, caKey!));
    const run = runCli(['analyze', path.join(outdir, 'micro-shake-factory'), broken, '--assume-default-ingress', '--output', 'json']);
    const out = JSON.parse(run.stdout) as JsonOutput;
    expect(out.findings.map((f) => f.code)).toContain('TM_GATEWAY_CREDENTIAL_INVALID');
    expect(run.code).toBe(1);
  });
});
