import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { describe, expect, test } from 'vitest';
import { Mesh, OutputFile, Port, SecretChart, TrustmeshApp } from '../../src';
import { catchTrustmesh, readTree } from '../helpers';

function dirs() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trustmesh-app-'));
  return { root, outdir: path.join(root, 'dist'), secretsOutdir: path.join(root, 'secrets') };
}

function mode(p: string): string {
  return fs.statSync(p).mode.toString(8).slice(-3);
}

function build(app: TrustmeshApp, opts: { breakIt?: boolean } = {}): void {
  const ns = new Mesh(app, 'shop').addNamespace('orders');
  const api = ns.addService('api', { ports: [Port.http(8080)] });
  const client = ns.addService('client', opts.breakIt ? { serviceAccount: 'api' } : {});
  api.allowFrom(client);
}

describe('TrustmeshApp', () => {
  test('writes a folder per mesh and a file per namespace', () => {
    const d = dirs();
    const app = new TrustmeshApp({ outdir: d.outdir, secretsOutdir: d.secretsOutdir });
    build(app);
    app.synth();
    expect(Object.keys(readTree(d.outdir)).sort()).toEqual(['shop/istio-system.policy.k8s.yaml', 'shop/orders.policy.k8s.yaml']);
    expect(fs.existsSync(d.secretsOutdir)).toBe(false);
  });

  test('is deterministic: two synths give byte-identical output', () => {
    const a = dirs();
    const b = dirs();
    for (const d of [a, b]) {
      const app = new TrustmeshApp({ outdir: d.outdir, secretsOutdir: d.secretsOutdir });
      build(app);
      app.synth();
    }
    expect(readTree(a.outdir)).toEqual(readTree(b.outdir));
  });

  test('a failed synth leaves the previous output untouched', () => {
    const d = dirs();
    const good = new TrustmeshApp({ outdir: d.outdir, secretsOutdir: d.secretsOutdir });
    build(good);
    good.synth();
    const before = readTree(d.outdir);
    const bad = new TrustmeshApp({ outdir: d.outdir, secretsOutdir: d.secretsOutdir });
    build(bad, { breakIt: true });
    expect(catchTrustmesh(() => bad.synth()).code).toBe('TM_SYNTH_FAILED');
    expect(readTree(d.outdir)).toEqual(before);
    expect(fs.readdirSync(d.root).sort()).toEqual(['dist']);
  });

  test('a failing output validator writes nothing', () => {
    const d = dirs();
    const app = new TrustmeshApp({
      outdir: d.outdir,
      secretsOutdir: d.secretsOutdir,
      validator: () => [{ code: 'TM_SCHEMA_INVALID', severity: 'error', message: 'nope' }],
    });
    build(app);
    const e = catchTrustmesh(() => app.synth());
    expect(e.code).toBe('TM_INVALID_OUTPUT');
    expect(e.message).toMatch(/TM_SCHEMA_INVALID: nope/);
    expect(fs.existsSync(d.outdir)).toBe(false);
  });

  test('by default every object is validated against the Istio CRD schema and its CEL rules', () => {
    const d = dirs();
    const app = new TrustmeshApp({ outdir: d.outdir, secretsOutdir: d.secretsOutdir });
    const chart = new Chart(app, 'hand-written');
    new ApiObject(chart, 'bad', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'bad', namespace: 'x' },
      spec: { action: 'PERMIT', selector: { matchLabels: { app: 'a' } }, targetRefs: [{ kind: 'Service', name: 'a' }] },
    } as never);
    const e = catchTrustmesh(() => app.synth());
    expect(e.code).toBe('TM_INVALID_OUTPUT');
    expect(e.message).toMatch(/TM_SCHEMA_INVALID: .*spec\.action/);
    expect(e.message).toMatch(/TM_CEL_RULE_FAILED: .*only one of targetRefs or selector can be set/);
    expect(fs.existsSync(d.outdir)).toBe(false);
  });

  test('two meshes may reuse object names: each output folder is one cluster', () => {
    const d = dirs();
    const app = new TrustmeshApp({ outdir: d.outdir, secretsOutdir: d.secretsOutdir });
    new Mesh(app, 'east').addNamespace('shop');
    new Mesh(app, 'west').addNamespace('shop');
    app.synth();
    expect(Object.keys(readTree(d.outdir)).sort()).toEqual([
      'east/istio-system.policy.k8s.yaml', 'east/shop.policy.k8s.yaml', 'west/istio-system.policy.k8s.yaml', 'west/shop.policy.k8s.yaml',
    ]);
  });

  test('secret charts go to the secrets directory with 0600 files and a .gitignore, never to outdir', () => {
    const d = dirs();
    const app = new TrustmeshApp({ outdir: d.outdir, secretsOutdir: d.secretsOutdir });
    const chart = new SecretChart(app, 'keys');
    new ApiObject(chart, 's', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { k: 'v' } });
    new OutputFile(app, 'summary', { path: 'summary.md', content: () => '# summary\n' });
    app.synth();
    expect(Object.keys(readTree(d.outdir))).toEqual(['summary.md']);
    expect(Object.keys(readTree(d.secretsOutdir)).sort()).toEqual(['.gitignore', 'keys.k8s.yaml']);
    expect(mode(path.join(d.secretsOutdir, 'keys.k8s.yaml'))).toBe('600');
    expect(mode(d.secretsOutdir)).toBe('700');
  });

  test('a secret chart refuses a plain cdk8s App, which would write keys into dist', () => {
    const app = new App({ outdir: Testing.app().outdir });
    new SecretChart(app, 'keys');
    expect(() => app.synth()).toThrow(/TM_SECRETS_NEED_TRUSTMESH_APP/);
  });

  test('a construct validation added with node.addValidation fails the synth with TM_CONSTRUCT_INVALID and its path', () => {
    const d = dirs();
    const app = new TrustmeshApp({ outdir: d.outdir, secretsOutdir: d.secretsOutdir });
    build(app);
    const custom = new Construct(app, 'team-policy');
    custom.node.addValidation({ validate: () => ['every service needs an owner label'] });
    const e = catchTrustmesh(() => app.synth());
    expect(e.code).toBe('TM_SYNTH_FAILED');
    expect(e.message).toMatch(/TM_CONSTRUCT_INVALID: every service needs an owner label/);
    expect(e.message).toMatch(/team-policy/);
    expect(fs.existsSync(d.outdir)).toBe(false);
  });

  test('two output files with the same path fail with TM_OUTPUT_PATH_CLASH; nothing is written', () => {
    const d = dirs();
    const app = new TrustmeshApp({ outdir: d.outdir, secretsOutdir: d.secretsOutdir });
    new OutputFile(app, 'a', { path: 'notes/summary.md', content: () => 'a\n' });
    new OutputFile(app, 'b', { path: 'notes/./summary.md', content: () => 'b\n' });
    const e = catchTrustmesh(() => app.synth());
    expect(e.code).toBe('TM_OUTPUT_PATH_CLASH');
    expect(e.message).toMatch(/"notes\/summary.md"/);
    expect(fs.existsSync(d.outdir)).toBe(false);
  });

  test.each(['/etc/passwd', '../outside.md', 'a/../../b.md'])('an output file path %j outside the output directory is refused with TM_OUTPUT_PATH_INVALID', (p) => {
    const app = new TrustmeshApp({ outdir: dirs().outdir });
    const e = catchTrustmesh(() => new OutputFile(app, 'f', { path: p, content: () => '' }));
    expect(e.code).toBe('TM_OUTPUT_PATH_INVALID');
    expect(e.value).toBe(p);
    expect(e.location?.constructPath).toBe('f');
  });
});
