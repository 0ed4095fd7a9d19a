/**
 * Where a VirtualService sends traffic (istioctl `virtualservice.DestinationHostAnalyzer` and
 * `virtualservice.DestinationRuleAnalyzer`), reported on the VirtualService at the destination's
 * `host`:
 *
 * - `TM_VIRTUAL_SERVICE_DESTINATION_NOT_FOUND` (istioctl `IST0101` ReferencedResourceNotFound,
 *   "Referenced host not found" / "mirror host"): a route or mirror destination host that is no
 *   Service or ServiceEntry visible in the VirtualService's namespace (or its `exportTo`
 *   namespaces). istiod drops the route: requests get 503 / NR.
 * - `TM_VIRTUAL_SERVICE_DESTINATION_PORT_NOT_FOUND` (error, `IST0101` "host:port"): the
 *   destination's `port.number` is not a port of that host.
 * - `TM_VIRTUAL_SERVICE_DESTINATION_PORT_REQUIRED` (error, `IST0112`
 *   VirtualServiceDestinationPortSelectorRequired): no `port` towards a host with several ports.
 * - `TM_VIRTUAL_SERVICE_SUBSET_NOT_FOUND` (`IST0101` "host+subset in destinationrule"): a `subset`
 *   that no DestinationRule for that host defines: istiod has no cluster for it, requests get 503.
 *
 * "Not found" needs the inventory (see `inventory.ts`): Kubernetes hosts are judged where the
 * input has Services of their namespace, other hosts where it has ServiceEntries, subsets where it
 * has DestinationRules; warnings then, errors with `--inventory complete`, as upstream.
 * A destination without `host` is left to the schema check, which rejects it.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0101/
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0112/
 * @module
 */
import { Inventory } from './inventory';
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { exportToOf, serviceHostNamespace, serviceRegistry, toFqdn } from './service-registry';
import { mirrorDestinations, routeDestinations, RouteDestination } from './virtual-service-routes';
import { Diagnostic } from '../../../errors';
import { IstioResource } from '../../config/istio-config';
import { fieldString } from '../../config/yaml-source';

const NOT_FOUND: AnalyzerCheck = {
  code: 'TM_VIRTUAL_SERVICE_DESTINATION_NOT_FOUND',
  severity: 'warning',
  upstreamCode: 'IST0101',
  title: 'a VirtualService routes to a host that is no Service or ServiceEntry',
};
const PORT_NOT_FOUND: AnalyzerCheck = {
  code: 'TM_VIRTUAL_SERVICE_DESTINATION_PORT_NOT_FOUND',
  severity: 'error',
  upstreamCode: 'IST0101',
  title: 'a VirtualService routes to a port its destination host does not have',
};
const PORT_REQUIRED: AnalyzerCheck = {
  code: 'TM_VIRTUAL_SERVICE_DESTINATION_PORT_REQUIRED',
  severity: 'error',
  upstreamCode: 'IST0112',
  title: 'a VirtualService routes to a host with several ports without naming one',
};
const SUBSET_NOT_FOUND: AnalyzerCheck = {
  code: 'TM_VIRTUAL_SERVICE_SUBSET_NOT_FOUND',
  severity: 'warning',
  upstreamCode: 'IST0101',
  title: 'a VirtualService routes to a subset no DestinationRule defines',
};

