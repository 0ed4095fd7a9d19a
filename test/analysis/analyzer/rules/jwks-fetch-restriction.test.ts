// TM_JWKS_FETCH_UNRESTRICTED (istioctl IST0175): authn.BlockedCIDRsAnalyzer.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where, withCode } from './fixture';

const POSITIVE = 'jwks-fetch-restriction/positive.yaml';
const CODE = 'TM_JWKS_FETCH_UNRESTRICTED';

describe(CODE, () => {
  it('reports the istiod Deployment without BLOCKED_CIDRS_IN_JWKS_URIS while RequestAuthentications exist', () => {
    const found = withCode(analyzeFixture(POSITIVE), CODE);
    expect(found.map((d) => [where(d), d.severity, d.upstreamCode])).toEqual([[`positive.yaml:${lineOf(POSITIVE, 'env:')}`, 'warning', 'IST0175']]);
    expect(found[0].message).toMatch(/^Deployment istio-system\/istiod: BLOCKED_CIDRS_IN_JWKS_URIS is not configured but 1 RequestAuthentication resource\(s\) exist \(shop\/api-jwt\)/);
  });

  it('stays quiet when istiod sets the variable, or without RequestAuthentications', () => {
    expect(withCode(analyzeFixture('jwks-fetch-restriction/negative.yaml'), CODE)).toEqual([]);
    expect(withCode(analyzeFixture('application-uid/negative.yaml'), CODE)).toEqual([]);
  });
});
