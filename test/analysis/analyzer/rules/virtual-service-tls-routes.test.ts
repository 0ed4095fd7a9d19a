// TM_VIRTUAL_SERVICE_SNI_OUTSIDE_HOSTS and TM_VIRTUAL_SERVICE_TLS_WITHOUT_SNI — the webhook's
// validateSniHost / validateTLSRoute (istioctl IST0106).
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const POSITIVE = 'virtual-service-tls-routes/positive.yaml';

describe('VirtualService TLS routes', () => {
  it('reports an SNI host outside the hosts at the sniHosts entry, and a TLS match without SNI', () => {
    const found = analyzeFixture(POSITIVE);
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode, d.location?.field])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'sniHosts: [shop.example.com, admin.example.com]')}`, 'TM_VIRTUAL_SERVICE_SNI_OUTSIDE_HOSTS', 'error', 'IST0106',
        'spec.tls[0].match[0].sniHosts[1]'],
      [`positive.yaml:${lineOf(POSITIVE, 'port: 9443')}`, 'TM_VIRTUAL_SERVICE_TLS_WITHOUT_SNI', 'error', 'IST0106', 'spec.tls[1].match[0]'],
    ]);
    expect(found[0].message).toMatch(/SNI host admin\.example\.com is not a subset of any of the VirtualService hosts \(shop\.example\.com, \*\.shop\.example\.com\)/);
  });

  it('stays quiet for SNI hosts within the hosts (exact, case-insensitive, under a wildcard) and HTTP routes', () => {
    expect(analyzeFixture('virtual-service-tls-routes/negative.yaml')).toEqual([]);
  });
});
