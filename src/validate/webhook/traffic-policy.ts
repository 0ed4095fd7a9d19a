/**
 * istiod's `validateTrafficPolicy` and what it calls: `validateConnectionPool` (also used by
 * Sidecar), `validateOutlierDetection`, `validateLoadBalancer` with `agent.ValidateLocalityLbSetting`,
 * `agent.ValidateTLS` (client TLS), `validatePortTrafficPolicies`, `validateTunnelSettings` and
 * `validateProxyProtocol`.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy
 * @module
 */
import { durationReason, parseGoDuration } from './go-duration';
import { fqdnReason, ipAddressReason, portReason } from './istio-syntax';
import { LOAD_BALANCER_INVALID, checkLoadBalancer } from './load-balancer';
import { Findings, WebhookCheck, WebhookPath, show } from './webhook-types';
import { isRecord } from '../../private/records';

export const TRAFFIC_POLICY_EMPTY: WebhookCheck = {
  code: 'TM_TRAFFIC_POLICY_EMPTY',
  severity: 'error',
  title: 'a trafficPolicy, port-level policy or connectionPool has no settings',
  istiod: 'validateTrafficPolicy, validatePortTrafficPolicies, validateConnectionPool',
};
export const PORT_POLICY_WITHOUT_PORT: WebhookCheck = {
  code: 'TM_PORT_TRAFFIC_POLICY_WITHOUT_PORT',
  severity: 'error',
  title: 'a portLevelSettings entry has no port',
  istiod: 'validatePortTrafficPolicies',
};
export const CLIENT_TLS_INVALID: WebhookCheck = {
  code: 'TM_CLIENT_TLS_INVALID',
  severity: 'error',
  title: 'client TLS settings combine credentialName with certificate files, or MUTUAL lacks a client certificate or key',
  istiod: 'agent.ValidateTLS',
};
export const CONNECTION_POOL_INVALID: WebhookCheck = {
  code: 'TM_CONNECTION_POOL_INVALID',
  severity: 'error',
  title: 'connectionPool settings are negative, conflicting or not in whole milliseconds',
  istiod: 'validateConnectionPool',
};
export const OUTLIER_DETECTION_INVALID: WebhookCheck = {
  code: 'TM_OUTLIER_DETECTION_INVALID',
  severity: 'error',
  title: 'outlierDetection settings istiod refuses (or deprecated ones it warns about)',
  istiod: 'validateOutlierDetection',
};
export const TUNNEL_INVALID: WebhookCheck = {
  code: 'TM_TUNNEL_SETTINGS_INVALID',
  severity: 'error',
  title: 'tunnel settings are invalid, or combined with proxyProtocol',
  istiod: 'validateTrafficPolicy, validateTunnelSettings, validateProxyProtocol',
};

/** Every check of this module (with the load balancer's). */
export const TRAFFIC_POLICY_CHECKS: readonly WebhookCheck[] = [TRAFFIC_POLICY_EMPTY, PORT_POLICY_WITHOUT_PORT, CLIENT_TLS_INVALID,
  CONNECTION_POOL_INVALID, OUTLIER_DETECTION_INVALID, LOAD_BALANCER_INVALID, TUNNEL_INVALID];

const POLICY_FIELDS = ['outlierDetection', 'connectionPool', 'loadBalancer', 'tls', 'portLevelSettings', 'tunnel', 'proxyProtocol', 'retryBudget'];
const PORT_POLICY_FIELDS = ['outlierDetection', 'connectionPool', 'loadBalancer', 'tls'];

/** Whether a field survives istiod's decoding: present, not null, and not an empty list. */
function present(v: unknown): boolean {
  return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
}

/** `validateTrafficPolicy` at `path` (a DestinationRule's, or a subset's). */
export function checkTrafficPolicy(namespace: string, policy: unknown, path: WebhookPath, out: Findings): void {
  if (!isRecord(policy)) return;
  if (!POLICY_FIELDS.some((f) => present(policy[f]))) {
    out.add(TRAFFIC_POLICY_EMPTY, path, 'traffic policy must have at least one field',
      'Remove the empty trafficPolicy, or set one of connectionPool, loadBalancer, outlierDetection, tls, portLevelSettings, tunnel, proxyProtocol.');
    return;
  }
  if (present(policy.tunnel) && present(policy.proxyProtocol)) {
    out.add(TUNNEL_INVALID, path, 'tunnel and proxyProtocol must not be set together', 'Keep one of tunnel and proxyProtocol.');
    return;
  }
  checkOutlierDetection(policy.outlierDetection, [...path, 'outlierDetection'], out);
  checkConnectionPool(policy.connectionPool, [...path, 'connectionPool'], out);
  checkLoadBalancer(policy.loadBalancer, policy.outlierDetection, [...path, 'loadBalancer'], out);
  checkClientTls(namespace, policy.tls, [...path, 'tls'], out);
  if (Array.isArray(policy.portLevelSettings)) {
    policy.portLevelSettings.forEach((p, i) => checkPortPolicy(namespace, p, [...path, 'portLevelSettings', i], out));
  }
  // validateProxyProtocol's version check is the CRD's enum (V1, V2).
  checkTunnel(policy.tunnel, [...path, 'tunnel'], out);
}