/** The rule family. */
export const virtualServiceDestinationsRule: AnalyzerRule = {
  name: 'virtual-service-destinations',
  checks: [NOT_FOUND, PORT_NOT_FOUND, PORT_REQUIRED, SUBSET_NOT_FOUND],
  run(context) {
    const out: Diagnostic[] = [];
    const { config, inventory } = context;
    if (config.virtualServices.length === 0) return out;
    const registry = serviceRegistry(config);
    const subsets = definedSubsets(context.config.destinationRules);
    for (const vs of config.virtualServices) {
      const ns = vs.metadata.namespace;
      const exportTo = exportToOf(vs.spec);
      for (const d of [...routeDestinations(vs), ...mirrorDestinations(vs)]) {
        if (d.host === undefined) continue;
        const hostPath = [...d.path, 'host'];
        const what = d.rule.startsWith('http.mirror') ? 'mirror host' : 'host';
        const entry = registry.lookup(ns, exportTo, d.host);
        if (entry) {
          checkPort(vs, d, entry.ports.map((p) => p.number), out);
        } else if (hostKnown(inventory, ns, d.host)) {
          out.push(finding(NOT_FOUND, vs, hostPath,
            `${objectRef(vs)}: ${fieldString(hostPath)} "${d.host}" is no Service or ServiceEntry visible in namespace ${ns} (Referenced ${what} not found; ${describeHost(inventory, ns, d.host)}); istiod drops the route and requests get 503`,
            `Fix the host (a Service as name, name.namespace.svc.cluster.local, or a ServiceEntry host), add the ServiceEntry, or export the Service/ServiceEntry to namespace ${ns}.`,
            { severity: inventory.findingSeverity }));
        }
        if (d.subset !== undefined && inventory.knowsDestinationRules() && !subsets.has(subsetKey(ns, d.host, d.subset))) {
          out.push(finding(SUBSET_NOT_FOUND, vs, hostPath,
            `${objectRef(vs)}: ${fieldString([...d.path, 'subset'])} "${d.subset}" of host ${d.host} is defined by no DestinationRule (Referenced ${d.rule.startsWith('http.mirror') ? 'mirror' : 'host'}+subset in destinationrule not found: "${d.host}+${d.subset}"; ${inventory.describe('destination rules')}); istiod has no cluster for it and requests get 503`,
            `Define subset ${d.subset} in the DestinationRule for ${d.host} (subsets: [{name: ${d.subset}, labels: {…}}]), or fix the subset name.`,
            { severity: inventory.findingSeverity }));
        }
      }
    }
    return out;
  },
};

function checkPort(vs: IstioResource, d: RouteDestination, ports: readonly number[], out: Diagnostic[]): void {
  const hostPath = [...d.path, 'host'];
  if (d.port === undefined) {
    if (ports.length <= 1) return;
    out.push(finding(PORT_REQUIRED, vs, hostPath,
      `${objectRef(vs)}: ${fieldString(d.path)} routes to ${d.host}, which exposes several ports [${ports.join(' ')}], without a port; specifying a port in the destination is required to disambiguate`,
      `Add port: {number: …} with one of ${ports.join(', ')} to the destination.`));
    return;
  }
  if (ports.includes(d.port)) return;
  out.push(finding(PORT_NOT_FOUND, vs, hostPath,
    `${objectRef(vs)}: ${fieldString([...d.path, 'port', 'number'])} ${d.port} is not a port of ${d.host} (Referenced host:port not found: "${d.host}:${d.port}"; its ports: ${ports.join(', ') || 'none'})`,
    `Use one of the host's ports (${ports.join(', ') || 'none declared'}), or add port ${d.port} to the Service or ServiceEntry.`));
}

/**
 * True when the inventory covers the host: a Kubernetes host (short or `*.svc.cluster.local`)
 * where the input has Services of its namespace, any other host where it has ServiceEntries.
 */
export function hostKnown(inventory: Inventory, namespace: string, host: string): boolean {
  const hostNs = serviceHostNamespace(toFqdn(namespace, host));
  return hostNs !== undefined ? inventory.knowsServices(hostNs) : inventory.knowsServiceEntries();
}

/** Why the host is judged, for messages. */
export function describeHost(inventory: Inventory, namespace: string, host: string): string {
  const hostNs = serviceHostNamespace(toFqdn(namespace, host));
  return hostNs !== undefined ? inventory.describe('services', hostNs) : inventory.describe('service entries');
}

/**
 * `namespace/name` of the Service a host names, as istioctl's `GetResourceNameFromHost` reads it:
 * `name.ns.svc.cluster.local`, else the host itself in the given namespace.
 */
export function hostResourceName(namespace: string, host: string): string {
  const m = /^(.+)\.([^.]+)\.svc\.cluster\.local$/.exec(host);
  return m ? `${m[2]}/${m[1]}` : `${namespace}/${host}`;
}

function subsetKey(namespace: string, host: string, subset: string): string {
  return `${hostResourceName(namespace, host)}\u0000${subset}`;
}

function definedSubsets(destinationRules: readonly IstioResource[]): Set<string> {
  const out = new Set<string>();
  for (const dr of destinationRules) {
    if (typeof dr.spec.host !== 'string') continue;
    for (const s of Array.isArray(dr.spec.subsets) ? dr.spec.subsets : []) {
      const name = (s as { name?: unknown } | null)?.name;
      if (typeof name === 'string') out.add(subsetKey(dr.metadata.namespace, dr.spec.host, name));
    }
  }
  return out;
}
