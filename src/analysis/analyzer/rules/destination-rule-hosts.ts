/**
 * What a DestinationRule applies to (istioctl `destinationrule.SubsetSelectPodAnalyzer`), reported
 * on the DestinationRule:
 *
 * - `TM_DESTINATION_RULE_UNKNOWN_HOST` (warning, `IST0174` UnknownDestinationRuleHost, at
 *   `spec.host`): the host is no Service or ServiceEntry visible in the DestinationRule's namespace,
 *   so its traffic policy and subsets apply to nothing. Judged as the VirtualService destinations
 *   are (Kubernetes hosts where the input has Services of their namespace, others where it has
 *   ServiceEntries). Unlike istioctl, a wildcard host (`*.local`) is known when it covers some
 *   known host.
 * - `TM_DESTINATION_RULE_SUBSET_NO_PODS` (`IST0173` DestinationRuleSubsetNotSelectPods, at the
 *   subset): a subset whose labels — together with the Service's selector (or the ServiceEntry's
 *   `workloadSelector`) — select no workload of the host's namespace: traffic routed to it gets 503
 *   (UH, no healthy upstream). Workload labels include the topology labels istiod adds from the
 *   Node (`topology.kubernetes.io/region`, `…/zone`, `topology.istio.io/subzone`,
 *   `kubernetes.io/hostname`). A ServiceEntry without `workloadSelector` is judged on its
 *   `endpoints[].labels`. istioctl matches the subset labels alone against every pod of the cluster;
 *   trustmesh only against the host's own workloads. Judged where the namespace's workloads are
 *   known; an error with `--inventory complete`, else a warning.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0173/
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0174/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { workloadIndex } from './selector-index';
import { exportToOf, RegistryHost, serviceRegistry } from './service-registry';
import { describeHost, hostKnown } from './virtual-service-destinations';
import { list } from './virtual-service-routes';
import { latest } from './workload-selector-conflicts';
import { Diagnostic } from '../../../errors';
import { asRecord, stringEntries } from '../../../private/records';
import { selectorMatches } from '../../../semantics/labels';
import { IstioConfig, Workload } from '../../config/istio-config';

const UNKNOWN_HOST: AnalyzerCheck = {
  code: 'TM_DESTINATION_RULE_UNKNOWN_HOST',
  severity: 'warning',
  upstreamCode: 'IST0174',
  title: 'a DestinationRule host matches no Service or ServiceEntry',
};
const SUBSET_NO_PODS: AnalyzerCheck = {
  code: 'TM_DESTINATION_RULE_SUBSET_NO_PODS',
  severity: 'warning',
  upstreamCode: 'IST0173',
  title: 'a DestinationRule subset selects no workload',
};

/** The rule family. */
export const destinationRuleHostsRule: AnalyzerRule = {
  name: 'destination-rule-hosts',
  checks: [UNKNOWN_HOST, SUBSET_NO_PODS],
  run(context) {
    const out: Diagnostic[] = [];
    const { config, inventory } = context;
    if (config.destinationRules.length === 0) return out;
    const registry = serviceRegistry(config);
    const workloads = workloadIndex(inventory.workloads);
    const topology = new TopologyLabels(config);
    for (const dr of latest(config.destinationRules)) {
      const host = typeof dr.spec.host === 'string' ? dr.spec.host : undefined;
      if (host === undefined) continue;
      const ns = dr.metadata.namespace;
      const entry = registry.lookup(ns, exportToOf(dr.spec), host);
      if (!entry) {
        if ((host.startsWith('*') && registry.anyMatching(ns, host)) || !hostKnown(inventory, ns, host)) continue;
        out.push(finding(UNKNOWN_HOST, dr, ['spec', 'host'],
          `${objectRef(dr)}: the host ${host} defined in the DestinationRule does not match any services in the mesh (${describeHost(inventory, ns, host)}); its traffic policy and subsets apply to nothing`,
          'Fix the host (a Service as name or name.namespace.svc.cluster.local, or a ServiceEntry host), or add the ServiceEntry it is meant for.'));
        continue;
      }
      const hostNs = entry.object.metadata.namespace;
      const useEndpoints = entry.kind === 'ServiceEntry' && Object.keys(entry.selector).length === 0;
      if (!useEndpoints && !inventory.knowsWorkloads(hostNs)) continue;
      list(dr.spec.subsets).forEach((raw, i) => {
        const subset = asRecord(raw);
        const labels = stringEntries(subset.labels);
        const selector = { ...entry.selector, ...labels };
        const selects = useEndpoints ? endpointsMatch(entry, labels)
          : workloads.select(entry.selector, hostNs).some((w) => selectorMatches(selector, topology.of(w)));
        if (selects) return;
        const name = typeof subset.name === 'string' ? subset.name : `#${i}`;
        out.push(finding(SUBSET_NO_PODS, dr, ['spec', 'subsets', i],
          `${objectRef(dr)}: the subset ${name} defined in the DestinationRule does not select any pods of ${entry.kind} ${hostNs}/${entry.kind === 'Service' ? entry.object.metadata.name : entry.host} (${Object.keys(selector).sort().map((k) => `${k}=${selector[k]}`).join(',') || 'no labels'}; ${useEndpoints ? 'its endpoints' : inventory.describe('workloads', hostNs)}), which may lead to 503 UH (NoHealthyUpstream)`,
          'Fix the subset labels to those of the version\'s pod template (e.g. version: v2), or deploy that version.',
          { severity: useEndpoints ? 'warning' : inventory.findingSeverity }));
      });
    }
    return out;
  },
};

/** A ServiceEntry subset without workloadSelector: some `endpoints[].labels` must carry the subset labels. */
function endpointsMatch(entry: RegistryHost, labels: Readonly<Record<string, string>>): boolean {
  const endpoints = list(asRecord(entry.object.body.spec).endpoints);
  if (endpoints.length === 0) return true;
  return endpoints.some((e) => selectorMatches(labels, stringEntries(asRecord(e).labels)));
}

/** Pod labels plus the topology labels istiod derives from the pod's Node (`AugmentLabels`). */
class TopologyLabels {
  private readonly nodes = new Map<string, Readonly<Record<string, string>>>();

  public constructor(config: IstioConfig) {
    for (const o of config.objects) if (o.kind === 'Node' && o.apiVersion === 'v1') this.nodes.set(o.metadata.name, o.metadata.labels);
  }

  public of(w: Workload): Readonly<Record<string, string>> {
    if (w.kind !== 'Pod') return w.podLabels;
    const nodeName = asRecord(w.body.spec).nodeName;
    if (typeof nodeName !== 'string' || nodeName === '') return w.podLabels;
    const node = this.nodes.get(nodeName) ?? {};
    const out: Record<string, string> = { ...w.podLabels };
    for (const k of ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone']) if (node[k]) out[k] = node[k];
    out['kubernetes.io/hostname'] = nodeName;
    return out;
  }
}
