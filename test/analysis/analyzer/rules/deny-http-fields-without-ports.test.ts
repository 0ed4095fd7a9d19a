// TM_DENY_HTTP_FIELDS_WITHOUT_PORTS — istioctl IST0133 (the webhook's DENY warning).
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where, withCode } from './fixture';

const POSITIVE = 'deny-http-fields-without-ports/positive.yaml';
const NEGATIVE = 'deny-http-fields-without-ports/negative.yaml';

describe('TM_DENY_HTTP_FIELDS_WITHOUT_PORTS', () => {
  it('reports DENY rules with HTTP-only fields and no ports, including HTTP-only conditions', () => {
    const found = withCode(analyzeFixture(POSITIVE), 'TM_DENY_HTTP_FIELDS_WITHOUT_PORTS');
    expect(found.map((d) => [where(d), d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, '- to:')}`, 'warning', 'IST0133'],
      [`positive.yaml:${lineOf(POSITIVE, '- from:', 1)}`, 'warning', 'IST0133'],
      [`positive.yaml:${lineOf(POSITIVE, 'when:')}`, 'warning', 'IST0133'],
    ]);
    expect(found[0].message).toMatch(/deny-post DENY rule 0 uses HTTP-only attributes \(methods\)/);
    expect(found[1].message).toMatch(/\(notRequestPrincipals\)/);
    expect(found[2].message).toMatch(/\(when request\.headers\[x-debug\]\)/);
    expect(found[0].fix).toMatch(/ports/);
  });

  it('stays quiet for DENY with ports, DENY on TCP fields and ALLOW rules', () => {
    expect(analyzeFixture(NEGATIVE)).toEqual([]);
  });
});
