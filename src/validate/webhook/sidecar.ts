/**
 * istiod's `ValidateSidecar`: ingress listeners (ports, binds, default endpoints, the TLS modes a
 * sidecar can serve), egress listeners (ports, unix sockets, capture modes, `namespace/host`
 * syntax), the outbound traffic policy's egress proxy, and connection pools.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/
 * @module
 */
import { checkAlphaWorkloadSelector } from './common-rules';
import {
  fqdnReason, ipAddressReason, isHttpProtocol, isIstioDnsLabel, isTlsProtocol, namespaceSlashHostReasons, parseProtocol, portNameReason, portReason,
  protocolReason, unixAddressReason, wildcardDomainReason,
} from './istio-syntax';
import { checkServerTls } from './server-tls';
import { checkConnectionPool } from './traffic-policy';
import { Findings, WebhookCheck, WebhookMetadata, WebhookPath, show } from './webhook-types';
import { isRecord } from '../../private/records';

export const SIDECAR_EMPTY: WebhookCheck = {
  code: 'TM_SIDECAR_EMPTY',
  severity: 'error',
  title: 'a Sidecar without ingress, egress, outboundTrafficPolicy or inboundConnectionPool',
  istiod: 'ValidateSidecar',
};
export const SIDECAR_INGRESS_INVALID: WebhookCheck = {
  code: 'TM_SIDECAR_INGRESS_INVALID',
  severity: 'error',
  title: 'a Sidecar ingress listener port, bind or defaultEndpoint istiod refuses',
  istiod: 'ValidateSidecar, validateSidecarIngressPortAndBind',
};
export const SIDECAR_INGRESS_TLS_INVALID: WebhookCheck = {
  code: 'TM_SIDECAR_INGRESS_TLS_INVALID',
  severity: 'error',
  title: 'Sidecar ingress TLS uses a mode or field a sidecar cannot serve, or a port that is not HTTPS/TLS',
  istiod: 'ValidateSidecar',
};
export const SIDECAR_EGRESS_INVALID: WebhookCheck = {
  code: 'TM_SIDECAR_EGRESS_INVALID',
  severity: 'error',
  title: 'a Sidecar egress listener port, bind, capture mode or catch-all position istiod refuses',
  istiod: 'ValidateSidecar, validateSidecarEgressPortBindAndCaptureMode',
};
export const SIDECAR_EGRESS_HOST_INVALID: WebhookCheck = {
  code: 'TM_SIDECAR_EGRESS_HOST_INVALID',
  severity: 'error',
  title: 'a Sidecar egress host is not namespace/dnsName (or repeats one)',
  istiod: 'ValidateSidecar → agent.ValidateNamespaceSlashWildcardHostname',
};
export const SIDECAR_OUTBOUND_POLICY_INVALID: WebhookCheck = {
  code: 'TM_SIDECAR_OUTBOUND_POLICY_INVALID',
  severity: 'error',
  title: 'a Sidecar egressProxy without ALLOW_ANY, a port, or a valid host',
  istiod: 'validateSidecarOutboundTrafficPolicy',
};

/** Every check of this module. */
export const SIDECAR_CHECKS: readonly WebhookCheck[] = [SIDECAR_EMPTY, SIDECAR_INGRESS_INVALID, SIDECAR_INGRESS_TLS_INVALID,
  SIDECAR_EGRESS_INVALID, SIDECAR_EGRESS_HOST_INVALID, SIDECAR_OUTBOUND_POLICY_INVALID];

const present = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

