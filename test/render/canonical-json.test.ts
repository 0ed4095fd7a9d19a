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

  test('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
});
