/**
 * Gateway servers:
 *
 * - `TM_GATEWAY_DUPLICATE_SERVER` (error, istioctl `IST0145` ConflictingGateways across Gateways,
 *   Kiali `KIA0301` within one): two servers for the same port and host on Gateways that select
 *   the same pods. istiod builds one filter chain per port and host (SNI) and keeps only one of
 *   them, so which TLS settings and routes apply depends on creation order.
 * - `TM_GATEWAY_TLS_MODE_MISSING` (warning, no upstream code): an HTTPS or TLS server whose `tls`
 *   has no `mode`. `ServerTLSSettings.mode`'s zero value is **PASSTHROUGH**: the gateway does not
 *   terminate TLS, so its certificate, client verification and HTTP routes are silently unused.
 *
 * Two Gateways select the same pods when their selectors are equal, or when a workload of the
 * input matches both. Two documents for one Gateway (same namespace and name, e.g. the outputs of
 * several clusters analyzed together) are the same object, not a conflict. Hosts compare case-insensitively after the optional `namespace/` prefix.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0145/
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, RuleContext, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { asRecord, isRecord } from '../../../private/records';
import { formatLabels, formatSelector, selectorMatches } from '../../../semantics/labels';
import { IstioResource } from '../../config/istio-config';
import { gatewaySelector } from '../../config/workload-resources';

const DUPLICATE: AnalyzerCheck = {
  code: 'TM_GATEWAY_DUPLICATE_SERVER',
  severity: 'error',
  upstreamCode: 'IST0145',
  title: 'two Gateway servers for the same port and host on the same gateway pods',
};
const MODE_MISSING: AnalyzerCheck = {
  code: 'TM_GATEWAY_TLS_MODE_MISSING',
  severity: 'warning',
  title: 'a Gateway HTTPS/TLS server without tls.mode means PASSTHROUGH',
};

/** One `servers[]` entry, reduced to what the checks compare. */
export interface GatewayServer {
  readonly gateway: IstioResource;
  readonly index: number;
  readonly port?: number;
  readonly protocol: string;
  readonly hosts: readonly string[];
  readonly tls: Readonly<Record<string, unknown>> | undefined;
  readonly selector: Readonly<Record<string, string>>;
}

/** The servers of every Gateway, in load order. */
export function gatewayServers(gateways: readonly IstioResource[]): GatewayServer[] {
  const out: GatewayServer[] = [];
  for (const gateway of gateways) {
    const selector = gatewaySelector(gateway);
    (Array.isArray(gateway.spec.servers) ? gateway.spec.servers as unknown[] : []).forEach((raw, index) => {
      const server = asRecord(raw);
      const port = asRecord(server.port);
      const tls = server.tls;
      out.push({
        gateway,
        index,
        ...(typeof port.number === 'number' ? { port: port.number } : {}),
        protocol: typeof port.protocol === 'string' ? port.protocol.toUpperCase() : '',
        hosts: (Array.isArray(server.hosts) ? server.hosts : []).filter((h): h is string => typeof h === 'string'),
        tls: isRecord(tls) ? tls : undefined,
        selector,
      });
    });
  }
  return out;
}

/** The rule family. */
export const gatewayServersRule: AnalyzerRule = {
  name: 'gateway-servers',
  checks: [DUPLICATE, MODE_MISSING],
  run(context) {
    const out: Diagnostic[] = [];
    const servers = gatewayServers(context.config.gateways);
    for (const s of servers) {
      if ((s.protocol === 'HTTPS' || s.protocol === 'TLS') && s.tls && typeof s.tls.mode !== 'string') {
        out.push(finding(MODE_MISSING, s.gateway, ['spec', 'servers', s.index, 'tls'],
          `${objectRef(s.gateway)}: spec.servers[${s.index}].tls has no mode; the zero value is PASSTHROUGH, so the gateway does not terminate TLS on port ${s.port ?? '?'}${typeof s.tls.credentialName === 'string' ? ` and credential ${s.tls.credentialName} is unused` : ''}`,
          'Set tls.mode explicitly: SIMPLE or MUTUAL to terminate TLS with the credential, PASSTHROUGH to forward it by SNI.'));
      }
    }
    const seen: GatewayServer[] = [];
    for (const s of servers) {
      if (s.port === undefined || Object.keys(s.selector).length === 0) continue;
      for (const host of s.hosts.map(bareHost)) {
        const first = seen.find((o) => o.port === s.port && o.hosts.map(bareHost).includes(host) && samePods(context, o.selector, s.selector)
          && !redefines(o.gateway, s.gateway));
        if (!first) continue;
        const sameGateway = first.gateway === s.gateway;
        out.push(finding(DUPLICATE, s.gateway, ['spec', 'servers', s.index],
          `${objectRef(s.gateway)}: spec.servers[${s.index}] serves host ${host} on port ${s.port}, as ${sameGateway ? `spec.servers[${first.index}] of the same Gateway` : `${objectRef(first.gateway)} spec.servers[${first.index}]`} does on the pods ${formatSelector(s.selector)}; istiod keeps only one of them`,
          'Serve each host once per port and gateway workload: merge the servers, or give them different hosts or ports.',
          { upstreamCode: sameGateway ? 'KIA0301' : 'IST0145' }));
        break;
      }
      seen.push(s);
    }
    return out;
  },
};

/** `ns/host` → `host`, lower-cased. */
export function bareHost(host: string): string {
  const slash = host.indexOf('/');
  return (slash >= 0 ? host.slice(slash + 1) : host).toLowerCase();
}

/**
 * Another document for the same object (kind, namespace, name) is a redefinition, not a second
 * Gateway: applied to one cluster, the last one wins. Inputs spanning several clusters' outputs
 * (`trustmesh analyze dist/`) have those.
 */
function redefines(a: IstioResource, b: IstioResource): boolean {
  return a !== b && a.metadata.namespace === b.metadata.namespace && a.metadata.name === b.metadata.name;
}

function samePods(context: RuleContext, a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (formatLabels(a) === formatLabels(b)) return true;
  return context.inventory.workloads.some((w) => selectorMatches(a, w.podLabels) && selectorMatches(b, w.podLabels));
}
