// istiod's ValidateSidecar (validateSidecarIngressPortAndBind, validateSidecarEgressPortBindAndCaptureMode,
// validateSidecarOutboundTrafficPolicy, ValidateAlphaWorkloadSelector) in pkg/config/validation/validation.go.
import { describe, it } from 'vitest';
import { expectFindings, expectValid, run } from './helpers';

const SC = 'Sidecar';

describe('ValidateSidecar', () => {
  it('admits the documented shapes', () => {
    expectValid(run(SC, { egress: [{ hosts: ['./*', 'istio-system/*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }));
    expectValid(run(SC, {
      workloadSelector: { labels: { app: 'web' } },
      ingress: [{ port: { number: 9080, protocol: 'HTTP', name: 'http' }, defaultEndpoint: '127.0.0.1:8080' }],
      egress: [{ port: { number: 3306, protocol: 'MYSQL', name: 'mysql' }, bind: '127.0.0.1', hosts: ['*/mysql.example.com'] }, { hosts: ['~/*'] }],
    }));
    expectValid(run(SC, {
      ingress: [{
        port: { number: 9443, protocol: 'HTTPS', name: 'https' },
        defaultEndpoint: 'unix:///var/run/app.sock',
        tls: { mode: 'SIMPLE', serverCertificate: '/etc/certs/s.pem', privateKey: '/etc/certs/k.pem' },
      }],
    }));
    expectValid(run(SC, { outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'proxy.example.com', port: { number: 3128 } } } }));
  });

  it('rejects an empty Sidecar', () => {
    expectFindings(run(SC, {}), [['error TM_SIDECAR_EMPTY spec', /empty configuration/]]);
    expectFindings(run(SC, { egress: [], workloadSelector: { labels: { app: 'a' } } }), [['error TM_SIDECAR_EMPTY spec']]);
  });

  it('rejects a workloadSelector key that is empty or has a wildcard (the CRD checks values only), and warns without labels', () => {
    expectFindings(run(SC, { workloadSelector: { labels: { 'app*': 'a' } }, egress: [{ hosts: ['./*'] }] }), [
      ['error TM_WORKLOAD_SELECTOR_INVALID spec.workloadSelector.labels[app*]', /wildcard is not supported in selector/],
    ]);
    expectFindings(run(SC, { workloadSelector: {}, egress: [{ hosts: ['./*'] }] }), [['warning TM_WORKLOAD_SELECTOR_WITHOUT_LABELS spec.workloadSelector', /all services in the namespace/]]);
  });

  it('rejects ingress TLS modes and fields a sidecar cannot serve', () => {
    expectFindings(run(SC, {
      ingress: [{
        port: { number: 9080, protocol: 'HTTP', name: 'http' },
        tls: { mode: 'ISTIO_MUTUAL', credentialName: 'c', subjectAltNames: ['a'], httpsRedirect: true },
      }],
    }), [
      ['error TM_SIDECAR_INGRESS_TLS_INVALID spec.ingress[0].tls.subjectAltNames', /subjectAltNames is not supported/],
      ['error TM_SIDECAR_INGRESS_TLS_INVALID spec.ingress[0].tls.httpsRedirect', /httpsRedirect is not supported/],
      ['error TM_SIDECAR_INGRESS_TLS_INVALID spec.ingress[0].tls.credentialName', /credentialName is not currently supported/],
      ['error TM_SIDECAR_INGRESS_TLS_INVALID spec.ingress[0].tls.mode', /cannot set mode to ISTIO_MUTUAL/],
      ['error TM_SIDECAR_INGRESS_TLS_INVALID spec.ingress[0].tls', /non HTTPS\/TLS ports/],
      ['error TM_SERVER_TLS_CERTIFICATE_SOURCE spec.ingress[0].tls.credentialName', /ISTIO_MUTUAL/],
    ]);
    expectFindings(run(SC, { ingress: [{ port: { number: 9443, protocol: 'HTTPS', name: 'https' }, tls: { mode: 'MUTUAL', serverCertificate: '/s', privateKey: '/k' } }] }), [
      ['error TM_SERVER_TLS_MUTUAL_WITHOUT_CA spec.ingress[0].tls.mode'],
    ]);
  });

  it('rejects ingress ports, binds and default endpoints istiod refuses', () => {
    expectFindings(run(SC, {
      ingress: [
        { port: { number: 0, protocol: 'HTTP', name: 'http_1' }, bind: '0.0.0.0' },
        { port: { number: 9080, protocol: 'FOO', name: 'a' }, defaultEndpoint: 'localhost:8080' },
        { port: { number: 9080, protocol: 'TCP', name: 'b' }, defaultEndpoint: '127.0.0.1:http' },
        // A listener without a port is the CRD's required field.
        { defaultEndpoint: '127.0.0.1:80' },
      ],
    }), [
      ['error TM_SIDECAR_INGRESS_INVALID spec.ingress[0].port.name', /invalid port name: http_1/],
      ['error TM_SIDECAR_INGRESS_INVALID spec.ingress[0].port.number', /1\.\.65535/],
      ['error TM_SIDECAR_INGRESS_INVALID spec.ingress[1].port.protocol', /unsupported protocol: FOO/],
      ['error TM_SIDECAR_INGRESS_INVALID spec.ingress[1].defaultEndpoint', /must be of form 127\.0\.0\.1:<port>/],
      ['error TM_SIDECAR_INGRESS_INVALID spec.ingress[2].port.number', /ports on IP bound listeners must be unique/],
      ['error TM_SIDECAR_INGRESS_INVALID spec.ingress[2].defaultEndpoint', /port \(http\) is not a number/],
    ]);
    expectFindings(run(SC, { ingress: [{ port: { number: 3306, protocol: 'TCP', name: 'db' }, connectionPool: { http: { maxRetries: 1 } } }] }), [
      ['warning TM_SIDECAR_INGRESS_INVALID spec.ingress[0].connectionPool.http', /only TCP settings will apply/],
    ]);
  });

  it('rejects egress listeners istiod refuses: catch-all not last, unix sockets, capture modes, duplicate ports', () => {
    expectFindings(run(SC, {
      egress: [
        { hosts: ['./*'] },
        { port: { number: 0, protocol: 'HTTP', name: 'uds' }, bind: '127.0.0.1', captureMode: 'IPTABLES', hosts: ['./*'] },
        { port: { number: 80, protocol: 'HTTP', name: 'http' }, hosts: ['./*'] },
        { port: { number: 80, protocol: 'HTTP', name: 'http2' }, bind: 'not-an-ip', hosts: ['./*'] },
      ],
    }), [
      ['error TM_SIDECAR_EGRESS_INVALID spec.egress[0]', /empty port should be the last listener/],
      ['error TM_SIDECAR_EGRESS_INVALID spec.egress[1].port.number', /must have a unix domain socket bind address/],
      ['error TM_SIDECAR_EGRESS_INVALID spec.egress[1].captureMode', /DEFAULT\/NONE/],
      ['error TM_SIDECAR_EGRESS_INVALID spec.egress[3].bind', /not a valid IP/],
      ['error TM_SIDECAR_EGRESS_INVALID spec.egress[3].port.number', /must be unique/],
    ]);
  });

  it('rejects egress hosts that are not namespace/dnsName, and warns about duplicates', () => {
    expectFindings(run(SC, { egress: [{ hosts: ['foo.example.com', 'ns/*bar.com', 'Bad_Ns/a.example.com', 'ns/reviews', 'ns/*', 'ns/a.example.com', '*/*'] }] }), [
      ['error TM_SIDECAR_EGRESS_HOST_INVALID spec.egress[0].hosts[0]', /host must be of form namespace\/dnsName/],
      ['error TM_SIDECAR_EGRESS_HOST_INVALID spec.egress[0].hosts[1]', /partial wildcard/],
      ['error TM_SIDECAR_EGRESS_HOST_INVALID spec.egress[0].hosts[2]', /invalid namespace value "Bad_Ns" in sidecar/],
      ['error TM_SIDECAR_EGRESS_HOST_INVALID spec.egress[0].hosts[3]', /short names/],
      ['warning TM_SIDECAR_EGRESS_HOST_INVALID spec.egress[0].hosts[4]', /duplicated egress host: ns\/\*/],
      ['warning TM_SIDECAR_EGRESS_HOST_INVALID spec.egress[0].hosts[5]', /duplicated egress host/],
      ['warning TM_SIDECAR_EGRESS_HOST_INVALID spec.egress[0].hosts', /`\*\/\*` host select all resources/],
    ]);
    expectFindings(run(SC, { egress: [{ port: { number: 80, protocol: 'HTTP', name: 'h' }, hosts: [] }] }), [['error TM_SIDECAR_EGRESS_HOST_INVALID spec.egress[0].hosts', /at least one host/]]);
  });

  it('rejects an egress proxy outside ALLOW_ANY or without a port (validateSidecarOutboundTrafficPolicy)', () => {
    expectFindings(run(SC, { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY', egressProxy: { host: 'p.example.com', port: { number: 3128 } } } }), [
      ['error TM_SIDECAR_OUTBOUND_POLICY_INVALID spec.outboundTrafficPolicy.egressProxy', /only with ALLOW_ANY/],
    ]);
    expectFindings(run(SC, { outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'p.example.com' } } }), [
      ['error TM_SIDECAR_OUTBOUND_POLICY_INVALID spec.outboundTrafficPolicy.egressProxy', /port must be non-nil/],
    ]);
  });
});
