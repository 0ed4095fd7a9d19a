/**
 * istiod's `ValidateVirtualService`: delegate rules, gateway names, hosts (syntax, `*` for the
 * mesh, overlaps), JWT claim routing outside gateways, the HTTP routes (http-route.ts), TLS and
 * TCP routes, and `exportTo`.
 *
 * Not here: the "rule not used" and "match is not used" warnings of the same function; istioctl
 * reports them as IST0130/IST0131 and they belong to the istioctl analyzers.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
 * @module
 */
import { checkExportTo } from './common-rules';
import { isGoIp } from './go-net';
import { checkDestinations, checkHttpRoute } from './http-route';
import { ipSubnetReason, labelReasons, portReason, wildcardDomainReason } from './istio-syntax';
import { gatewayNameReasons, isJwtClaimRoute } from './route-syntax';
import { VS } from './virtual-service-checks';
import { Findings, WebhookMetadata, WebhookPath, show } from './webhook-types';
import { isRecord } from '../../private/records';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/** `ValidateVirtualService` on an object. */
export function checkVirtualService(meta: WebhookMetadata, spec: Readonly<Record<string, unknown>>, out: Findings): void {
  const hosts = strings(spec.hosts);
  const gateways = list(spec.gateways);
  if (hosts.length === 0) {
    const delegate = (field: string, what: string): void => {
      if (list(spec[field]).length > 0) out.add(VS.DELEGATE, ['spec', field], `delegate virtual service must have no ${what} specified`, `Remove ${field}: a VirtualService without hosts is a delegate; or add hosts.`);
    };
    delegate('gateways', 'gateways');
    delegate('tls', 'tls route');
    delegate('tcp', 'tcp route');
  }
  let appliesToGateway = false;
  if (gateways.length > 0) {
    for (const g of gatewayNameReasons(gateways)) {
      if (g.warning) out.warn(VS.GATEWAY, ['spec', 'gateways', g.index], g.reason, 'Write gateways as <namespace>/<name>.');
      else out.add(VS.GATEWAY, ['spec', 'gateways', g.index], g.reason, 'Write gateways as <namespace>/<name>, or mesh for the sidecars.');
    }
    appliesToGateway = !gateways.includes('mesh');
  }
  if (!appliesToGateway) checkJwtClaimRoutes(spec, out);
  checkHosts(spec, hosts, appliesToGateway, out);
  if (list(spec.http).length === 0 && list(spec.tcp).length === 0 && list(spec.tls).length === 0) {
    out.add(VS.ROUTE_MISSING, ['spec'], 'http, tcp or tls must be provided in virtual service', 'Add http, tls or tcp routes.');
  }
  list(spec.http).forEach((route, i) => {
    if (!isRecord(route)) out.add(VS.ROUTE_MISSING, ['spec', 'http', i], 'http route may not be null', 'Delete the null entry.');
    else checkHttpRoute(route, hosts.length === 0, ['spec', 'http', i], out);
  });
  // validateSniHost's isGateway: true unless "mesh" is among the gateways (also when there are none).
  const sniGateway = !gateways.includes('mesh');
  list(spec.tls).forEach((route, i) => checkTlsRoute(route, hosts, sniGateway, ['spec', 'tls', i], out));
  list(spec.tcp).forEach((route, i) => {
    if (!isRecord(route)) return;
    list(route.match).forEach((m, j) => checkL4Match(m, ['spec', 'tcp', i, 'match', j], out));
    if (list(route.route).length === 0) out.add(VS.ROUTE_MISSING, ['spec', 'tcp', i], 'TCP route is required', 'Add route: [{destination: {host: …}}].');
    checkDestinations(route.route, ['spec', 'tcp', i, 'route'], out, false);
  });
  checkExportTo(meta.namespace, spec.exportTo, out);
}

function checkJwtClaimRoutes(spec: Readonly<Record<string, unknown>>, out: Findings): void {
  list(spec.http).forEach((route, i) => {
    list(isRecord(route) ? route.match : undefined).forEach((m, j) => {
      for (const field of ['headers', 'withoutHeaders']) {
        const headers = isRecord(m) && isRecord(m[field]) ? m[field] as Record<string, unknown> : {};
        for (const key of Object.keys(headers)) {
          if (!isJwtClaimRoute(key)) continue;
          out.add(VS.MATCH, ['spec', 'http', i, 'match', j, field, key], `JWT claim based routing (key: ${key}) is only supported for gateway, found no gateways`,
            'Bind the VirtualService to an ingress gateway (spec.gateways) that verifies the JWT, or route on a header the application sets.');
        }
      }
    });
  });
}

// ValidateWildcardDomainForVirtualServiceBoundToGateway: SNI hosts may be Istio's outbound_.<port>_._.<host>.
function gatewayBoundDomainReason(sni: boolean, domain: string): string | undefined {
  if (sni && domain.startsWith('outbound_') && domain.length <= 255) {
    const parts = domain.split('_');
    if (parts.length < 4) return `domain name ${domain} invalid, should follow 'outbound_.<PORT>_._.<HOSTNAME>' format`;
    const port = parts[1].replace(/^\.+|\.+$/g, '');
    const host = parts[3].replace(/^\.+|\.+$/g, '');
    if (!/[0-9]/.test(port)) return `domain name ${JSON.stringify(domain)} invalid (label ${JSON.stringify(port)} invalid). should follow outbound_.<PORT>_._.<HOSTNAME> format`;
    if (!/[a-zA-Z]/.test(host)) return `domain name ${JSON.stringify(domain)} invalid (label ${JSON.stringify(host)} invalid). should follow outbound_.<PORT>_._.<HOSTNAME> format`;
    return undefined;
  }
  return wildcardDomainReason(domain);
}

