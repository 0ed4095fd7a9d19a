/**
 * Label-selector lookups without comparing every selector with every workload: workloads indexed
 * by namespace and by each of their labels ({@link WorkloadIndex}: "which workloads does this
 * selector match?"), and selectors indexed by one of their labels ({@link SelectorIndex}: "which
 * selectors match these labels?"). Both answer in load order.
 *
 * @module
 */
import { selectorMatches } from '../../../semantics/labels';
import { Workload } from '../../config/istio-config';

type Labels = Readonly<Record<string, string>>;

/** The workloads of the input, indexed for selector queries. */
export class WorkloadIndex {
  private readonly all: readonly Workload[];
  private readonly byNamespace = new Map<string, Workload[]>();
  private readonly byLabel = new Map<string, Workload[]>();

  public constructor(workloads: readonly Workload[]) {
    this.all = workloads;
    for (const w of workloads) {
      const ns = w.metadata.namespace;
      push(this.byNamespace, ns, w);
      for (const [k, v] of Object.entries(w.podLabels)) {
        push(this.byLabel, labelKey(ns, k, v), w);
        push(this.byLabel, labelKey(undefined, k, v), w);
      }
    }
  }

  /** Workloads whose pod labels match the selector, in `namespace` (every namespace when omitted). */
  public select(selector: Labels, namespace?: string): Workload[] {
    const keys = Object.keys(selector);
    if (keys.length === 0) return [...(namespace === undefined ? this.all : this.byNamespace.get(namespace) ?? [])];
    let smallest: readonly Workload[] | undefined;
    for (const k of keys) {
      const bucket = this.byLabel.get(labelKey(namespace, k, selector[k])) ?? [];
      if (!smallest || bucket.length < smallest.length) smallest = bucket;
      if (smallest.length === 0) return [];
    }
    return (smallest ?? []).filter((w) => selectorMatches(selector, w.podLabels));
  }

  /** Workloads of a namespace. */
  public inNamespace(namespace: string): readonly Workload[] {
    return this.byNamespace.get(namespace) ?? [];
  }
}

/** Items carrying a non-empty selector, indexed by one of its labels, per namespace. */
export class SelectorIndex<T> {
  private readonly buckets = new Map<string, { readonly order: number; readonly selector: Labels; readonly item: T }[]>();
  private count = 0;

  /** Adds an item whose `selector` applies in `namespace`. Empty selectors are ignored. */
  public add(namespace: string, selector: Labels, item: T): void {
    const keys = Object.keys(selector).sort();
    if (keys.length === 0) return;
    push(this.buckets, labelKey(namespace, keys[0], selector[keys[0]]), { order: this.count++, selector, item });
  }

  /** The items of `namespace` whose selector matches `labels`, in the order they were added. */
  public matching(namespace: string, labels: Labels): T[] {
    const found: { readonly order: number; readonly item: T }[] = [];
    for (const [k, v] of Object.entries(labels)) {
      for (const e of this.buckets.get(labelKey(namespace, k, v)) ?? []) if (selectorMatches(e.selector, labels)) found.push(e);
    }
    return found.sort((a, b) => a.order - b.order).map((e) => e.item);
  }
}

function labelKey(namespace: string | undefined, key: string, value: string): string {
  return `${namespace ?? '\u0001'}\u0000${key}\u0000${value}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const WORKLOAD_INDEXES = new WeakMap<readonly Workload[], WorkloadIndex>();

/** The index of a workload list, built once and shared by the rules of one analysis. */
export function workloadIndex(workloads: readonly Workload[]): WorkloadIndex {
  let i = WORKLOAD_INDEXES.get(workloads);
  if (!i) WORKLOAD_INDEXES.set(workloads, (i = new WorkloadIndex(workloads)));
  return i;
}
