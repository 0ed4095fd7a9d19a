// TM_DEPRECATED_FIELD (istioctl IST0002): deprecation.FieldAnalyzer, telemetry.LightstepAnalyzer, and the
// fields istio/api 1.30 marks [deprecated = true].
import { describe, expect, it } from 'vitest';
import { analyzeFixture, fixture, lineOf, where, withCode } from './fixture';
import { loadMeshConfig } from '../../../../src/analysis/config/mesh-config';

const POSITIVE = 'deprecated-fields/positive.yaml';
const CODE = 'TM_DEPRECATED_FIELD';

describe(CODE, () => {
  it('reports each deprecated field at the field; Lightstep providers with the MeshConfig', () => {
    const meshConfig = loadMeshConfig(fixture('deprecated-fields/mesh-config.yaml'));
    const found = withCode(analyzeFixture(POSITIVE, { meshConfig }), CODE);
    expect(found.map((d) => [where(d), d.location?.field])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'percent: 10')}`, 'spec.http[0].fault.delay.percent'],
      [`positive.yaml:${lineOf(POSITIVE, 'mirrorPercent:')}`, 'spec.http[0].mirrorPercent'],
      [`positive.yaml:${lineOf(POSITIVE, 'allowOrigin:')}`, 'spec.http[0].corsPolicy.allowOrigin'],
      [`positive.yaml:${lineOf(POSITIVE, 'LEAST_CONN')}`, 'spec.trafficPolicy.loadBalancer.simple'],
      [`positive.yaml:${lineOf(POSITIVE, 'warmupDurationSecs')}`, 'spec.trafficPolicy.loadBalancer.warmupDurationSecs'],
      [`positive.yaml:${lineOf(POSITIVE, 'consecutiveErrors')}`, 'spec.trafficPolicy.portLevelSettings[0].outlierDetection.consecutiveErrors'],
      [`positive.yaml:${lineOf(POSITIVE, 'minimumRingSize')}`, 'spec.subsets[0].trafficPolicy.loadBalancer.consistentHash.minimumRingSize'],
      [`positive.yaml:${lineOf(POSITIVE, 'targetPort: 8080')}`, 'spec.servers[0].port.targetPort'],
      [`positive.yaml:${lineOf(POSITIVE, 'targetPort: 9080')}`, 'spec.ingress[0].port.targetPort'],
      [`positive.yaml:${lineOf(POSITIVE, 'egressProxy')}`, 'spec.outboundTrafficPolicy.egressProxy'],
      [`positive.yaml:${lineOf(POSITIVE, 'group: rbac.istio.io')}`, 'spec.group'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: lightstep')}`, 'spec.tracing[0].providers[0].name'],
    ]);
    expect(found.every((d) => d.severity === 'warning' && d.upstreamCode === 'IST0002')).toBe(true);
    expect(found[0].message).toMatch(/HTTPRoute\.fault\.delay\.percent is deprecated; use HTTPRoute\.fault\.delay\.percentage/);
    expect(found[9].message).toMatch(/OutboundTrafficPolicy\.EgressProxy ignored/);
    expect(found[10].message).toMatch(/Custom resource type rbac\.istio\.io ServiceRole is removed/);
    expect(found[11].message).toMatch(/The Lightstep provider lightstep is deprecated, please migrate to OpenTelemetry provider/);
    expect(withCode(analyzeFixture(POSITIVE), CODE)).toHaveLength(11);
  });

  it('stays quiet for the current forms', () => {
    const meshConfig = loadMeshConfig(fixture('deprecated-fields/mesh-config.yaml'));
    expect(withCode(analyzeFixture('deprecated-fields/negative.yaml', { meshConfig }), CODE)).toEqual([]);
  });
});
