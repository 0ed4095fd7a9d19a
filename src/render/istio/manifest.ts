import { IstioKind } from '../../model/api-version';
import { canonicalJson } from '../../private/canonical-json';

/** Metadata every rendered Istio object carries. */
export interface IstioMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A rendered object, in the Istio YAML shape (plain JSON data, keys as Istio spells them). */
export interface IstioManifest {
  readonly apiVersion: string;
  readonly kind: IstioKind;
  readonly metadata: IstioMetadata;
  readonly spec: Readonly<Record<string, unknown>>;
}

/** The annotation that makes an AuthorizationPolicy dry-run. */
export const DRY_RUN_ANNOTATION = 'istio.io/dry-run';

/** Sorts by canonical JSON and removes duplicates. */
export function sortUniqueByJson<T>(values: readonly T[]): T[] {
  // One value (the common case of a rule's sources and conditions) needs no canonical JSON.
  if (values.length < 2) return values.slice();
  return sortUniqueByKey(values, values.map(canonicalJson));
}

/**
 * Sorts values by their keys (code-unit order), one value per key (the last): {@link sortUniqueByJson}
 * for values whose canonical JSON is known already.
 * @param keys the key of each value, at its index
 */
export function sortUniqueByKey<T>(values: readonly T[], keys: readonly string[]): T[] {
  const byKey = new Map<string, T>();
  for (let i = 0; i < values.length; i++) byKey.set(keys[i], values[i]);
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

/** Sorted unique strings (plain code-unit order, locale-independent). */
export function sortedStrings(values: readonly string[]): string[] {
  if (values.length < 2) return values.slice();
  return [...new Set(values)].sort();
}

/** Sorted unique port strings, in numeric order. */
export function sortedPorts(ports: readonly number[]): string[] {
  return [...new Set(ports)].sort((a, b) => a - b).map(String);
}
