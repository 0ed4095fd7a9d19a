/**
 * The effective PeerAuthentication of a workload for the rules that need only that (mTLS-dependent
 * fields, ipBlocks under STRICT): the very resolution of `evaluator.policiesFor(…).peerAuthentication`
 * (`resolvePeerAuthentication` over the workload's and the root namespace's PeerAuthentications,
 * in namespace/name order), without resolving the workload's AuthorizationPolicies too.
 *
 * In a namespace without workload-selector PeerAuthentications (almost all of them) the labels
 * cannot change the result, so it is resolved once per namespace: a file of 155,000 policies, each
 * for its own workload, needs 100 resolutions instead of 155,000.
 *
 * @module
 */
import { RuleContext } from './rule-types';
import { PeerAuthenticationResource } from '../../config/istio-config';
import { ResolvedPeerAuthentication, resolvePeerAuthentication } from '../../evaluator/mtls-mode';

class PeerAuthenticationLookup {
  private readonly byNamespace = new Map<string, PeerAuthenticationResource[]>();
  /** Namespaces (other than the root) with a PeerAuthentication that has a non-empty selector. */
  private readonly selecting = new Set<string>();
  private readonly perNamespace = new Map<string, ResolvedPeerAuthentication>();

  public constructor(peerAuthentications: readonly PeerAuthenticationResource[], private readonly root: string) {
    const sorted = [...peerAuthentications].sort((a, b) => compareRefs(a.metadata, b.metadata));
    for (const pa of sorted) {
      const ns = pa.metadata.namespace;
      const list = this.byNamespace.get(ns) ?? [];
      list.push(pa);
      this.byNamespace.set(ns, list);
      const selector = pa.spec.selector?.matchLabels;
      if (ns !== root && selector !== undefined && Object.keys(selector).length > 0) this.selecting.add(ns);
    }
  }

  public of(namespace: string, labels: Readonly<Record<string, string>>): ResolvedPeerAuthentication {
    const candidates = (): PeerAuthenticationResource[] => (namespace === this.root ? [namespace] : [namespace, this.root])
      .flatMap((ns) => this.byNamespace.get(ns) ?? []);
    if (this.selecting.has(namespace)) return resolvePeerAuthentication(candidates(), this.root, namespace, labels);
    let hit = this.perNamespace.get(namespace);
    if (!hit) {
      hit = resolvePeerAuthentication(candidates(), this.root, namespace, {});
      this.perNamespace.set(namespace, hit);
    }
    return hit;
  }
}

const lookups = new WeakMap<RuleContext, PeerAuthenticationLookup>();

/** The effective PeerAuthentication of the workload with these labels in this namespace. */
export function peerAuthenticationFor(context: RuleContext, namespace: string, labels: Readonly<Record<string, string>>): ResolvedPeerAuthentication {
  let lookup = lookups.get(context);
  if (!lookup) {
    lookup = new PeerAuthenticationLookup(context.config.peerAuthentications, context.mesh.rootNamespace);
    lookups.set(context, lookup);
  }
  return lookup.of(namespace, labels);
}

function compareRefs(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}
