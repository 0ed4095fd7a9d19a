/**
 * What `ApiObject.toJson()` computes for an object of plain data, in one walk.
 *
 * cdk8s renders an object by resolving every value of it with the app's resolvers (per value: a
 * walk up the construct tree to the app, a copy of the key path, a context object, three resolver
 * calls) and then walking the result again to sort keys and drop nulls. For the Istio objects
 * trustmesh renders — data with one `Lazy` spec and no tokens — that was about a third of synth's
 * serialization cost. {@link plainApiObjectJson} returns the very same JSON with cdk8s's built-in
 * resolvers' rules applied directly, and declines (returns `undefined`, so the caller takes cdk8s's
 * own path) whenever the result could differ: an app with custom resolvers, JSON patches on the
 * object, `CDK8S_DISABLE_SORT`, a value that is neither plain data nor a `Lazy`, or any error.
 *
 * @module
 */
import { ApiObject, App, ImplicitTokenResolver, IResolver, Lazy, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { convertedByShape, JsonShape, NOT_PLAIN } from './json-shape';

/** Thrown inside the walk when a value needs cdk8s's own resolution. */
const DECLINE = Symbol('decline');

/** Whether `app` resolves with exactly cdk8s's built-in resolvers, unchanged, in their order. */
export function hasBuiltInResolvers(app: App): boolean {
  const r = app.resolvers;
  return r.length === 3 && isExactly(r[0], LazyResolver) && isExactly(r[1], ImplicitTokenResolver) && isExactly(r[2], NumberStringUnionResolver);
}

function isExactly(resolver: IResolver, C: new () => IResolver): boolean {
  return Object.getPrototypeOf(resolver) === C.prototype && resolver.resolve === C.prototype.resolve;
}

/**
 * `ApiObject.toJson()` of `object` (before a generated class's own conversion), computed without
 * cdk8s's per-value resolution; `undefined` when only cdk8s's own path gives the same result.
 * @param props the props the ApiObject was constructed with (`apiVersion`, `kind`, `metadata`, …)
 * @param patched whether JSON patches were added to the object
 */
export function plainApiObjectJson(object: ApiObject, props: Readonly<Record<string, unknown>>,
  patched: boolean): Record<string, unknown> | undefined {
  if (!resolvesPlainly(object, patched)) return undefined;
  try {
    return resolvedProps(props, plainMetadataJson(object));
  } catch {
    // Declined, or an error cdk8s reports in its own words (its path re-renders and throws it).
    return undefined;
  }
}

/**
 * The JSON of a generated class's object of `{ metadata, spec }` props whose spec converter is
 * described by `specShape` (see ./json-shape), with that spec produced once: the final JSON
 * (`converted: true`) when the spec is plain data of that shape — the spec itself then, not a
 * copy —, else what {@link plainApiObjectJson} returns, for the generated conversion
 * (`converted: false`); `undefined` when only cdk8s's own path gives the same result.
 * @param gvk the generated class's `GVK`
 * @param props what the generated class was constructed with (`metadata` and `spec`)
 * @param patched whether JSON patches were added to the object
 */
export function shapedApiObjectJson(object: ApiObject, gvk: { readonly apiVersion: string; readonly kind: string },
  props: Readonly<Record<string, unknown>>, patched: boolean, specShape: JsonShape,
): { readonly json: Record<string, unknown>; readonly converted: boolean } | undefined {
  if (!resolvesPlainly(object, patched)) return undefined;
  try {
    const metadata = plainMetadataJson(object);
    // LazyResolver replaces a Lazy by what it produces: produced here once, for both paths below.
    const spec = props.spec instanceof Lazy ? props.spec.produce() : props.spec;
    if (hasOnlyMetadataAndSpec(props)) {
      try {
        return { json: { apiVersion: gvk.apiVersion, kind: gvk.kind, metadata, spec: convertedByShape(spec, specShape) }, converted: true };
      } catch (e) {
        if (e !== NOT_PLAIN) throw e;
      }
    }
    return { json: resolvedProps({ ...gvk, ...props, spec }, metadata), converted: false };
  } catch {
    return undefined;
  }
}

function hasOnlyMetadataAndSpec(props: Readonly<Record<string, unknown>>): boolean {
  let n = 0;
  for (const k in props) {
    if (k !== 'metadata' && k !== 'spec') return false;
    n++;
  }
  return n === 2;
}

/** Whether cdk8s's resolution of `object` may be replaced by this module's. */
function resolvesPlainly(object: ApiObject, patched: boolean): boolean {
  // App.of(object) is the root of its tree (the construct without a scope): node.root, without the walk.
  return !patched && !process.env.CDK8S_DISABLE_SORT && hasBuiltInResolvers(object.node.root as App);
}

/** `props` resolved and sorted, with `metadata` as given, in cdk8s's top-level key order. */
function resolvedProps(props: Readonly<Record<string, unknown>>, metadata: unknown): Record<string, unknown> {
  const json = resolvedSorted({ ...props, metadata }) as Record<string, unknown>;
  // cdk8s puts apiVersion, kind and metadata first, then the other keys (sorted).
  const result: Record<string, unknown> = {};
  for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(json)]) {
    if (k in json) result[k] = json[k];
  }
  return result;
}