/** `ValidateSidecar` on an object. */
export function checkSidecar(meta: WebhookMetadata, spec: Readonly<Record<string, unknown>>, out: Findings): void {
  if (!checkAlphaWorkloadSelector(spec.workloadSelector, ['spec', 'workloadSelector'], 'Sidecar', out)) return;
  if (!['egress', 'ingress', 'outboundTrafficPolicy', 'inboundConnectionPool'].some((f) => present(spec[f]))) {
    out.add(SIDECAR_EMPTY, ['spec'], 'sidecar: empty configuration provided', 'Add egress hosts, ingress listeners or an outboundTrafficPolicy, or delete the Sidecar.');
    return;
  }
  const ports = new Set<number>();
  (Array.isArray(spec.ingress) ? spec.ingress : []).forEach((l, i) => checkIngress(l, ['spec', 'ingress', i], ports, out));
  checkConnectionPool(spec.inboundConnectionPool, ['spec', 'inboundConnectionPool'], out);
  const egress = Array.isArray(spec.egress) ? spec.egress : [];
  const egressPorts = new Set<number>();
  const sockets = new Set<string>();
  let catchAll = false;
  egress.forEach((l, i) => {
    const at: WebhookPath = ['spec', 'egress', i];
    if (!isRecord(l)) return;
    if (!isRecord(l.port)) {
      if (catchAll) {
        out.add(SIDECAR_EGRESS_INVALID, at, 'sidecar: egress can have only one listener with empty port', 'Merge the hosts of the port-less listeners into one.');
        return;
      }
      if (i === egress.length - 1) catchAll = true;
      else out.add(SIDECAR_EGRESS_INVALID, at, 'sidecar: the egress listener with empty port should be the last listener in the list', 'Move the port-less listener to the end of egress.');
    } else {
      checkEgressPort(l, at, out);
      const number = typeof l.port.number === 'number' ? l.port.number : 0;
      const bind = typeof l.bind === 'string' ? l.bind : '';
      if (number === 0) {
        if (sockets.has(bind)) out.add(SIDECAR_EGRESS_INVALID, [...at, 'bind'], 'sidecar: unix domain socket values for listeners must be unique', 'Give each listener its own socket.');
        sockets.add(bind);
      } else {
        if (egressPorts.has(number)) out.add(SIDECAR_EGRESS_INVALID, [...at, 'port', 'number'], 'sidecar: ports on IP bound listeners must be unique', 'Give each egress listener its own port.');
        egressPorts.add(number);
      }
    }
    checkEgressHosts(meta.namespace, l.hosts, [...at, 'hosts'], out);
  });
  checkOutboundPolicy(spec.outboundTrafficPolicy, ['spec', 'outboundTrafficPolicy'], out);
}

function checkIngress(l: unknown, at: WebhookPath, ports: Set<number>, out: Findings): void {
  if (!isRecord(l)) return;
  const bad = (path: WebhookPath, message: string, fix: string): void => out.add(SIDECAR_INGRESS_INVALID, [...at, ...path], message, fix);
  // A missing port is the CRD's required field.
  if (!isRecord(l.port)) return;
  const port = l.port;
  if (typeof port.targetPort === 'number' && port.targetPort > 0) bad(['port', 'targetPort'], 'targetPort has no impact on Sidecars', 'Remove targetPort.');
  if (typeof port.name === 'string' && port.name !== '') {
    const reason = portNameReason(port.name);
    if (reason) bad(['port', 'name'], reason, 'Use a DNS-1123 label, e.g. http-web.');
  }
  const protocol = protocolReason(port.protocol);
  if (protocol) bad(['port', 'protocol'], protocol, 'Use a protocol Istio knows, e.g. HTTP, HTTPS, TCP, TLS, GRPC.');
  const number = typeof port.number === 'number' ? port.number : 0;
  const range = portReason(number);
  if (range) bad(['port', 'number'], range, 'Use a port between 1 and 65535.');
  if (typeof l.bind === 'string' && l.bind !== '') {
    const reason = ipAddressReason(l.bind);
    if (reason) bad(['bind'], reason, 'Write an IP address, e.g. 0.0.0.0.');
  }
  if (ports.has(number)) bad(['port', 'number'], 'sidecar: ports on IP bound listeners must be unique', 'Give each ingress listener its own port.');
  ports.add(number);
  if (typeof l.defaultEndpoint === 'string' && l.defaultEndpoint !== '') {
    const reason = defaultEndpointReason(l.defaultEndpoint);
    if (reason) bad(['defaultEndpoint'], `${show(l.defaultEndpoint)}: ${reason}`, 'Write 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>.');
  }
  if (isRecord(l.tls)) checkIngressTls(l.tls, parseProtocol(port.protocol), [...at, 'tls'], out);
  checkConnectionPool(l.connectionPool, [...at, 'connectionPool'], out);
  if (isRecord(l.connectionPool) && present(l.connectionPool.http) && !isHttpProtocol(parseProtocol(port.protocol))) {
    out.warn(SIDECAR_INGRESS_INVALID, [...at, 'connectionPool', 'http'],
      `sidecar: HTTP connection pool settings are configured for port ${number} (${show(port.name ?? '')}) but its protocol is not HTTP (${String(port.protocol ?? '')}); only TCP settings will apply`,
      'Remove connectionPool.http, or declare the port as HTTP.');
  }
}

