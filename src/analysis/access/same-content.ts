/**
 * Structural equality of loaded values, as their JSON would say: the diff's test of whether a
 * destination's inputs are the same in two versions.
 *
 * @module
 */
const PLAIN: ReadonlySet<unknown> = new Set([Object.prototype, Array.prototype, null]);

/**
 * Whether two loaded values have the same content, as their JSON would say (keys in the same order).
 * Only "same" must be exact (it lets the diff skip a destination): values it does not know as plain
 * data are compared by their JSON, and anything else unusual counts as different.
 */
export function sameContent(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (!PLAIN.has(Object.getPrototypeOf(a)) || !PLAIN.has(Object.getPrototypeOf(b))) return JSON.stringify(a) === JSON.stringify(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameContent(a[i], b[i])) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !sameContent((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]])) return false;
  }
  return true;
}
