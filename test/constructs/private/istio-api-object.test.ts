import { Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { createIstioApiObject } from '../../../src/constructs/private/istio-api-object';
import { IstioManifest } from '../../../src/render/istio/manifest';

const metadata = { name: 'api-allow', namespace: 'shop' };

function policy(name: string): IstioManifest {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: 'shop' }, spec: { action: 'ALLOW' } } as IstioManifest;
}

describe('createIstioApiObject', () => {
  test('creates the typed L1 object and fills its spec from the renderer at synth', () => {
    const chart = new Chart(Testing.app(), 'c');
    createIstioApiObject(chart, 'p', { kind: 'AuthorizationPolicy', apiVersion: 'security.istio.io/v1', metadata, render: () => policy('api-allow') });
    expect(Testing.synth(chart)).toEqual([policy('api-allow')]);
  });

  test.each([
    ['nothing', () => undefined],
    ['an object of another name', () => policy('other')],
  ])('a renderer that produces %s for a declared object fails with TM_INTERNAL_RENDER_MISMATCH', (_what, render) => {
    const chart = new Chart(Testing.app(), 'c');
    createIstioApiObject(chart, 'p', { kind: 'AuthorizationPolicy', apiVersion: 'security.istio.io/v1', metadata, render });
    expect(() => Testing.synth(chart)).toThrow(/TM_INTERNAL_RENDER_MISMATCH: renderer produced no AuthorizationPolicy "api-allow" .*a trustmesh bug/);
  });
});
