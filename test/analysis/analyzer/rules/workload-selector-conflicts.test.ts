// TM_SIDECAR_WORKLOAD_CONFLICT (istioctl IST0110), TM_SIDECAR_NAMESPACE_CONFLICT (IST0111),
// TM_SIDECAR_INEFFECTIVE_IN_AMBIENT (IST0167): sidecar.SelectorAnalyzer; TM_TELEMETRY_WORKLOAD_CONFLICT
// (IST0159), TM_TELEMETRY_NAMESPACE_CONFLICT (IST0160): telemetry.SelectorAnalyzer, DefaultSelectorAnalyzer.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, analyzeFixtureText, lineOf, where } from './fixture';

const POSITIVE = 'workload-selector-conflicts/positive.yaml';
const CODES = ['TM_SIDECAR_WORKLOAD_CONFLICT', 'TM_SIDECAR_NAMESPACE_CONFLICT', 'TM_SIDECAR_INEFFECTIVE_IN_AMBIENT',
  'TM_TELEMETRY_WORKLOAD_CONFLICT', 'TM_TELEMETRY_NAMESPACE_CONFLICT'];

describe('Sidecar and Telemetry selector conflicts', () => {
  it('reports each competing resource once, and Sidecars for ambient namespaces and pods', () => {
    const found = analyzeFixture(POSITIVE).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'workloadSelector: {labels: {app: cart}}')}`, 'TM_SIDECAR_WORKLOAD_CONFLICT', 'error', 'IST0110'],
      [`positive.yaml:${lineOf(POSITIVE, 'workloadSelector: {labels: {tier: backend}}')}`, 'TM_SIDECAR_WORKLOAD_CONFLICT', 'error', 'IST0110'],
      [`positive.yaml:${lineOf(POSITIVE, 'workloadSelector: {labels: {app: ledger}}')}`, 'TM_SIDECAR_INEFFECTIVE_IN_AMBIENT', 'warning', 'IST0167'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: default, namespace: billing')}`, 'TM_SIDECAR_NAMESPACE_CONFLICT', 'error', 'IST0111'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: default-too, namespace: billing')}`, 'TM_SIDECAR_NAMESPACE_CONFLICT', 'error', 'IST0111'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: default, namespace: zt')}`, 'TM_SIDECAR_INEFFECTIVE_IN_AMBIENT', 'warning', 'IST0167'],
      [`positive.yaml:${lineOf(POSITIVE, 'selector: {matchLabels: {app: cart}}', 2)}`, 'TM_TELEMETRY_WORKLOAD_CONFLICT', 'error', 'IST0159'],
      [`positive.yaml:${lineOf(POSITIVE, 'selector: {matchLabels: {tier: backend}}')}`, 'TM_TELEMETRY_WORKLOAD_CONFLICT', 'error', 'IST0159'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: namespace-tracing')}`, 'TM_TELEMETRY_NAMESPACE_CONFLICT', 'error', 'IST0160'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: namespace-metrics')}`, 'TM_TELEMETRY_NAMESPACE_CONFLICT', 'error', 'IST0160'],
    ]);
    expect(found[0].message).toMatch(/the Sidecars \[backend-egress cart-egress\] in namespace shop select the same workload Deployment cart/);
    expect(found[2].message).toMatch(/the selected workload Pod shop\/ledger-0 is in ambient mode, the policy has no impact/);
    expect(found[3].message).toMatch(/the Sidecars \[default default-too\] in namespace billing have no workload selector/);
  });

  it('stays quiet for one resource per workload and namespace, targetRefs Telemetry and a Sidecar written twice', () => {
    expect(analyzeFixtureText('workload-selector-conflicts/negative.yaml').filter((d) => CODES.includes(d.code))).toEqual([]);
  });
});
