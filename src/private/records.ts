/**
 * Reading plain data of unknown shape (parsed YAML/JSON): objects, and string maps such as labels
 * and selectors. Lenient: anything of the wrong type reads as empty.
 *
 * @module
 */

/** True for a plain object (not `null`, not an array). */
export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The value as a plain object; an empty one for anything else. */
export function asRecord(x: unknown): Readonly<Record<string, unknown>> {
  return isRecord(x) ? x : {};
}

/** The string-valued entries of a plain object (other values are left out); empty for anything else. */
export function stringEntries(x: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asRecord(x))) if (typeof v === 'string') out[k] = v;
  return out;
}
