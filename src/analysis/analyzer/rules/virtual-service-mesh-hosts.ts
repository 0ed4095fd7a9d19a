/**
 * `TM_VIRTUAL_SERVICE_MESH_HOST_CONFLICT` (error, istioctl `IST0109`
 * ConflictingMeshGatewayVirtualServiceHosts, `virtualservice.ConflictingMeshGatewayHostsAnalyzer`):
 * several VirtualServices bound to the `mesh` gateway (no `gateways`, or `mesh` among them)
 * define the same host for the same namespaces. Sidecars merge them in an order nobody chose
 * ("undefined behavior"): which routes win can change when one is re-applied. Reported on each
 * VirtualService involved, at `metadata.name`.
 *
 * As istioctl: hosts are compared as FQDNs (short names completed with the VirtualService's
 * namespace) per `exportTo` scope; a host exported to one namespace also conflicts with the same
 * host — or a wildcard covering it — exported to all. Several documents for one VirtualService
 * (same namespace and name, e.g. several clusters' outputs analyzed together) are one object.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0109/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { exportToOf, hostsMatch, toFqdn } from './service-registry';
import { virtualServiceGateways, virtualServiceHosts } from './virtual-service-routes';
import { Diagnostic } from '../../../errors';
import { IstioResource } from '../../config/istio-config';

const CHECK: AnalyzerCheck = {
  code: 'TM_VIRTUAL_SERVICE_MESH_HOST_CONFLICT',
  severity: 'error',
  upstreamCode: 'IST0109',
  title: 'several VirtualServices bound to the mesh gateway define the same host',
};

const ALL = '*';

/** The rule. */
export const virtualServiceMeshHostsRule: AnalyzerRule = {
  name: 'virtual-service-mesh-hosts',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    // scope/fqdn → VirtualServices, in load order; the last document of one ns/name stands for it.
    const byKey = new Map<string, IstioResource[]>();
    const exportedToAll: { readonly host: string; readonly vs: IstioResource }[] = [];
    const latest = new Map<string, IstioResource>();
    for (const vs of context.config.virtualServices) latest.set(`${vs.metadata.namespace}/${vs.metadata.name}`, vs);
    for (const vs of latest.values()) {
      const gateways = virtualServiceGateways(vs).map((g) => g.name);
      if (gateways.length > 0 && !gateways.includes('mesh')) continue;
      const ns = vs.metadata.namespace;
      const exportTo = exportToOf(vs.spec);
      const scopes = exportTo.length === 0 || exportTo.includes(ALL) ? [ALL] : [...new Set(exportTo.map((e) => (e === '.' ? ns : e)))];
      for (const scope of scopes) {
        for (const host of new Set(virtualServiceHosts(vs).map((h) => toFqdn(ns, h)))) {
          const key = `${scope}/${host}`;
          const list = byKey.get(key) ?? [];
          if (!list.includes(vs)) list.push(vs);
          byKey.set(key, list);
          if (scope === ALL) exportedToAll.push({ host, vs });
        }
      }
    }
    const wildcardsToAll = exportedToAll.filter((e) => e.host.startsWith('*'));
    const reported = new Set<IstioResource>();
    for (const [key, own] of byKey) {
      const slash = key.indexOf('/');
      const scope = key.slice(0, slash);
      const host = key.slice(slash + 1);
      const involved = [...own];
      if (scope !== ALL) {
        // The same host exported to all, or a wildcard exported to all that covers it; a wildcard
        // host of its own is compared with every host exported to all (wildcards are rare).
        const candidates = host.startsWith('*') ? exportedToAll : [...(byKey.get(`${ALL}/${host}`) ?? []).map((vs) => ({ host, vs })), ...wildcardsToAll];
        for (const e of candidates) if (!involved.includes(e.vs) && hostsMatch(host, e.host)) involved.push(e.vs);
      }
      if (involved.length < 2) continue;
      const names = involved.map((v) => `${v.metadata.namespace}/${v.metadata.name}`).sort();
      for (const vs of involved) {
        if (reported.has(vs)) continue;
        reported.add(vs);
        out.push(finding(CHECK, vs, ['metadata', 'name'],
          `${objectRef(vs)}: the VirtualServices ${names.join(',')} associated with the mesh gateway define the same host ${key}, which can lead to undefined behavior: sidecars merge them in an unspecified order`,
          'Merge the conflicting VirtualServices into a single resource (or give each its own host, or narrow their exportTo so the scopes do not overlap).'));
      }
    }
    return out;
  },
};
