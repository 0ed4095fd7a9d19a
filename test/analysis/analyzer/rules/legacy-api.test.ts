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

  it('with a target release: quiet on 1.0–1.5 (the API in force), TM_API_NOT_IN_TARGET (warning, IST0002) from 1.6 on instead', () => {
    for (const minor of [4, 5]) {
      const found = analyzeFixture(POSITIVE, { istioVersion: { major: 1, minor } });
      expect([...withCode(found, 'TM_LEGACY_ISTIO_API'), ...withCode(found, 'TM_API_NOT_IN_TARGET')]).toEqual([]);
    }
    const at16 = analyzeFixture(POSITIVE, { istioVersion: { major: 1, minor: 6 } });
    expect(withCode(at16, 'TM_LEGACY_ISTIO_API')).toEqual([]);
    expect(withCode(at16, 'TM_API_NOT_IN_TARGET').map((d) => [d.severity, d.upstreamCode])).toEqual([
      ['warning', 'IST0002'], ['warning', 'IST0002'], ['warning', 'IST0002'],
    ]);
    // ClusterRbacConfig is a 1.1 kind: on 1.0 (RbacConfig) it does not exist yet.
    expect(withCode(analyzeFixture(POSITIVE, { istioVersion: { major: 1, minor: 0 } }), 'TM_API_NOT_IN_TARGET').map((d) => [d.severity, d.message.split(',')[0]]))
      .toEqual([['error', 'ClusterRbacConfig default uses rbac.istio.io/v1alpha1 ClusterRbacConfig']]);
  });

  it('stays quiet for security.istio.io/v1 objects', () => {
    expect(analyzeFixture('legacy-api/negative.yaml')).toEqual([]);
  });
});
