// JWT pairing: TM_JWT_WITHOUT_REQUEST_AUTHN, TM_REQUEST_AUTHN_NOT_ENFORCED, TM_JWT_ISSUER_NOT_ACCEPTED
// (istio.io RequestAuthentication reference: "A request without a token is accepted with no identity").
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const POSITIVE = 'jwt-requirements/positive.yaml';
const NEGATIVE = 'jwt-requirements/negative.yaml';

describe('JWT requirements', () => {
  it('reports a token requirement without RequestAuthentication, an unenforced RequestAuthentication and a wrong issuer', () => {
    const found = analyzeFixture(POSITIVE);
    expect(found.map((d) => [where(d), d.code, d.severity])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'requestPrincipals: ["*"]')}`, 'TM_JWT_WITHOUT_REQUEST_AUTHN', 'error'],
      [`positive.yaml:${lineOf(POSITIVE, 'jwtRules:', 1)}`, 'TM_REQUEST_AUTHN_NOT_ENFORCED', 'warning'],
      [`positive.yaml:${lineOf(POSITIVE, 'login.example.com')}`, 'TM_JWT_ISSUER_NOT_ACCEPTED', 'error'],
    ]);
    expect(found[0].message).toMatch(/no RequestAuthentication applies to workloads labelled app=orders in namespace shop.*ALLOW rule never matches/);
    expect(found[1].message).toMatch(/requests without a token are accepted/);
    expect(found[1].fix).toMatch(/notRequestPrincipals: \["\*"\]/);
    expect(found[2].message).toMatch(/accept only "https:\/\/issuer\.example\.com"/);
  });

  it('stays quiet for the micro-shake-factory pairing and a mesh-wide RequestAuthentication', () => {
    expect(analyzeFixture(NEGATIVE)).toEqual([]);
  });
});
