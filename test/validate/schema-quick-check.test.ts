import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrdSchemaSet } from '../../src/validate/crd-schema';
import { createSchemaAjv } from '../../src/validate/schema-ajv';
import { quickSchemaCheck } from '../../src/validate/schema-quick-check';
import { toAjvSchema } from '../../src/validate/structural-schema';
import { crdYaml } from '../helpers';

type Schema = Record<string, unknown>;

// Every keyword toAjvSchema emits, in the combinations Kubernetes allows and a few it does not.
const EVERY_KEYWORD = CrdSchemaSet.fromCrdYaml(crdYaml('Every', `
type: object
properties:
  spec:
    type: object
    required: [name]
    minProperties: 1
    maxProperties: 6
    properties:
      name: {type: string, minLength: 1, maxLength: 3, pattern: '^[a-z😀]+$'}
      size: {type: integer, minimum: 1, maximum: 10, multipleOf: 2}
      ratio: {type: number, minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true}
      step: {type: number, multipleOf: 0.5}
      port: {type: integer, format: int32}
      count: {type: integer, format: uint32, nullable: true}
      ip: {type: string, format: ipv4}
      net: {type: string, format: cidr}
      when: {type: string, format: date-time}
      wait: {type: string, format: duration}
      value: {x-kubernetes-int-or-string: true}
      mode: {type: string, enum: [A, B], nullable: true}
      tags: {type: array, items: {type: string}, x-kubernetes-list-type: set, maxItems: 3}
      mixed: {type: array, items: {x-kubernetes-int-or-string: true}, x-kubernetes-list-type: set}
      objs: {type: array, items: {type: object, x-kubernetes-preserve-unknown-fields: true}, uniqueItems: true, minItems: 1}
      ports:
        type: array
        x-kubernetes-list-type: map
        x-kubernetes-list-map-keys: [port, protocol]
        items: {type: object, properties: {port: {type: integer}, protocol: {type: string}}}
      labels: {type: object, additionalProperties: {type: string, maxLength: 2}}
      free: {type: object, x-kubernetes-preserve-unknown-fields: true}
      inherited: {type: object, properties: {constructor: {type: string}, a: {type: string}}}
      choice:
        type: object
        properties: {a: {type: string}, b: {type: string}}
        oneOf: [{required: [a]}, {required: [b]}]
      either:
        type: object
        properties: {a: {type: string}, b: {type: string}}
        anyOf: [{required: [a]}, {not: {required: [b]}}]
        allOf: [{not: {required: [a, b]}}]
`), 'every.yaml');

/** A value shaped by the schema, often valid, often broken in one place. */
function valueOf(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const wild = fc.oneof(
    fc.constantFrom(null, undefined, true, 0, -1, 1.5, 2 ** 31, 2 ** 32, Number.NaN, Infinity, '', 'a', '1', 'A', '😀', '10.0.0.1', '10.0.0.0/8', '1s'),
    fc.string({ maxLength: 4 }),
    fc.integer(),
    fc.double(),
    fc.constant([]),
    fc.constant({}),
  );
  if (depth > 6) return wild;
  const typed = typedValue(schema, depth);
  return typed ? fc.oneof({ arbitrary: typed, weight: 40 }, { arbitrary: wild, weight: 1 }) : wild;
}

function typedValue(schema: Schema, depth: number): fc.Arbitrary<unknown> | undefined {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const options: Array<fc.Arbitrary<unknown>> = [];
  if (Array.isArray(schema.enum)) options.push(fc.constantFrom(...(schema.enum as unknown[])));
  for (const type of types) {
    switch (type) {
      case 'string': options.push(fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('a', 'ab', 'abcd', 'a😀', '😀😀😀', 'ALLOW', '1s', '10.0.0.1', '::1/64', '2024-01-01T00:00:00Z'))); break;
      case 'integer': options.push(fc.oneof(fc.integer({ min: -3, max: 12 }), fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53))); break;
      case 'number': options.push(fc.oneof(fc.double({ min: -1, max: 2 }), fc.constantFrom(0, 0.5, 1, 1.25))); break;
      case 'boolean': options.push(fc.boolean()); break;
      case 'null': options.push(fc.constant(null)); break;
      case 'array': {
        const item = valueOf((schema.items ?? {}) as Schema, depth + 1);
        options.push(fc.array(item, { maxLength: 4 }).chain((list) => (list.length > 0
          ? fc.constantFrom(list, [...list, list[0]], [...list, JSON.parse(JSON.stringify(list[0] ?? null))])
          : fc.constant(list))));
        break;
      }
      case 'object': options.push(objectValue(schema, depth)); break;
      default: break;
    }
  }
  if (types.length === 0 && (schema.properties || schema.required)) options.push(objectValue(schema, depth));
  return options.length > 0 ? fc.oneof(...options) : undefined;
}

