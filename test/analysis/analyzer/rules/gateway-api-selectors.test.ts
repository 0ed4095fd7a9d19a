// TM_SELECTOR_ON_GATEWAY_API_POD (istioctl IST0166): k8sgateway.SelectorAnalyzer.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where, withCode } from './fixture';

const POSITIVE = 'gateway-api-selectors/positive.yaml';
const CODE = 'TM_SELECTOR_ON_GATEWAY_API_POD';

describe(CODE, () => {
  it('reports AuthorizationPolicy, RequestAuthentication, Telemetry and WasmPlugin selectors on Gateway API gateway pods', () => {
    const found = withCode(analyzeFixture(POSITIVE), CODE);
    expect(found.map((d) => [where(d), d.severity, d.upstreamCode, d.message.split(':')[0]])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'selector:', 1)}`, 'warning', 'IST0166', 'AuthorizationPolicy shop/web-allow'],
      [`positive.yaml:${lineOf(POSITIVE, 'selector:', 2)}`, 'warning', 'IST0166', 'RequestAuthentication shop/web-jwt'],
      [`positive.yaml:${lineOf(POSITIVE, 'selector:', 3)}`, 'warning', 'IST0166', 'Telemetry shop/web-logs'],
      [`positive.yaml:${lineOf(POSITIVE, 'selector:', 4)}`, 'warning', 'IST0166', 'WasmPlugin shop/web-filter'],
    ]);
    expect(found[0].message).toMatch(/ineffective selector on Kubernetes Gateway web/);
    expect(found[0].fix).toMatch(/targetRefs: \[\{kind: Gateway, group: gateway\.networking\.k8s\.io, name: web\}\]/);
  });

  it('stays quiet for targetRefs, selectors of other pods and other namespaces', () => {
    expect(withCode(analyzeFixture('gateway-api-selectors/negative.yaml'), CODE)).toEqual([]);
  });
});
