// TM_SIDECAR_OUTBOUND_MODE_MISSING — Kiali KIA1007.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const POSITIVE = 'sidecar-outbound-policy/positive.yaml';

describe('TM_SIDECAR_OUTBOUND_MODE_MISSING', () => {
  it('reports outboundTrafficPolicy without mode (REGISTRY_ONLY, not the mesh default)', () => {
    const found = analyzeFixture(POSITIVE);
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'outboundTrafficPolicy:')}`, 'TM_SIDECAR_OUTBOUND_MODE_MISSING', 'warning', 'KIA1007'],
    ]);
    expect(found[0].message).toMatch(/zero value REGISTRY_ONLY/);
  });

  it('stays quiet for an explicit mode and for no outboundTrafficPolicy', () => {
    expect(analyzeFixture('sidecar-outbound-policy/negative.yaml')).toEqual([]);
  });
});
