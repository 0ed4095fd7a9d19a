import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalJson } from '../../src/private/canonical-json';

/** The reference definition: JSON.stringify with object keys sorted at every level. */
function reference(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      return Object.keys(o).sort().reduce<Record<string, unknown>>((acc, k) => { acc[k] = o[k]; return acc; }, {});
    }
    return v;
  });
}

describe('canonicalJson', () => {
  // JavaScript lists integer-like keys first whatever the insertion order, so the reference can only
  // stand for values without them; those are covered below.
  const integerLikeKeys = (v: unknown): boolean => v !== null && typeof v === 'object'
    && (Array.isArray(v) ? v.some(integerLikeKeys) : Object.entries(v).some(([k, x]) => /^(0|[1-9]\d*)$/.test(k) || integerLikeKeys(x)));

  test('equals JSON.stringify with sorted keys, for any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue().filter((v) => !integerLikeKeys(v)), (v) => canonicalJson(v) === reference(v)), { numRuns: 2000, seed: 42 });
  });

  test('orders integer-like keys by code unit like any other key', () => {
    expect(canonicalJson({ b: 1, 10: 2, 9: 3 })).toBe('{"10":2,"9":3,"b":1}');
  });

  test('writes an array hole as nothing and an undefined element as null (as the list-and-join definition did)', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(canonicalJson([1, , undefined, { b: 1, a: 2 }])).toBe('[1,,null,{"a":2,"b":1}]');
  });

  test('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  // perf6: values whose keys are already sorted take a JSON.stringify fast path; it must give
  // exactly what the general definition (sort every level, undefined members out, anything that is
  // not a plain object or array by its own keys) gives, for any value, sorted or not.
  test('the fast path for already-sorted plain values equals the general definition', () => {
    const definition = (value: unknown): string => {
      if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : definition(v))).join(',')}]`;
      const o = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const k of Object.keys(o).sort()) if (o[k] !== undefined) parts.push(`${JSON.stringify(k)}:${definition(o[k])}`);
      return `{${parts.join(',')}}`;
    };
    const sortDeep = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(sortDeep);
      if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return v;
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortDeep(o[k])]));
    };
    const outcome = (f: () => string): string => {
      try {
        return f();
      } catch (e) {
        return `throws ${(e as Error).name}`;
      }
    };
    const odd = { withDate: true, withMap: true, withSet: true, withBoxedValues: true, withNullPrototype: true, withObjectString: true };
    const extras = fc.oneof(fc.anything(odd),
      fc.func(fc.integer()), fc.constant(Symbol('s')), fc.constant(undefined), fc.constant({ toJSON: () => 'x' }));
    const value = fc.oneof(fc.jsonValue(), fc.anything({ withNullPrototype: true }), fc.dictionary(fc.string(), extras), fc.array(extras));
    fc.assert(fc.property(value, (v) => {
      for (const x of [v, sortDeep(v)]) expect(outcome(() => canonicalJson(x))).toBe(outcome(() => definition(x)));
    }), { numRuns: 3000, seed: 17 });
    expect(canonicalJson({ a: 1, b: () => 1 })).toBe('{"a":1,"b":null}');
    expect(canonicalJson({ a: new Date(0), b: [undefined] })).toBe('{"a":{},"b":[null]}');
  });
});
