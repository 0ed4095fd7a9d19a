// istiod's ValidateGateway (validateServer, validateServerPort, validateServerBind) and
// validateTLSOptions, in pkg/config/validation/validation.go.
import { describe, it } from 'vitest';
import { expectFindings, expectValid, run } from './helpers';

const GW = 'Gateway';
const server = (s: Record<string, unknown>): Record<string, unknown> => ({ selector: { istio: 'ingressgateway' }, servers: [{ hosts: ['shop.example.com'], ...s }] });
const https = (tls: Record<string, unknown>): Record<string, unknown> => server({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, tls });

describe('ValidateGateway', () => {
  it('admits the documented shapes: HTTP with an HTTPS redirect, SIMPLE and MUTUAL with a credential, PASSTHROUGH, ISTIO_MUTUAL', () => {
    expectValid(run(GW, server({ port: { number: 80, name: 'http', protocol: 'HTTP' }, tls: { httpsRedirect: true } })));
    expectValid(run(GW, https({ mode: 'SIMPLE', credentialName: 'shop-cert' })));
    expectValid(run(GW, https({ mode: 'MUTUAL', credentialName: 'shop-cert' })));
    expectValid(run(GW, https({ mode: 'MUTUAL', serverCertificate: '/s.pem', privateKey: '/k.pem', caCertificates: '/ca.pem' })));
    expectValid(run(GW, server({ port: { number: 443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'PASSTHROUGH' } })));
    expectValid(run(GW, server({ hosts: ['*/*.example.com', './api.example.com', '10.0.0.1'], port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'ISTIO_MUTUAL' } })));
  });

  it('rejects SIMPLE/MUTUAL without a certificate source, and with two (validateTLSOptions)', () => {
    expectFindings(run(GW, https({ mode: 'SIMPLE' })), [['error TM_SERVER_TLS_CERTIFICATE_SOURCE spec.servers[0].tls', /SIMPLE TLS requires a certificate source/]]);
    expectFindings(run(GW, https({ mode: 'SIMPLE', credentialName: 'c', serverCertificate: '/s.pem', privateKey: '/k.pem' })), [
      ['error TM_SERVER_TLS_CERTIFICATE_SOURCE spec.servers[0].tls', /only one of .*found serverCertificate\/privateKey, credentialName/],
    ]);
    expectFindings(run(GW, https({ mode: 'SIMPLE', credentialName: 'c', tlsCertificates: [{ serverCertificate: '/s', privateKey: '/k' }] })), [
      ['error TM_SERVER_TLS_CERTIFICATE_SOURCE spec.servers[0].tls', /found credentialName, tlsCertificates/],
    ]);
    // credentialName with credentialNames is the CRD's CEL rule: not reported twice.
    expectValid(run(GW, https({ mode: 'SIMPLE', credentialName: 'c', credentialNames: ['d'] })));
    expectFindings(run(GW, https({ mode: 'SIMPLE', serverCertificate: '/s.pem' })), [['error TM_SERVER_TLS_CERTIFICATE_SOURCE spec.servers[0].tls', /requires a private key/]]);
  });

  it('rejects MUTUAL without a client CA bundle', () => {
    expectFindings(run(GW, https({ mode: 'MUTUAL', serverCertificate: '/s.pem', privateKey: '/k.pem' })), [
      ['error TM_SERVER_TLS_MUTUAL_WITHOUT_CA spec.servers[0].tls.mode', /MUTUAL TLS requires a client CA bundle/],
    ]);
    expectFindings(run(GW, https({ mode: 'OPTIONAL_MUTUAL', tlsCertificates: [{ serverCertificate: '/s', privateKey: '/k' }] })), [
      ['error TM_SERVER_TLS_MUTUAL_WITHOUT_CA spec.servers[0].tls.mode'],
    ]);
  });

  it('rejects certificates with ISTIO_MUTUAL and warns that PASSTHROUGH ignores them', () => {
    expectFindings(run(GW, https({ mode: 'ISTIO_MUTUAL', credentialName: 'c' })), [['error TM_SERVER_TLS_CERTIFICATE_SOURCE spec.servers[0].tls.credentialName', /ISTIO_MUTUAL/]]);
    expectFindings(run(GW, https({ credentialName: 'c' })), [['warning TM_SERVER_TLS_CERTIFICATE_SOURCE spec.servers[0].tls.credentialName', /PASSTHROUGH mode does not use certificates/]]);
  });

  it('rejects CRLs with a credential or SIMPLE, and warns about ciphers istiod ignores', () => {
    expectFindings(run(GW, https({ mode: 'SIMPLE', credentialName: 'c', caCrl: '/crl.pem', cipherSuites: ['ECDHE-RSA-AES128-GCM-SHA256', 'FOO', 'ECDHE-RSA-AES128-GCM-SHA256', '-AES128-SHA'] })), [
      ['warning TM_SERVER_TLS_SETTINGS_INVALID spec.servers[0].tls.cipherSuites', /invalid cipher suites: "FOO"/],
      ['warning TM_SERVER_TLS_SETTINGS_INVALID spec.servers[0].tls.cipherSuites', /duplicate cipher suites: ECDHE-RSA-AES128-GCM-SHA256/],
    ]);
    expectFindings(run(GW, https({ mode: 'SIMPLE', serverCertificate: '/s', privateKey: '/k', caCrl: '/crl.pem', minProtocolVersion: 'TLSV1_1' })), [
      ['warning TM_SERVER_TLS_SETTINGS_INVALID spec.servers[0].tls.minProtocolVersion', /below TLSV1_2/],
      ['error TM_SERVER_TLS_SETTINGS_INVALID spec.servers[0].tls.caCrl', /CRL is not supported with SIMPLE TLS/],
    ]);
  });

  it('rejects hosts that are not [namespace/]dnsName: *bar.com, ~/, short names', () => {
    expectFindings(run(GW, server({ hosts: ['*bar.com', '~/foo.example.com', 'reviews', 'ns/'], port: { number: 80, name: 'http', protocol: 'HTTP' } })), [
      ['error TM_GATEWAY_HOST_INVALID spec.servers[0].hosts[0]', /partial wildcard "\*bar\.com" not allowed/],
      ['error TM_GATEWAY_HOST_INVALID spec.servers[0].hosts[1]', /invalid namespace value "~" in gateway/],
      ['error TM_GATEWAY_HOST_INVALID spec.servers[0].hosts[2]', /short names/],
      ['error TM_GATEWAY_HOST_INVALID spec.servers[0].hosts[3]', /cannot be empty/],
    ]);
    expectFindings(run(GW, server({ hosts: [], port: { number: 80, name: 'http', protocol: 'HTTP' } })), [['error TM_GATEWAY_HOST_INVALID spec.servers[0].hosts', /at least one host/]]);
  });

  it('rejects TLS settings that do not fit the protocol', () => {
    expectFindings(run(GW, server({ port: { number: 443, name: 'https', protocol: 'HTTPS' } })), [['error TM_GATEWAY_SERVER_TLS_PROTOCOL spec.servers[0].port.protocol', /must have TLS settings/]]);
    expectFindings(run(GW, server({ port: { number: 80, name: 'http', protocol: 'HTTP' }, tls: { mode: 'SIMPLE', credentialName: 'c' } })), [
      ['error TM_GATEWAY_SERVER_TLS_PROTOCOL spec.servers[0].tls', /plain text HTTP ports/],
    ]);
    expectFindings(run(GW, server({ port: { number: 9000, name: 'tcp', protocol: 'TCP' }, tls: { httpsRedirect: true } })), [
      ['error TM_GATEWAY_SERVER_TLS_PROTOCOL spec.servers[0].tls', /non HTTPS\/TLS ports/],
      ['warning TM_GATEWAY_SERVER_TLS_PROTOCOL spec.servers[0].tls.httpsRedirect', /only be used with http servers/],
    ]);
  });

  it('rejects the name, ports, binds and servers istiod refuses', () => {
    expectFindings(run(GW, { servers: [] }, { name: 'my.gateway' }), [
      ['error TM_GATEWAY_NAME_INVALID metadata.name', /invalid gateway name: "my\.gateway"/],
      ['error TM_GATEWAY_SERVER_INVALID spec.servers', /at least one server/],
    ]);
    expectFindings(run(GW, {
      servers: [
        { hosts: ['a.example.com'], port: { number: 80, name: 'http', protocol: 'SMTP' } },
        { hosts: ['a.example.com'], port: { number: 70000, name: 'http', protocol: 'HTTP', targetPort: 8080 }, bind: 'localhost' },
        { hosts: ['a.example.com'], port: { number: 80, name: '', protocol: 'HTTP' }, bind: 'unix://relative' },
      ],
    }), [
      ['error TM_GATEWAY_SERVER_INVALID spec.servers[0].port.protocol', /invalid protocol "SMTP"/],
      ['error TM_GATEWAY_SERVER_INVALID spec.servers[1].port.number', /65535/],
      ['error TM_GATEWAY_SERVER_INVALID spec.servers[1].port.targetPort', /no impact on Gateways/],
      ['error TM_GATEWAY_SERVER_INVALID spec.servers[1].bind', /localhost is not a valid IP/],
      ['error TM_GATEWAY_SERVER_INVALID spec.servers[1].port.name', /port names in servers must be unique: duplicate name http/],
      ['error TM_GATEWAY_SERVER_INVALID spec.servers[2].port.name', /port name must be set/],
      ['error TM_GATEWAY_SERVER_INVALID spec.servers[2].bind', /not an absolute path/],
      ['error TM_GATEWAY_SERVER_INVALID spec.servers[2].port.number', /must be 0 for unix domain socket/],
    ]);
  });
});
