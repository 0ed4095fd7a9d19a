/**
 * The small syntax checks istiod's webhook is built from (`pkg/config/validation/agent`,
 * `pkg/config/labels`, `pkg/config/protocol`, `pkg/config/visibility`), as predicates that return
 * istiod's reason, or `undefined` when the value is accepted. Note that Istio's DNS-1123 labels
 * accept upper-case letters, unlike Kubernetes' object names.
 *
 * @module
 */
import { isGoIp, parseGoAddr, parseGoPrefix } from './go-net';

const DNS1123_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
// A wildcard prefix: `*`, or a DNS-1123 label optionally preceded by `*` or `*-` (labels.wildcardPrefix).
const WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;
const QUALIFIED_NAME = '(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const TAG_KEY = new RegExp(`^([a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)*/)?(${QUALIFIED_NAME})$`);
const TAG_VALUE = new RegExp(`^(${QUALIFIED_NAME})?$`);

/** `labels.IsDNS1123Label`: letters (either case), digits and `-`, at most 63. */
export function isIstioDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

/** `labels.IsWildcardDNS1123Label`: a DNS-1123 label, `*`, or a label after `*` or `*-`. */
export function isWildcardDnsLabel(value: string): boolean {
  return value.length <= 63 && WILDCARD_LABEL.test(value);
}

/** `agent.ValidatePort`: 1..65535. */
export function portReason(port: unknown): string | undefined {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535
    ? undefined : `port number ${String(port)} must be in the range 1..65535`;
}

function dnsPreconditions(name: string): string | undefined {
  if (name.length > 255) return `domain name ${JSON.stringify(name)} too long (max 255)`;
  if (name.length === 0) return 'empty domain name not allowed';
  return undefined;
}

function dnsLabelsReason(domain: string): string | undefined {
  const parts = domain.split('.');
  const top = parts[parts.length - 1];
  if (/^[+-]?\d+$/.test(top)) return `domain name ${JSON.stringify(domain)} invalid (top level domain ${JSON.stringify(top)} cannot be all-numeric)`;
  for (let i = 0; i < parts.length; i++) {
    // The last label may be empty: `istio.io.` is fully qualified.
    if (i === parts.length - 1 && parts[i] === '') return undefined;
    if (!isIstioDnsLabel(parts[i])) return `domain name ${JSON.stringify(domain)} invalid (label ${JSON.stringify(parts[i])} invalid)`;
  }
  return undefined;
}

/** `agent.ValidateFQDN`. */
export function fqdnReason(fqdn: string): string | undefined {
  return dnsPreconditions(fqdn) ?? dnsLabelsReason(fqdn);
}

/** `agent.ValidateWildcardDomain`: an FQDN whose first label may be a wildcard label. */
export function wildcardDomainReason(domain: string): string | undefined {
  const pre = dnsPreconditions(domain);
  if (pre) return pre;
  const dot = domain.indexOf('.');
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (!isWildcardDnsLabel(first)) return `domain name ${JSON.stringify(domain)} invalid (label ${JSON.stringify(first)} invalid)`;
  return dot < 0 ? undefined : dnsLabelsReason(domain.slice(dot + 1));
}

/** `agent.ValidatePartialWildCard`: `*` only alone or as the whole first label (`*.example.com`). */
export function partialWildcardReason(host: string): string | undefined {
  return host.includes('*') && host.length !== 1 && !host.startsWith('*.') ? `partial wildcard ${JSON.stringify(host)} not allowed` : undefined;
}

/** `agent.ValidateIPAddress`. */
export function ipAddressReason(addr: string): string | undefined {
  return parseGoAddr(addr).ok ? undefined : `${addr} is not a valid IP`;
}

/** `agent.ValidateIPSubnet`: an address, or a CIDR block when there is one `/`. */
export function ipSubnetReason(subnet: string): string | undefined {
  if (subnet.split('/').length === 2) return parseGoPrefix(subnet).ok ? undefined : `${subnet} is not a valid CIDR block`;
  return ipAddressReason(subnet);
}

/** `agent.validateSidecarOrGatewayHostnamePart`: the `dnsName` of `namespace/dnsName`. */
function hostnamePartReasons(hostname: string, isGateway: boolean): string[] {
  const out: string[] = [];
  if (hostname !== '*' && !hostname.includes('.')) out.push('short names (non FQDN) are not allowed');
  const wildcard = wildcardDomainReason(hostname);
  // A gateway also accepts an IP address here; a Sidecar never does.
  if (wildcard && (!isGateway || !isGoIp(hostname))) out.push(wildcard);
  const partial = partialWildcardReason(hostname);
  if (partial) out.push(partial);
  return out;
}

