/**
 * A yes/no structural check of a schema made by `toAjvSchema`, without compiling it with ajv.
 *
 * Compiling a kind's schema with ajv is the biggest fixed cost of a validation (tens of
 * milliseconds per kind, more while ajv's code generator is cold), and synth's objects are valid:
 * ajv's error objects are only needed for the objects that fail. This check answers valid or not
 * exactly as ajv does for the keywords `toAjvSchema` emits (each ported from ajv's generated
 * code: its type tests with `strictNumbers`, `ucs2length`, enum and uniqueItems equality, the
 * `multipleOf` test, format applicability), and the validator compiles ajv for the objects it
 * rejects, so every error message is still ajv's.
 *
 * @module
 */
import type { Format } from 'ajv';
import ajvEqual from 'ajv/dist/runtime/equal';
import ucs2length from 'ajv/dist/runtime/ucs2length';
import { KUBERNETES_FORMATS, listMapKeysUnique } from './schema-ajv';
import { LIST_MAP_KEYS_KEYWORD } from './structural-schema';

/** fast-deep-equal, as ajv's generated code calls it (its typings describe a namespace). */
const equal = ajvEqual as unknown as (a: unknown, b: unknown) => boolean;

/** Whether a value satisfies the schema. */
export type QuickCheck = (data: unknown) => boolean;

/** The keywords `toAjvSchema` emits; a schema with any other is left to ajv. */
const KNOWN_KEYWORDS: ReadonlySet<string> = new Set([
  'type', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength',
  'pattern', 'format', 'minItems', 'maxItems', 'uniqueItems', 'items', LIST_MAP_KEYS_KEYWORD, 'required', 'properties',
  'additionalProperties', 'minProperties', 'maxProperties', 'allOf', 'anyOf', 'oneOf', 'not',
]);

/**
 * The check of an ajv schema from `toAjvSchema`, or undefined if the schema holds something this
 * check does not port (an unknown keyword or format, a keyword value of an unexpected type).
 *
 * @example
 * const check = quickSchemaCheck(toAjvSchema(crd.schema!).schema);
 * if (check && check(object)) return []; // else compile ajv for the errors
 */
export function quickSchemaCheck(schema: Record<string, unknown>): QuickCheck | undefined {
  try {
    return compileNode(schema);
  } catch (e) {
    if (e instanceof Unported) return undefined;
    throw e;
  }
}

class Unported extends Error {}

function unported(what: string): never {
  throw new Unported(what);
}

function compileNode(schema: unknown): QuickCheck {
  if (typeof schema === 'boolean') return schema ? () => true : () => false;
  if (!isPlainObject(schema)) return unported('schema is not an object');
  for (const key of Object.keys(schema)) if (!KNOWN_KEYWORDS.has(key)) unported(`keyword ${key}`);

  const checks: QuickCheck[] = [];
  if (schema.type !== undefined) checks.push(typeCheck(schema.type));
  if (schema.enum !== undefined) checks.push(enumCheck(schema.enum));
  const numberChecks = numberKeywords(schema);
  if (numberChecks.length > 0) {
    const numberCheck = allOf(numberChecks);
    checks.push((d) => !isNumber(d) || numberCheck(d));
  }
  const stringChecks = stringKeywords(schema);
  if (stringChecks.length > 0) {
    const stringCheck = allOf(stringChecks);
    checks.push((d) => typeof d !== 'string' || stringCheck(d));
  }
  const arrayChecks = arrayKeywords(schema);
  if (arrayChecks.length > 0) {
    const arrayCheck = allOf(arrayChecks);
    checks.push((d) => !Array.isArray(d) || arrayCheck(d));
  }
  const objectChecks = objectKeywords(schema);
  if (objectChecks.length > 0) {
    const objectCheck = allOf(objectChecks);
    checks.push((d) => !isPlainObject(d) || objectCheck(d));
  }
  for (const c of combinators(schema)) checks.push(c);
  return allOf(checks);
}

