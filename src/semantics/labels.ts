/**
 * Kubernetes label selectors as Istio applies them (`selector.matchLabels`, a Gateway's
 * `selector`, a Service's `selector`): equality on every selector label, nothing else.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 * @module
 */

/** True when every selector label is on the workload (an empty selector matches all). */
export function selectorMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/** `app=foo,version=v1`: the labels sorted by key; `''` for none. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}

/** Like {@link formatLabels}, but `(all)` for the empty selector, which matches every workload. */
export function formatSelector(selector: Readonly<Record<string, string>>): string {
  return Object.keys(selector).length === 0 ? '(all)' : formatLabels(selector);
}
