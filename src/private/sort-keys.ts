/**
 * A shallow copy of a record with its keys in code-unit order, for output that must not depend on
 * insertion order (annotations, labels, JSON the injector writes). Integer-like keys still come
 * first: JavaScript orders them before the others whatever the insertion order.
 */
export function sortKeys<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
