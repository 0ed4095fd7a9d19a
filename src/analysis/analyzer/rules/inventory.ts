/**
 * What the analyzer may assume about the input's completeness, so that "not found" checks do not
 * flood a user who analyzes only policies.
 *
 * - `auto` (default): a namespace's **workloads** are known when the input holds at least one
 *   workload (Deployment, StatefulSet, …, Pod, WorkloadEntry) in it; its **service accounts** are
 *   known when the input holds a ServiceAccount or a workload in it; **namespaces** are known when
 *   the input holds at least one `Namespace` object. Findings that rely on this are warnings,
 *   because the inventory is inferred and may be partial.
 * - `complete`: the input is the whole cluster (e.g. `kubectl get -A -o yaml` plus the policies):
 *   every reference is checked, and not-found findings are errors, as upstream reports them.
 * - `none`: no check relies on the inventory.
 *
 * The same inference covers what the istioctl-style rules look up: a namespace's Services,
 * Gateways and Secrets are known when the input has one of that kind there; ServiceEntries and
 * DestinationRules when the input has any.
 *
 * Every namespace that exists has a `default` service account, and `default`, `kube-system`,
 * `kube-public`, `kube-node-lease` and the mesh root namespace always exist.
 *
 * @module
 */
import { Severity } from '../../../errors';
import { compileStringPattern } from '../../../semantics/string-match';
import { IstioConfig, Workload } from '../../config/istio-config';
import { MeshConfig } from '../../config/mesh-config';

/** How complete the analyzer may assume the input's inventory to be. See the module doc. */
export type InventoryMode = 'auto' | 'complete' | 'none';

/** What a "not found" finding relied on, for {@link Inventory.describe}. */
export type InventoryKind = 'workloads' | 'service accounts' | 'namespaces' | 'services' | 'service entries' | 'destination rules' | 'gateways' | 'secrets';

/** The valid {@link InventoryMode} values. */
export const INVENTORY_MODES: readonly InventoryMode[] = ['auto', 'complete', 'none'];

/**
 * Namespaces `istioctl analyze` leaves out of every analysis (`pkg/kube/inject` `IgnoredNamespaces`):
 * the rules that mirror istioctl's analyzers of workloads and Services skip them too.
 */
export const ISTIOCTL_IGNORED_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

const BUILTIN_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Namespaces, service accounts and workloads of the input, and how far to trust them. */
export class Inventory {
  /** Every workload of the input, in load order. */
  public readonly workloads: readonly Workload[];
  private readonly workloadsByNs = new Map<string, Workload[]>();
  private readonly accountsByNs = new Map<string, Set<string>>();
  private readonly accountObjectNs = new Set<string>();
  private readonly namespaceSet = new Set<string>();
  private readonly namespaceObjects: number;
  private readonly realWorkloadNs = new Set<string>();
  private readonly serviceNs = new Set<string>();
  private readonly gatewayNs = new Set<string>();
  private readonly secretNs = new Set<string>();
  private readonly serviceEntries: number;
  private readonly destinationRules: number;

  /**
   * @param assumed objects of `config` that are assumed rather than in the input (e.g. the default
   *   ingress gateway): they can be selected, but do not make their namespace's inventory known
   */
  public constructor(config: IstioConfig, mesh: MeshConfig, public readonly mode: InventoryMode, assumed?: IstioConfig) {
    this.workloads = config.workloads;
    const assumedSet = new Set<object>([...assumed?.workloads ?? [], ...assumed?.services ?? []]);
    for (const w of config.workloads) {
      const ns = w.metadata.namespace;
      if (!assumedSet.has(w)) this.realWorkloadNs.add(ns);
      const list = this.workloadsByNs.get(ns) ?? [];
      list.push(w);
      this.workloadsByNs.set(ns, list);
      this.account(ns).add(w.serviceAccountName);
    }
    for (const sa of config.serviceAccounts) {
      this.account(sa.metadata.namespace).add(sa.metadata.name);
      this.accountObjectNs.add(sa.metadata.namespace);
    }
    this.namespaceObjects = config.namespaces.length;
    for (const n of config.namespaces) this.namespaceSet.add(n.metadata.name);
    for (const n of [...BUILTIN_NAMESPACES, mesh.rootNamespace]) this.namespaceSet.add(n);
    // An object can only be applied to a namespace that exists.
    for (const o of config.objects) if (o.metadata.namespace && !o.metadata.namespaceDefaulted) this.namespaceSet.add(o.metadata.namespace);
    for (const s of config.services) if (!assumedSet.has(s)) this.serviceNs.add(s.metadata.namespace);
    for (const o of config.objects) {
      if (o.kind === 'Gateway' && (o.apiVersion.startsWith('networking.istio.io/') || o.apiVersion.startsWith('gateway.networking.k8s.io/'))) {
        this.gatewayNs.add(o.metadata.namespace);
      } else if (o.kind === 'Secret' && o.apiVersion === 'v1') {
        this.secretNs.add(o.metadata.namespace);
      }
    }
    this.serviceEntries = config.serviceEntries.length;
    this.destinationRules = config.destinationRules.length;
  }