/** `host.Name.Matches`: equal, or one wildcard covering the other. */
function hostsOverlap(a: string, b: string): boolean {
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/** `host.Name.SubsetOf`. */
function hostSubsetOf(a: string, b: string): boolean {
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw) return bw && a.length >= b.length && a.slice(1).endsWith(b.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

function checkHosts(spec: Readonly<Record<string, unknown>>, hosts: readonly string[], appliesToGateway: boolean, out: Findings): void {
  const sni = list(spec.tls).some((r) => isRecord(r) && list(r.match).some((m) => isRecord(m) && list(m.sniHosts).length > 0));
  let allValid = true;
  const fix = 'Write a host name (reviews, shop.example.com), a wildcard first label (*.example.com), or an IP address.';
  hosts.forEach((host, i) => {
    const reason = appliesToGateway ? gatewayBoundDomainReason(sni, host) : wildcardDomainReason(host);
    if (reason) {
      if (!isGoIp(host)) {
        out.add(VS.HOST, ['spec', 'hosts', i], `host ${show(host)}: ${reason}`, fix);
        allValid = false;
      }
    } else if (!appliesToGateway && host === '*') {
      out.add(VS.HOST, ['spec', 'hosts', i], 'wildcard host * is not allowed for virtual services bound to the mesh gateway',
        'Name the services the rules are for, or bind the VirtualService to a gateway (spec.gateways).');
      allValid = false;
    }
  });
  if (!allValid) return;
  for (let i = 0; i < hosts.length; i++) {
    for (let j = i + 1; j < hosts.length; j++) {
      if (hostsOverlap(hosts[i], hosts[j])) {
        out.add(VS.HOST, ['spec', 'hosts', j], `duplicate hosts in virtual service: ${hosts[i]} & ${hosts[j]}`, 'List each host once; a wildcard already covers the names under it.');
      }
    }
  }
}

function checkTlsRoute(route: unknown, hosts: readonly string[], sniGateway: boolean, at: WebhookPath, out: Findings): void {
  if (!isRecord(route)) return;
  const matches = list(route.match);
  // A missing match (and a match without sniHosts) is the CRD's required field; an empty list is istiod's.
  if (Array.isArray(route.match) && matches.length === 0) out.add(VS.ROUTE_MISSING, [...at, 'match'], 'TLS route must have at least one match condition', 'Add match: [{sniHosts: [...]}].');
  matches.forEach((m, j) => {
    const mat: WebhookPath = [...at, 'match', j];
    if (!isRecord(m)) {
      out.add(VS.MATCH, mat, 'TLS match may not be null', 'Delete the null entry.');
      return;
    }
    const sniHosts = strings(m.sniHosts);
    if (Array.isArray(m.sniHosts) && sniHosts.length === 0) out.add(VS.TLS_WITHOUT_SNI, mat, 'TLS match must have at least one SNI host', 'List the SNI host names the route takes (a subset of spec.hosts).');
    sniHosts.forEach((sni, k) => {
      const here: WebhookPath = [...mat, 'sniHosts', k];
      const reason = sniGateway ? gatewayBoundDomainReason(true, sni) : wildcardDomainReason(sni);
      if (reason) {
        if (isGoIp(sni)) out.warn(VS.MATCH, here, `using an IP address (${show(sni)}) goes against SNI spec and most clients do not support this`, 'Match a host name.');
        else out.add(VS.MATCH, here, `SNI host ${show(sni)}: ${reason}`, 'Write a host name or a wildcard first label.');
        return;
      }
      if (!hosts.some((h) => hostSubsetOf(sni, h))) {
        out.add(VS.SNI_OUTSIDE_HOSTS, here, `SNI host ${show(sni)} is not a compatible subset of any of the virtual service hosts: [${hosts.join(', ')}]`,
          `Add ${sni} (or a wildcard covering it) to spec.hosts, or route it in the VirtualService that owns that host.`);
      }
    });
    checkL4Match(m, mat, out, true);
  });
  if (list(route.route).length === 0) out.add(VS.ROUTE_MISSING, at, 'TLS route is required', 'Add route: [{destination: {host: …}}].');
  checkDestinations(route.route, [...at, 'route'], out, false);
}

// validateTCPMatch, and the same fields of validateTLSMatch.
function checkL4Match(m: unknown, at: WebhookPath, out: Findings, tls = false): void {
  if (!isRecord(m)) {
    if (!tls) out.add(VS.MATCH, at, 'tcp match may not be nil', 'Delete the null entry.');
    return;
  }
  strings(m.destinationSubnets).forEach((s, i) => {
    const reason = ipSubnetReason(s);
    if (reason) out.add(VS.MATCH, [...at, 'destinationSubnets', i], reason, 'Write an IP address or a CIDR block.');
  });
  if (typeof m.port === 'number' && m.port !== 0 && portReason(m.port)) out.add(VS.MATCH, [...at, 'port'], portReason(m.port)!, 'Use a port between 1 and 65535.');
  for (const reason of labelReasons(m.sourceLabels)) out.add(VS.MATCH, [...at, 'sourceLabels'], reason, 'Use Kubernetes label syntax for keys and values.');
  for (const g of gatewayNameReasons(list(m.gateways))) {
    if (g.warning) out.warn(VS.GATEWAY, [...at, 'gateways', g.index], g.reason, 'Write gateways as <namespace>/<name>.');
    else out.add(VS.GATEWAY, [...at, 'gateways', g.index], g.reason, 'Write gateways as <namespace>/<name>, or mesh.');
  }
}
