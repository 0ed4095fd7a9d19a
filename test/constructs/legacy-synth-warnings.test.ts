// Synth for a legacy target (issue 13) does not warn about its own output: the analyzer pass's
// TM_API_NOT_IN_TARGET / TM_LEGACY_ISTIO_API (istioctl IST0002, "removed in Istio 1.6") do not apply
// where the mesh targets 1.0–1.5, which serve those APIs. A 1.30 mesh holding a legacy object gets
// TM_API_NOT_IN_TARGET (warning, IST0002).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { afterEach, describe, expect, it } from 'vitest';
import { TrustmeshApp } from '../../src/constructs/trustmesh-app';
import { Diagnostic } from '../../src/errors';
import { bookinfoLegacyMesh, microShakeFactoryLegacyMesh } from '../../src/examples/legacy';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function app(warnings: Diagnostic[]): TrustmeshApp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-legacy-warnings-'));
  dirs.push(dir);
  return new TrustmeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets'), onWarning: (d) => warnings.push(d) });
}

const LEFTOVER = {
  apiVersion: 'rbac.istio.io/v1alpha1',
  kind: 'ServiceRole',
  metadata: { name: 'leftover-viewer', namespace: 'micro-shake-factory' },
  spec: { rules: [{ services: ['fruits-api.micro-shake-factory.svc.cluster.local'], methods: ['GET'] }] },
};

describe('synth warnings about the legacy APIs', () => {
  it.each([
    ['micro-shake-factory', '1.4', microShakeFactoryLegacyMesh],
    ['bookinfo', '1.0', bookinfoLegacyMesh],
  ] as const)('the %s example synthesized for Istio %s prints no deprecation warning about its own legacy objects', (_name, version, example) => {
    const warnings: Diagnostic[] = [];
    const a = app(warnings);
    example(a, { istioVersion: version, name: 'example' });
    a.synth();
    const legacyObjects = a.lastOutput!.manifests.filter((m) => /^(rbac|authentication)\.istio\.io\//.test(String(m.manifest.apiVersion)));
    expect(legacyObjects.length).toBeGreaterThan(0);
    expect(warnings.filter((d) => d.code === 'TM_LEGACY_ISTIO_API' || d.upstreamCode === 'IST0002')).toEqual([]);
  });

  it('a hand-written legacy object in a 1.4 mesh is not reported either: 1.4 enforces it', () => {
    const warnings: Diagnostic[] = [];
    const a = app(warnings);
    const mesh = microShakeFactoryLegacyMesh(a, { istioVersion: '1.4', name: 'example' });
    new ApiObject(mesh.namespace('micro-shake-factory')!, 'leftover', LEFTOVER);
    a.synth();
    expect(warnings.filter((d) => d.code === 'TM_LEGACY_ISTIO_API')).toEqual([]);
  });

  it('a 1.30 mesh holding a legacy object gets a warning (TM_API_NOT_IN_TARGET, IST0002), at that object', () => {
    const warnings: Diagnostic[] = [];
    const a = app(warnings);
    const mesh = microShakeFactoryLegacyMesh(a, { istioVersion: '1.30', name: 'example' });
    new ApiObject(mesh.namespace('micro-shake-factory')!, 'leftover', LEFTOVER);
    a.synth();
    const found = warnings.filter((d) => d.code === 'TM_API_NOT_IN_TARGET');
    expect(found.map((d) => [d.upstreamCode, d.location?.constructPath, d.message.replace(/,.*$/, '')])).toEqual([
      ['IST0002', 'example/micro-shake-factory/leftover', 'ServiceRole micro-shake-factory/leftover-viewer uses rbac.istio.io/v1alpha1'],
    ]);
  });
});
