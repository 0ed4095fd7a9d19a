/**
 * PeerAuthentications that compete or are ignored. Istio applies one policy per level (mesh,
 * namespace, workload): when several compete, the **oldest** (`creationTimestamp`) wins and the
 * others are silently ignored — which one wins can change when a policy is re-created.
 *
 * - `TM_PEER_AUTHN_NAMESPACE_CONFLICT` (error, Kiali `KIA0002`): more than one selector-less (or
 *   empty-selector) PeerAuthentication in a namespace (in the root namespace: mesh-wide).
 * - `TM_PEER_AUTHN_WORKLOAD_CONFLICT` (error, Kiali `KIA0003`): several PeerAuthentications with a
 *   selector match the same workload (by the inventory, or by identical selectors without one).
 * - `TM_PEER_AUTHN_ROOT_SELECTOR_IGNORED` (warning): a PeerAuthentication with a selector in the
 *   root namespace; the API reference says such policies are ignored.
 *
 * Without `creationTimestamp` (manifests as written) trustmesh, like the evaluator, treats ties by
 * name order; the finding is reported on each policy that loses.
 *
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
 * @see https://kiali.io/docs/features/validations/#kia0002---more-than-one-selector-less-peerauthentication-in-the-same-namespace
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, RuleContext, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { formatSelector, selectorMatches } from '../../../semantics/labels';
import { PeerAuthenticationResource } from '../../config/istio-config';
import { oldestPeerAuthentication } from '../../evaluator/mtls-mode';

const NAMESPACE: AnalyzerCheck = {
  code: 'TM_PEER_AUTHN_NAMESPACE_CONFLICT',
  severity: 'error',
  upstreamCode: 'KIA0002',
  title: 'several selector-less PeerAuthentications in one namespace',
};
const WORKLOAD: AnalyzerCheck = {
  code: 'TM_PEER_AUTHN_WORKLOAD_CONFLICT',
  severity: 'error',
  upstreamCode: 'KIA0003',
  title: 'several PeerAuthentications select the same workload',
};
const ROOT_SELECTOR: AnalyzerCheck = {
  code: 'TM_PEER_AUTHN_ROOT_SELECTOR_IGNORED',
  severity: 'warning',
  title: 'a PeerAuthentication with a selector in the root namespace is ignored',
};

/** The rule family. */
export const peerAuthenticationConflictsRule: AnalyzerRule = {
  name: 'peer-authentication-conflicts',
  checks: [NAMESPACE, WORKLOAD, ROOT_SELECTOR],
  run(context) {
    const out: Diagnostic[] = [];
    const root = context.mesh.rootNamespace;
    const wideByNs = new Map<string, PeerAuthenticationResource[]>();
    const selectedByNs = new Map<string, PeerAuthenticationResource[]>();
    for (const pa of context.config.peerAuthentications) {
      const labels = pa.spec.selector?.matchLabels ?? {};
      const wide = Object.keys(labels).length === 0;
      const ns = pa.metadata.namespace;
      if (!wide && ns === root) {
        out.push(finding(ROOT_SELECTOR, pa, ['spec', 'selector'],
          `${objectRef(pa)} has a selector (${formatSelector(labels)}) but lives in the root namespace ${root}; PeerAuthentications with a selector are ignored there`,
          'Move the policy to the namespace of the workloads it selects, or remove the selector to make it the mesh-wide policy.'));
        continue;
      }
      const map = wide ? wideByNs : selectedByNs;
      map.set(ns, [...(map.get(ns) ?? []), pa]);
    }
    for (const [ns, list] of wideByNs) {
      if (distinctNames(list) < 2) continue;
      const winner = oldestPeerAuthentication(list);
      for (const pa of list) {
        if (pa.metadata.name === winner.metadata.name) continue;
        out.push(finding(NAMESPACE, pa, [],
          `${objectRef(pa)} is one of ${distinctNames(list)} selector-less PeerAuthentications in ${ns === root ? `the root namespace ${ns} (mesh-wide)` : `namespace ${ns}`} (${[...new Set(list.map((p) => p.metadata.name))].join(', ')}); only the oldest applies (${winner.metadata.name} by the manifests' timestamps and names), so this one is ignored`,
          'Keep one selector-less PeerAuthentication per namespace (name it "default") and delete or merge the others.'));
      }
    }
    for (const [ns, list] of selectedByNs) workloadConflicts(context, ns, list, out);
    return out;
  },
};

function workloadConflicts(context: RuleContext, ns: string, list: readonly PeerAuthenticationResource[], out: Diagnostic[]): void {
  if (list.length < 2) return;
  const groups: PeerAuthenticationResource[][] = [];
  if (context.inventory.knowsWorkloads(ns)) {
    for (const w of context.inventory.workloadsIn(ns)) {
      const matching = list.filter((pa) => selectorMatches(pa.spec.selector?.matchLabels ?? {}, w.podLabels));
      if (matching.length > 1) groups.push(matching);
    }
  } else {
    const byLabels = new Map<string, PeerAuthenticationResource[]>();
    for (const pa of list) {
      const key = formatSelector(pa.spec.selector?.matchLabels ?? {});
      byLabels.set(key, [...(byLabels.get(key) ?? []), pa]);
    }
    for (const g of byLabels.values()) if (g.length > 1) groups.push(g);
  }
  const reported = new Set<PeerAuthenticationResource>();
  for (const group of groups) {
    if (distinctNames(group) < 2) continue;
    const winner = oldestPeerAuthentication(group);
    for (const pa of group) {
      if (pa.metadata.name === winner.metadata.name || reported.has(pa)) continue;
      reported.add(pa);
      out.push(finding(WORKLOAD, pa, ['spec', 'selector'],
        `${objectRef(pa)} selects the same workloads as ${[...new Set(group.filter((p) => p.metadata.name !== pa.metadata.name).map((p) => p.metadata.name))].join(', ')} in namespace ${ns}; only the oldest (${winner.metadata.name}) applies to them, so this one is ignored there`,
        'Give each workload exactly one workload-level PeerAuthentication (merge the portLevelMtls entries into one policy).'));
    }
  }
}

// Objects with the same name in one namespace are one object (the last one applied), not competitors.
function distinctNames(list: readonly PeerAuthenticationResource[]): number {
  return new Set(list.map((p) => p.metadata.name)).size;
}
