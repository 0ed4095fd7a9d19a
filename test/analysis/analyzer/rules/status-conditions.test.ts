// TM_NEGATIVE_STATUS_CONDITION (istioctl IST0171): conditions.ConditionAnalyzer.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where, withCode } from './fixture';

const POSITIVE = 'status-conditions/positive.yaml';
const CODE = 'TM_NEGATIVE_STATUS_CONDITION';

describe(CODE, () => {
  it('reports negative conditions of Services, ServiceEntries, AuthorizationPolicies and Gateway API objects, at the condition', () => {
    const found = withCode(analyzeFixture(POSITIVE), CODE);
    expect(found.map((d) => [where(d), d.severity, d.upstreamCode, d.message.split(':')[0]])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'WaypointNotReady')}`, 'warning', 'IST0171', 'Service shop/reviews'],
      [`positive.yaml:${lineOf(POSITIVE, 'NoWaypoint')}`, 'warning', 'IST0171', 'ServiceEntry shop/partner'],
      [`positive.yaml:${lineOf(POSITIVE, 'ZtunnelAccepted')}`, 'warning', 'IST0171', 'AuthorizationPolicy shop/ext-authz'],
      [`positive.yaml:${lineOf(POSITIVE, 'PartiallyInvalid')}`, 'warning', 'IST0171', 'AuthorizationPolicy shop/waypoint-policy'],
      [`positive.yaml:${lineOf(POSITIVE, 'AddressNotUsable')}`, 'warning', 'IST0171', 'Gateway shop/waypoint'],
      [`positive.yaml:${lineOf(POSITIVE, 'BackendNotFound')}`, 'warning', 'IST0171', 'HTTPRoute shop/reviews'],
    ]);
    expect(found[5].message).toMatch(/a condition with a negative status is present: type=ResolvedRefs, reason=BackendNotFound, message=backend\(reviews-v9/);
  });

  it('stays quiet for positive conditions and other controllers\' conditions', () => {
    expect(withCode(analyzeFixture('status-conditions/negative.yaml'), CODE)).toEqual([]);
  });
});
