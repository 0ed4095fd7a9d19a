// istiod's ValidateServiceEntry (with validateWorkloadEntry for STATIC endpoints) in
// pkg/config/validation/validation.go: host and address syntax per resolution.
import { describe, it } from 'vitest';
import { expectFindings, expectValid, run } from './helpers';

const SE = 'ServiceEntry';
const HTTPS = { number: 443, name: 'https', protocol: 'TLS' };

describe('ValidateServiceEntry', () => {
  it('admits the documented shapes', () => {
    expectValid(run(SE, { hosts: ['api.example.com'], location: 'MESH_EXTERNAL', resolution: 'DNS', ports: [HTTPS] }));
    expectValid(run(SE, { hosts: ['*.example.com'], resolution: 'NONE', ports: [HTTPS] }));
    expectValid(run(SE, {
      hosts: ['db.internal'],
      addresses: ['10.0.0.0/24', '001:db8::'],
      resolution: 'STATIC',
      ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }],
      endpoints: [{ address: '10.0.0.5', ports: { pg: 5433 }, labels: { app: 'db' } }],
    }));
    expectValid(run(SE, { hosts: ['*.wiki.example.com'], resolution: 'DYNAMIC_DNS', ports: [{ number: 80, name: 'http', protocol: 'HTTP' }] }));
  });

  it('rejects host syntax, and warns about a partial wildcard except with DYNAMIC_DNS', () => {
    expectFindings(run(SE, { hosts: ['a.*.com', '*bar.com'], resolution: 'NONE', ports: [HTTPS] }), [
      ['error TM_SERVICE_ENTRY_HOST_INVALID spec.hosts[0]', /label "\*" invalid/],
      ['warning TM_SERVICE_ENTRY_HOST_INVALID spec.hosts[0]', /partial wildcard "a\.\*\.com" not allowed/],
      ['warning TM_SERVICE_ENTRY_HOST_INVALID spec.hosts[1]', /partial wildcard "\*bar\.com" not allowed/],
    ]);
    expectValid(run(SE, { hosts: ['*bar.com'], resolution: 'DYNAMIC_DNS', ports: [{ number: 80, name: 'http', protocol: 'HTTP' }] }));
  });

  it('rejects addresses that are not IPs or CIDR blocks (agent.ValidateIPSubnet)', () => {
    expectFindings(run(SE, { hosts: ['a.example.com'], addresses: ['10.0.0.1', '010.0.0.1', '10.0.0.0/33', 'example.com'], ports: [HTTPS] }), [
      ['error TM_SERVICE_ENTRY_ADDRESS_INVALID spec.addresses[1]', /010\.0\.0\.1 is not a valid IP/],
      ['error TM_SERVICE_ENTRY_ADDRESS_INVALID spec.addresses[2]', /not a valid CIDR block/],
      ['error TM_SERVICE_ENTRY_ADDRESS_INVALID spec.addresses[3]'],
    ]);
  });

  it('rejects invalid port names and unknown protocols (duplicates are the CRD\'s list-map key); warns about TCP without addresses under NONE', () => {
    expectFindings(run(SE, { hosts: ['a.example.com'], resolution: 'DNS', ports: [{ number: 80, name: '', protocol: 'HTTP' }, { number: 81, name: 'web', protocol: 'SMTP' }] }), [
      ['error TM_SERVICE_ENTRY_PORT_INVALID spec.ports[0].name', /invalid port name: $/],
      ['error TM_SERVICE_ENTRY_PORT_INVALID spec.ports[1].protocol', /unsupported protocol: SMTP/],
    ]);
    expectFindings(run(SE, { hosts: ['a.example.com'], ports: [{ number: 9000, name: 'tcp' }] }), [
      ['warning TM_SERVICE_ENTRY_PORT_INVALID spec.ports[0]', /addresses are required for ports serving TCP/],
    ]);
    // DNS resolution gets an automatically allocated address, unless the label opts out.
    expectValid(run(SE, { hosts: ['a.example.com'], resolution: 'DNS', ports: [{ number: 9000, name: 'tcp', protocol: 'TCP' }] }));
    expectFindings(run(SE, { hosts: ['a.example.com'], resolution: 'DNS', ports: [{ number: 9000, name: 'tcp', protocol: 'TCP' }] },
      { labels: { 'networking.istio.io/enable-autoallocate-ip': 'False' } }), [['warning TM_SERVICE_ENTRY_PORT_INVALID spec.ports[0]']]);
  });

  it('rejects what each resolution does not allow', () => {
    expectFindings(run(SE, { hosts: ['*.example.com'], resolution: 'DNS', ports: [HTTPS] }), [
      ['error TM_SERVICE_ENTRY_RESOLUTION_INVALID spec.hosts[0]', /hosts must be FQDN .* if no endpoints are provided for resolution mode DNS/],
    ]);
    expectFindings(run(SE, { hosts: ['a.example.com'], addresses: ['10.0.0.1'], resolution: 'DYNAMIC_DNS', endpoints: [{ address: 'b.example.com' }], ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }] }), [
      ['error TM_SERVICE_ENTRY_RESOLUTION_INVALID spec.hosts[0]', /host must be wildcarded for resolution mode DYNAMIC_DNS/],
      ['error TM_SERVICE_ENTRY_RESOLUTION_INVALID spec.addresses', /addresses cannot be set/],
      ['error TM_SERVICE_ENTRY_RESOLUTION_INVALID spec.endpoints', /endpoints cannot be set/],
      ['error TM_SERVICE_ENTRY_RESOLUTION_INVALID spec.ports[0]', /only HTTP, TLS, GRPC, and HTTP2/],
    ]);
    expectFindings(run(SE, { hosts: ['a.example.com', 'b.example.com'], resolution: 'DNS', ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }] }), [
      ['error TM_SERVICE_ENTRY_RESOLUTION_INVALID spec.ports[0].protocol', /multiple hosts provided with non-HTTP, non-TLS ports/],
    ]);
    expectFindings(run(SE, { hosts: ['a.example.com'], workloadSelector: { labels: { app: 'a' } }, ports: [HTTPS] }), [
      ['warning TM_SERVICE_ENTRY_RESOLUTION_INVALID spec.workloadSelector', /should not be set when resolution mode is NONE/],
    ]);
  });

  it('rejects STATIC endpoints that are not IP addresses, and endpoint ports the entry does not define', () => {
    expectFindings(run(SE, {
      hosts: ['a.example.com'],
      addresses: ['10.0.0.1'],
      resolution: 'STATIC',
      ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
      endpoints: [{ address: 'db.example.com' }, { address: '10.0.0.2', ports: { grpc: 9000 }, labels: { 'a b': 'c' } }, { address: '' }],
    }), [
      ['error TM_SERVICE_ENTRY_ENDPOINT_INVALID spec.endpoints[0].address', /is not a valid IP address/],
      ['error TM_SERVICE_ENTRY_ENDPOINT_INVALID spec.endpoints[1].ports.grpc', /endpoint port 9000 \("grpc"\) is not defined by the service entry/],
      ['error TM_SERVICE_ENTRY_ENDPOINT_INVALID spec.endpoints[1].labels', /invalid tag key/],
      ['error TM_SERVICE_ENTRY_ENDPOINT_INVALID spec.endpoints[2]', /address is required/],
    ]);
    expectFindings(run(SE, { hosts: ['a.example.com'], resolution: 'DNS', ports: [HTTPS], endpoints: [{ address: 'a b' }] }), [
      ['error TM_SERVICE_ENTRY_ENDPOINT_INVALID spec.endpoints[0].address', /not a valid FQDN or an IP address/],
    ]);
  });

  it('allows exportTo "~" for a ServiceEntry alone (validateExportTo)', () => {
    expectValid(run(SE, { hosts: ['a.example.com'], ports: [HTTPS], exportTo: ['~'] }));
    expectFindings(run(SE, { hosts: ['a.example.com'], ports: [HTTPS], exportTo: ['~', 'a'] }), [['error TM_EXPORT_TO_INVALID spec.exportTo', /to no one \(~\) and someone/]]);
  });
});
