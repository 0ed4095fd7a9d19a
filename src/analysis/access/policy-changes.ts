/**
 * diff15: which destinations a diff's policy edits can reach, known without resolving any
 * destination's policies. A destination's inputs are its resolved `WorkloadPolicies` (a function
 * of its namespace, its labels and the security objects of its namespace and of the root
 * namespace) and its declared ports. When a column has the same namespace, labels and ports in
 * every version and no object that differs between the versions can select it, its inputs are the
 * same in every version: the diff leaves it out without resolving its policies twice and comparing
 * them (most of a diff's columns: 6,500 of 7,933 at S=8,000).
 *
 * Only "unchanged" is a conclusion: the caller compares the inputs of every other column.
 *
 * @module
 */
import { MatrixDestination } from './destinations';
import { sameLoadedObject } from './same-content';
import { selectorMatches } from '../../semantics/labels';
import { IstioConfig, LoadedObject, WorkloadSelector } from '../config/istio-config';

/** A security object as far as its reach goes. */
interface Scoped extends LoadedObject {
  readonly spec: { readonly selector?: WorkloadSelector; readonly targetRefs?: readonly unknown[] };
}

/** The objects that differ between the versions, by where they can apply. */
export class PolicyChanges {
  /**
   * The changes from the first version to each other one.
   *
   * @param configs the versions' objects, as their policy indexes read them
   */
  public static of(configs: readonly IstioConfig[], rootNamespace: string): PolicyChanges {
    const changes = new PolicyChanges(rootNamespace);
    for (let v = 1; v < configs.length; v++) {
      const unchanged = new Uint8Array(configs[v].authorizationPolicies.length);
      changes.unchangedPolicies.set(v, unchanged);
      changes.compare(configs[0].authorizationPolicies, configs[v].authorizationPolicies, true, unchanged);
      changes.compare(configs[0].requestAuthentications, configs[v].requestAuthentications, true);
      // A PeerAuthentication's resolution weighs every one of the namespace (and the root namespace's).
      changes.compare(configs[0].peerAuthentications, configs[v].peerAuthentications, false);
    }
    return changes;
  }

  /**
   * diff16: per later version, 1 at the position of each AuthorizationPolicy with the same content
   * as the first version's of its namespace and name (as {@link compare} pairs them): the rows of
   * the matrix (sources.ts) skip them, their first-version twins having named the same identities.
   */
  private readonly unchangedPolicies = new Map<number, Uint8Array>();
  /** Every workload of the mesh may be reached (a change in the root namespace without selector). */
  private everywhere = false;
  /** Namespaces every workload of which may be reached. */
  private readonly namespaces = new Set<string>();
  /** The selectors of changed objects, by namespace, then their first label's key and value. */
  private readonly selectors = new Map<string, Map<string, Map<string, Readonly<Record<string, string>>[]>>>();

  private constructor(private readonly rootNamespace: string) {}

  /**
   * True when the column certainly has the same inputs in every version: present in each with the
   * same namespace, labels and ports (`samePorts` compares two versions' ports as the input
   * comparison would), and out of reach of every changed object.
   */
  public unchanged(versions: readonly (MatrixDestination | undefined)[],
    samePorts: (a: MatrixDestination['ports'], b: MatrixDestination['ports']) => boolean): boolean {
    const first = versions[0];
    if (first === undefined) return false;
    for (let v = 1; v < versions.length; v++) {
      const d = versions[v];
      if (d === undefined || d.namespace !== first.namespace || !sameLabels(d.labels, first.labels) || !samePorts(first.ports, d.ports)) return false;
    }
    if (this.everywhere || this.namespaces.has(first.namespace)) return false;
    return !this.selects(first.namespace, first.labels) && !this.selects(this.rootNamespace, first.labels);
  }

  /**
   * Whether the `index`-th AuthorizationPolicy of a later version has the same content as the first
   * version's of its namespace and name.
   */
  public samePolicyAsFirst(version: number, index: number): boolean {
    return this.unchangedPolicies.get(version)?.[index] === 1;
  }

  /** Whether a changed selector of this namespace matches the labels. */
  private selects(namespace: string, labels: Readonly<Record<string, string>>): boolean {
    const byKey = this.selectors.get(namespace);
    if (byKey === undefined) return false;
    for (const k in labels) {
      const list = byKey.get(k)?.get(labels[k]);
      if (list !== undefined && list.some((s) => selectorMatches(s, labels))) return true;
    }
    return false;
  }

  /**
   * Records the objects of one kind that differ between two versions, paired by namespace and name
   * (diff15: in maps by namespace then name, no key string built per object). A name given twice in
   * a version makes its namespace reached (the order between the two is the load's).
   */
  private compare(before: readonly Scoped[], after: readonly Scoped[], selective: boolean, unchanged?: Uint8Array): void {
    // diff16: each first-version object with its "paired" flag (no set of the paired objects).
    const earlier = new Map<string, Map<string, { readonly object: Scoped; paired: boolean }>>();
    let count = 0;
    for (const a of before) {
      let byName = earlier.get(a.metadata.namespace);
      if (!byName) {
        byName = new Map();
        earlier.set(a.metadata.namespace, byName);
      }
      if (byName.has(a.metadata.name)) {
        this.reach(a, false);
      } else {
        byName.set(a.metadata.name, { object: a, paired: false });
        count++;
      }
    }
    let pairs = 0;
    after.forEach((b, i) => {
      const entry = earlier.get(b.metadata.namespace)?.get(b.metadata.name);
      if (entry === undefined) {
        this.reach(b, selective);
      } else if (entry.paired) {
        this.reach(b, false);
      } else {
        entry.paired = true;
        pairs++;
        if (sameLoadedObject(entry.object, b)) {
          if (unchanged) unchanged[i] = 1;
        } else {
          this.reach(entry.object, selective);
          this.reach(b, selective);
        }
      }
    });
    if (pairs === count) return;
    for (const byName of earlier.values()) for (const e of byName.values()) if (!e.paired) this.reach(e.object, selective);
  }

  /** Marks what a changed object may apply to (as the policy index selects it). */
  private reach(o: Scoped, selective: boolean): void {
    const namespace = o.metadata.namespace;
    const selector = o.spec.selector?.matchLabels;
    const keys = selector ? Object.keys(selector).sort() : [];
    // targetRefs objects are reported as ignored by every workload of their namespace.
    if (!selective || keys.length === 0 || (o.spec.targetRefs?.length ?? 0) > 0) {
      if (namespace === this.rootNamespace) this.everywhere = true;
      else this.namespaces.add(namespace);
      return;
    }
    const s = selector as Readonly<Record<string, string>>;
    let byKey = this.selectors.get(namespace);
    if (!byKey) {
      byKey = new Map();
      this.selectors.set(namespace, byKey);
    }
    let byValue = byKey.get(keys[0]);
    if (!byValue) {
      byValue = new Map();
      byKey.set(keys[0], byValue);
    }
    const list = byValue.get(s[keys[0]]);
    if (list) list.push(s);
    else byValue.set(s[keys[0]], [s]);
  }
}

/** The same labels, in any order: as many, and each of one on the other. */
function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  return a === b || (Object.keys(a).length === Object.keys(b).length && selectorMatches(a, b));
}
