// The shaped fast path (json-shape.ts, istio-spec-shapes.ts) writes an AuthorizationPolicy's spec
// without cdk8s's resolution and the generated converter. It must give exactly their JSON, key
// order included, or decline; and each shape must describe its generated converter exactly.
import { App, Chart, IResolver, Lazy, ResolutionContext, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as security from '../../../imports/security.istio.io';
import { createIstioApiObject } from '../../../src/constructs/private/istio-api-object';
import { AUTHORIZATION_POLICY_SPEC } from '../../../src/constructs/private/istio-spec-shapes';
import { convertedByShape, JsonShape, NOT_PLAIN } from '../../../src/constructs/private/json-shape';
import { IstioManifest } from '../../../src/render/istio/manifest';

/** Leaves every value as it is, but makes the app's resolvers non-default: cdk8s's own path. */
class PassThrough implements IResolver {
  public resolve(_context: ResolutionContext): void {}
}

/** How a converter (or a shape) uses the value at each path: read as a list, as a map, or its properties. */
type Uses = Map<string, Set<string>>;

function use(uses: Uses, path: string, how: string): void {
  const set = uses.get(path) ?? new Set<string>();
  set.add(how);
  uses.set(path, set);
}

/**
 * What a generated converter reads: run on a proxy that records every property read (`/key`), each
 * `.map` (a list: its callback runs on one element, `[]`) and each `Object.entries` (a map).
 */
function converterUses(convert: (obj: never) => unknown): Uses {
  const uses: Uses = new Map();
  const probe = (path: string): unknown => new Proxy({}, {
    get(_target, key) {
      if (typeof key !== 'string') return undefined;
      if (key === 'map') {
        use(uses, path, 'list');
        return (cb: (element: unknown) => unknown) => [cb(probe(`${path}[]`))];
      }
      use(uses, path, 'object');
      use(uses, `${path}/${key}`, 'read');
      return probe(`${path}/${key}`);
    },
    ownKeys() {
      use(uses, path, 'map');
      return [];
    },
  });
  convert(probe('') as never);
  return uses;
}

/** The same, as `shape` describes it. */
function shapeUses(shape: JsonShape, path = '', uses: Uses = new Map()): Uses {
  switch (shape.kind) {
    case 'scalar':
      break;
    case 'list':
      use(uses, path, 'list');
      shapeUses(shape.of, `${path}[]`, uses);
      break;
    case 'map':
      use(uses, path, 'map');
      break;
    case 'fields':
      use(uses, path, 'object');
      for (const [k, s] of shape.fields) {
        use(uses, `${path}/${k}`, 'read');
        shapeUses(s, `${path}/${k}`, uses);
      }
      break;
  }
  return uses;
}

function sorted(uses: Uses): string[] {
  return [...uses].map(([path, how]) => `${path} ${[...how].sort().join('+')}`).sort();
}

/** A value of `shape` with every property present, keys in the shape's order. */
function fullValue(shape: JsonShape): unknown {
  switch (shape.kind) {
    case 'scalar':
      return 'x';
    case 'list':
      return [fullValue(shape.of)];
    case 'map':
      return { a: 'x', b: 'y' };
    case 'fields':
      return Object.fromEntries([...shape.fields].map(([k, s]) => [k, fullValue(s)]));
  }
}

/** Values of `shape` in the form the converter writes (sorted keys, no empty members). */
function plainOf(shape: JsonShape, depth = 0): fc.Arbitrary<unknown> {
  switch (shape.kind) {
    case 'scalar':
      return fc.oneof(fc.constantFrom('GET', '/a', 'ns/sa', ''), fc.integer({ min: -3, max: 3 }), fc.boolean());
    case 'list':
      return fc.array(plainOf(shape.of, depth + 1), { maxLength: depth > 3 ? 1 : 3 });
    case 'map':
      return fc.dictionary(fc.constantFrom('app', 'tier', 'b', '1', '10'), fc.constantFrom('x', 'y'), { maxKeys: 3, noNullPrototype: true })
        .map((d) => Object.fromEntries(Object.entries(d).sort(([a], [b]) => (a < b ? -1 : 1))));
    case 'fields': {
      const entries = [...shape.fields];
      return fc.subarray(entries, { maxLength: Math.min(4, entries.length) }).chain((chosen) =>
        fc.tuple(...chosen.map(([, s]) => plainOf(s, depth + 1))).map((values) =>
          Object.fromEntries(chosen.map(([k], i) => [k, values[i]]))));
    }
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Changes that may make cdk8s's result differ from the value itself. */
const CHANGES: ((v: unknown) => unknown)[] = [
  () => null,
  () => undefined,
  () => 'scalar',
  () => 7,
  () => ({}),
  () => [],
  () => [null],
  () => ({ unknownKey: ['x'] }),
  (v) => Lazy.any({ produce: () => v }),
  (v) => ({ resolve: () => v }),
  (v) => (isRecord(v) ? Object.fromEntries(Object.entries(v).reverse()) : v),
  (v) => (isRecord(v) ? { ...v, extra: 'x' } : v),
  (v) => (isRecord(v) ? { ...v, zzz: null, aaa: undefined } : v),
  (v) => (Array.isArray(v) ? [...v, undefined] : v),
  (v) => (isRecord(v) ? Object.assign(Object.create(null), v) : v),
  (v) => (Array.isArray(v) ? Object.assign([...v], { value: 'union' }) : v),
];

/** Changes anywhere in a value that may make cdk8s's result differ from the value itself. */
function perturbed(value: unknown): fc.Arbitrary<unknown> {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((e, i) => walk(e, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [k, e] of Object.entries(v)) walk(e, [...path, k]);
  };
  walk(value, []);
  const change = fc.constantFrom(...CHANGES);

  return fc.tuple(fc.constantFrom(...paths), change).map(([path, f]) => {
    if (path.length === 0) return f(value);
    const copy = structuredClone(value) as Record<string | number, unknown>;
    let at = copy;
    for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    at[last] = f(at[last]);
    return copy;
  });
}

const metadata = { name: 'p', namespace: 'shop' };

function specJson(app: App, kind: 'v1' | 'v1beta1', spec: unknown): string {
  const apiVersion = `security.istio.io/${kind}`;
  const o = createIstioApiObject(new Chart(app, 'c'), 'p', {
    kind: 'AuthorizationPolicy',
    apiVersion,
    metadata,
    render: () => ({ apiVersion, kind: 'AuthorizationPolicy', metadata, spec } as IstioManifest),
  });
  try {
    return JSON.stringify(o.toJson());
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
}

describe('the AuthorizationPolicy spec shape', () => {
  test.each([
    ['v1', security.toJson_AuthorizationPolicySpec],
    ['v1beta1', security.toJson_AuthorizationPolicyV1Beta1Spec],
  ])('describes exactly what the generated %s converter reads, and how', (_version, convert) => {
    expect(sorted(shapeUses(AUTHORIZATION_POLICY_SPEC))).toEqual(sorted(converterUses(convert as (obj: never) => unknown)));
  });

  test.each([
    ['v1', security.toJson_AuthorizationPolicySpec],
    ['v1beta1', security.toJson_AuthorizationPolicyV1Beta1Spec],
  ])('lists the properties in the order the generated %s converter writes them', (_version, convert) => {
    const full = fullValue(AUTHORIZATION_POLICY_SPEC);
    expect(JSON.stringify(convert(full as never))).toBe(JSON.stringify(full));
  });
});

describe('convertedByShape', () => {
  test('returns a spec in the converter\'s form as it is, not a copy', () => {
    fc.assert(fc.property(plainOf(AUTHORIZATION_POLICY_SPEC), (spec) => {
      expect(convertedByShape(spec, AUTHORIZATION_POLICY_SPEC)).toBe(spec);
    }));
  });

  test('copies what needs sorting or emptying and shares the rest', () => {
    const source = { serviceAccounts: ['a/b'], requestPrincipals: ['i/*'] };
    const operation = { methods: ['GET'] };
    const spec = { selector: { matchLabels: { app: 'x' } }, action: 'ALLOW', rules: [{ from: [{ source }], to: [{ operation }], when: undefined }] };
    const out = convertedByShape(spec, AUTHORIZATION_POLICY_SPEC) as typeof spec;
    expect(JSON.stringify(out)).toBe(
      '{"action":"ALLOW","rules":[{"from":[{"source":{"requestPrincipals":["i/*"],"serviceAccounts":["a/b"]}}],"to":[{"operation":{"methods":["GET"]}}]}],'
      + '"selector":{"matchLabels":{"app":"x"}}}');
    expect(out.rules[0].to[0].operation).toBe(operation);
    expect(out.selector).toBe(spec.selector);
  });

  test.each([
    ['a key outside the schema', { rules: [{ from: [{ source: { principalz: ['x'] } }] }] }],
    ['a Lazy', { action: Lazy.any({ produce: () => 'ALLOW' }) }],
    ['an implicit token', { rules: [{ to: [{ operation: { methods: { resolve: () => ['GET'] } } }] }] }],
    ['a null list element', { rules: [null] }],
    ['a list with a hole', { rules: new Array(1) }],
    ['a string where a list belongs', { rules: 'all' }],
    ['an object where a scalar belongs', { action: { a: 1 } }],
    ['a class instance', { selector: new (class Selector { public matchLabels = {}; })() }],
  ])('declines %s', (_what, spec) => {
    expect(() => convertedByShape(spec, AUTHORIZATION_POLICY_SPEC)).toThrow(expect.anything());
    try {
      convertedByShape(spec, AUTHORIZATION_POLICY_SPEC);
    } catch (e) {
      expect(e).toBe(NOT_PLAIN);
    }
  });

  // The law: whatever the spec, an AuthorizationPolicy's JSON is cdk8s's own (resolution with its
  // resolvers, then the generated converter), key order included, or the same error.
  test.each(['v1', 'v1beta1'] as const)('the %s object\'s JSON equals cdk8s\'s for any spec, plain or not', (version) => {
    const spec = plainOf(AUTHORIZATION_POLICY_SPEC).chain((plain) => fc.oneof(fc.constant(plain), perturbed(plain)));
    fc.assert(fc.property(spec, (s) => {
      expect(specJson(Testing.app(), version, s)).toBe(specJson(new App({ resolvers: [new PassThrough()] }), version, s));
    }), { numRuns: 400 });
  });
});
