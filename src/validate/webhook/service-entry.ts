/**
 * istiod's `ValidateServiceEntry` (with `validateWorkloadEntry` for STATIC endpoints): host and
 * address syntax, ports, and what each `resolution` allows — for what the 1.30 CRD's CEL rules
 * do not already refuse (a `*` host, CIDRs outside NONE/STATIC, duplicate port numbers, …).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/
 * @module
 */
import { checkAlphaWorkloadSelector, checkExportTo } from './common-rules';
import { isGoIp } from './go-net';
import {
  fqdnReason, ipSubnetReason, isHttpProtocol, isTcpProtocol, isTlsProtocol, labelReasons, parseProtocol, partialWildcardReason, portNameReason,
  protocolReason, wildcardDomainReason,
} from './istio-syntax';
import { Findings, WebhookCheck, WebhookMetadata, WebhookPath, show } from './webhook-types';
import { isRecord } from '../../private/records';

export const SE_HOST_INVALID: WebhookCheck = {
  code: 'TM_SERVICE_ENTRY_HOST_INVALID',
  severity: 'error',
  title: 'a ServiceEntry host is not a (wildcard) domain name, or has a partial wildcard',
  istiod: 'ValidateServiceEntry → agent.ValidateWildcardDomain, agent.ValidatePartialWildCard',
};
export const SE_ADDRESS_INVALID: WebhookCheck = {
  code: 'TM_SERVICE_ENTRY_ADDRESS_INVALID',
  severity: 'error',
  title: 'a ServiceEntry address is not an IP address or CIDR block',
  istiod: 'ValidateServiceEntry → agent.ValidateIPSubnet',
};
export const SE_PORT_INVALID: WebhookCheck = {
  code: 'TM_SERVICE_ENTRY_PORT_INVALID',
  severity: 'error',
  title: 'a ServiceEntry port has an invalid name or an unknown protocol (or serves TCP without an address)',
  istiod: 'ValidateServiceEntry',
};
export const SE_RESOLUTION_INVALID: WebhookCheck = {
  code: 'TM_SERVICE_ENTRY_RESOLUTION_INVALID',
  severity: 'error',
  title: 'a ServiceEntry uses hosts, addresses, endpoints or ports its resolution does not allow',
  istiod: 'ValidateServiceEntry',
};
export const SE_ENDPOINT_INVALID: WebhookCheck = {
  code: 'TM_SERVICE_ENTRY_ENDPOINT_INVALID',
  severity: 'error',
  title: 'a ServiceEntry endpoint has an address, port or labels istiod refuses',
  istiod: 'ValidateServiceEntry, validateWorkloadEntry',
};

