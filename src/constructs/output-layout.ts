/**
 * Where {@link TrustmeshApp} writes each object: one folder per mesh and, per chart (namespace),
 * the policy apart from the workloads, so that a policy pull request reads as policy.
 *
 * - `<chart>.policy.k8s.yaml`: everything that decides who may talk to whom — the Istio security,
 *   networking and telemetry objects, NetworkPolicies, and the CA trust bundle ConfigMap (the
 *   mesh's trust decision; reviewed beside `ca-summary.md`);
 * - `<chart>.workloads.k8s.yaml`: what runs — ServiceAccounts, Services, Deployments and the other
 *   kinds of the reference workloads;
 * - secret charts keep one `<chart>.k8s.yaml` in the secrets directory.
 *
 * Within a file, objects are sorted by kind (Namespace and ServiceAccount first) and
 * namespace/name, so the order never depends on declaration order.
 *
 * @module
 */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { SecretChart } from './secret-chart';
import { TrustBundle } from './trust-bundle';

/** The two reviewable files of a chart. */
export type OutputCategory = 'policy' | 'workloads';

/** One output file's objects, before serialization. */
export interface OutputDocument<T> {
  /** Path relative to its output directory. */
  readonly path: string;
  /** Whether it goes to the secrets directory. */
  readonly secret: boolean;
  /** Its objects, in output order. */
  readonly items: readonly T[];
}

/** The suffix every manifest file ends with. */
export const MANIFEST_FILE_EXTENSION = '.k8s.yaml';

/** Kinds that run or address pods: the workloads file. Every other kind is policy. */
const WORKLOAD_KINDS: ReadonlySet<string> = new Set([
  'ServiceAccount', 'Service', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod',
  'ConfigMap', 'Secret', 'PodDisruptionBudget', 'HorizontalPodAutoscaler',
]);

/** The file category of an object: by kind, except that the CA trust bundle is policy. */
export function outputCategory(object: ApiObject): OutputCategory {
  if (!WORKLOAD_KINDS.has(object.kind)) return 'policy';
  return object.node.scopes.some((s) => s instanceof TrustBundle) ? 'policy' : 'workloads';
}

/**
 * Lays out every ApiObject of the tree into output documents, files sorted by path.
 * @param render produces the item of an object (its manifest, with where it came from)
 */
export function layOutObjects<T extends { readonly manifest: Record<string, unknown> }>(
  constructs: readonly IConstruct[], render: (object: ApiObject, file: string, secret: boolean) => T,
): OutputDocument<T>[] {
  const byFile = new Map<string, { secret: boolean; items: T[] }>();
  for (const c of constructs) {
    if (!ApiObject.isApiObject(c)) continue;
    const chart = Chart.of(c);
    const base = chart.node.path;
    const secret = SecretChart.isSecretChart(chart);
    const file = secret ? `${base}${MANIFEST_FILE_EXTENSION}` : `${base}.${outputCategory(c)}${MANIFEST_FILE_EXTENSION}`;
    let entry = byFile.get(file);
    if (!entry) {
      entry = { secret, items: [] };
      byFile.set(file, entry);
    }
    entry.items.push(render(c, file, secret));
  }
  return [...byFile].sort(([a], [b]) => comparePaths(a, b)).map(([path, { secret, items }]) => ({
    path, secret, items: sortedManifests(items),
  }));
}

/** Sorted by kind (Namespace and ServiceAccount first) and namespace/name, each item's order key computed once. */
function sortedManifests<T extends { readonly manifest: Record<string, unknown> }>(items: readonly T[]): T[] {
  const keyed = items.map((item) => ({ item, kind: String(item.manifest.kind), key: metadataKey(item.manifest) }));
  keyed.sort((a, b) => {
    const ra = KIND_RANK[a.kind] ?? 9;
    const rb = KIND_RANK[b.kind] ?? 9;
    if (ra !== rb) return ra - rb;
    if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
    return comparePaths(a.key, b.key);
  });
  return keyed.map((k) => k.item);
}

/** Orders paths by code unit, as the output directory lists them. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const KIND_RANK: Readonly<Record<string, number>> = { Namespace: 0, ServiceAccount: 1 };

function metadataKey(m: Record<string, unknown>): string {
  const metadata = (m.metadata ?? {}) as { name?: string; namespace?: string };
  return `${metadata.namespace ?? ''}/${metadata.name ?? ''}`;
}