/**
 * `agent.ValidateNamespaceSlashWildcardHostname`: Gateway server hosts and Sidecar egress hosts,
 * `namespace/dnsName`. A Gateway also takes a bare `dnsName`; its namespace part cannot be `~`.
 */
export function namespaceSlashHostReasons(host: string, isGateway: boolean): string[] {
  const slash = host.indexOf('/');
  if (slash < 0) return isGateway ? hostnamePartReasons(host, true) : ['host must be of form namespace/dnsName'];
  const namespace = host.slice(0, slash);
  const name = host.slice(slash + 1);
  const out: string[] = [];
  // istiod goes on to report the empty name as a short, empty domain name too; one reason is enough.
  if (namespace === '' || name === '') return ['config namespace and dnsName in host entry cannot be empty'];
  const special = isGateway ? ['*', '.'] : ['*', '.', '~'];
  if (!special.includes(namespace) && !isIstioDnsLabel(namespace)) {
    out.push(`invalid namespace value ${JSON.stringify(namespace)} in ${isGateway ? 'gateway' : 'sidecar'}`);
  }
  return [...out, ...hostnamePartReasons(name, isGateway)];
}

/** `labels.Instance.Validate`: label keys (optional DNS prefix, qualified name) and values. */
export function labelReasons(labels: unknown): string[] {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    const m = TAG_KEY.exec(k);
    if (!m) out.push(`invalid tag key: ${JSON.stringify(k)}`);
    else if (m[1] !== undefined && m[1].length - 1 > 253) out.push(`invalid tag key: ${JSON.stringify(k)} (DNS prefix is too long)`);
    else if (m[2].length > 63) out.push(`invalid tag key: ${JSON.stringify(k)} (name is too long)`);
    if (typeof v === 'string' && !TAG_VALUE.test(v)) out.push(`invalid tag value: ${JSON.stringify(v)}`);
  }
  return out;
}

/** `ValidatePortName`: a DNS-1123 label (Istio's, either case). */
export function portNameReason(name: string): string | undefined {
  return isIstioDnsLabel(name) ? undefined : `invalid port name: ${name}`;
}

/** The protocols `protocol.Parse` knows (compared lower-cased). */
export type IstioProtocol = 'TCP' | 'UDP' | 'GRPC' | 'GRPC-Web' | 'HTTP' | 'HTTP_PROXY' | 'HTTP2' | 'HTTPS' | 'TLS' | 'Mongo' | 'Redis' | 'MySQL' | 'Unsupported';

const PROTOCOLS: Readonly<Record<string, IstioProtocol>> = {
  'tcp': 'TCP',
  'udp': 'UDP',
  'grpc': 'GRPC',
  'grpc-web': 'GRPC-Web',
  'http': 'HTTP',
  'http_proxy': 'HTTP_PROXY',
  'http2': 'HTTP2',
  'https': 'HTTPS',
  'tls': 'TLS',
  'mongo': 'Mongo',
  'redis': 'Redis',
  'mysql': 'MySQL',
};

/** `protocol.Parse`. */
export function parseProtocol(value: unknown): IstioProtocol {
  return typeof value === 'string' ? PROTOCOLS[value.toLowerCase()] ?? 'Unsupported' : 'Unsupported';
}

/** `protocol.Instance.IsHTTP`. */
export function isHttpProtocol(p: IstioProtocol): boolean {
  return p === 'HTTP' || p === 'HTTP2' || p === 'HTTP_PROXY' || p === 'GRPC' || p === 'GRPC-Web';
}

/** `protocol.Instance.IsTLS`. */
export function isTlsProtocol(p: IstioProtocol): boolean {
  return p === 'HTTPS' || p === 'TLS';
}

/** `protocol.Instance.IsTCP`. */
export function isTcpProtocol(p: IstioProtocol): boolean {
  return p === 'TCP' || p === 'HTTPS' || p === 'TLS' || p === 'Mongo' || p === 'Redis' || p === 'MySQL';
}

/** `ValidateProtocol`: empty (sniffed) or a known protocol. */
export function protocolReason(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  return parseProtocol(value) === 'Unsupported' ? `unsupported protocol: ${String(value)}` : undefined;
}

/** The protocol names for a fix line. */
export const PROTOCOL_NAMES = 'HTTP, HTTPS, HTTP2, GRPC, GRPC-Web, HTTP_PROXY, TCP, TLS, UDP, Mongo, Redis, MySQL';

/** `ValidateUnixAddress` (after `unix://`): an absolute file path, or an abstract socket `@name`. */
export function unixAddressReason(addr: string): string | undefined {
  if (addr === '') return 'unix address must not be empty';
  if (addr.startsWith('@')) return undefined;
  return addr.startsWith('/') && !addr.endsWith('/') ? undefined : `${addr} is not an absolute path to a file`;
}
