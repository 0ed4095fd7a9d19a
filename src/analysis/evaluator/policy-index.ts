/**
 * Indexes security policies by namespace and selector so that resolving the policies of one
 * workload touches only its namespace, the root namespace, and the selector policies keyed by one
 * of its labels — never every policy of the mesh. Resolutions are cached per workload
 * (namespace + labels).
 *
 * Scope rules (sidecar mode):
 * - AuthorizationPolicy / RequestAuthentication: policies in the workload namespace and in the
 *   root namespace; no selector (or empty `matchLabels`) selects every workload in scope, a
 *   root-namespace selector selects across all namespaces; `targetRefs` policies never apply to
 *   sidecars (they are reported as ignored).
 * - PeerAuthentication: see {@link resolvePeerAuthentication}.
 *
 * The index also tells which workloads run a gateway proxy: pods a Gateway's selector matches.
 *
 * @module
 */
import { CompiledPolicy, compilePolicy, compileRulesNow } from './authorization-rule';
import { LocatedJwtRule, locateJwtRules } from './jwt-filter';
import { ResolvedPeerAuthentication, resolvePeerAuthentication } from './mtls-mode';
import { NoMatch, precomputePolicyRules, WorkloadPlan } from './workload-rules';
import { WorkloadTable } from './workload-table';
import { appendAll } from '../../private/arrays';
import { AccessDecision, IgnoredPolicy } from '../../semantics/access-request';
import { selectorMatches } from '../../semantics/labels';
import {
  AuthorizationPolicyResource, IstioConfig, LoadedObject, PeerAuthenticationResource, RequestAuthenticationResource, WorkloadSelector,
} from '../config/istio-config';
import { MeshConfig } from '../config/mesh-config';
import { gatewaySelector } from '../config/workload-resources';

/** Everything that applies to one workload, in deterministic order (namespace, then name). */
export interface WorkloadPolicies {
  readonly peerAuthentication: ResolvedPeerAuthentication;
  readonly requestAuthentications: readonly RequestAuthenticationResource[];
  readonly jwtRules: readonly LocatedJwtRule[];
  /** Enforced policies by action. */
  readonly custom: readonly CompiledPolicy[];
  readonly deny: readonly CompiledPolicy[];
  readonly allow: readonly CompiledPolicy[];
  readonly audit: readonly CompiledPolicy[];
  /** Dry-run policies (any action). */
  readonly dryRun: readonly CompiledPolicy[];
  /** Distinct CUSTOM providers of the enforced CUSTOM policies. */
  readonly customProviders: readonly string[];
  readonly ignored: readonly IgnoredPolicy[];
}

/** A workload's policies and the Gateway it runs, as the index resolves them once per workload. */
export interface ResolvedWorkload {
  readonly policies: WorkloadPolicies;
  /** `namespace/name` of the Gateway whose selector matches the pods, if any: those pods run a gateway proxy. */
  readonly gateway?: string;
  /**
   * perf8: the evaluator's plan for this workload, built on its first decision (see evaluate.ts).
   * check13: the index then holds the plan in this object's place ({@link PolicyIndex.file}), and
   * a plan's `plan` is itself: a decision finds it in the index's map, one object fewer to reach.
   */
  plan: PlannedWorkload | undefined;
}

/**
 * check13: a resolved workload with the evaluator's plan (see evaluate.ts), in one object: what a
 * decision reads, the fields it reads most first (see {@link WorkloadPlan}).
 */
export interface PlannedWorkload extends ResolvedWorkload, WorkloadPlan {
  readonly plan: PlannedWorkload;
  /**
   * The decision when no ALLOW rule matches, per chain, for a plain workload and a request without
   * notes: the same for every such request, so one frozen object shared by them (built on first use).
   */
  noMatchHttpDecision: AccessDecision | undefined;
  noMatchTcpDecision: AccessDecision | undefined;
  /** The HTTP one with the notes of the last request that had some (`noMatchHttpNote`, a token's note), shared likewise. */
  noMatchHttpNoted: AccessDecision | undefined;
  noMatchHttpNote: string | undefined;
  /** The decision parts when no ALLOW rule matches, per chain, built on first use (the evaluator's). */
  noMatchHttp: NoMatch | undefined;
  noMatchTcp: NoMatch | undefined;
}

interface Bucket<T> {
  /** Policies without selector, or with an empty one. */
  readonly wide: T[];
  /** Selector policies keyed by their first (sorted) label: key, then value (check10: no key string per lookup). */
  readonly byLabel: Map<string, Map<string, T[]>>;
  /** Policies with `targetRefs`. */
  readonly targeted: T[];
}

interface Indexed<T> {
  readonly item: T;
  readonly selector?: Readonly<Record<string, string>>;
  /** Position in (namespace, name) order, to keep results deterministic. */
  readonly rank: number;
}

