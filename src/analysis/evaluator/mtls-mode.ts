/**
 * Effective mTLS mode of a workload port from PeerAuthentication, as istiod composes it
 * (`pilot/pkg/security/authn/policy_applier.go` `ComposePeerAuthentication`).
 *
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
 * @see https://istio.io/latest/docs/concepts/security/#peer-authentication
 * @module
 */
import { selectorMatches } from '../../semantics/labels';
import { MtlsMode, PeerAuthenticationResource } from '../config/istio-config';

/** A mode after inheritance: never UNSET. */
export type EffectiveMtlsMode = Exclude<MtlsMode, 'UNSET'>;

/** Where an effective mode came from. */
export interface MtlsSource {
  readonly policy: PeerAuthenticationResource;
  readonly level: 'mesh' | 'namespace' | 'workload' | 'port';
}

/** The composed PeerAuthentication of one workload. */
export interface ResolvedPeerAuthentication {
  /** Workload-level mode (PERMISSIVE when nothing sets it). */
  readonly mode: EffectiveMtlsMode;
  /** The policy that set `mode`; undefined for the PERMISSIVE default. */
  readonly source?: MtlsSource;
  /** `portLevelMtls` of the selected workload policy, UNSET already replaced by `mode`. */
  readonly ports: ReadonlyMap<number, { readonly mode: EffectiveMtlsMode; readonly source: MtlsSource }>;
  /** Policies that competed at one level and lost to an older one. */
  readonly shadowed: readonly PeerAuthenticationResource[];
}

/** The mode and its source for one workload port. */
export function mtlsForPort(resolved: ResolvedPeerAuthentication, port: number): { mode: EffectiveMtlsMode; source?: MtlsSource } {
  return resolved.ports.get(port) ?? { mode: resolved.mode, ...(resolved.source ? { source: resolved.source } : {}) };
}

/**
 * Composes the PeerAuthentications that apply to a workload:
 *
 * - mesh level: root namespace, no selector (or empty `matchLabels`); root-namespace policies
 *   with a selector are ignored;
 * - namespace level: workload namespace, no selector (or empty `matchLabels`);
 * - workload level: workload namespace, selector matching the pod labels.
 *
 * The start is PERMISSIVE; each level that is not UNSET overrides the one above; `portLevelMtls`
 * of the workload policy overrides per port (UNSET inherits the workload result). Within a level
 * the oldest `creationTimestamp` wins; ties (including manifests without timestamps) go to the
 * name, then the namespace, in lexical order — the order istiod's config store sorts by.
 *
 * @param candidates PeerAuthentications of the workload namespace and of the root namespace.
 */
export function resolvePeerAuthentication(candidates: readonly PeerAuthenticationResource[], rootNamespace: string,
  namespace: string, labels: Readonly<Record<string, string>>): ResolvedPeerAuthentication {
  let mesh: PeerAuthenticationResource | undefined;
  let ns: PeerAuthenticationResource | undefined;
  let workload: PeerAuthenticationResource | undefined;
  const shadowed: PeerAuthenticationResource[] = [];
  const pick = (current: PeerAuthenticationResource | undefined, next: PeerAuthenticationResource): PeerAuthenticationResource => {
    if (!current) return next;
    if (older(next, current)) {
      shadowed.push(current);
      return next;
    }
    shadowed.push(next);
    return current;
  };
  for (const pa of candidates) {
    const selector = pa.spec.selector?.matchLabels;
    const wide = selector === undefined || Object.keys(selector).length === 0;
    const paNs = pa.metadata.namespace;
    if (wide) {
      if (paNs === rootNamespace) mesh = pick(mesh, pa);
      else if (paNs === namespace) ns = pick(ns, pa);
    } else if (paNs !== rootNamespace && paNs === namespace && selectorMatches(selector, labels)) {
      workload = pick(workload, pa);
    }
  }
  let mode: EffectiveMtlsMode = 'PERMISSIVE';
  let source: MtlsSource | undefined;
  if (mesh && mesh.spec.mode !== 'UNSET') {
    mode = mesh.spec.mode;
    source = { policy: mesh, level: 'mesh' };
  }
  if (ns && ns.spec.mode !== 'UNSET') {
    mode = ns.spec.mode;
    source = { policy: ns, level: 'namespace' };
  }
  if (workload && workload.spec.mode !== 'UNSET') {
    mode = workload.spec.mode;
    source = { policy: workload, level: 'workload' };
  }
  const ports = new Map<number, { mode: EffectiveMtlsMode; source: MtlsSource }>();
  if (workload) {
    for (const [port, m] of Object.entries(workload.spec.portLevelMtls)) {
      ports.set(Number(port), m === 'UNSET'
        ? { mode, source: source ?? { policy: workload, level: 'workload' } }
        : { mode: m, source: { policy: workload, level: 'port' } });
    }
  }
  return { mode, ...(source ? { source } : {}), ports, shadowed };
}

/**
 * The PeerAuthentication istiod keeps among several at one level: the oldest `creationTimestamp`
 * (none counts as oldest), then the name, then the namespace, in lexical order.
 */
export function oldestPeerAuthentication(list: readonly PeerAuthenticationResource[]): PeerAuthenticationResource {
  return list.reduce((current, next) => (older(next, current) ? next : current));
}

function older(a: PeerAuthenticationResource, b: PeerAuthenticationResource): boolean {
  const ta = timestamp(a);
  const tb = timestamp(b);
  if (ta !== tb) return ta < tb;
  if (a.metadata.name !== b.metadata.name) return a.metadata.name < b.metadata.name;
  return a.metadata.namespace < b.metadata.namespace;
}

function timestamp(p: PeerAuthenticationResource): number {
  const t = p.metadata.creationTimestamp === undefined ? NaN : Date.parse(p.metadata.creationTimestamp);
  // A manifest without a timestamp has Go's zero time, older than any real one.
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}
