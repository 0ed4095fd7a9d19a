// TM_VIRTUAL_SERVICE_JWT_CLAIM_WITHOUT_REQUEST_AUTHN (istioctl IST0149): virtualservice.JWTClaimRouteAnalyzer.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where, withCode } from './fixture';

const POSITIVE = 'virtual-service-jwt-claim-routes/positive.yaml';
const CODE = 'TM_VIRTUAL_SERVICE_JWT_CLAIM_WITHOUT_REQUEST_AUTHN';

describe(CODE, () => {
  it('reports claim routing at a gateway whose pods no RequestAuthentication selects, at the claim header', () => {
    const found = withCode(analyzeFixture(POSITIVE), CODE);
    expect(found.map((d) => [where(d), d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, '"@request.auth.claims.groups"')}`, 'error', 'IST0149'],
    ]);
    expect(found[0].message).toMatch(/routes on the JWT claim @request\.auth\.claims\.groups, but no RequestAuthentication applies to the pods of gateway istio-system\/public \(Deployment istio-system\/istio-ingressgateway\)/);
  });

  it('stays quiet when a root-namespace RequestAuthentication selects the gateway pods, and for ordinary headers', () => {
    expect(withCode(analyzeFixture('virtual-service-jwt-claim-routes/negative.yaml'), CODE)).toEqual([]);
  });
});