/**
 * diff16: an indexed AuthorizationPolicy, compiled when a resolution first takes it: a diff resolves
 * the workloads its changes reach (1,444 of 7,933 at S=8,000), so most policies of the mesh are
 * never compiled there. Compiling is pure (the rules compile on first use anyway), so when it
 * happens changes nothing but the time; the one compiled policy is shared by every resolution.
 */
class LazyPolicy implements Indexed<CompiledPolicy> {
  private compiled: CompiledPolicy | undefined = undefined;

  public constructor(private readonly resource: AuthorizationPolicyResource, private readonly mesh: MeshConfig,
    public readonly selector: Readonly<Record<string, string>> | undefined, public readonly rank: number) {}

  public get item(): CompiledPolicy {
    this.compiled ??= compilePolicy(this.resource, this.mesh);
    return this.compiled;
  }
}

/** How many resolved workloads the index keeps (then it starts over). */
export const WORKLOAD_CACHE_LIMIT = 50_000;
/** The empty list of every resolved workload that has none of a kind (frozen: shared). */
const NONE: readonly never[] = Object.freeze([]);

/** The index. Build once per (config, mesh config); resolution is cached. */
export class PolicyIndex {
  private readonly authz = new Map<string, Bucket<Indexed<CompiledPolicy>>>();
  private readonly requestAuthn = new Map<string, Bucket<Indexed<RequestAuthenticationResource>>>();
  private readonly peerAuthn = new Map<string, PeerAuthenticationResource[]>();
  private readonly gateways: readonly { readonly ref: string; readonly selector: Readonly<Record<string, string>> }[];
  private readonly cache = new Map<string, ResolvedWorkload>();
  /** The cached workloads with exactly one label: namespace → label key → label value (entries of `cache` too). */
  private readonly single = new Map<string, Map<string, Map<string, ResolvedWorkload>>>();
  /** check13: the planned workloads of `single`, found with fewer cache misses (see workload-table.ts). */
  private readonly planned = new WorkloadTable<PlannedWorkload>();
  /** How many workloads `cache` and `single` hold together. */
  private cached = 0;
  /** check10: the PeerAuthentication of every workload of a namespace that has no selector PeerAuthentication. */
  private readonly namespacePeerAuthn = new Map<string, ResolvedPeerAuthentication>();
  /** Namespaces (not the root) with a PeerAuthentication that has a selector. */
  private readonly selectorPeerAuthn = new Set<string>();

  public constructor(config: IstioConfig, private readonly mesh: MeshConfig) {
    const byName = <T extends { metadata: LoadedObject['metadata'] }>(a: T, b: T): number => compareRefs(a.metadata, b.metadata);
    [...config.authorizationPolicies].sort(byName).forEach((ap, rank) => {
      add(this.authz, ap.metadata.namespace, new LazyPolicy(ap, mesh, selectorOf(ap.spec.selector), rank), ap.spec.targetRefs.length > 0);
    });
    [...config.requestAuthentications].sort(byName).forEach((ra, rank) => {
      add(this.requestAuthn, ra.metadata.namespace, { item: ra, selector: selectorOf(ra.spec.selector), rank }, ra.spec.targetRefs.length > 0);
    });
    for (const pa of [...config.peerAuthentications].sort(byName)) {
      const list = this.peerAuthn.get(pa.metadata.namespace) ?? [];
      list.push(pa);
      this.peerAuthn.set(pa.metadata.namespace, list);
      if (selectorOf(pa.spec.selector) !== undefined) this.selectorPeerAuthn.add(pa.metadata.namespace);
    }
    this.gateways = gatewaySelectors(config);
  }

  /** Compiles the rules of every AuthorizationPolicy now rather than on first use (perf5: `check` compiles at load). */
  public compileAll(): void {
    for (const b of this.authz.values()) {
      for (const e of b.wide) compileNow(e.item);
      for (const byValue of b.byLabel.values()) for (const list of byValue.values()) for (const e of list) compileNow(e.item);
    }
  }

  /** The policies applying to the workload with these labels in this namespace. */
  public forWorkload(namespace: string, labels: Readonly<Record<string, string>>): WorkloadPolicies {
    return this.workload(namespace, labels).policies;
  }

