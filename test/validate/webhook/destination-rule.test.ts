// istiod's ValidateDestinationRule with validateTrafficPolicy, validatePortTrafficPolicies,
// validateConnectionPool, validateOutlierDetection, validateLoadBalancer / ValidateLocalityLbSetting,
// agent.ValidateTLS, validateTunnelSettings, validateSubset and validateExportTo.
import { describe, it } from 'vitest';
import { expectFindings, expectValid, run } from './helpers';

const DR = 'DestinationRule';
const dr = (trafficPolicy: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ host: 'reviews.ns.svc.cluster.local', trafficPolicy, ...extra });

describe('ValidateDestinationRule', () => {
  it('admits the documented shapes', () => {
    expectValid(run(DR, dr({ tls: { mode: 'ISTIO_MUTUAL' } })));
    expectValid(run(DR, dr({ tls: { mode: 'SIMPLE', credentialName: 'ca', sni: 'x' }, connectionPool: { tcp: { maxConnections: 10, connectTimeout: '30ms' } } },
      { subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } }] })));
    expectValid(run(DR, dr({ tls: { mode: 'MUTUAL', clientCertificate: '/c.pem', privateKey: '/k.pem', caCertificates: '/ca.pem' } })));
    expectValid(run(DR, dr({ portLevelSettings: [{ port: { number: 80 }, loadBalancer: { consistentHash: { maglev: { tableSize: 65537 } } } }] })));
  });

  it('rejects a host that is not a (wildcard) domain name (agent.ValidateWildcardDomain)', () => {
    expectFindings(run(DR, { host: 'foo.*.com' }), [['error TM_DESTINATION_RULE_HOST_INVALID spec.host', /label "\*" invalid/]]);
    expectFindings(run(DR, { host: '' }), [['error TM_DESTINATION_RULE_HOST_INVALID spec.host', /empty domain name/]]);
  });

  it('rejects an empty traffic policy, an empty port-level policy or pool, and port-level settings without a port', () => {
    expectFindings(run(DR, dr({})), [['error TM_TRAFFIC_POLICY_EMPTY spec.trafficPolicy', /at least one field/]]);
    // jsonpb drops the empty list, so this policy is empty too.
    expectFindings(run(DR, dr({ portLevelSettings: [] })), [['error TM_TRAFFIC_POLICY_EMPTY spec.trafficPolicy']]);
    expectFindings(run(DR, dr({ portLevelSettings: [{ tls: { mode: 'DISABLE' } }, { port: { number: 80 } }], connectionPool: {} })), [
      ['error TM_TRAFFIC_POLICY_EMPTY spec.trafficPolicy.connectionPool', /connection pool must have at least one field/],
      ['error TM_PORT_TRAFFIC_POLICY_WITHOUT_PORT spec.trafficPolicy.portLevelSettings[0]', /must have valid port/],
      ['error TM_TRAFFIC_POLICY_EMPTY spec.trafficPolicy.portLevelSettings[1]', /port traffic policy must have at least one field/],
    ]);
  });

  it('rejects credentialName with client certificate fields, and MUTUAL without client certificate and key (agent.ValidateTLS)', () => {
    expectFindings(run(DR, dr({ tls: { mode: 'SIMPLE', credentialName: 'c', caCertificates: '/ca.pem' } })), [
      ['error TM_CLIENT_TLS_INVALID spec.trafficPolicy.tls.caCertificates', /cannot specify client certificates or CA certificate or CA CRL if credentialName is set/],
    ]);
    expectFindings(run(DR, dr({ tls: { mode: 'MUTUAL' } })), [
      ['error TM_CLIENT_TLS_INVALID spec.trafficPolicy.tls', /client certificate required/],
      ['error TM_CLIENT_TLS_INVALID spec.trafficPolicy.tls', /private key required/],
    ]);
    expectFindings(run(DR, dr({ tls: { mode: 'SIMPLE', insecureSkipVerify: true, subjectAltNames: ['a'] } })), [
      ['error TM_CLIENT_TLS_INVALID spec.trafficPolicy.tls.insecureSkipVerify', /InsecureSkipVerify/],
    ]);
    expectFindings(run(DR, dr({ tls: { mode: 'SIMPLE', credentialName: 'configmap://other/ca' } })), [
      ['error TM_CLIENT_TLS_INVALID spec.trafficPolicy.tls.credentialName', /namespace must match the configuration namespace "ns"/],
    ]);
    expectValid(run(DR, dr({ tls: { mode: 'SIMPLE', credentialName: 'configmap://ns/ca' } })));
  });

  it('rejects connection pool, outlier detection and load balancer settings istiod refuses', () => {
    expectFindings(run(DR, dr({
      connectionPool: { http: { maxRetries: -1, h2UpgradePolicy: 'UPGRADE', useClientProtocol: true, idleTimeout: '1.0001s' }, tcp: { idleTimeout: '0s' } },
      outlierDetection: { consecutiveErrors: 5, consecutiveLocalOriginFailures: 3, maxEjectionPercent: 101 },
      loadBalancer: { consistentHash: { httpCookie: { name: 'c', attributes: [{ name: 'a' }, { name: 'a' }] }, maglev: { tableSize: 100 } } },
    })), [
      ['warning TM_OUTLIER_DETECTION_INVALID spec.trafficPolicy.outlierDetection.consecutiveErrors', /deprecated/],
      ['error TM_OUTLIER_DETECTION_INVALID spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures', /split external local origin errors/],
      ['error TM_OUTLIER_DETECTION_INVALID spec.trafficPolicy.outlierDetection.maxEjectionPercent', /not in range 0\.\.100/],
      ['error TM_CONNECTION_POOL_INVALID spec.trafficPolicy.connectionPool.http.maxRetries', /max retries must be non-negative/],
      ['error TM_CONNECTION_POOL_INVALID spec.trafficPolicy.connectionPool.http.idleTimeout', /ms precision/],
      ['error TM_CONNECTION_POOL_INVALID spec.trafficPolicy.connectionPool.http.useClientProtocol', /UPGRADE/],
      ['error TM_LOAD_BALANCER_INVALID spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.attributes[1]', /duplicate cookie attribute name: a/],
      ['error TM_LOAD_BALANCER_INVALID spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize', /prime/],
    ]);
  });

  it('rejects locality settings istiod refuses, and warns about failover without outlier detection', () => {
    expectFindings(run(DR, dr({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'us/*', to: { 'eu/*': 60, 'us/*': 30 } }] } } })), [
      ['error TM_LOAD_BALANCER_INVALID spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to', /total locality weight 90 != 100/],
    ]);
    expectFindings(run(DR, dr({ loadBalancer: { localityLbSetting: { failover: [{ from: 'us', to: 'us' }] } } })), [
      ['warning TM_LOAD_BALANCER_INVALID spec.trafficPolicy.loadBalancer.localityLbSetting', /outlier detection policy must be provided/],
      ['error TM_LOAD_BALANCER_INVALID spec.trafficPolicy.loadBalancer.localityLbSetting.failover[0]', /different regions/],
    ]);
    expectFindings(run(DR, dr({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'us/*/z', to: { eu: 100 } }] } } })), [
      ['error TM_LOAD_BALANCER_INVALID spec.trafficPolicy.loadBalancer.localityLbSetting.distribute', /wildcard '\*' number can not exceed 1 and must be in the end/],
    ]);
  });

  it('rejects tunnel with proxyProtocol, and a tunnel to a bad host', () => {
    expectFindings(run(DR, dr({ tunnel: { targetHost: 'x', targetPort: 80 }, proxyProtocol: { version: 'V1' } })), [
      ['error TM_TUNNEL_SETTINGS_INVALID spec.trafficPolicy', /must not be set together/],
    ]);
    expectFindings(run(DR, dr({ tunnel: { protocol: 'GET', targetHost: 'a b', targetPort: 80 } })), [
      ['error TM_TUNNEL_SETTINGS_INVALID spec.trafficPolicy.tunnel.protocol', /CONNECT/],
      ['error TM_TUNNEL_SETTINGS_INVALID spec.trafficPolicy.tunnel.targetHost', /valid FQDN or IP address/],
    ]);
  });

  it('rejects duplicate and invalid subset names and labels (validateSubset)', () => {
    expectFindings(run(DR, { host: 'r', subsets: [{ name: 'v1' }, { name: 'v1' }, { name: 'v_2', labels: { 'a b': 'c' } }] }), [
      ['error TM_DESTINATION_RULE_SUBSET_INVALID spec.subsets[1].name', /duplicate subset names: v1/],
      ['error TM_DESTINATION_RULE_SUBSET_INVALID spec.subsets[2].name', /subset name is invalid: v_2/],
      ['error TM_DESTINATION_RULE_SUBSET_INVALID spec.subsets[2].labels', /invalid tag key/],
    ]);
  });

  it('rejects exportTo entries istiod refuses (validateExportTo), workload-selector rules included', () => {
    expectFindings(run(DR, { host: 'r', exportTo: ['ns', '.', 'Bad_Ns', '~'] }), [
      ['error TM_EXPORT_TO_INVALID spec.exportTo[1]', /duplicate entries in exportTo: \. and current namespace ns/],
      ['error TM_EXPORT_TO_INVALID spec.exportTo[2]', /only \., \*, or a valid DNS 1123 label/],
      ['error TM_EXPORT_TO_INVALID spec.exportTo[3]', /~ \(none\) is not allowed/],
    ]);
    expectFindings(run(DR, { host: 'r', exportTo: ['*', 'a'] }), [['error TM_EXPORT_TO_INVALID spec.exportTo', /both public \(\*\) and non-public/]]);
    expectFindings(run(DR, { host: 'r', workloadSelector: { matchLabels: { app: 'a' } }, exportTo: ['other'] }), [
      ['error TM_EXPORT_TO_INVALID spec.exportTo', /workload selector cannot have exportTo beyond current namespace/],
    ]);
  });
});
