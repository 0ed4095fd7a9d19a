/**
 * JSON value types and the canonical (sorted-key) serialization used for committed schema files.
 *
 * @module
 */

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** True for a non-null, non-array object (what a YAML mapping or JSON object parses to). */
export function isJsonObject(x: unknown): x is JsonObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Serializes a JSON value with object keys sorted (arrays keep their order), two-space indented,
 * with a trailing newline, so the same input always produces the same bytes.
 */
export function canonicalJson(value: JsonValue): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/** A deep copy of a JSON value with object keys in sorted order. */
export function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isJsonObject(value)) {
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
}