function objectValue(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = (Array.isArray(schema.required) ? schema.required : []).filter((k: string) => k in props);
  const optional = Object.keys(props).filter((k) => !required.includes(k));
  // The required fields and at most two others: every field added is one more chance to break the object.
  const record = fc.subarray(optional, { maxLength: Math.min(2, optional.length) }).chain((keys) => fc.record(
    Object.fromEntries([...required, ...keys].map((k) => [k, valueOf(props[k], depth + 1)])), { noNullPrototype: true }));
  const extraValue = typeof schema.additionalProperties === 'object' ? valueOf(schema.additionalProperties as Schema, depth + 1) : valueOf({}, depth + 1);
  const extras = fc.dictionary(fc.constantFrom('x', 'name', 'a', 'b', 'constructor', '__proto__'), extraValue, { maxKeys: 2, noNullPrototype: true });
  return fc.tuple(record, extras, fc.nat(7)).map(([r, e, n]) => (n === 0 ? { ...r, ...e } : r));
}

function kindsOf(set: CrdSchemaSet): Array<[string, Schema]> {
  const out: Array<[string, Schema]> = [];
  for (const crd of set.definitions) {
    for (const version of crd.versions) {
      const hit = set.lookup(`${crd.group}/${version}`, crd.kind);
      if (hit.found && !out.some(([, s]) => s === hit.schema)) out.push([`${crd.kind} ${crd.group}/${version}`, hit.schema as Schema]);
    }
  }
  return out;
}

const SETS: Array<[string, CrdSchemaSet]> = [
  ['every keyword', EVERY_KEYWORD], ['bundled 1.30.3', CrdSchemaSet.bundled()], ['bundled legacy', CrdSchemaSet.bundledLegacy()],
];

describe('quick schema check', () => {
  describe.each(SETS)('%s', (_name, set) => {
    it.each(kindsOf(set))('answers as ajv does for %s', (_kind, source) => {
      const schema = toAjvSchema(source as never).schema;
      const quick = quickSchemaCheck(schema);
      expect(quick).toBeDefined();
      const validate = createSchemaAjv({ trusted: set.trusted }).compile(schema);
      const spec = ((schema.properties as Record<string, Schema>).spec ?? {}) as Schema;
      const object = valueOf(spec).map((s) => ({ apiVersion: 'example.com/v1', kind: 'K', metadata: { name: 'n' }, spec: s }));
      const seen = { valid: 0, invalid: 0 };
      fc.assert(fc.property(object, (o) => {
        const verdict = validate(o);
        seen[verdict ? 'valid' : 'invalid']++;
        return quick!(o) === verdict;
      }), { numRuns: set === EVERY_KEYWORD ? 20_000 : 1_000, seed: 11 });
      // The values are worth comparing only if both verdicts come up often.
      expect(Math.min(seen.valid, seen.invalid) / (seen.valid + seen.invalid), JSON.stringify(seen)).toBeGreaterThan(0.02);
    });
  });

  it('accepts and rejects the edge cases of each keyword as ajv does', () => {
    const schema = toAjvSchema(EVERY_KEYWORD.definitions[0].schema!).schema;
    const quick = quickSchemaCheck(schema)!;
    const validate = createSchemaAjv().compile(schema);
    const spec = (s: object): object => ({ spec: { name: 'a', ...s } });
    const cases = [
      {}, spec({}), spec({ name: '😀😀😀' }), spec({ name: '😀😀😀😀' }), spec({ size: 4 }), spec({ size: 3 }), spec({ size: 12 }),
      spec({ ratio: 0 }), spec({ ratio: 0.5 }), spec({ ratio: 1 }), spec({ step: 1.5 }), spec({ step: 0.2 }), spec({ port: 2 ** 31 }),
      spec({ count: null }), spec({ count: -1 }), spec({ ip: '10.0.0.256' }), spec({ net: '10.0.0.0/33' }), spec({ net: '::1/64' }),
      spec({ when: '2024-02-30T00:00:00Z' }), spec({ wait: '1h30m' }), spec({ wait: '1d' }), spec({ value: 'x' }), spec({ value: 1.5 }),
      spec({ mode: null }), spec({ mode: 'C' }), spec({ tags: ['a', 'a'] }), spec({ mixed: [1, '1'] }), spec({ mixed: ['1', '1'] }),
      spec({ objs: [{ a: 1 }, { a: 1 }] }), spec({ objs: [] }), spec({ ports: [{ port: 1, protocol: 'TCP' }, { port: 1, protocol: 'TCP' }] }),
      spec({ ports: [{ port: 1, protocol: 'TCP' }, { port: 1, protocol: 'UDP' }] }), spec({ labels: { a: 'xyz' } }), spec({ labels: { a: undefined } }),
      spec({ choice: {} }), spec({ choice: { a: 'x' } }), spec({ choice: { a: 'x', b: 'y' } }), spec({ either: { b: 'x' } }),
      spec({ either: { a: 'x', b: 'y' } }), spec({ unknown: 1 }), spec({ size: undefined }), { spec: { name: 'a', a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 } },
    ];
    expect(cases.map((c) => quick(c))).toEqual(cases.map((c) => validate(c)));
  });

  it('leaves schemas with keywords it does not port to ajv', () => {
    expect(quickSchemaCheck({ type: 'object', patternProperties: { '^a': {} } })).toBeUndefined();
    expect(quickSchemaCheck({ type: 'string', format: 'no-such-format' })).toBeUndefined();
    expect(quickSchemaCheck({ type: 'object', required: 'a' })).toBeUndefined();
  });
});