// net.SplitHostPort, then the hosts istiod allows: 127.0.0.1, 0.0.0.0, ::1, :: or none.
function defaultEndpointReason(endpoint: string): string | undefined {
  if (endpoint.startsWith('unix://')) return unixAddressReason(endpoint.slice('unix://'.length));
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:[\]]*)$/.exec(endpoint);
  if (!m) return 'missing port in address, or too many colons';
  const host = m[1] ?? m[2];
  if (host !== '' && !['127.0.0.1', '0.0.0.0', '::1', '::'].includes(host)) {
    return 'sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset';
  }
  if (!/^[+-]?\d+$/.test(m[3])) return `sidecar: defaultEndpoint port (${m[3]}) is not a number`;
  return portReason(Number(m[3]));
}

function checkIngressTls(tls: Readonly<Record<string, unknown>>, protocol: ReturnType<typeof parseProtocol>, at: WebhookPath, out: Findings): void {
  const bad = (path: WebhookPath, message: string, fix: string): void => out.add(SIDECAR_INGRESS_TLS_INVALID, [...at, ...path], message, fix);
  const nonEmptyList = (f: string): boolean => Array.isArray(tls[f]) && (tls[f] as unknown[]).length > 0;
  if (nonEmptyList('subjectAltNames')) bad(['subjectAltNames'], 'sidecar: subjectAltNames is not supported in ingress tls', 'Remove subjectAltNames.');
  if (tls.httpsRedirect === true) bad(['httpsRedirect'], 'sidecar: httpsRedirect is not supported', 'Remove httpsRedirect.');
  if (typeof tls.credentialName === 'string' && tls.credentialName !== '') {
    bad(['credentialName'], 'sidecar: credentialName is not currently supported', 'Mount the certificate into the proxy and use serverCertificate/privateKey.');
  }
  if (nonEmptyList('credentialNames')) bad(['credentialNames'], 'sidecar: credentialNames is not currently supported', 'Use serverCertificate/privateKey files.');
  if (nonEmptyList('tlsCertificates')) bad(['tlsCertificates'], 'sidecar: tls_certificates is not currently supported', 'Use serverCertificate/privateKey files.');
  if (tls.mode === 'ISTIO_MUTUAL' || tls.mode === 'AUTO_PASSTHROUGH') {
    bad(['mode'], `configuration is invalid: cannot set mode to ${String(tls.mode)} in sidecar ingress tls`, 'Use SIMPLE or MUTUAL (mesh mTLS needs no ingress tls at all).');
  }
  if (!isTlsProtocol(protocol)) bad([], 'server cannot have TLS settings for non HTTPS/TLS ports', 'Declare the port as HTTPS or TLS, or remove tls.');
  checkServerTls(tls, at, out);
}

// validateSidecarEgressPortBindAndCaptureMode.
function checkEgressPort(l: Readonly<Record<string, unknown>>, at: WebhookPath, out: Findings): void {
  const port = l.port as Readonly<Record<string, unknown>>;
  const bad = (path: WebhookPath, message: string, fix: string): void => out.add(SIDECAR_EGRESS_INVALID, [...at, ...path], message, fix);
  if (typeof port.targetPort === 'number' && port.targetPort > 0) bad(['port', 'targetPort'], 'targetPort has no impact on Sidecars', 'Remove targetPort.');
  if (typeof port.name === 'string' && port.name !== '') {
    const reason = portNameReason(port.name);
    if (reason) bad(['port', 'name'], reason, 'Use a DNS-1123 label, e.g. http-egress.');
  }
  const protocol = protocolReason(port.protocol);
  if (protocol) bad(['port', 'protocol'], protocol, 'Use a protocol Istio knows, e.g. HTTP, HTTPS, TCP, TLS, GRPC.');
  const bind = typeof l.bind === 'string' ? l.bind : '';
  const number = typeof port.number === 'number' ? port.number : 0;
  if (number === 0) {
    if (!bind.startsWith('unix://')) {
      bad(['port', 'number'], 'sidecar: ports with 0 value must have a unix domain socket bind address', 'Set bind: unix://<path>, or a port number.');
    } else {
      const reason = unixAddressReason(bind.slice('unix://'.length));
      if (reason) bad(['bind'], reason, 'Write unix:///absolute/path or unix://@abstract-name.');
    }
    if (l.captureMode !== undefined && l.captureMode !== 'DEFAULT' && l.captureMode !== 'NONE') {
      bad(['captureMode'], 'sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners', 'Set captureMode: NONE (or remove it).');
    }
  } else {
    const range = portReason(number);
    if (range) bad(['port', 'number'], range, 'Use a port between 1 and 65535.');
    if (bind !== '') {
      const reason = ipAddressReason(bind);
      if (reason) bad(['bind'], reason, 'Write an IP address, e.g. 127.0.0.1.');
    }
  }
}