  /** The policies of the workload with these labels in this namespace, and the Gateway its pods run. */
  public workload(namespace: string, labels: Readonly<Record<string, string>>): ResolvedWorkload {
    // perf5: workloads with one label (most) are found without building a key string.
    const only = onlyLabel(labels);
    if (only !== undefined) {
      const value = labels[only];
      const planned = this.planned.find(namespace, only, value);
      if (planned !== undefined) return planned;
      const hit = this.single.get(namespace)?.get(only)?.get(value);
      if (hit) return hit;
      // check10: filed here only (no key string, no second map entry per workload).
      const resolved = this.resolveWorkload(namespace, labels);
      let byKey = this.single.get(namespace);
      if (!byKey) {
        byKey = new Map();
        this.single.set(namespace, byKey);
      }
      let byValue = byKey.get(only);
      if (!byValue) {
        byValue = new Map();
        byKey.set(only, byValue);
      }
      byValue.set(value, resolved);
      return resolved;
    }
    const key = workloadKey(namespace, labels);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const resolved = this.resolveWorkload(namespace, labels);
    this.cache.set(key, resolved);
    return resolved;
  }

  /**
   * check13: files the plan of a workload in place of its resolved entry (`planned.plan` is
   * `planned`), so that the next lookup finds the plan itself. Nothing is filed when the entry is
   * no longer cached (the cache started over).
   */
  public file(namespace: string, labels: Readonly<Record<string, string>>, planned: PlannedWorkload): void {
    const only = onlyLabel(labels);
    if (only !== undefined) {
      const byValue = this.single.get(namespace)?.get(only);
      const value = labels[only];
      if (byValue?.get(value)?.policies === planned.policies) {
        byValue.set(value, planned);
        this.planned.add(namespace, only, value, planned);
      }
      return;
    }
    const key = workloadKey(namespace, labels);
    if (this.cache.get(key)?.policies === planned.policies) this.cache.set(key, planned);
  }

  /** Resolves a workload not cached yet; makes room when the caches are full (the caller files it). */
  private resolveWorkload(namespace: string, labels: Readonly<Record<string, string>>): ResolvedWorkload {
    // Gateway selectors match pods in every namespace (istiod's default, PILOT_SCOPE_GATEWAY_TO_NAMESPACE=false).
    const gateway = this.gateways.find((g) => selectorMatches(g.selector, labels))?.ref;
    // perf8: `plan` present from the start, so that setting it keeps the object's shape.
    const resolved: ResolvedWorkload = { policies: this.resolve(namespace, labels), ...(gateway !== undefined ? { gateway } : {}), plan: undefined };
    if (this.cached >= WORKLOAD_CACHE_LIMIT) {
      this.cache.clear();
      this.single.clear();
      this.planned.clear();
      this.cached = 0;
    }
    this.cached++;
    return resolved;
  }

  private resolve(namespace: string, labels: Readonly<Record<string, string>>): WorkloadPolicies {
    const root = this.mesh.rootNamespace;
    const namespaces = namespace === root ? [namespace] : [namespace, root];
    const ignored: IgnoredPolicy[] = [];

    const authz = selectFrom(this.authz, namespaces, labels, (p) => ignored.push({
      kind: 'AuthorizationPolicy',
      namespace: p.namespace,
      name: p.name,
      reason: 'targetRefs policies apply to waypoints and gateways, not to sidecars',
    }));
    const ras = selectFrom(this.requestAuthn, namespaces, labels, (p) => ignored.push({
      kind: 'RequestAuthentication',
      namespace: p.metadata.namespace,
      name: p.metadata.name,
      reason: 'targetRefs policies apply to waypoints and gateways, not to sidecars',
    }));
    const peerAuthentication = this.peerAuthenticationOf(namespaces, namespace, labels);
    for (const p of peerAuthentication.shadowed) {
      ignored.push({ kind: 'PeerAuthentication', namespace: p.metadata.namespace, name: p.metadata.name, reason: 'an older PeerAuthentication at the same level wins' });
    }
    for (const pa of this.peerAuthn.get(root) ?? []) {
      if (pa.spec.selector && Object.keys(pa.spec.selector.matchLabels).length > 0 && selectorMatches(pa.spec.selector.matchLabels, labels)) {
        ignored.push({ kind: 'PeerAuthentication', namespace: root, name: pa.metadata.name, reason: 'PeerAuthentication with a selector in the root namespace is ignored' });
      }
    }

    // perf8: one pass, and empty lists shared (most are empty; every resolved workload is kept).
    const deny: CompiledPolicy[] = [];
    const allow: CompiledPolicy[] = [];
    let custom: CompiledPolicy[] | undefined;
    let audit: CompiledPolicy[] | undefined;
    let dryRun: CompiledPolicy[] | undefined;
    for (const p of authz) {
      if (p.dryRun) (dryRun ??= []).push(p);
      else if (p.action === 'DENY') deny.push(p);
      else if (p.action === 'ALLOW') allow.push(p);
      else if (p.action === 'CUSTOM') (custom ??= []).push(p);
      else if (p.action === 'AUDIT') (audit ??= []).push(p);
    }
    return {
      peerAuthentication,
      requestAuthentications: ras.length === 0 ? NONE : ras,
      jwtRules: ras.length === 0 ? NONE : locateJwtRules(ras),
      custom: custom ?? NONE,
      deny: deny.length === 0 ? NONE : deny,
      allow: allow.length === 0 ? NONE : allow,
      audit: audit ?? NONE,
      dryRun: dryRun ?? NONE,
      customProviders: custom ? [...new Set(custom.map((p) => p.provider ?? ''))].sort() : NONE,
      ignored: ignored.length === 0 ? NONE : ignored,
    };
  }

