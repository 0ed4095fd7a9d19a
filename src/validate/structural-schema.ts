/**
 * Kubernetes structural schema (a CRD's `openAPIV3Schema`) to the JSON Schema ajv validates with.
 *
 * Kubernetes semantics kept:
 * - unknown fields are errors (kubectl's default `--validate=strict` rejects them; the API server
 *   would otherwise prune them silently, and a pruned typo in a security policy is a hole), except
 *   under `x-kubernetes-preserve-unknown-fields: true` or an explicit `additionalProperties`;
 * - `x-kubernetes-int-or-string` accepts an integer or a string;
 * - `nullable: true` accepts `null` (anything else rejects it: the API server would drop the field);
 * - `x-kubernetes-list-type: set` items are unique, `map` items are unique by their
 *   `x-kubernetes-list-map-keys` (checked by the custom keyword of `schema-ajv.ts`);
 * - OpenAPI 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum` become their numeric draft-07 form;
 * - the implicit `apiVersion`, `kind` and `metadata` of every object (and of
 *   `x-kubernetes-embedded-resource` fields) are allowed.
 *
 * `x-kubernetes-validations` (CEL) are not part of the result: `cel-rules.ts` evaluates them.
 *
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 * @module
 */
import { isJsonObject, type JsonObject, type JsonValue } from './json';

/** Formats we check (see `schema-ajv.ts`); any other format is accepted unchecked, as on the API server. */
const CHECKED_FORMATS: ReadonlySet<string> = new Set([
  'int32', 'int64', 'uint32', 'float', 'double', 'byte', 'date-time', 'datetime', 'date', 'duration',
  'ipv4', 'ipv6', 'cidr', 'mac', 'uuid', 'uuid3', 'uuid4', 'uuid5', 'hostname', 'email', 'uri',
]);

/** Keyword name of the list-map uniqueness check registered on ajv. */
export const LIST_MAP_KEYS_KEYWORD = 'x-kubernetes-list-map-keys';

/** JSON Schema keywords copied as they are. */
const COPIED = new Set([
  'required', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems',
  'uniqueItems', 'minProperties', 'maxProperties', 'multipleOf',
]);

/** The ajv schema and what could not be carried over. */
export interface AjvSchemaResult {
  /** JSON Schema (draft-07 flavoured) for ajv. */
  readonly schema: Record<string, unknown>;
  /** Parts of the source schema that are not checked, e.g. a `pattern` JavaScript cannot compile. */
  readonly unchecked: readonly string[];
}

/**
 * Converts a CRD version's `openAPIV3Schema` (the root, describing the whole object).
 *
 * @example
 * const { schema } = toAjvSchema(crd.schema);
 * const validate = createSchemaAjv().compile(schema);
 */
export function toAjvSchema(root: JsonObject): AjvSchemaResult {
  const unchecked: string[] = [];
  const schema = convert(root, { path: '', structural: true, embedded: true, unchecked });
  return { schema, unchecked };
}

interface Context {
  /** Path in the schema for notes, e.g. `.spec.rules[*]`. */
  readonly path: string;
  /** False inside allOf/anyOf/oneOf/not, which only add value checks (no new fields, no strictness). */
  readonly structural: boolean;
  /** The node is a whole Kubernetes object (root or `x-kubernetes-embedded-resource`). */
  readonly embedded: boolean;
  readonly unchecked: string[];
}

function convert(node: JsonObject, ctx: Context): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const nullable = node.nullable === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = node['x-kubernetes-int-or-string'] === true;

  let type: string | string[] | undefined = typeof node.type === 'string' ? node.type : undefined;
  if (intOrString && type === undefined) type = ['integer', 'string'];
  if (type !== undefined && nullable) type = [...(Array.isArray(type) ? type : [type]), 'null'];
  if (type !== undefined) out.type = type;

  for (const key of COPIED) if (node[key] !== undefined) out[key] = node[key];
  if (nullable && Array.isArray(node.enum) && !node.enum.includes(null)) out.enum = [...node.enum, null];

  // OpenAPI 3.0 (and Kubernetes) spell exclusive bounds as a boolean next to minimum/maximum.
  if (node.exclusiveMinimum === true && typeof node.minimum === 'number') {
    delete out.minimum;
    out.exclusiveMinimum = node.minimum;
  } else if (typeof node.exclusiveMinimum === 'number') {
    out.exclusiveMinimum = node.exclusiveMinimum;
  }
  if (node.exclusiveMaximum === true && typeof node.maximum === 'number') {
    delete out.maximum;
    out.exclusiveMaximum = node.maximum;
  } else if (typeof node.exclusiveMaximum === 'number') {
    out.exclusiveMaximum = node.exclusiveMaximum;
  }

  if (typeof node.pattern === 'string') {
    if (compiles(node.pattern)) out.pattern = node.pattern;
    else ctx.unchecked.push(`${ctx.path || '.'}: pattern ${JSON.stringify(node.pattern)} (not a JavaScript regular expression)`);
  }
  if (typeof node.format === 'string' && CHECKED_FORMATS.has(node.format)) out.format = node.format;

  const properties: Record<string, unknown> = {};
  if (isJsonObject(node.properties)) {
    for (const [name, sub] of Object.entries(node.properties)) {
      if (isJsonObject(sub)) properties[name] = convert(sub, child(ctx, `${ctx.path}.${name}`, false));
    }
  }
  const embedded = ctx.embedded || node['x-kubernetes-embedded-resource'] === true;
  if (embedded && ctx.structural) {
    properties.apiVersion ??= { type: 'string' };
    properties.kind ??= { type: 'string' };
    // metadata is checked by object-metadata.ts; CRD schemas may not restrict it beyond name/generateName.
    properties.metadata ??= { type: 'object' };
  }
  if (Object.keys(properties).length > 0) out.properties = properties;

  if (isJsonObject(node.items)) out.items = convert(node.items, child(ctx, `${ctx.path}[*]`, false));
  if (isJsonObject(node.additionalProperties)) {
    out.additionalProperties = convert(node.additionalProperties, child(ctx, `${ctx.path}[*]`, false));
  } else if (typeof node.additionalProperties === 'boolean') {
    out.additionalProperties = node.additionalProperties;
  } else if (ctx.structural && !preserve && isObjectType(node, embedded)) {
    out.additionalProperties = false;
  }

  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const branches = node[key];
    if (Array.isArray(branches)) {
      out[key] = branches.filter(isJsonObject).map((b: JsonObject) => convert(b, { ...ctx, structural: false, embedded: false }));
    }
  }
  if (isJsonObject(node.not)) out.not = convert(node.not, { ...ctx, structural: false, embedded: false });

  const listType = node['x-kubernetes-list-type'];
  if (listType === 'set') out.uniqueItems = true;
  const mapKeys = node['x-kubernetes-list-map-keys'];
  if (listType === 'map' && Array.isArray(mapKeys) && mapKeys.every((k: JsonValue) => typeof k === 'string')) {
    out[LIST_MAP_KEYS_KEYWORD] = mapKeys;
  }
  return out;
}

function child(ctx: Context, path: string, embedded: boolean): Context {
  return { path, structural: ctx.structural, embedded, unchecked: ctx.unchecked };
}

function isObjectType(node: JsonObject, embedded: boolean): boolean {
  return node.type === 'object' || (embedded && node.type === undefined);
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}