/** One check that holds when all of `checks` hold (plain loops: this runs for every value of every object). */
function allOf<T>(checks: ReadonlyArray<(d: T) => boolean>): (d: T) => boolean {
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0];
  if (checks.length === 2) {
    const [a, b] = checks;
    return (d) => a(d) && b(d);
  }
  return (d) => {
    for (let i = 0; i < checks.length; i++) if (!checks[i](d)) return false;
    return true;
  };
}

// ajv's checkDataType with strictNumbers: numbers must be finite, integers also whole.
const TYPE_TESTS: Readonly<Record<string, QuickCheck>> = {
  string: (d) => typeof d === 'string',
  boolean: (d) => typeof d === 'boolean',
  number: (d) => isNumber(d),
  integer: (d) => isNumber(d) && !((d as number) % 1),
  null: (d) => d === null,
  array: (d) => Array.isArray(d),
  object: (d) => isPlainObject(d),
};

function typeCheck(type: unknown): QuickCheck {
  const names = Array.isArray(type) ? type : [type];
  const tests = names.map((n) => (typeof n === 'string' && Object.hasOwn(TYPE_TESTS, n) ? TYPE_TESTS[n] : unported(`type ${String(n)}`)));
  if (tests.length === 1) return tests[0];
  return (d) => {
    for (let i = 0; i < tests.length; i++) if (tests[i](d)) return true;
    return false;
  };
}

// ajv compares object values with fast-deep-equal and everything else with ===.
function enumCheck(values: unknown): QuickCheck {
  if (!Array.isArray(values)) return unported('enum is not a list');
  return (d) => values.some((v) => (typeof v === 'object' && v !== null ? equal(d, v) : d === v));
}

function numberKeywords(schema: Record<string, unknown>): Array<(d: number) => boolean> {
  const checks: Array<(d: number) => boolean> = [];
  const bound = (keyword: string): number | undefined => {
    const v = schema[keyword];
    return v === undefined ? undefined : typeof v === 'number' ? v : unported(`${keyword} is not a number`);
  };
  const minimum = bound('minimum');
  const maximum = bound('maximum');
  const exclusiveMinimum = bound('exclusiveMinimum');
  const exclusiveMaximum = bound('exclusiveMaximum');
  const multipleOf = bound('multipleOf');
  if (minimum !== undefined) checks.push((d) => !(d < minimum));
  if (maximum !== undefined) checks.push((d) => !(d > maximum));
  if (exclusiveMinimum !== undefined) checks.push((d) => !(d <= exclusiveMinimum));
  if (exclusiveMaximum !== undefined) checks.push((d) => !(d >= exclusiveMaximum));
  if (multipleOf !== undefined) {
    checks.push((d) => {
      if (multipleOf === 0) return false;
      const res = d / multipleOf;
      return res === parseInt(String(res), 10);
    });
  }
  const format = formatOf(schema);
  if (format?.type === 'number') checks.push(format.test as (d: number) => boolean);
  return checks;
}

function stringKeywords(schema: Record<string, unknown>): Array<(d: string) => boolean> {
  const checks: Array<(d: string) => boolean> = [];
  const { minLength, maxLength, pattern } = schema;
  if (minLength !== undefined) {
    if (typeof minLength !== 'number') unported('minLength is not a number');
    checks.push((d) => !(ucs2length(d) < minLength));
  }
  if (maxLength !== undefined) {
    if (typeof maxLength !== 'number') unported('maxLength is not a number');
    checks.push((d) => !(ucs2length(d) > maxLength));
  }
  if (pattern !== undefined) {
    if (typeof pattern !== 'string') unported('pattern is not a string');
    const re = new RegExp(pattern, 'u');
    checks.push((d) => re.test(d));
  }
  const format = formatOf(schema);
  if (format?.type === 'string') checks.push(format.test as (d: string) => boolean);
  return checks;
}

