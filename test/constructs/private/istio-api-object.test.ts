import { Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { createIstioApiObject, ensureIstioApiObject } from '../../../src/constructs/private/istio-api-object';
import { parseIstioVersion } from '../../../src/model/istio-version';
import { DRY_RUN_ANNOTATION, IstioManifest } from '../../../src/render/istio/manifest';

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

describe('ensureIstioApiObject', () => {
  test('emits the apiVersion of the target release and the dry-run annotation', () => {
    const chart = new Chart(Testing.app(), 'c');
    ensureIstioApiObject(chart, 'p', {
      kind: 'AuthorizationPolicy', istioVersion: parseIstioVersion('1.21'), metadata, dryRun: true, render: () => policy('api-allow'),
    });
    const [object] = Testing.synth(chart);
    expect(object.apiVersion).toBe('security.istio.io/v1beta1');
    expect(object.metadata).toEqual({ ...metadata, annotations: { [DRY_RUN_ANNOTATION]: 'true' } });
  });

  test('a second declaration with the same id returns the object the first one created', () => {
    const chart = new Chart(Testing.app(), 'c');
    const props = { kind: 'AuthorizationPolicy', istioVersion: parseIstioVersion('1.30'), metadata, render: () => policy('api-allow') } as const;
    const first = ensureIstioApiObject(chart, 'p', props);
    expect(ensureIstioApiObject(chart, 'p', { ...props, dryRun: true })).toBe(first);
    expect(Testing.synth(chart)).toHaveLength(1);
  });
});
