/**
 * JSON values to CEL values, typed by the structural schema as Kubernetes does: `integer` fields
 * become CEL `int` (bigint), `number` fields `double`, objects and maps CEL maps, arrays lists;
 * untyped parts (`x-kubernetes-preserve-unknown-fields`, int-or-string) become `int` when integral.
 *
 * Only subtrees that hold integers (or untyped values) are copied. The rest is handed to the CEL
 * evaluator as it is: it wraps plain objects and arrays lazily, on access, which is what keeps
 * rule evaluation cheap on large objects.
 *
 * @module
 */
import type { CelInput } from '@bufbuild/cel';
import { isJsonObject, type JsonObject } from './json';
import { isRecord } from '../private/records';

// Per schema node: does a value of this schema need converting? Schemas are immutable, so the
// answer never changes; the weak map lets it go with the schema.
const conversionNeeded = new WeakMap<JsonObject, boolean>();

/** The JSON value `value` as a CEL input, typed by `schema` (undefined: no schema, dynamic). */
export function toCelValue(value: unknown, schema: JsonObject | undefined): CelInput {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // An integer where the schema says number stays a double, like Kubernetes.
      if (schema?.type === 'number') return value;
      return Number.isInteger(value) ? BigInt(value) : value;
    case 'object':
      break;
    default:
      return null;
  }
  if (schema !== undefined && !needsConversion(schema) && isPlain(value)) {
    // A shallow Map: the evaluator would otherwise re-wrap a plain object on every access to it.
    return Array.isArray(value) ? (value as CelInput[]) : new Map(Object.entries(value as Record<string, CelInput>));
  }
  if (Array.isArray(value)) {
    const items = schema && isJsonObject(schema.items) ? schema.items : undefined;
    return value.map((v: unknown) => toCelValue(v, items));
  }
  const props = schema && isJsonObject(schema.properties) ? schema.properties : undefined;
  const additional = schema && isJsonObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
  const map = new Map<string, CelInput>();
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const sub = props?.[key];
    map.set(key, toCelValue(v, isJsonObject(sub) ? sub : additional));
  }
  return map;
}

/** True if some value under this schema is an integer or untyped (so JSON numbers must become CEL ints). */
function needsConversion(schema: JsonObject): boolean {
  let known = conversionNeeded.get(schema);
  if (known === undefined) {
    conversionNeeded.set(schema, true); // guards against cycles while computing
    known = computeNeedsConversion(schema);
    conversionNeeded.set(schema, known);
  }
  return known;
}

function computeNeedsConversion(schema: JsonObject): boolean {
  switch (schema.type) {
    case 'string':
    case 'boolean':
    case 'number':
      return false;
    case 'array':
      return !isJsonObject(schema.items) || needsConversion(schema.items);
    case 'object':
      if (schema['x-kubernetes-preserve-unknown-fields'] === true) return true;
      if (isJsonObject(schema.additionalProperties) && needsConversion(schema.additionalProperties)) return true;
      if (schema.additionalProperties === true) return true;
      if (isJsonObject(schema.properties)) {
        return Object.values(schema.properties).some((p) => !isJsonObject(p) || needsConversion(p));
      }
      return false;
    default:
      // integer, int-or-string, or no type at all.
      return true;
  }
}

/** Objects the evaluator can wrap itself: arrays and objects with the plain Object prototype. */
function isPlain(value: object): boolean {
  if (Array.isArray(value)) return true;
  if (!isRecord(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype;
}
