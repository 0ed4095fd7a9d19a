// TM_SERVICE_PORT_NAME_CONVENTION (istioctl IST0118) and TM_EXTERNAL_NAME_PORT_NAME (IST0150):
// service.PortNameAnalyzer, with pkg/config/kube ConvertProtocol.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const POSITIVE = 'service-ports/positive.yaml';
const CODES = ['TM_SERVICE_PORT_NAME_CONVENTION', 'TM_EXTERNAL_NAME_PORT_NAME'];

describe('Service port names', () => {
  it('reports ports whose protocol cannot be read, and ExternalName ports named tcp, at the port', () => {
    const found = analyzeFixture(POSITIVE).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, '- {port: 8080}')}`, 'TM_SERVICE_PORT_NAME_CONVENTION', 'info', 'IST0118'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: web')}`, 'TM_SERVICE_PORT_NAME_CONVENTION', 'info', 'IST0118'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: tcp')}`, 'TM_EXTERNAL_NAME_PORT_NAME', 'warning', 'IST0150'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: api')}`, 'TM_EXTERNAL_NAME_PORT_NAME', 'warning', 'IST0150'],
    ]);
    expect(found[1].message).toMatch(/port name "web" \(port: 8081, targetPort: 8081\) doesn't follow the naming convention/);
  });

  it('reads protocol prefixes, grpc-web, appProtocol, UDP and well-known ports; skips the control plane and kube-system', () => {
    expect(analyzeFixture('service-ports/negative.yaml').filter((d) => CODES.includes(d.code))).toEqual([]);
  });
});