/** The fields cdk8s's `ApiObjectMetadataDefinition.toJson()` reads (private in its typings). */
interface MetadataFields {
  readonly name?: unknown;
  readonly namespace?: unknown;
  readonly labels?: unknown;
  readonly annotations?: unknown;
  readonly finalizers?: unknown;
  readonly ownerReferences?: unknown;
  readonly _additionalAttributes?: unknown;
}

const METADATA_FIELDS = ['labels', 'annotations', 'finalizers', 'ownerReferences', '_additionalAttributes'];

/**
 * `object.metadata.toJson()` for plain data: cdk8s's `sanitizeValue(resolve(metadata),
 * { filterEmptyArrays: true, filterEmptyObjects: true })` over the same fields, without its
 * per-value resolution (synth10: ~7% of serializing an S=8,000 mesh); throws {@link DECLINE} when
 * cdk8s's definition does not have the fields this reads, or for anything but plain data.
 */
function plainMetadataJson(object: ApiObject): unknown {
  const m = object.metadata as unknown as MetadataFields;
  if (!METADATA_FIELDS.every((f) => f in m)) throw DECLINE;
  const additional = m._additionalAttributes;
  if (additional === null || typeof additional !== 'object') throw DECLINE;
  const json = isEmptyRecord(additional) ? sortedMetadataJson(m) : withoutEmpty(resolvedSorted({
    ...additional,
    name: m.name,
    namespace: m.namespace,
    annotations: m.annotations,
    finalizers: m.finalizers,
    ownerReferences: m.ownerReferences,
    labels: m.labels,
  }));
  if (json === undefined) throw DECLINE;
  return json;
}

/**
 * The same for metadata without additional attributes (every Istio object's): the fields in their
 * sorted order, each resolved and emptied on its own, without the record of all of them to sort.
 */
function sortedMetadataJson(m: MetadataFields): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let empty = true;
  // In code-unit order, as resolvedSorted would sort them.
  for (const [k, v] of [
    ['annotations', m.annotations], ['finalizers', m.finalizers], ['labels', m.labels],
    ['name', m.name], ['namespace', m.namespace], ['ownerReferences', m.ownerReferences],
  ] as const) {
    // The empty lists and records every object has are dropped by withoutEmpty: nothing to resolve.
    const r = isEmptyPlain(v) ? undefined : withoutEmpty(resolvedSorted(v));
    if (r !== undefined && r !== null) {
      out[k] = r;
      empty = false;
    }
  }
  return empty ? undefined : out;
}

/** An empty array or plain record that resolvedSorted leaves as it is (no token, no union value). */
function isEmptyPlain(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const v = value as { resolve?: unknown; value?: unknown; constructor?: unknown };
  if (typeof v.resolve === 'function') return false;
  if (Array.isArray(value)) return value.length === 0 && typeof v.value !== 'number' && typeof v.value !== 'string';
  return v.constructor === Object && isEmptyRecord(value);
}

function isEmptyRecord(record: object): boolean {
  for (const k in record) if (Object.prototype.hasOwnProperty.call(record, k)) return false;
  return true;
}

/** sanitizeValue's `filterEmptyArrays` and `filterEmptyObjects` over resolved, sorted data. */
function withoutEmpty(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    // sanitizeValue keeps an element it empties as undefined; leave that case to cdk8s.
    return value.map((v) => {
      const r = withoutEmpty(v);
      if (r === undefined || r === null) throw DECLINE;
      return r;
    });
  }
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  let empty = true;
  for (const k of Object.keys(record)) {
    const r = withoutEmpty(record[k]);
    if (r !== undefined && r !== null) {
      out[k] = r;
      empty = false;
    }
  }
  return empty ? undefined : out;
}

/**
 * cdk8s's `sanitizeValue(resolve(value), { sortKeys: true })` with the built-in resolvers, for plain
 * data and `Lazy` values; throws {@link DECLINE} for anything else.
 */
function resolvedSorted(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  // LazyResolver comes first: a Lazy is replaced by what it produces, which is resolved in turn.
  if (value instanceof Lazy) return resolvedSorted(value.produce());
  const v = value as { resolve?: unknown; value?: unknown; constructor?: unknown };
  // ImplicitTokenResolver: anything with a resolve() method is a token.
  if (typeof v.resolve === 'function') throw DECLINE;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') {
    // NumberStringUnionResolver looks at `.value` of everything but plain objects.
    if (typeof v.value === 'number' || typeof v.value === 'string') throw DECLINE;
    return value;
  }
  if (type !== 'object') throw DECLINE;
  if (Array.isArray(value)) {
    if (typeof v.value === 'number' || typeof v.value === 'string') throw DECLINE;
    return value.map(resolvedSorted); // map, as cdk8s does: holes stay holes
  }
  if (v.constructor !== Object) throw DECLINE;
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(record).sort()) {
    const r = resolvedSorted(record[k]);
    if (r !== null && r !== undefined) out[k] = r;
  }
  return out;
}
