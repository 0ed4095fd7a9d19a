/**
 * `TM_SELECTOR_NO_WORKLOAD`: a policy's selector matches no workload of the inventory, so the
 * policy does nothing (a typo in a label silently disables a DENY, or leaves a workload without
 * its mTLS or JWT settings).
 *
 * Upstream: istioctl `IST0127` NoMatchingWorkloadsFound (AuthorizationPolicy; also a
 * namespace-wide one in a namespace without pods), istioctl `IST0101` "Referenced selector not
 * found" (Sidecar `workloadSelector`, Telemetry `selector`), Kiali `KIA0004` (PeerAuthentication,
 * RequestAuthentication).
 *
 * Only namespaces whose workloads are known are checked (see {@link Inventory}); root-namespace
 * policies (mesh-wide, usually for gateways) only with `--inventory complete`.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0127/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, RuleContext, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { asRecord, stringEntries } from '../../../private/records';
import { formatSelector, selectorMatches } from '../../../semantics/labels';
import { LoadedObject } from '../../config/istio-config';
import { FieldPath } from '../../config/yaml-source';

const CHECK: AnalyzerCheck = {
  code: 'TM_SELECTOR_NO_WORKLOAD',
  severity: 'warning',
  upstreamCode: 'IST0127',
  title: 'the policy selects no workload of the input',
};

/** The rule. */
export const selectorNoWorkloadRule: AnalyzerRule = {
  name: 'selector-no-workload',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    const { config } = context;
    for (const ap of config.authorizationPolicies) {
      if (ap.spec.targetRefs.length > 0) continue;
      check(context, ap, ap.spec.selector?.matchLabels, ['spec', 'selector'], 'IST0127', out);
    }
    for (const ra of config.requestAuthentications) {
      if (ra.spec.targetRefs.length > 0) continue;
      check(context, ra, ra.spec.selector?.matchLabels, ['spec', 'selector'], 'KIA0004', out);
    }
    for (const pa of config.peerAuthentications) {
      // A selector in the root namespace is ignored altogether (peer-authentication-conflicts reports it).
      if (pa.metadata.namespace === context.mesh.rootNamespace) continue;
      check(context, pa, pa.spec.selector?.matchLabels, ['spec', 'selector'], 'KIA0004', out);
    }
    for (const sc of config.sidecars) {
      const ws = asRecord(sc.spec.workloadSelector);
      if (!('labels' in ws)) continue;
      check(context, sc, stringEntries(ws.labels), ['spec', 'workloadSelector'], 'IST0101', out);
    }
    for (const t of config.telemetries) {
      const labels = stringEntries(asRecord(t.spec.selector).matchLabels);
      // istioctl judges only a selector with labels; an empty one is namespace-wide.
      if (Object.keys(labels).length === 0) continue;
      check(context, t, labels, ['spec', 'selector'], 'IST0101', out);
    }
    return out;
  },
};

function check(context: RuleContext, obj: LoadedObject, selector: Readonly<Record<string, string>> | undefined, path: FieldPath,
  upstreamCode: string, out: Diagnostic[]): void {
  const inv = context.inventory;
  const ns = obj.metadata.namespace;
  const root = context.mesh.rootNamespace;
  const labels = selector ?? {};
  const wide = Object.keys(labels).length === 0;
  if (ns === root ? inv.mode !== 'complete' : !inv.knowsWorkloads(ns)) return;
  // A selector-less policy in a namespace without workloads: IST0127 reports it; only a complete inventory can tell.
  if (wide && (ns === root || inv.mode !== 'complete')) return;
  const candidates = ns === root ? inv.workloads : inv.workloadsIn(ns);
  if (candidates.some((w) => selectorMatches(labels, w.podLabels))) return;
  const where = ns === root ? 'in any namespace (root-namespace policies select mesh-wide)' : `in namespace ${ns}`;
  const message = wide
    ? `${objectRef(obj)} applies to every workload of namespace ${ns}, but the input has none there (${inv.describe('workloads', ns)})`
    : `${objectRef(obj)}: ${path.join('.')} ${formatSelector(labels)} matches no workload ${where} (${inv.describe('workloads', ns)}); the policy has no effect`;
  out.push(finding(CHECK, obj, wide ? [] : path, message,
    wide ? 'Remove the policy, or move it to the namespace whose workloads it is meant for.'
      : `Fix the labels so they match the pod template labels of the intended workload${closestHint(candidates.map((w) => w.podLabels), labels)}, or remove the policy.`,
    { severity: 'warning', upstreamCode }));
}

// The workload whose labels agree with the most selector labels, as a hint.
function closestHint(candidates: readonly Readonly<Record<string, string>>[], selector: Readonly<Record<string, string>>): string {
  let best: Readonly<Record<string, string>> | undefined;
  let bestScore = 0;
  for (const labels of candidates) {
    const score = Object.keys(selector).filter((k) => labels[k] === selector[k]).length
      + Object.keys(selector).filter((k) => k in labels).length / 10;
    if (score > bestScore) {
      best = labels;
      bestScore = score;
    }
  }
  if (!best) return '';
  const relevant = Object.fromEntries(Object.keys(selector).filter((k) => k in best!).map((k) => [k, best![k]]));
  return Object.keys(relevant).length > 0 ? ` (closest: ${formatSelector(relevant)})` : '';
}