/** Every check of this module. */
export const SERVICE_ENTRY_CHECKS: readonly WebhookCheck[] = [SE_HOST_INVALID, SE_ADDRESS_INVALID, SE_PORT_INVALID, SE_RESOLUTION_INVALID,
  SE_ENDPOINT_INVALID];

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** `ValidateServiceEntry` on an object. */
export function checkServiceEntry(meta: WebhookMetadata, spec: Readonly<Record<string, unknown>>, out: Findings): void {
  if (!checkAlphaWorkloadSelector(spec.workloadSelector, ['spec', 'workloadSelector'], 'ServiceEntry', out)) return;
  const resolution = typeof spec.resolution === 'string' ? spec.resolution : 'NONE';
  const hosts = strings(spec.hosts);
  const addresses = strings(spec.addresses);
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  const endpoints = Array.isArray(spec.endpoints) ? spec.endpoints : [];
  hosts.forEach((host, i) => {
    if (host === '*') return;
    const reason = wildcardDomainReason(host);
    if (reason) out.add(SE_HOST_INVALID, ['spec', 'hosts', i], `host ${show(host)}: ${reason}`, 'Write a fully qualified name (api.example.com) or a wildcard first label (*.example.com).');
    const partial = partialWildcardReason(host);
    if (partial && resolution !== 'DYNAMIC_DNS') {
      out.warn(SE_HOST_INVALID, ['spec', 'hosts', i], partial, 'Use "*." as the whole first label (*.example.com).');
    }
  });
  strings(spec.addresses).forEach((a, i) => {
    const reason = ipSubnetReason(a);
    if (reason) out.add(SE_ADDRESS_INVALID, ['spec', 'addresses', i], reason, 'Write an IP address (240.0.0.1, 2001:db8::1) or a CIDR block (10.0.0.0/8).');
  });
  const autoAllocate = resolution !== 'NONE' && meta.labels['networking.istio.io/enable-autoallocate-ip']?.toLowerCase() !== 'false' && addresses.length === 0;
  const portNames = new Set<string>();
  ports.forEach((p, i) => {
    const at: WebhookPath = ['spec', 'ports', i];
    if (!isRecord(p)) return;
    // Duplicate names are the CRD's list-map key, a missing name its required field.
    const name = typeof p.name === 'string' ? p.name : undefined;
    if (name === undefined) return;
    portNames.add(name);
    const nameReason = portNameReason(name);
    if (nameReason) out.add(SE_PORT_INVALID, [...at, 'name'], nameReason, 'Name the port with a DNS-1123 label, e.g. https.');
    const protocol = protocolReason(p.protocol);
    if (protocol) out.add(SE_PORT_INVALID, [...at, 'protocol'], protocol, 'Use a protocol Istio knows, e.g. HTTP, HTTPS, TCP, TLS, GRPC.');
    if (addresses.length === 0 && !autoAllocate && (p.protocol === undefined || p.protocol === '' || p.protocol === 'TCP')) {
      out.warn(SE_PORT_INVALID, at, 'addresses are required for ports serving TCP (or unset) protocol when IP Autoallocation is not enabled',
        resolution === 'NONE' ? 'Add addresses, or declare the port\'s protocol (HTTP, TLS, …).' : 'Add addresses, or remove the networking.istio.io/enable-autoallocate-ip: "false" label.');
    }
  });
  checkResolution(meta, spec, resolution, hosts, addresses, ports, endpoints, portNames, out);
  if (resolution !== 'NONE' && hosts.length > 1) {
    const i = ports.findIndex((p) => isRecord(p) && !isHttpProtocol(parseProtocol(p.protocol)) && !isTlsProtocol(parseProtocol(p.protocol)));
    if (i >= 0) {
      out.add(SE_RESOLUTION_INVALID, ['spec', 'ports', i, 'protocol'], `multiple hosts provided with non-HTTP, non-TLS ports (resolution ${resolution})`,
        'Split the ServiceEntry per host, or declare HTTP/TLS ports: plain TCP cannot tell the hosts apart.');
    }
  }
  checkExportTo(meta.namespace, spec.exportTo, out, { serviceEntry: true });
}

function checkResolution(meta: WebhookMetadata, spec: Readonly<Record<string, unknown>>, resolution: string, hosts: readonly string[],
  addresses: readonly string[], ports: readonly unknown[], endpoints: readonly unknown[], portNames: ReadonlySet<string>, out: Findings): void {
  const bad = (path: WebhookPath, message: string, fix: string): void => out.add(SE_RESOLUTION_INVALID, path, message, fix);
  switch (resolution) {
    case 'NONE':
      if (isRecord(spec.workloadSelector)) {
        out.warn(SE_RESOLUTION_INVALID, ['spec', 'workloadSelector'], 'workloadSelector should not be set when resolution mode is NONE', 'Use resolution STATIC with a workloadSelector.');
      }
      return;
    case 'STATIC':
      endpoints.forEach((e, i) => checkStaticEndpoint(e, ['spec', 'endpoints', i], portNames, out));
      return;
    case 'DNS': case 'DNS_ROUND_ROBIN': {
      if (endpoints.length === 0) {
        const i = hosts.findIndex((h) => fqdnReason(h) !== undefined);
        if (i >= 0) {
          bad(['spec', 'hosts', i], `hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode ${resolution}: ${fqdnReason(hosts[i])!}`,
            'Write a fully qualified host name to resolve, or list endpoints.');
        }
      }
      endpoints.forEach((e, i) => checkDnsEndpoint(e, ['spec', 'endpoints', i], portNames, out));
      if (addresses.length > 0 && hosts.length > 1) {
        const tcp = ports.findIndex((p) => isRecord(p) && isTcpProtocol(parseProtocol(p.protocol)));
        if (tcp >= 0) {
          out.warn(SE_RESOLUTION_INVALID, ['spec', 'hosts'], 'service entry can not have more than one host specified simultaneously with address and tcp port',
            'Split the ServiceEntry per host.');
        }
      }
      return;
    }
    case 'DYNAMIC_DNS': {
      hosts.forEach((h, i) => {
        if (!h.startsWith('*')) bad(['spec', 'hosts', i], `host must be wildcarded for resolution mode ${resolution}, got ${show(h)}`, 'Write a wildcard host, e.g. *.example.com.');
      });
      if (addresses.length > 0) bad(['spec', 'addresses'], `addresses cannot be set for resolution type ${resolution}: HTTP route domains are generated from the hosts`, 'Remove addresses.');
      if (endpoints.length > 0) bad(['spec', 'endpoints'], `endpoints cannot be set for resolution type ${resolution}: the destination IP comes from the hosts`, 'Remove endpoints.');
      ports.forEach((p, i) => {
        const protocol = isRecord(p) ? parseProtocol(p.protocol) : 'Unsupported';
        if (!['HTTP', 'TLS', 'GRPC', 'HTTP2'].includes(protocol)) {
          bad(['spec', 'ports', i], `only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type ${resolution}`, 'Declare the port as HTTP, TLS, GRPC or HTTP2.');
        }
      });
      const waypoint = meta.labels['istio.io/use-waypoint'];
      if (spec.location === 'MESH_INTERNAL' && waypoint !== undefined && waypoint !== '' && waypoint.toLowerCase() !== 'none') {
        bad(['spec', 'location'], `location MESH_INTERNAL with resolution type ${resolution} is not supported when using waypoints`, 'Use location MESH_EXTERNAL, or another resolution.');
      }
      return;
    }
    default:
  }
}

