// TM_SELECTOR_NO_WORKLOAD — istioctl IST0127 (AuthorizationPolicy), IST0101 (Sidecar, Telemetry), Kiali KIA0004.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where, withCode } from './fixture';

const POSITIVE = 'selector-no-workload/positive.yaml';
const NEGATIVE = 'selector-no-workload/negative.yaml';

describe('TM_SELECTOR_NO_WORKLOAD', () => {
  it('reports each policy whose selector matches no workload of its namespace, at the selector', () => {
    const found = withCode(analyzeFixture(POSITIVE), 'TM_SELECTOR_NO_WORKLOAD');
    expect(found.map((d) => [where(d), d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'selector:', 1)}`, 'warning', 'IST0127'],
      [`positive.yaml:${lineOf(POSITIVE, 'selector:', 2)}`, 'warning', 'KIA0004'],
      [`positive.yaml:${lineOf(POSITIVE, 'selector:', 3)}`, 'warning', 'KIA0004'],
      [`positive.yaml:${lineOf(POSITIVE, 'workloadSelector:')}`, 'warning', 'IST0101'],
      [`positive.yaml:${lineOf(POSITIVE, 'selector:', 4)}`, 'warning', 'IST0101'],
    ]);
    expect(found[0].message).toMatch(/AuthorizationPolicy foo\/typo-allow: spec\.selector app=httpbim matches no workload in namespace foo/);
    expect(found[0].fix).toMatch(/closest: app=httpbin/);
    expect(found[1].message).toMatch(/RequestAuthentication foo\/jwt: .*app=httpbin,version=v2/);
  });

  it('stays quiet for matching selectors, namespaces without inventory and root-namespace selectors', () => {
    expect(analyzeFixture(NEGATIVE)).toEqual([]);
  });

  it('with --inventory complete, also judges root-namespace and other namespaces (IST0127 for a namespace without pods)', () => {
    const found = withCode(analyzeFixture(NEGATIVE, { inventory: 'complete' }), 'TM_SELECTOR_NO_WORKLOAD');
    expect(found.map((d) => d.message.split(':')[0])).toEqual([
      'AuthorizationPolicy bar/other-namespace',
      'AuthorizationPolicy istio-system/ingress',
    ]);
  });

  it('with --inventory none, judges nothing', () => {
    expect(withCode(analyzeFixture(POSITIVE, { inventory: 'none' }), 'TM_SELECTOR_NO_WORKLOAD')).toEqual([]);
  });
});
