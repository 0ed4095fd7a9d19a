// TM_LEGACY_ISTIO_API — istioctl IST0002 (rbac.istio.io / authentication.istio.io removed in 1.6).
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where, withCode } from './fixture';

const POSITIVE = 'legacy-api/positive.yaml';

describe('TM_LEGACY_ISTIO_API', () => {
  it('reports each leftover pre-1.6 object once, at its apiVersion (the loader\'s own notice is folded in)', () => {
    const found = withCode(analyzeFixture(POSITIVE), 'TM_LEGACY_ISTIO_API');
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'kind: ClusterRbacConfig') - 1}`, 'TM_LEGACY_ISTIO_API', 'warning', 'IST0002'],
      [`positive.yaml:${lineOf(POSITIVE, 'kind: ServiceRole') - 1}`, 'TM_LEGACY_ISTIO_API', 'warning', 'IST0002'],
      [`positive.yaml:${lineOf(POSITIVE, 'kind: Policy') - 1}`, 'TM_LEGACY_ISTIO_API', 'warning', 'IST0002'],
    ]);
    expect(found[0].message).toMatch(/^ClusterRbacConfig default uses rbac\.istio\.io\/v1alpha1, removed in Istio 1\.6/);
    expect(found[2].fix).toMatch(/PeerAuthentication/);
  });

  it('stays quiet when the config targets a release that still serves the legacy APIs (1.0–1.5), and reports from 1.6 on', () => {
    expect(withCode(analyzeFixture(POSITIVE, { istioVersion: { major: 1, minor: 4 } }), 'TM_LEGACY_ISTIO_API')).toEqual([]);
    expect(withCode(analyzeFixture(POSITIVE, { istioVersion: { major: 1, minor: 5 } }), 'TM_LEGACY_ISTIO_API')).toEqual([]);
    expect(withCode(analyzeFixture(POSITIVE, { istioVersion: { major: 1, minor: 6 } }), 'TM_LEGACY_ISTIO_API')).toHaveLength(3);
  });

  it('stays quiet for security.istio.io/v1 objects', () => {
    expect(analyzeFixture('legacy-api/negative.yaml')).toEqual([]);
  });
});
