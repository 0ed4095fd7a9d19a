// TM_SERVICE_ENTRY_ADDRESSES_REQUIRED (istioctl IST0134, serviceentry.ProtocolAddressesAnalyzer) and
// TM_SERVICE_ENTRY_PROTOCOL_CONFLICT (IST0177, serviceentry.ConflictingServiceEntryProtocolAnalyzer).
import { describe, expect, it } from 'vitest';
import { analyzeFixture, fixture, lineOf, where } from './fixture';
import { loadMeshConfig } from '../../../../src/analysis/config/mesh-config';

const POSITIVE = 'service-entry-ports/positive.yaml';
const CODES = ['TM_SERVICE_ENTRY_ADDRESSES_REQUIRED', 'TM_SERVICE_ENTRY_PROTOCOL_CONFLICT'];

describe('ServiceEntry ports', () => {
  it('reports TCP ports without addresses, and one host and port with two protocols on each ServiceEntry', () => {
    const found = analyzeFixture(POSITIVE).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'number: 5432')}`, 'TM_SERVICE_ENTRY_ADDRESSES_REQUIRED', 'warning', 'IST0134'],
      [`positive.yaml:${lineOf(POSITIVE, 'number: 9187')}`, 'TM_SERVICE_ENTRY_ADDRESSES_REQUIRED', 'warning', 'IST0134'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: partner-http,')}`, 'TM_SERVICE_ENTRY_PROTOCOL_CONFLICT', 'warning', 'IST0177'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: partner-tls,')}`, 'TM_SERVICE_ENTRY_PROTOCOL_CONFLICT', 'warning', 'IST0177'],
    ]);
    expect(found[2].message).toMatch(/multiple ServiceEntries \(billing\/partner-tls, shop\/partner-http\) define the same host "api\.partner\.example" and port 443 with conflicting protocols \(HTTP, TLS\)/);
  });

  it('does not ask for addresses when the MeshConfig auto-allocates them', () => {
    const meshConfig = loadMeshConfig(fixture('service-entry-ports/mesh-config.yaml'));
    expect(analyzeFixture(POSITIVE, { meshConfig }).filter((d) => d.code === 'TM_SERVICE_ENTRY_ADDRESSES_REQUIRED')).toEqual([]);
  });

  it('stays quiet for addresses, non-TCP ports, agreeing protocols and scopes that do not meet', () => {
    expect(analyzeFixture('service-entry-ports/negative.yaml').filter((d) => CODES.includes(d.code))).toEqual([]);
  });
});
