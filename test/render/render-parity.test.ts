import { describe, expect, test } from 'vitest';
import { Mesh, renderIstio } from '../../src';
import { bookinfoMesh, fooHttpbinMesh, microShakeFactoryMesh } from '../../src/examples';
import { manifestsOf, tempApp } from '../helpers';

const ISTIO_GROUPS = /^(security|networking|telemetry)\.istio\.io\//;

/**
 * The constructs create their objects eagerly and fill them through the pure renderers; the
 * model-level renderIstio enumerates the same objects. Both must agree exactly.
 */
describe('construct output equals the pure renderer', () => {
  test.each([
    ['bookinfo', bookinfoMesh],
    ['micro-shake-factory', microShakeFactoryMesh],
    ['foo-httpbin', fooHttpbinMesh],
  ])('%s', (_name, define) => {
    const app = tempApp();
    const mesh: Mesh = define(app);
    const key = (m: any) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`;
    const synthesized = manifestsOf(app).filter((m) => ISTIO_GROUPS.test(m.apiVersion)).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const rendered = renderIstio(mesh.model).map((m) => JSON.parse(JSON.stringify(m))).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    expect(synthesized.map(key)).toEqual(rendered.map(key));
    expect(synthesized).toEqual(rendered);
  });
});
