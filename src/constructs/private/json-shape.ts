/**
 * What a generated `toJson_<Kind>Spec` converter (from `imports/`) makes of a plain value, without
 * running it.
 *
 * cdk8s serializes a generated L1 object in two walks after resolving it: it copies the resolved
 * props with sorted keys and no nulls, and the generated converter copies them again, property by
 * property of the CRD schema (in the schema's order), leaving out keys the schema does not have.
 * For a spec whose objects already hold only schema properties, in that order, with no null or
 * undefined members, the result is the spec itself. {@link convertedByShape} returns that value
 * for such a spec (the very same object, not a copy) and a copy where keys need sorting or empty
 * members dropping; it throws {@link NOT_PLAIN} for anything whose result it cannot tell apart
 * from cdk8s's own: a token, a `Lazy`, another prototype, a key outside the schema, a null or
 * undefined list element, a list with holes.
 *
 * A {@link JsonShape} describes the converter of one kind: which properties each schema object
 * has (its generated converter lists them in ascending order, which test/constructs/private
 * checks for every shape here), and which are lists or string maps.
 *
 * @module
 */

/** Thrown when a value needs cdk8s's own resolution and conversion. */
export const NOT_PLAIN = Symbol('not plain');

/** How a generated converter converts one value. */
export type JsonShape =
  /** A string, number or boolean: copied as it is. */
  | { readonly kind: 'scalar' }
  /** A list, converted element by element (`obj.x?.map(…)`). */
  | { readonly kind: 'list'; readonly of: JsonShape }
  /** An object of scalars under any keys (a schema `additionalProperties` of strings). */
  | { readonly kind: 'map' }
  /** A schema object: only these properties, in ascending order. */
  | { readonly kind: 'fields'; readonly fields: ReadonlyMap<string, JsonShape> };

/** A string, number or boolean. */
export const SCALAR: JsonShape = { kind: 'scalar' };

/** An object of scalars under any keys (`matchLabels`, …). */
export const SCALAR_MAP: JsonShape = { kind: 'map' };

/** A list of `of`. */
export function listOf(of: JsonShape): JsonShape {
  return { kind: 'list', of };
}

/** A schema object of these properties. */
export function fieldsOf(fields: Readonly<Record<string, JsonShape>>): JsonShape {
  return { kind: 'fields', fields: new Map(Object.entries(fields)) };
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * `toJson_X(resolve(value))` for a value of `shape`, where `resolve` is cdk8s's resolution with its
 * built-in resolvers and key sorting, and `toJson_X` the generated converter `shape` describes:
 * `value` itself when it is in that form already, else a copy that shares what is.
 * @throws {@link NOT_PLAIN} when only cdk8s's own resolution gives the result
 */
export function convertedByShape(value: unknown, shape: JsonShape): unknown {
  switch (shape.kind) {
    case 'scalar':
      return scalar(value);
    case 'list':
      return list(value, shape.of);
    case 'map':
      return object(value, undefined);
    case 'fields':
      return object(value, shape.fields);
  }
}

function scalar(value: unknown): unknown {
  const type = typeof value;
  if (type !== 'string' && type !== 'number' && type !== 'boolean') throw NOT_PLAIN;
  // What cdk8s's ImplicitTokenResolver and NumberStringUnionResolver look at (on the prototype).
  const v = value as { resolve?: unknown; value?: unknown };
  if (typeof v.resolve === 'function' || typeof v.value === 'number' || typeof v.value === 'string') throw NOT_PLAIN;
  return value;
}

function list(value: unknown, of: JsonShape): unknown {
  if (!Array.isArray(value)) throw NOT_PLAIN;
  const v = value as { resolve?: unknown; value?: unknown };
  if (typeof v.resolve === 'function' || typeof v.value === 'number' || typeof v.value === 'string') throw NOT_PLAIN;
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    // A hole or a null element: cdk8s keeps it (as a hole or undefined), which YAML cannot write alike.
    if (!(i in value)) throw NOT_PLAIN;
    const element: unknown = value[i];
    if (element === null || element === undefined) throw NOT_PLAIN;
    const converted = convertedByShape(element, of);
    if (converted !== element) (out ??= value.slice(0, i)).push(converted);
    else if (out) out.push(element);
  }
  return out ?? value;
}

/**
 * A plain object: of scalars under any keys when `fields` is undefined, else of these properties.
 * cdk8s's resolution drops null and undefined members and sorts the keys; the converter keeps the
 * schema's properties in their (ascending) order.
 */
function object(value: unknown, fields: ReadonlyMap<string, JsonShape> | undefined): unknown {
  if (value === null || typeof value !== 'object') throw NOT_PLAIN;
  const v = value as { resolve?: unknown; constructor?: unknown };
  if (v.constructor !== Object || typeof v.resolve === 'function') throw NOT_PLAIN;
  const record = value as Record<string, unknown>;
  let copy = false;
  let previous: string | undefined;
  let converted: Map<string, unknown> | undefined;
  for (const k in record) {
    if (!hasOwn.call(record, k)) continue;
    // Out of order: integer-like keys (enumerated first), or keys written unsorted.
    if (previous !== undefined && !(previous < k)) copy = true;
    previous = k;
    const member = record[k];
    if (member === null || member === undefined) {
      copy = true;
      continue;
    }
    const shape = fields ? fields.get(k) : SCALAR;
    if (!shape) throw NOT_PLAIN;
    const c = convertedByShape(member, shape);
    if (c !== member) (converted ??= new Map()).set(k, c);
  }
  if (!copy && !converted) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(record).sort()) {
    const member = record[k];
    if (member === null || member === undefined) continue;
    out[k] = converted?.has(k) ? converted.get(k) : member;
  }
  return out;
}
