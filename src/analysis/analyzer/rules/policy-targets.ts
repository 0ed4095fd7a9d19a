/**
 * The workloads a policy applies to, as far as the input tells: the matching workloads of the
 * inventory when it is known for the policy's namespace, otherwise one *stand-in* workload that
 * carries exactly the selector's labels (what the policy was written for).
 *
 * Sidecar scope (istio.io "Authorization Policy" and "PeerAuthentication" reference): a policy
 * applies in its namespace; in the root namespace it applies mesh-wide (a selector then matches in
 * every namespace); `targetRefs` policies are for waypoints and gateways, never for sidecars.
 *
 * @module
 */
import { RuleContext } from './rule-types';
import { formatSelector, selectorMatches } from '../../../semantics/labels';
import { LoadedObject, WorkloadSelector, Workload } from '../../config/istio-config';

/** A workload a policy applies to: a real one from the input, or a stand-in labelled like the selector. */
export interface PolicyTarget {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The workload from the input; undefined for a stand-in. */
  readonly workload?: Workload;
}

/** The scope of a selector-based policy. */
export interface PolicyScope {
  readonly namespace: string;
  /** `matchLabels`; empty selects every workload in scope. */
  readonly selector: Readonly<Record<string, string>>;
}

/** A policy object with a workload selector (and maybe `targetRefs`). */
export type SelectingObject = LoadedObject & {
  readonly spec: { readonly selector?: WorkloadSelector; readonly targetRefs?: readonly unknown[] };
};

/** The scope of an object with `spec.selector` (none for `targetRefs` policies). */
export function scopeOf(obj: SelectingObject): PolicyScope | undefined {
  if ((obj.spec.targetRefs ?? []).length > 0) return undefined;
  return { namespace: obj.metadata.namespace, selector: obj.spec.selector?.matchLabels ?? {} };
}

/**
 * The targets of a scope: matching inventory workloads when the inventory covers the scope
 * (`complete`, or `auto` and the namespace has workloads in the input — not for root-namespace
 * policies, which usually target gateways the input does not hold), otherwise one stand-in.
 */
export function policyTargets(context: RuleContext, scope: PolicyScope): PolicyTarget[] {
  const root = context.mesh.rootNamespace;
  const inv = context.inventory;
  const known = inv.mode === 'complete' || (inv.mode === 'auto' && scope.namespace !== root && inv.knowsWorkloads(scope.namespace));
  if (!known) return [{ namespace: scope.namespace, labels: scope.selector }];
  const candidates = scope.namespace === root ? inv.workloads : inv.workloadsIn(scope.namespace);
  return candidates
    .filter((w) => selectorMatches(scope.selector, w.podLabels))
    .map((w) => ({ namespace: w.metadata.namespace, labels: w.podLabels, workload: w }));
}

/** True when some workload could be selected by both scopes (same namespace or a root-namespace one, no conflicting label). */
export function scopesOverlap(a: PolicyScope, b: PolicyScope, rootNamespace: string): boolean {
  const nsOk = a.namespace === b.namespace || a.namespace === rootNamespace || b.namespace === rootNamespace;
  if (!nsOk) return false;
  // Own keys without a list of them: asked for every pair of scopes that can overlap.
  for (const k in a.selector) {
    if (Object.prototype.hasOwnProperty.call(a.selector, k) && k in b.selector && b.selector[k] !== a.selector[k]) return false;
  }
  return true;
}

/** `accepts` for one workload, `accept` for a stand-in (a group of workloads). */
export function verbFor(target: PolicyTarget, singular: string, plural: string): string {
  return target.workload ? singular : plural;
}

/** `Deployment foo/httpbin`, or `workloads labelled app=httpbin in foo` for a stand-in. */
export function describeTarget(target: PolicyTarget): string {
  if (target.workload) return `${target.workload.kind} ${target.namespace}/${target.workload.metadata.name}`;
  return Object.keys(target.labels).length === 0
    ? `the workloads of namespace ${target.namespace}`
    : `workloads labelled ${formatSelector(target.labels)} in namespace ${target.namespace}`;
}
