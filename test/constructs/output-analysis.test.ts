// Synth's analyzer pass (issue 10 §3): synth refuses what `trustmesh analyze` on its output would
// call an error, names the construct that caused it, and passes the analyzer's warnings on.
import * as fs from 'fs';
import { ApiObject, Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { Diagnostic, Mesh, MeshNamespace, MeshService, MtlsMode, Peer, Port, TrustmeshAggregateError, TrustmeshApp } from '../../src';
import { analyze } from '../../src/analysis/analyzer/analyzer';
import { loadConfig } from '../../src/analysis/config/load-config';
import { meshConfig } from '../../src/analysis/config/mesh-config';
import { outputFolder } from '../../src/constructs/output-analysis';
import { catchTrustmesh, readTree, tempApp } from '../helpers';

interface Shop {
  readonly app: TrustmeshApp;
  readonly ns: MeshNamespace;
  readonly checkout: MeshService;
  readonly warnings: Diagnostic[];
}

function shop(meshProps: ConstructorParameters<typeof Mesh>[2] = {}): Shop {
  const warnings: Diagnostic[] = [];
  const app = tempApp({ onWarning: (d) => warnings.push(d) });
  const ns = new Mesh(app, 'shop', meshProps).addNamespace('shop');
  const checkout = ns.addService('checkout', { ports: [Port.http(8080)] });
  return { app, ns, checkout, warnings };
}

/** The inner errors of a failed synth: code, construct path and where in the output. */
function synthErrors(app: TrustmeshApp): { code: string; constructPath?: string; file?: string; line?: number }[] {
  const e = catchTrustmesh(() => app.synth());
  expect(e.code).toBe('TM_SYNTH_FAILED');
  expect(e.message).toMatch(/the analyzer found \d+ error\(s\) in the output; nothing was written/);
  return (e as TrustmeshAggregateError).errors.map((x) => ({
    code: x.code, constructPath: x.location?.constructPath, file: x.location?.file?.replace(/^.*\/dist\//, ''), line: x.location?.line,
  }));
}

describe('synth runs the analyzer on what it is about to write', () => {
  test('a service with mTLS DISABLE that allows a peer by identity: TM_MTLS_FIELDS_WITHOUT_MTLS, nothing written', () => {
    const { app, ns, checkout } = shop();
    ns.addService('r', { mtls: MtlsMode.DISABLE }).allowFrom(checkout);
    const errors = synthErrors(app);
    expect(errors).toEqual([{ code: 'TM_MTLS_FIELDS_WITHOUT_MTLS', constructPath: 'shop/shop/r/Allow', file: 'shop/shop.policy.k8s.yaml', line: expect.any(Number) }]);
    expect(fs.existsSync(app.outdir)).toBe(false);
  });

  test('the port-level form: Port.http(n, { mtls: DISABLE })', () => {
    const { app, ns, checkout } = shop();
    ns.addService('r', { ports: [Port.http(8080, { mtls: MtlsMode.DISABLE })] }).allowFrom(checkout);
    expect(synthErrors(app).map((e) => [e.code, e.constructPath])).toEqual([['TM_MTLS_FIELDS_WITHOUT_MTLS', 'shop/shop/r/Allow']]);
  });

  test('a DENY on a path under BASE normalization: TM_PATH_NORMALIZATION_BYPASS, with the trustmesh way out in the fix', () => {
    const { app, ns, checkout } = shop();
    ns.addService('payments', { ports: [Port.http(8080)] }).denyFrom(checkout, { paths: ['/charge'] });
    const e = catchTrustmesh(() => app.synth()) as TrustmeshAggregateError;
    expect(e.errors.map((x) => [x.code, x.location?.constructPath])).toEqual([['TM_PATH_NORMALIZATION_BYPASS', 'shop/shop/payments/Deny']]);
    expect(e.errors[0].fix).toMatch(/pathNormalization: 'MERGE_SLASHES'/);
    expect(e.message).toMatch(/"\/\/charge" is not denied/);
  });

  test('the same DENY synthesizes once the mesh declares MERGE_SLASHES', () => {
    const { app, ns, checkout } = shop({ pathNormalization: 'MERGE_SLASHES' });
    ns.addService('payments', { ports: [Port.http(8080)] }).denyFrom(checkout, { paths: ['/charge'] });
    app.synth();
    expect(Object.keys(readTree(app.outdir))).toContain('shop/shop.policy.k8s.yaml');
  });

  test('a failed analysis keeps the previous output', () => {
    const { app, ns, checkout } = shop();
    const r = ns.addService('r', { ports: [Port.http(8080)] });
    r.allowFrom(checkout);
    app.synth();
    const before = readTree(app.outdir);
    r.denyFrom(checkout, { paths: ['/admin'] });
    expect(catchTrustmesh(() => app.synth()).code).toBe('TM_SYNTH_FAILED');
    expect(readTree(app.outdir)).toEqual(before);
  });

  test('an unknown mesh path normalization is refused at once', () => {
    const e = catchTrustmesh(() => new Mesh(tempApp(), 'm', { pathNormalization: 'merge' as never }));
    expect(e.code).toBe('TM_MESH_CONFIG_INVALID');
    expect(e.allowed).toMatch(/MERGE_SLASHES/);
  });
});

describe('warnings reach onWarning with the construct that caused them, and synth goes on', () => {
  test('Peer.ipBlocks ALLOW on a STRICT service: TM_IP_BLOCKS_UNDER_STRICT_MTLS', () => {
    const { app, ns, warnings } = shop();
    ns.addService('reports', { ports: [Port.http(8080)] }).allowFrom(Peer.ipBlocks(['10.20.0.0/16']));
    app.synth();
    expect(warnings.map((w) => [w.code, w.location?.constructPath])).toEqual([['TM_IP_BLOCKS_UNDER_STRICT_MTLS', 'shop/shop/reports/Allow']]);
    expect(warnings[0].location?.file).toMatch(/dist\/shop\/shop\.policy\.k8s\.yaml$/);
    expect(app.lastOutput?.warnings).toEqual(warnings);
  });

  test('... and none when that port accepts plaintext', () => {
    const { app, ns, warnings } = shop();
    ns.addService('reports', { ports: [Port.http(8080, { mtls: MtlsMode.PERMISSIVE })] }).allowFrom(Peer.ipBlocks(['10.20.0.0/16']));
    app.synth();
    expect(warnings).toEqual([]);
  });

  test('a path with a raw space: TM_PATH_NEVER_MATCHES, with the percent-encoded spelling as the fix', () => {
    const { app, ns, checkout, warnings } = shop();
    ns.addService('reports', { ports: [Port.http(8080)] }).allowFrom(checkout, { paths: ['/annual report'] });
    app.synth();
    expect(warnings.map((w) => [w.code, w.location?.constructPath])).toEqual([['TM_PATH_NEVER_MATCHES', 'shop/shop/reports/Allow']]);
    expect(warnings[0].fix).toContain('"/annual%20report"');
  });

  test('an unknown future istioVersion: TM_ISTIO_VERSION_UNKNOWN on the mesh', () => {
    const { app, warnings } = shop({ istioVersion: '1.99' });
    app.synth();
    expect(warnings.map((w) => [w.code, w.location?.constructPath])).toEqual([['TM_ISTIO_VERSION_UNKNOWN', 'shop']]);
    expect(warnings[0].message).toMatch(/Istio 1\.99 is newer than the newest release trustmesh knows \(1\.30\)/);
  });

  test('a webhook warning is reported once, at its file position (validation and the analyzer pass share it)', () => {
    const { app, warnings } = shop();
    new ApiObject(new Chart(app, 'extra'), 'ap', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'x', namespace: 'shop' },
      spec: { action: 'ALLOW', rules: [{ from: [] }] },
    } as never);
    app.synth();
    expect(warnings.map((w) => ({ code: w.code, ...w.location, file: w.location?.file?.replace(/^.*\/dist\//, '') }))).toEqual([
      { code: 'TM_AUTHZ_EMPTY_MATCH', file: 'extra.policy.k8s.yaml', line: 9, column: 7, field: 'spec.rules[0].from', constructPath: 'extra/ap' },
    ]);
  });

  test('a known istioVersion has no such warning', () => {
    const { app, warnings } = shop({ istioVersion: '1.30.3' });
    app.synth();
    expect(warnings).toEqual([]);
  });
});

describe('what the analyzer pass sees', () => {
  test('each output folder is one cluster, analyzed with its mesh\'s settings, like `trustmesh analyze dist/<mesh>`', () => {
    const warnings: Diagnostic[] = [];
    const app = tempApp({ onWarning: (d) => warnings.push(d) });
    for (const name of ['east', 'west']) {
      const ns = new Mesh(app, name, { rootNamespace: 'mesh-root', trustDomain: `${name}.example.org` }).addNamespace('shop');
      const a = ns.addService('a', { ports: [Port.http(8080)] });
      ns.addService('b', { ports: [Port.http(8080)] }).allowFrom(a);
    }
    // Analyzed together, the two folders' identical objects would clash; per folder, with the
    // mesh's root namespace, they are clean. With Istio's default root namespace the mesh-wide
    // STRICT policy would not count, and the identity-based ALLOW would be flagged.
    app.synth();
    expect(warnings).toEqual([]);
    for (const folder of ['east', 'west']) {
      const config = loadConfig(`${app.outdir}/${folder}`);
      expect(analyze(config, { meshConfig: meshConfig({ rootNamespace: 'mesh-root' }) })).toEqual([]);
      expect(analyze(config).map((d) => d.code)).toEqual(['TM_MTLS_FIELDS_WITHOUT_MTLS']);
    }
  });

  test('the top-level folder of an output path', () => {
    expect(outputFolder('shop/shop.policy.k8s.yaml')).toBe('shop');
    expect(outputFolder('chart.policy.k8s.yaml')).toBe('');
  });
});