// validateWorkloadEntry(endpoint, servicePorts, allowFQDNAddresses=false), for what CEL leaves over.
function checkStaticEndpoint(e: unknown, at: WebhookPath, portNames: ReadonlySet<string>, out: Findings): void {
  if (!isRecord(e)) return;
  const bad = (path: WebhookPath, message: string, fix: string): void => out.add(SE_ENDPOINT_INVALID, [...at, ...path], message, fix);
  const address = typeof e.address === 'string' ? e.address : '';
  if (address === '') {
    if (typeof e.network !== 'string' || e.network === '') {
      bad([], 'address is required', 'Set the endpoint\'s address.');
      return;
    }
    out.warn(SE_ENDPOINT_INVALID, at, `address is unset with network ${show(e.network)}`, 'Set the address unless the endpoint is reached through its network\'s gateway.');
  }
  const unix = address.startsWith('unix://');
  if (!unix && address !== '' && !isGoIp(address)) {
    bad(['address'], `endpoint address ${show(address)} is not a valid IP address`, 'Use resolution DNS for host names, or write an IP address.');
  }
  checkEndpointPortsAndLabels(e, at, portNames, out);
  if (unix && portNames.size !== 1) bad(['address'], 'exactly 1 service port required for unix endpoints', 'Declare one port in the ServiceEntry.');
}

function checkDnsEndpoint(e: unknown, at: WebhookPath, portNames: ReadonlySet<string>, out: Findings): void {
  if (!isRecord(e)) return;
  const address = typeof e.address === 'string' ? e.address : '';
  if (!isGoIp(address) && fqdnReason(address) !== undefined) {
    out.add(SE_ENDPOINT_INVALID, [...at, 'address'], `endpoint address ${show(address)} is not a valid FQDN or an IP address`, 'Write a host name or an IP address.');
  }
  checkEndpointPortsAndLabels(e, at, portNames, out);
}

function checkEndpointPortsAndLabels(e: Readonly<Record<string, unknown>>, at: WebhookPath, portNames: ReadonlySet<string>, out: Findings): void {
  for (const [name, port] of Object.entries(isRecord(e.ports) ? e.ports : {})) {
    if (!portNames.has(name)) {
      out.add(SE_ENDPOINT_INVALID, [...at, 'ports', name], `endpoint port ${String(port)} (${show(name)}) is not defined by the service entry`,
        `Use a port name of spec.ports (${[...portNames].join(', ') || 'none'}).`);
    }
  }
  for (const reason of labelReasons(e.labels)) out.add(SE_ENDPOINT_INVALID, [...at, 'labels'], reason, 'Use Kubernetes label syntax for keys and values.');
}