  /** Severity of a finding that relies on the inventory: an error only when the input is declared complete. */
  public get findingSeverity(): Severity {
    return this.mode === 'complete' ? 'error' : 'warning';
  }

  /** The workloads of a namespace. */
  public workloadsIn(namespace: string): readonly Workload[] {
    return this.workloadsByNs.get(namespace) ?? [];
  }

  /** True when the workloads of this namespace may be taken as complete. */
  public knowsWorkloads(namespace: string): boolean {
    if (this.mode === 'none') return false;
    return this.mode === 'complete' || this.realWorkloadNs.has(namespace);
  }

  /** True when the service accounts of this namespace may be taken as complete. */
  public knowsServiceAccounts(namespace: string): boolean {
    if (this.mode === 'none') return false;
    return this.mode === 'complete' || this.accountObjectNs.has(namespace) || this.realWorkloadNs.has(namespace);
  }

  /** True when the set of namespaces may be taken as complete. */
  public knowsNamespaces(): boolean {
    if (this.mode === 'none') return false;
    return this.mode === 'complete' || this.namespaceObjects > 0;
  }

  /** True when the Services of this namespace may be taken as complete (`auto`: the input has a Service there). */
  public knowsServices(namespace: string): boolean {
    if (this.mode === 'none') return false;
    return this.mode === 'complete' || this.serviceNs.has(namespace);
  }

  /** True when the ServiceEntries may be taken as complete (`auto`: the input has at least one). */
  public knowsServiceEntries(): boolean {
    if (this.mode === 'none') return false;
    return this.mode === 'complete' || this.serviceEntries > 0;
  }

  /** True when the DestinationRules may be taken as complete (`auto`: the input has at least one). */
  public knowsDestinationRules(): boolean {
    if (this.mode === 'none') return false;
    return this.mode === 'complete' || this.destinationRules > 0;
  }

  /** True when the Gateways (Istio or Gateway API) of this namespace may be taken as complete. */
  public knowsGateways(namespace: string): boolean {
    if (this.mode === 'none') return false;
    return this.mode === 'complete' || this.gatewayNs.has(namespace);
  }

  /** True when the Secrets of this namespace may be taken as complete (`auto`: the input has a Secret there). */
  public knowsSecrets(namespace: string): boolean {
    if (this.mode === 'none') return false;
    return this.mode === 'complete' || this.secretNs.has(namespace);
  }

  /** True when some known namespace matches the (Istio string-match) pattern. */
  public namespaceMatches(pattern: string): boolean {
    // A pattern without a leading or trailing `*` matches only itself (every peer of a large mesh is asked).
    if (isExact(pattern)) return this.namespaceSet.has(pattern);
    const p = compileStringPattern(pattern);
    for (const ns of this.namespaceSet) if (p.test(ns)) return true;
    return false;
  }

  /** True when some known service account of the namespace matches the pattern (`default` always exists). */
  public serviceAccountMatches(namespace: string, pattern: string): boolean {
    if (isExact(pattern)) return pattern === 'default' || this.accountsByNs.get(namespace)?.has(pattern) === true;
    const p = compileStringPattern(pattern);
    if (p.test('default')) return true;
    for (const sa of this.accountsByNs.get(namespace) ?? []) if (p.test(sa)) return true;
    return false;
  }

  /** How the inventory was obtained, for messages. */
  public describe(what: InventoryKind, namespace?: string): string {
    if (this.mode === 'complete') return 'the input is declared complete with --inventory complete';
    switch (what) {
      case 'namespaces': return 'the input lists Namespace objects';
      case 'workloads': return `the input lists workloads of namespace ${namespace}`;
      case 'service accounts': return `the input lists service accounts or workloads of namespace ${namespace}`;
      case 'service entries': return 'the input lists ServiceEntries';
      case 'destination rules': return 'the input lists DestinationRules';
      default: return `the input lists ${what === 'services' ? 'Services' : what === 'gateways' ? 'Gateways' : 'Secrets'} of namespace ${namespace}`;
    }
  }

  private account(namespace: string): Set<string> {
    let s = this.accountsByNs.get(namespace);
    if (!s) this.accountsByNs.set(namespace, (s = new Set()));
    return s;
  }
}

/** Whether an Istio string-match pattern is an exact match (see `compileStringPattern`). */
function isExact(pattern: string): boolean {
  return !pattern.startsWith('*') && !pattern.endsWith('*');
}
