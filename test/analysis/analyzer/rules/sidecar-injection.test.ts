// TM_NAMESPACE_NOT_INJECTED (istioctl IST0102), TM_NAMESPACE_INJECTED_BY_DEFAULT (IST0148),
// TM_NAMESPACE_MULTIPLE_INJECTION_LABELS (IST0123), TM_POD_MISSING_PROXY (IST0103): injection.Analyzer.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const POSITIVE = 'sidecar-injection/positive.yaml';
const CODES = ['TM_NAMESPACE_NOT_INJECTED', 'TM_NAMESPACE_INJECTED_BY_DEFAULT', 'TM_NAMESPACE_MULTIPLE_INJECTION_LABELS', 'TM_POD_MISSING_PROXY'];

describe('sidecar injection', () => {
  it('reports namespaces without or with several injection labels, and pods of injected namespaces without the proxy', () => {
    const found = analyzeFixture(POSITIVE).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'name: legacy')}`, 'TM_NAMESPACE_NOT_INJECTED', 'info', 'IST0102'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: confused')}`, 'TM_NAMESPACE_MULTIPLE_INJECTION_LABELS', 'warning', 'IST0123'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: half-ambient')}`, 'TM_NAMESPACE_MULTIPLE_INJECTION_LABELS', 'warning', 'IST0123'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: cart-7d9f')}`, 'TM_POD_MISSING_PROXY', 'warning', 'IST0103'],
    ]);
    expect(found[0].fix).toBe("Run 'kubectl label namespace legacy istio-injection=enabled' to enable it, or 'kubectl label namespace legacy istio-injection=disabled' to explicitly mark it as not needing injection.");
    expect(found[1].message).toMatch(/more than one type of injection labels \[istio-injection=enabled istio\.io\/rev=canary\]/);
    expect(found[3].message).toMatch(/Pod shop\/cart-7d9f is missing the Istio proxy/);
  });

  it('reports a namespace without labels as injected when the injector enables namespaces by default', () => {
    const file = 'sidecar-injection/enabled-by-default.yaml';
    const found = analyzeFixture(file).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`enabled-by-default.yaml:${lineOf(file, 'name: legacy')}`, 'TM_NAMESPACE_INJECTED_BY_DEFAULT', 'info', 'IST0148'],
    ]);
  });

  it('stays quiet for one injection setting, ambient, the root and kube-system namespaces, injected, opted-out and host-network pods', () => {
    expect(analyzeFixture('sidecar-injection/negative.yaml').filter((d) => CODES.includes(d.code))).toEqual([]);
  });
});
