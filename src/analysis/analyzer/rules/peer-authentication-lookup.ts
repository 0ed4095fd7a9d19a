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
    if (this.selecting.has(namespace)) return resolvePeerAuthentication(this.candidates(namespace), this.root, namespace, labels);
    return this.ofNamespace(namespace);
  }

  /** The resolution every workload of `namespace` gets, when labels cannot change it. */
  public withoutLabels(namespace: string): ResolvedPeerAuthentication | undefined {
    return this.selecting.has(namespace) ? undefined : this.ofNamespace(namespace);
  }

  private ofNamespace(namespace: string): ResolvedPeerAuthentication {
    let hit = this.perNamespace.get(namespace);
    if (!hit) {
      hit = resolvePeerAuthentication(this.candidates(namespace), this.root, namespace, {});
      this.perNamespace.set(namespace, hit);
    }
    return hit;
  }

  private candidates(namespace: string): PeerAuthenticationResource[] {
    return (namespace === this.root ? [namespace] : [namespace, this.root]).flatMap((ns) => this.byNamespace.get(ns) ?? []);
  }
}

const lookups = new WeakMap<RuleContext, PeerAuthenticationLookup>();

/** The effective PeerAuthentication of the workload with these labels in this namespace. */
export function peerAuthenticationFor(context: RuleContext, namespace: string, labels: Readonly<Record<string, string>>): ResolvedPeerAuthentication {
  return lookupOf(context).of(namespace, labels);
}

/**
 * The effective PeerAuthentication of every workload in `namespace` (what
 * {@link peerAuthenticationFor} answers for any labels there), or undefined when a
 * workload-selector PeerAuthentication there makes it depend on the labels.
 */
export function namespacePeerAuthentication(context: RuleContext, namespace: string): ResolvedPeerAuthentication | undefined {
  return lookupOf(context).withoutLabels(namespace);
}

function lookupOf(context: RuleContext): PeerAuthenticationLookup {
  let lookup = lookups.get(context);
  if (!lookup) {
    lookup = new PeerAuthenticationLookup(context.config.peerAuthentications, context.mesh.rootNamespace);
    lookups.set(context, lookup);
  }
  return lookup;
}

function compareRefs(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}