  /**
   * The PeerAuthentication of a workload. Without a selector PeerAuthentication in the namespace
   * (root-namespace ones never select), it is the namespace's and the mesh's: resolved once per
   * namespace (check10).
   */
  private peerAuthenticationOf(namespaces: readonly string[], namespace: string,
    labels: Readonly<Record<string, string>>): ResolvedPeerAuthentication {
    const shared = !this.selectorPeerAuthn.has(namespace) || namespace === this.mesh.rootNamespace;
    if (shared) {
      const hit = this.namespacePeerAuthn.get(namespace);
      if (hit) return hit;
    }
    const pas: PeerAuthenticationResource[] = [];
    for (const ns of namespaces) appendAll(pas, this.peerAuthn.get(ns) ?? NONE);
    const resolved = resolvePeerAuthentication(pas, this.mesh.rootNamespace, namespace, labels);
    if (shared) this.namespacePeerAuthn.set(namespace, resolved);
    return resolved;
  }
}

/** Compiles a policy's rules and builds their tables (perf8). */
function compileNow(policy: CompiledPolicy): void {
  compileRulesNow(policy);
  precomputePolicyRules(policy);
}

/** `namespace/name` and selector of every Gateway in the config, sorted by `namespace/name`. */
function gatewaySelectors(config: IstioConfig): { readonly ref: string; readonly selector: Readonly<Record<string, string>> }[] {
  const out: { ref: string; selector: Record<string, string> }[] = [];
  for (const gw of config.gateways) {
    const selector = gatewaySelector(gw);
    // An empty selector would make every proxy a gateway; istiod treats it as matching nothing useful here.
    if (Object.keys(selector).length > 0) out.push({ ref: `${gw.metadata.namespace}/${gw.metadata.name}`, selector });
  }
  return out.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}

function add<T>(buckets: Map<string, Bucket<Indexed<T>>>, namespace: string, entry: Indexed<T>, targeted: boolean): void {
  let b = buckets.get(namespace);
  if (!b) {
    b = { wide: [], byLabel: new Map(), targeted: [] };
    buckets.set(namespace, b);
  }
  if (targeted) {
    b.targeted.push(entry);
  } else if (!entry.selector) {
    b.wide.push(entry);
  } else {
    const first = Object.keys(entry.selector).sort()[0];
    let byValue = b.byLabel.get(first);
    if (!byValue) {
      byValue = new Map();
      b.byLabel.set(first, byValue);
    }
    const list = byValue.get(entry.selector[first]);
    if (list) list.push(entry);
    else byValue.set(entry.selector[first], [entry]);
  }
}

/** The key of a workload's one label; undefined when it has none or several. perf5: without a key array. */
function onlyLabel(labels: Readonly<Record<string, string>>): string | undefined {
  let only: string | undefined;
  let count = 0;
  for (const k in labels) {
    only = k;
    if (++count > 1) return undefined;
  }
  return only;
}

function selectFrom<T>(buckets: Map<string, Bucket<Indexed<T>>>, namespaces: readonly string[], labels: Readonly<Record<string, string>>,
  onTargeted: (item: T) => void): T[] {
  const out: Indexed<T>[] = [];
  for (const ns of namespaces) {
    const b = buckets.get(ns);
    if (!b) continue;
    appendAll(out, b.wide);
    for (const k in labels) {
      const list = b.byLabel.get(k)?.get(labels[k]);
      if (list === undefined) continue;
      for (const e of list) {
        // Each selector policy is filed under one label only, so it cannot be found twice.
        if (e.selector && selectorMatches(e.selector, labels)) out.push(e);
      }
    }
    b.targeted.forEach((e) => onTargeted(e.item));
  }
  if (out.length === 1) return [out[0].item];
  return out.sort((a, b) => a.rank - b.rank).map((e) => e.item);
}

function selectorOf(selector: WorkloadSelector | undefined): Readonly<Record<string, string>> | undefined {
  if (!selector || Object.keys(selector.matchLabels).length === 0) return undefined;
  return selector.matchLabels;
}

function compareRefs(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}

function workloadKey(namespace: string, labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels);
  if (keys.length > 1) keys.sort();
  let key = namespace;
  for (const k of keys) key += `\u0000${k}\u0001${labels[k]}`;
  return key;
}