function checkEgressHosts(namespace: string, hosts: unknown, at: WebhookPath, out: Findings): void {
  const list = Array.isArray(hosts) ? hosts : [];
  // A missing hosts field is the CRD's required field; an empty list is istiod's.
  if (Array.isArray(hosts) && list.length === 0) {
    out.add(SIDECAR_EGRESS_HOST_INVALID, at, 'sidecar: egress listener must contain at least one host', 'List the hosts, e.g. hosts: ["./*", "istio-system/*"].');
    return;
  }
  const byNamespace = new Map<string, Set<string>>();
  list.forEach((host, j) => {
    if (typeof host !== 'string') return;
    const slash = host.indexOf('/');
    if (slash >= 0) {
      const ns = host.slice(0, slash) === '.' ? namespace : host.slice(0, slash);
      const svc = host.slice(slash + 1);
      const seen = byNamespace.get(ns) ?? new Set<string>();
      byNamespace.set(ns, seen);
      if (svc !== '' && (svc === '*' ? seen.size > 0 : seen.has(svc) || seen.has('*'))) {
        out.warn(SIDECAR_EGRESS_HOST_INVALID, [...at, j], `duplicated egress host: ${host}`, 'Remove the host: an earlier entry already selects it.');
      }
      seen.add(svc);
    }
    for (const reason of namespaceSlashHostReasons(host, false)) {
      out.add(SIDECAR_EGRESS_HOST_INVALID, [...at, j], `host ${show(host)}: ${reason}`,
        'Write namespace/dnsName: namespace is a name, "*", "." or "~"; dnsName is "*", a wildcard first label ("*.example.com") or a fully qualified name.');
    }
  });
  if (byNamespace.get('*')?.has('*') && byNamespace.size !== 1) {
    out.warn(SIDECAR_EGRESS_HOST_INVALID, at, '`*/*` host select all resources, no other hosts can be added', 'Keep "*/*" alone, or replace it with the namespaces you need.');
  }
}

function checkOutboundPolicy(tp: unknown, at: WebhookPath, out: Findings): void {
  if (!isRecord(tp) || !isRecord(tp.egressProxy)) return;
  const bad = (path: WebhookPath, message: string, fix: string): void => out.add(SIDECAR_OUTBOUND_POLICY_INVALID, [...at, ...path], message, fix);
  const mode = typeof tp.mode === 'string' ? tp.mode : 'REGISTRY_ONLY';
  if (mode !== 'ALLOW_ANY') {
    bad(['egressProxy'], 'sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode', 'Set mode: ALLOW_ANY, or remove egressProxy.');
    return;
  }
  const proxy = tp.egressProxy;
  if (typeof proxy.host !== 'string') return;
  const host = proxy.host;
  const fqdn = fqdnReason(host);
  if (fqdn) bad(['egressProxy', 'host'], fqdn, 'Write the egress proxy\'s fully qualified host name.');
  if (!isRecord(proxy.port)) {
    bad(['egressProxy'], 'sidecar: egress_proxy port must be non-nil', 'Add egressProxy.port.number.');
    return;
  }
  if (host === '*') {bad(['egressProxy', 'host'], `invalid destination host ${host}`, 'Name the egress proxy\'s host.');} else if (!fqdn) {
    const reason = wildcardDomainReason(host);
    if (reason) bad(['egressProxy', 'host'], reason, 'Write the egress proxy\'s fully qualified host name.');
  }
  if (typeof proxy.subset === 'string' && proxy.subset !== '' && !isIstioDnsLabel(proxy.subset)) {
    bad(['egressProxy', 'subset'], `subset name is invalid: ${proxy.subset}`, 'Use a DNS-1123 label, e.g. v1.');
  }
  const range = portReason(proxy.port.number);
  if (range) bad(['egressProxy', 'port', 'number'], range, 'Use a port between 1 and 65535.');
}
