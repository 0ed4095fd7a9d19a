/**
 * istiod's `ValidateGateway` (`validateServer`, `validateServerPort`, `validateServerBind`, and
 * `validateTLSOptions` in server-tls.ts) for an Istio `networking.istio.io` Gateway.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/
 * @module
 */
import {
  PROTOCOL_NAMES, ipAddressReason, isHttpProtocol, isIstioDnsLabel, isTlsProtocol, namespaceSlashHostReasons, parseProtocol, portReason,
  unixAddressReason,
} from './istio-syntax';
import { checkServerTls } from './server-tls';
import { Findings, WebhookCheck, WebhookMetadata, WebhookPath, show } from './webhook-types';
import { isRecord } from '../../private/records';

export const GATEWAY_NAME_INVALID: WebhookCheck = {
  code: 'TM_GATEWAY_NAME_INVALID',
  severity: 'error',
  title: 'a Gateway name is not a DNS-1123 label (no dots)',
  istiod: 'ValidateGateway',
};
export const GATEWAY_SERVER_INVALID: WebhookCheck = {
  code: 'TM_GATEWAY_SERVER_INVALID',
  severity: 'error',
  title: 'a Gateway has no servers, or a server port or bind address istiod refuses',
  istiod: 'ValidateGateway, validateServerPort, validateServerBind',
};
export const GATEWAY_HOST_INVALID: WebhookCheck = {
  code: 'TM_GATEWAY_HOST_INVALID',
  severity: 'error',
  title: 'a Gateway server has no hosts, or a host that is not [namespace/]dnsName',
  istiod: 'validateServer → agent.ValidateNamespaceSlashWildcardHostname',
};
export const GATEWAY_TLS_PROTOCOL: WebhookCheck = {
  code: 'TM_GATEWAY_SERVER_TLS_PROTOCOL',
  severity: 'error',
  title: 'a Gateway server\'s tls does not fit its protocol (HTTPS/TLS without tls, TLS settings on plain HTTP or TCP)',
  istiod: 'validateServer, ValidateGateway',
};

/** Every check of this module (the TLS settings checks are in SERVER_TLS_CHECKS). */
export const GATEWAY_CHECKS: readonly WebhookCheck[] = [GATEWAY_NAME_INVALID, GATEWAY_SERVER_INVALID, GATEWAY_HOST_INVALID, GATEWAY_TLS_PROTOCOL];

/** `ValidateGateway` on an object. */
export function checkGateway(meta: WebhookMetadata, spec: Readonly<Record<string, unknown>>, out: Findings): void {
  if (!isIstioDnsLabel(meta.name)) {
    out.add(GATEWAY_NAME_INVALID, ['metadata', 'name'], `invalid gateway name: ${show(meta.name)} (a DNS-1123 label: no dots)`,
      `Rename the Gateway, e.g. ${show(meta.name.replace(/\./g, '-').toLowerCase())}; VirtualServices name it as <namespace>/<name>.`);
  }
  const servers = Array.isArray(spec.servers) ? spec.servers : [];
  if (servers.length === 0) {
    out.add(GATEWAY_SERVER_INVALID, ['spec', ...(spec.servers === undefined ? [] : ['servers'])], 'gateway must have at least one server',
      'Add a server (port, hosts and, for HTTPS, tls).');
  }
  const portNames = new Set<string>();
  servers.forEach((server, i) => {
    const at: WebhookPath = ['spec', 'servers', i];
    if (!isRecord(server)) {
      out.add(GATEWAY_SERVER_INVALID, at, 'server may not be null', 'Delete the null entry.');
      return;
    }
    checkServer(server, at, out);
    const port = isRecord(server.port) ? server.port : undefined;
    if (!port) return;
    const name = typeof port.name === 'string' ? port.name : '';
    if (portNames.has(name)) {
      out.add(GATEWAY_SERVER_INVALID, [...at, 'port', 'name'], `port names in servers must be unique: duplicate name ${name}`, 'Give each server port its own name.');
    }
    portNames.add(name);
    if (!isHttpProtocol(parseProtocol(port.protocol)) && isRecord(server.tls) && server.tls.httpsRedirect === true) {
      out.warn(GATEWAY_TLS_PROTOCOL, [...at, 'tls', 'httpsRedirect'], `tls.httpsRedirect should only be used with http servers (protocol ${show(port.protocol)})`,
        'Move httpsRedirect to the plain HTTP server of the host.');
    }
  });
}