function formatOf(schema: Record<string, unknown>): { readonly type: string; readonly test: (d: never) => boolean } | undefined {
  const name = schema.format;
  if (name === undefined) return undefined;
  const def: Format | undefined = typeof name === 'string' && Object.hasOwn(KUBERNETES_FORMATS, name) ? KUBERNETES_FORMATS[name] : undefined;
  if (def === undefined || def === true) return unported(`format ${String(name)}`);
  // ajv: a definition object names the type it applies to (default string); its validate, like a bare format, is a pattern or a test.
  const [type, validate] = typeof def === 'object' && !(def instanceof RegExp) ? [def.type ?? 'string', def.validate] : ['string', def];
  if (typeof def === 'object' && 'async' in def && def.async) unported(`async format ${name as string}`);
  if (validate instanceof RegExp) return { type, test: (d: string) => validate.test(d) };
  const fn = validate as (d: unknown) => unknown;
  return { type, test: (d: never) => Boolean(fn(d)) };
}

function arrayKeywords(schema: Record<string, unknown>): Array<(d: readonly unknown[]) => boolean> {
  const checks: Array<(d: readonly unknown[]) => boolean> = [];
  const { minItems, maxItems, uniqueItems, items } = schema;
  const mapKeys = schema[LIST_MAP_KEYS_KEYWORD];
  if (minItems !== undefined) {
    if (typeof minItems !== 'number') unported('minItems is not a number');
    checks.push((d) => !(d.length < minItems));
  }
  if (maxItems !== undefined) {
    if (typeof maxItems !== 'number') unported('maxItems is not a number');
    checks.push((d) => !(d.length > maxItems));
  }
  if (uniqueItems !== undefined) {
    if (typeof uniqueItems !== 'boolean') unported('uniqueItems is not a boolean');
    if (uniqueItems) checks.push(uniqueItemsCheck(items));
  }
  if (items !== undefined) {
    if (Array.isArray(items)) unported('tuple items');
    const item = compileNode(items);
    checks.push((d) => {
      for (let i = 0; i < d.length; i++) if (!item(d[i])) return false;
      return true;
    });
  }
  if (mapKeys !== undefined) {
    if (!Array.isArray(mapKeys) || !mapKeys.every((k) => typeof k === 'string')) unported(`${LIST_MAP_KEYS_KEYWORD} is not a list of names`);
    checks.push((d) => listMapKeysUnique(mapKeys as string[], d));
  }
  return checks;
}

/**
 * ajv's uniqueItems: for item schemas of scalar types, a lookup of the items of those types by
 * their property-key form (strings suffixed when several types share the table); otherwise
 * fast-deep-equal between every pair.
 */
function uniqueItemsCheck(items: unknown): (d: readonly unknown[]) => boolean {
  const itemType = isPlainObject(items) ? items.type : undefined;
  const itemTypes = itemType === undefined ? [] : Array.isArray(itemType) ? itemType : [itemType];
  if (!itemTypes.every((t) => typeof t === 'string' && Object.hasOwn(TYPE_TESTS, t))) unported('uniqueItems item types');
  if (itemTypes.length > 0 && !itemTypes.some((t) => t === 'object' || t === 'array')) {
    const tests = itemTypes.map((t: string) => TYPE_TESTS[t]);
    const several = itemTypes.length > 1;
    return (d) => {
      const indices: Record<string, unknown> = {};
      for (let i = d.length; i--;) {
        let item = d[i];
        if (!tests.some((t) => t(item))) continue;
        if (several && typeof item === 'string') item += '_';
        const key = item as string;
        if (typeof indices[key] === 'number') return false;
        indices[key] = i;
      }
      return true;
    };
  }
  return (d) => {
    for (let i = d.length; i--;) for (let j = i; j--;) if (equal(d[i], d[j])) return false;
    return true;
  };
}

