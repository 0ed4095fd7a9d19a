// TM_TELEMETRY_EMPTY_PROVIDERS (istioctl IST0157): telemetry.ProviderAnalyzer.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, fixture, lineOf, where, withCode } from './fixture';
import { loadMeshConfig } from '../../../../src/analysis/config/mesh-config';

const POSITIVE = 'telemetry-providers/positive.yaml';
const CODE = 'TM_TELEMETRY_EMPTY_PROVIDERS';

describe(CODE, () => {
  it('reports an access log entry without providers when the MeshConfig has no default provider', () => {
    const found = withCode(analyzeFixture(POSITIVE), CODE);
    expect(found.map((d) => [where(d), d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, '- filter:')}`, 'warning', 'IST0157'],
    ]);
    expect(found[0].message).toMatch(/Telemetry istio-system\/mesh-default: spec\.accessLogging\[0\] has empty providers/);
  });

  it('stays quiet with defaultProviders.accessLogging in the MeshConfig, named providers, and disabled entries', () => {
    const meshConfig = loadMeshConfig(fixture('telemetry-providers/mesh-config.yaml'));
    expect(withCode(analyzeFixture(POSITIVE, { meshConfig }), CODE)).toEqual([]);
    expect(withCode(analyzeFixture('telemetry-providers/negative.yaml'), CODE)).toEqual([]);
  });
});