function checkServer(server: Readonly<Record<string, unknown>>, at: WebhookPath, out: Findings): void {
  const hosts = Array.isArray(server.hosts) ? server.hosts : [];
  // A missing hosts field is the CRD's required field; an empty list is istiod's.
  if (Array.isArray(server.hosts) && hosts.length === 0) {
    out.add(GATEWAY_HOST_INVALID, [...at, 'hosts'], 'server config must contain at least one host',
      'List the hosts the server accepts, e.g. hosts: ["shop.example.com"] (or "*/*" for every host).');
  }
  hosts.forEach((host, j) => {
    if (typeof host !== 'string') return;
    for (const reason of namespaceSlashHostReasons(host, true)) {
      out.add(GATEWAY_HOST_INVALID, [...at, 'hosts', j], `host ${show(host)}: ${reason}`,
        'Write [namespace/]dnsName: a fully qualified name, "*", or a wildcard first label ("*.example.com"); namespace is a name, "*" or ".".');
    }
  });
  const bind = typeof server.bind === 'string' ? server.bind : '';
  const portOk = checkServerPort(server.port, bind, [...at, 'port'], out);
  if (bind.startsWith('unix://')) {
    const reason = unixAddressReason(bind.slice('unix://'.length));
    if (reason) out.add(GATEWAY_SERVER_INVALID, [...at, 'bind'], reason, 'Write unix:///absolute/path or unix://@abstract-name.');
    if (isRecord(server.port) && typeof server.port.number === 'number' && server.port.number !== 0) {
      out.add(GATEWAY_SERVER_INVALID, [...at, 'port', 'number'], 'port number must be 0 for unix domain socket', 'Set port.number: 0 for a unix:// bind.');
    }
  } else if (bind !== '') {
    const reason = ipAddressReason(bind);
    if (reason) out.add(GATEWAY_SERVER_INVALID, [...at, 'bind'], reason, 'Write an IP address (0.0.0.0, ::) or unix://<path>.');
  }
  checkServerTls(server.tls, [...at, 'tls'], out);
  if (!portOk || !isRecord(server.port)) return;
  const protocol = parseProtocol(server.port.protocol);
  const tls = isRecord(server.tls) ? server.tls : undefined;
  if (isTlsProtocol(protocol) && !tls) {
    out.add(GATEWAY_TLS_PROTOCOL, [...at, 'port', 'protocol'], `server must have TLS settings for HTTPS/TLS protocols (protocol ${show(server.port.protocol)})`,
      'Add tls with mode SIMPLE and credentialName (terminate), or mode PASSTHROUGH.');
  } else if (!isTlsProtocol(protocol) && tls) {
    if (isHttpProtocol(protocol)) {
      const mode = typeof tls.mode === 'string' ? tls.mode : 'PASSTHROUGH';
      const passthrough = mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH';
      const files = ['caCertificates', 'privateKey', 'serverCertificate'].some((f) => typeof tls[f] === 'string' && tls[f] !== '');
      if (!passthrough || files) {
        out.add(GATEWAY_TLS_PROTOCOL, [...at, 'tls'], `server cannot have TLS settings for plain text HTTP ports (protocol ${show(server.port.protocol)})`,
          'Use protocol HTTPS for a TLS server; on a plain HTTP server tls may only hold httpsRedirect.');
      }
    } else {
      out.add(GATEWAY_TLS_PROTOCOL, [...at, 'tls'], `server cannot have TLS settings for non HTTPS/TLS ports (protocol ${show(server.port.protocol)})`,
        'Use protocol HTTPS or TLS, or remove tls.');
    }
  }
}

/** `validateServerPort`; true when it found no error. */
function checkServerPort(port: unknown, bind: string, at: WebhookPath, out: Findings): boolean {
  // A missing port, number, protocol or name is the CRD's required field.
  if (!isRecord(port)) return false;
  let ok = true;
  const bad = (path: WebhookPath, message: string, fix: string): void => {
    ok = false;
    out.add(GATEWAY_SERVER_INVALID, path, message, fix);
  };
  if (typeof port.protocol === 'string' && parseProtocol(port.protocol) === 'Unsupported') {
    bad([...at, 'protocol'], `invalid protocol ${show(port.protocol)}`, `Use one of ${PROTOCOL_NAMES}.`);
  }
  const number = typeof port.number === 'number' ? port.number : undefined;
  if (number !== undefined && (number > 0 || !bind.startsWith('unix://'))) {
    const reason = portReason(number);
    if (reason) bad([...at, 'number'], reason, 'Use a port between 1 and 65535 (0 only with a unix:// bind).');
  }
  if (typeof port.targetPort === 'number' && port.targetPort > 0) {
    bad([...at, 'targetPort'], 'targetPort has no impact on Gateways', 'Remove targetPort: the gateway Service maps ports.');
  }
  if (port.name === '') bad([...at, 'name'], 'port name must be set', 'Name the port, e.g. https-shop.');
  return ok;
}