function checkPortPolicy(namespace: string, p: unknown, path: WebhookPath, out: Findings): void {
  if (!isRecord(p)) return;
  if (!present(p.port)) {
    out.add(PORT_POLICY_WITHOUT_PORT, path, 'portTrafficPolicy must have valid port', 'Add port: {number: <port>} to the entry.');
  }
  if (!PORT_POLICY_FIELDS.some((f) => present(p[f]))) {
    out.add(TRAFFIC_POLICY_EMPTY, path, 'port traffic policy must have at least one field', 'Set connectionPool, loadBalancer, outlierDetection or tls, or remove the entry.');
    return;
  }
  checkOutlierDetection(p.outlierDetection, [...path, 'outlierDetection'], out);
  checkConnectionPool(p.connectionPool, [...path, 'connectionPool'], out);
  checkLoadBalancer(p.loadBalancer, p.outlierDetection, [...path, 'loadBalancer'], out);
  checkClientTls(namespace, p.tls, [...path, 'tls'], out);
}

function checkTunnel(tunnel: unknown, path: WebhookPath, out: Findings): void {
  if (!isRecord(tunnel)) return;
  const protocol = tunnel.protocol;
  if (typeof protocol === 'string' && protocol !== '' && protocol !== 'CONNECT' && protocol !== 'POST') {
    out.add(TUNNEL_INVALID, [...path, 'protocol'], `tunnel protocol must be "CONNECT" or "POST", got ${show(protocol)}`, 'Use CONNECT or POST.');
  }
  const host = typeof tunnel.targetHost === 'string' ? tunnel.targetHost : undefined;
  const fqdn = host === undefined ? undefined : fqdnReason(host);
  const ip = host === undefined ? undefined : ipAddressReason(host);
  if (fqdn && ip) {
    out.add(TUNNEL_INVALID, [...path, 'targetHost'], `tunnel target host must be valid FQDN or IP address: ${fqdn}; ${ip}`, 'Write a host name or an IP address.');
  }
  const port = portReason(tunnel.targetPort);
  if (port && tunnel.targetPort !== undefined) {
    out.add(TUNNEL_INVALID, [...path, 'targetPort'], `tunnel target port is invalid: ${port}`, 'Use a port between 1 and 65535.');
  }
}

/** `validateOutlierDetection`. */
export function checkOutlierDetection(o: unknown, path: WebhookPath, out: Findings): void {
  if (!isRecord(o)) return;
  for (const f of ['baseEjectionTime', 'interval']) {
    const reason = durationReason(o[f]);
    if (reason) out.add(OUTLIER_DETECTION_INVALID, [...path, f], `${f} ${show(o[f])}: ${reason}`, 'Write the duration in whole milliseconds.');
  }
  if (typeof o.consecutiveErrors === 'number' && o.consecutiveErrors !== 0) {
    out.warn(OUTLIER_DETECTION_INVALID, [...path, 'consecutiveErrors'],
      'outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead',
      'Replace consecutiveErrors with consecutive5xxErrors (or consecutiveGatewayErrors).');
  }
  if (o.splitExternalLocalOriginErrors !== true && typeof o.consecutiveLocalOriginFailures === 'number' && o.consecutiveLocalOriginFailures > 0) {
    out.add(OUTLIER_DETECTION_INVALID, [...path, 'consecutiveLocalOriginFailures'],
      'outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false',
      'Set splitExternalLocalOriginErrors: true, or remove consecutiveLocalOriginFailures.');
  }
  for (const f of ['maxEjectionPercent', 'minHealthPercent']) {
    const v = o[f];
    if (typeof v === 'number' && (v < 0 || v > 100)) {
      out.add(OUTLIER_DETECTION_INVALID, [...path, f], `percentage ${v} is not in range 0..100`, `Set ${f} between 0 and 100.`);
    }
  }
}