function objectKeywords(schema: Record<string, unknown>): Array<(d: Readonly<Record<string, unknown>>) => boolean> {
  const checks: Array<(d: Readonly<Record<string, unknown>>) => boolean> = [];
  const { required, properties, additionalProperties, minProperties, maxProperties } = schema;
  if (minProperties !== undefined) {
    if (typeof minProperties !== 'number') unported('minProperties is not a number');
    checks.push((d) => !(Object.keys(d).length < minProperties));
  }
  if (maxProperties !== undefined) {
    if (typeof maxProperties !== 'number') unported('maxProperties is not a number');
    checks.push((d) => !(Object.keys(d).length > maxProperties));
  }
  if (required !== undefined) {
    if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) unported('required is not a list of names');
    const names = required as string[];
    checks.push((d) => {
      for (let i = 0; i < names.length; i++) if (d[names[i]] === undefined) return false;
      return true;
    });
  }
  if (properties !== undefined && !isPlainObject(properties)) unported('properties is not an object');
  const props = (properties ?? {}) as Record<string, unknown>;
  const names = Object.keys(props);
  const subs = new Map(names.map((n) => [n, compileNode(props[n])]));
  const extra = additionalProperties === undefined || additionalProperties === true ? undefined : compileNode(additionalProperties);
  if (names.length > 0 || extra) checks.push(fieldsCheck(names, subs, extra));
  return checks;
}

/**
 * `properties` and `additionalProperties`. ajv reads each property by name (`data.name !==
 * undefined`) and walks `for (key in data)` for the others, checking even a key whose value is
 * undefined. A plain object's keys are the only names it has a value for, unless a property is
 * named like something every object inherits (`constructor`): then, and for objects of other
 * prototypes, by name as ajv does; else one walk over the object's few keys, not the schema's many.
 */
function fieldsCheck(
  names: readonly string[], subs: ReadonlyMap<string, QuickCheck>, extra: QuickCheck | undefined,
): (d: Readonly<Record<string, unknown>>) => boolean {
  const byKeys = !names.some((n) => n in Object.prototype);
  const checks = names.map((n) => subs.get(n)!);
  return (d) => {
    const proto: unknown = Object.getPrototypeOf(d);
    if (byKeys && (proto === Object.prototype || proto === null)) {
      for (const key in d) {
        const sub = subs.get(key);
        const v = d[key];
        if (sub !== undefined ? v !== undefined && !sub(v) : extra !== undefined && !extra(v)) return false;
      }
      return true;
    }
    for (let i = 0; i < names.length; i++) {
      const v = d[names[i]];
      if (v !== undefined && !checks[i](v)) return false;
    }
    if (extra !== undefined) for (const key in d) if (!subs.has(key) && !extra(d[key])) return false;
    return true;
  };
}

function combinators(schema: Record<string, unknown>): QuickCheck[] {
  const checks: QuickCheck[] = [];
  const branches = (keyword: string): QuickCheck[] | undefined => {
    const list = schema[keyword];
    if (list === undefined) return undefined;
    return Array.isArray(list) ? list.map(compileNode) : unported(`${keyword} is not a list`);
  };
  const every = branches('allOf');
  const anyOf = branches('anyOf');
  const oneOf = branches('oneOf');
  if (every) checks.push(allOf(every));
  if (anyOf) checks.push((d) => anyOf.some((c) => c(d)));
  if (oneOf) checks.push((d) => oneOf.filter((c) => c(d)).length === 1);
  if (schema.not !== undefined) {
    const not = compileNode(schema.not);
    checks.push((d) => !not(d));
  }
  return checks;
}

function isNumber(d: unknown): d is number {
  return typeof d === 'number' && isFinite(d);
}

function isPlainObject(d: unknown): d is Record<string, unknown> {
  return typeof d === 'object' && d !== null && !Array.isArray(d);
}
