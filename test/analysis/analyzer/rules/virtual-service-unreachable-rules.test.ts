// TM_VIRTUAL_SERVICE_UNREACHABLE_RULE (istioctl IST0130) and TM_VIRTUAL_SERVICE_INEFFECTIVE_MATCH (IST0131):
// the webhook's analyzeUnreachableHTTPRules / TCP / TLS warnings (pkg/config/validation/validation.go).
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const POSITIVE = 'virtual-service-unreachable-rules/positive.yaml';
const CODES = ['TM_VIRTUAL_SERVICE_UNREACHABLE_RULE', 'TM_VIRTUAL_SERVICE_INEFFECTIVE_MATCH'];

describe('VirtualService unreachable rules', () => {
  it('reports rules after a catch-all, rules whose matches all came before, and duplicate or covered matches', () => {
    const found = analyzeFixture(POSITIVE).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, '- name: api-again')}`, 'TM_VIRTUAL_SERVICE_UNREACHABLE_RULE', 'warning', 'IST0130'],
      [`positive.yaml:${lineOf(POSITIVE, 'match: [{name: same')}`, 'TM_VIRTUAL_SERVICE_INEFFECTIVE_MATCH', 'info', 'IST0131'],
      [`positive.yaml:${lineOf(POSITIVE, '- match: [{uri: {prefix: /cart}}]')}`, 'TM_VIRTUAL_SERVICE_UNREACHABLE_RULE', 'warning', 'IST0130'],
      [`positive.yaml:${lineOf(POSITIVE, '- route: [{destination: {host: cart}}]', 2)}`, 'TM_VIRTUAL_SERVICE_UNREACHABLE_RULE', 'warning', 'IST0130'],
      [`positive.yaml:${lineOf(POSITIVE, 'prefix: /search/v2')}`, 'TM_VIRTUAL_SERVICE_INEFFECTIVE_MATCH', 'info', 'IST0131'],
      [`positive.yaml:${lineOf(POSITIVE, '- match: [{port: 5432}]', 2)}`, 'TM_VIRTUAL_SERVICE_UNREACHABLE_RULE', 'warning', 'IST0130'],
      [`positive.yaml:${lineOf(POSITIVE, '- match: [{port: 5432}]', 2)}`, 'TM_VIRTUAL_SERVICE_INEFFECTIVE_MATCH', 'info', 'IST0131'],
      [`positive.yaml:${lineOf(POSITIVE, 'port: 443}, {sniHosts')}`, 'TM_VIRTUAL_SERVICE_INEFFECTIVE_MATCH', 'info', 'IST0131'],
    ]);
    expect(found.map((d) => d.message.replace(/^VirtualService [^:]+: /, '').replace(/;.*$/, '').replace(/ \(duplicate.*$/, ''))).toEqual([
      'http rule "api-again" is not used (all matches used by prior rules)',
      'http rule "api-again" match "same" is not used',
      'http rule #1 is not used (route without matches defined before)',
      'http rule #2 is not used (only the last rule can have no matches)',
      'http rule #1 match #0 of prefix /search/v2 is not used',
      'tcp rule #1 is not used (all matches used by prior rules)',
      'tcp rule #1 match #0 is not used',
      'tls rule #1 match #0 is not used',
    ]);
    expect(found[4].message).toMatch(/\(duplicate\/overlapping match in rule #0 of prefix \/search on #0\)/);
  });

  it('stays quiet for distinct matches, the catch-all last and the longer prefix first', () => {
    expect(analyzeFixture('virtual-service-unreachable-rules/negative.yaml').filter((d) => CODES.includes(d.code))).toEqual([]);
  });
});
