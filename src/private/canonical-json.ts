/**
 * JSON with object keys sorted: a canonical form for sorting and de-duplicating rendered values and
 * for comparing plain model data. `undefined` members are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // Rendered values are mostly built with their keys in order already: then JSON.stringify gives
  // the very same text, without the copies and joins of the general path.
  if (isSortedPlain(value)) return JSON.stringify(value);
  return general(value);
}

function general(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // Written by concatenation, without a list of parts per value and its join (synth10: the
  // renderer sorts and de-duplicates every rule and source of 80,000 intentions with this).
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      if (!(i in value)) continue; // a hole: written as nothing, as join writes it
      const v: unknown = value[i];
      out += v === undefined ? 'null' : general(v);
    }
    return `${out}]`;
  }
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (!isAscending(keys)) keys.sort();
  let out = '{';
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(k)}:${general(v)}`;
  }
  return `${out}}`;
}

function isAscending(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (!(keys[i - 1] < keys[i])) return false;
  return true;
}

/**
 * True when JSON.stringify of `value` is its canonical form: plain objects and arrays only (no
 * toJSON, no other prototypes), object keys in ascending order, and no function or symbol members
 * (JSON.stringify would leave those out, where the canonical form writes `null`).
 */
function isSortedPlain(value: object): boolean {
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype || (value as { toJSON?: unknown }).toJSON !== undefined) return false;
    for (const v of value) if (v !== null && typeof v === 'object' && !isSortedPlain(v as object)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const o = value as Record<string, unknown>;
  // Key order first (cheap, and where most unsorted values fail), then the members.
  let previous: string | undefined;
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) return false;
    if (previous !== undefined && !(previous < k)) return false;
    previous = k;
  }
  for (const k in o) {
    const v = o[k];
    if (typeof v === 'function' || typeof v === 'symbol') return false;
    if (k === 'toJSON' && v !== undefined) return false;
    if (v !== null && typeof v === 'object' && !isSortedPlain(v)) return false;
  }
  return true;
}