/** `validateConnectionPool` (DestinationRule, and Sidecar inbound pools). */
export function checkConnectionPool(pool: unknown, path: WebhookPath, out: Findings): void {
  if (!isRecord(pool)) return;
  if (!present(pool.http) && !present(pool.tcp)) {
    out.add(TRAFFIC_POLICY_EMPTY, path, 'connection pool must have at least one field', 'Set http or tcp settings, or remove connectionPool.');
    return;
  }
  const negative = (rec: Readonly<Record<string, unknown>>, at: WebhookPath, fields: readonly [string, string][]): void => {
    for (const [f, what] of fields) {
      if (typeof rec[f] === 'number' && (rec[f] as number) < 0) out.add(CONNECTION_POOL_INVALID, [...at, f], `${what} must be non-negative, got ${String(rec[f])}`, `Set ${f} to 0 or more.`);
    }
  };
  const ms = (rec: Readonly<Record<string, unknown>>, at: WebhookPath, f: string, minimum = false): void => {
    const reason = durationReason(rec[f], { minimum });
    if (reason) out.add(CONNECTION_POOL_INVALID, [...at, f], `${f} ${show(rec[f])}: ${reason}`, 'Write the duration in whole milliseconds, at least 1ms.');
  };
  if (isRecord(pool.http)) {
    const http = pool.http;
    const at: WebhookPath = [...path, 'http'];
    negative(http, at, [['http1MaxPendingRequests', 'http1 max pending requests'], ['http2MaxRequests', 'http2 max requests'],
      ['maxRequestsPerConnection', 'max requests per connection'], ['maxRetries', 'max retries'], ['maxConcurrentStreams', 'max concurrent streams']]);
    ms(http, at, 'idleTimeout');
    if (http.h2UpgradePolicy === 'UPGRADE' && http.useClientProtocol === true) {
      out.add(CONNECTION_POOL_INVALID, [...at, 'useClientProtocol'], 'use client protocol must not be true when H2UpgradePolicy is UPGRADE',
        'Remove useClientProtocol, or the UPGRADE policy.');
    }
  }
  if (isRecord(pool.tcp)) {
    const tcp = pool.tcp;
    const at: WebhookPath = [...path, 'tcp'];
    negative(tcp, at, [['maxConnections', 'max connections']]);
    ms(tcp, at, 'connectTimeout');
    ms(tcp, at, 'maxConnectionDuration');
    // Under 1ms (0s) disables the idle timeout; the CRD has no rule for this field, so the minimum is istiod's alone.
    const idle = typeof tcp.idleTimeout === 'string' ? parseGoDuration(tcp.idleTimeout) : undefined;
    if (idle !== undefined && (idle >= 1_000_000n || idle <= -1_000_000n)) ms(tcp, at, 'idleTimeout', true);
    if (isRecord(tcp.tcpKeepalive)) {
      ms(tcp.tcpKeepalive, [...at, 'tcpKeepalive'], 'time');
      ms(tcp.tcpKeepalive, [...at, 'tcpKeepalive'], 'interval');
    }
  }
}

/** `agent.ValidateTLS`: DestinationRule client TLS. */
export function checkClientTls(namespace: string, tls: unknown, path: WebhookPath, out: Findings): void {
  if (!isRecord(tls)) return;
  const mode = typeof tls.mode === 'string' ? tls.mode : 'DISABLE';
  const set = (f: string): boolean => typeof tls[f] === 'string' && tls[f] !== '';
  const credentialName = typeof tls.credentialName === 'string' ? tls.credentialName : '';
  if (credentialName.startsWith('configmap://')) {
    // credentials.ParseResourceName: configmap://<namespace>/<name>, both required.
    const [ns = '', name = ''] = credentialName.slice('configmap://'.length).split('/');
    if (ns === '' || name === '') {
      out.add(CLIENT_TLS_INVALID, [...path, 'credentialName'], `invalid configmap:// credentialName ${show(credentialName)}: expected namespace and name`,
        `Write configmap://${namespace || '<namespace>'}/<name>.`);
    } else if (ns !== namespace || namespace === '') {
      out.add(CLIENT_TLS_INVALID, [...path, 'credentialName'], `invalid configmap:// credentialName: namespace must match the configuration namespace ${show(namespace)}`,
        `Reference a ConfigMap in the DestinationRule's own namespace: configmap://${namespace}/${name}.`);
    }
  }
  const sans = Array.isArray(tls.subjectAltNames) && tls.subjectAltNames.length > 0;
  if (tls.insecureSkipVerify === true) {
    if (mode === 'SIMPLE' && (set('caCertificates') || credentialName !== '' || sans)) {
      out.add(CLIENT_TLS_INVALID, [...path, 'insecureSkipVerify'], 'cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true',
        'Either verify the server (caCertificates/credentialName, subjectAltNames) or skip verification, not both.');
    }
    if (mode === 'MUTUAL' && (set('caCertificates') || sans)) {
      out.add(CLIENT_TLS_INVALID, [...path, 'insecureSkipVerify'], 'cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true',
        'Either verify the server (caCertificates, subjectAltNames) or skip verification, not both.');
    }
  }
  if ((mode === 'SIMPLE' || mode === 'MUTUAL') && credentialName !== '') {
    const files = ['clientCertificate', 'caCertificates', 'privateKey', 'caCrl'].filter(set);
    if (files.length > 0) {
      out.add(CLIENT_TLS_INVALID, [...path, files[0]], `cannot specify client certificates or CA certificate or CA CRL if credentialName is set (found ${files.join(', ')})`,
        `Keep the certificates in the Secret ${show(credentialName)} and remove ${files.join(', ')}, or remove credentialName.`);
    }
    return;
  }
  if (mode === 'MUTUAL') {
    if (!set('clientCertificate')) out.add(CLIENT_TLS_INVALID, path, 'client certificate required for mutual tls', 'Set clientCertificate (a file path in the proxy) or credentialName.');
    if (!set('privateKey')) out.add(CLIENT_TLS_INVALID, path, 'private key required for mutual tls', 'Set privateKey (a file path in the proxy) or credentialName.');
  }
}
