// TM_VIRTUAL_SERVICE_DESTINATION_NOT_FOUND, …_PORT_NOT_FOUND, …_SUBSET_NOT_FOUND (istioctl IST0101) and
// TM_VIRTUAL_SERVICE_DESTINATION_PORT_REQUIRED (IST0112): virtualservice.DestinationHostAnalyzer and
// virtualservice.DestinationRuleAnalyzer.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const POSITIVE = 'virtual-service-destinations/positive.yaml';
const CODES = ['TM_VIRTUAL_SERVICE_DESTINATION_NOT_FOUND', 'TM_VIRTUAL_SERVICE_DESTINATION_PORT_NOT_FOUND',
  'TM_VIRTUAL_SERVICE_DESTINATION_PORT_REQUIRED', 'TM_VIRTUAL_SERVICE_SUBSET_NOT_FOUND'];

describe('VirtualService destinations', () => {
  it('reports unknown hosts, mirror hosts, ports and subsets at the destination host, as warnings with the inferred inventory', () => {
    const found = analyzeFixture(POSITIVE).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'host: reveiws')}`, 'TM_VIRTUAL_SERVICE_DESTINATION_NOT_FOUND', 'warning', 'IST0101'],
      [`positive.yaml:${lineOf(POSITIVE, 'host: reviews-shadow')}`, 'TM_VIRTUAL_SERVICE_DESTINATION_NOT_FOUND', 'warning', 'IST0101'],
      [`positive.yaml:${lineOf(POSITIVE, 'number: 8080}}')}`, 'TM_VIRTUAL_SERVICE_DESTINATION_PORT_NOT_FOUND', 'error', 'IST0101'],
      [`positive.yaml:${lineOf(POSITIVE, 'host: catalog.shop.svc.cluster.local}')}`, 'TM_VIRTUAL_SERVICE_DESTINATION_PORT_REQUIRED', 'error', 'IST0112'],
      [`positive.yaml:${lineOf(POSITIVE, '- destination: {host: api.partner.example}')}`, 'TM_VIRTUAL_SERVICE_DESTINATION_NOT_FOUND', 'warning', 'IST0101'],
      [`positive.yaml:${lineOf(POSITIVE, '- destination: {host: ledger.finance.svc.cluster.local}')}`, 'TM_VIRTUAL_SERVICE_DESTINATION_NOT_FOUND', 'warning', 'IST0101'],
      [`positive.yaml:${lineOf(POSITIVE, 'subset: v2')}`, 'TM_VIRTUAL_SERVICE_SUBSET_NOT_FOUND', 'warning', 'IST0101'],
      [`positive.yaml:${lineOf(POSITIVE, '- destination: {host: ledger}')}`, 'TM_VIRTUAL_SERVICE_DESTINATION_NOT_FOUND', 'warning', 'IST0101'],
    ]);
    expect(found[0].message).toMatch(/VirtualService shop\/reviews-typo: spec\.http\[0\]\.route\[0\]\.destination\.host "reveiws" is no Service or ServiceEntry visible in namespace shop \(Referenced host not found/);
    expect(found[1].message).toMatch(/Referenced mirror host not found/);
    expect(found[2].message).toMatch(/Referenced host:port not found: "reviews:8080"; its ports: 9080/);
    expect(found[3].message).toMatch(/exposes several ports \[80 9090\]/);
    expect(found[6].message).toMatch(/"reviews\+v2"/);
  });

  it('reports errors with --inventory complete, and nothing with --inventory none', () => {
    const complete = analyzeFixture(POSITIVE, { inventory: 'complete' }).filter((d) => CODES.includes(d.code));
    expect(complete.every((d) => d.severity === 'error')).toBe(true);
    expect(analyzeFixture(POSITIVE, { inventory: 'none' }).filter((d) => CODES.includes(d.code)).map((d) => d.code))
      .toEqual(['TM_VIRTUAL_SERVICE_DESTINATION_PORT_NOT_FOUND', 'TM_VIRTUAL_SERVICE_DESTINATION_PORT_REQUIRED']);
  });

  it('does not judge hosts of namespaces whose Services the input does not show', () => {
    const text = analyzeFixture('virtual-service-mesh-hosts/positive.yaml').filter((d) => CODES.includes(d.code));
    expect(text).toEqual([]);
  });

  it('resolves short names, FQDNs, exported Services and ServiceEntries, wildcard ServiceEntries, mirrors and defined subsets', () => {
    expect(analyzeFixture('virtual-service-destinations/negative.yaml', { inventory: 'complete' }).filter((d) => CODES.includes(d.code))).toEqual([]);
  });
});
