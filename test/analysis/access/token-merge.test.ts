// diff14: token tuples are merged with each coordinate's values as a bit set. For random tuples, the
// cubes are those of merging value lists keyed by their text (as describeTokens did), in the same order.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeTokenTuples, tupleKey } from '../../../src/analysis/access/cell-summary';

/** The plain merge: value lists, keyed by their text. */
function plainMerge(tuples: readonly (readonly number[])[], arity: number): number[][][] {
  let cubes: number[][][] = tuples.map((t) => t.map((v) => [v]));
  let changed = true;
  while (changed) {
    changed = false;
    for (let d = 0; d < arity; d++) {
      const groups = new Map<string, number[][]>();
      for (const c of cubes) {
        const k = c.map((vals, i) => (i === d ? '*' : vals.join('.'))).join('|');
        const g = groups.get(k);
        if (g) {
          const merged = [...new Set([...g[d], ...c[d]])].sort((a, b) => a - b);
          if (merged.length !== g[d].length) changed = true;
          g[d] = merged;
        } else {
          groups.set(k, c.map((v) => [...v]));
        }
      }
      if (groups.size !== cubes.length) changed = true;
      cubes = [...groups.values()];
    }
  }
  return cubes;
}

/** Distinct tuples of `arity` values below `values` (grid points are distinct). */
const tuples = (values: number) => fc.integer({ min: 1, max: 5 }).chain((arity) => fc.tuple(
  fc.constant(arity),
  fc.uniqueArray(fc.array(fc.integer({ min: 0, max: values - 1 }), { minLength: arity, maxLength: arity }), { maxLength: 60, selector: (t) => t.join(',') }),
));

describe('mergeTokenTuples', () => {
  it('gives the cubes of the plain merge, in its order (few values, bit sets)', () => {
    fc.assert(fc.property(tuples(4), ([arity, ts]) => {
      expect(mergeTokenTuples(ts, arity)).toEqual(plainMerge(ts, arity));
    }), { numRuns: 500, seed: 14 });
  });

  it('gives the cubes of the plain merge, in its order (values beyond a bit set)', () => {
    fc.assert(fc.property(tuples(40), ([arity, ts]) => {
      expect(mergeTokenTuples(ts, arity)).toEqual(plainMerge(ts, arity));
    }), { numRuns: 200, seed: 15 });
  });

  it('merges a full grid into one cube', () => {
    const grid = [0, 1].flatMap((a) => [0, 1, 2].map((b) => [a, b]));
    expect(mergeTokenTuples(grid, 2)).toEqual([[[0, 1], [0, 1, 2]]]);
  });
});

// diff16: describeTokens keys token tuples by a number when it fits. Two tuples get the same key
// exactly when they are equal (as their texts are), values out of range and huge grids included.
describe('tupleKey', () => {
  const sized = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 4 }).chain((sizes) => fc.tuple(
    fc.constant(sizes),
    fc.array(fc.tuple(...sizes.map((n) => fc.integer({ min: -2, max: n + 1 }))), { maxLength: 12 }),
  ));

  it('keys tuples alike just when their texts are alike', () => {
    fc.assert(fc.property(sized, ([sizes, ts]) => {
      const key = tupleKey(sizes);
      for (const a of ts) for (const b of ts) expect(key(a) === key(b)).toBe(a.join(',') === b.join(','));
    }), { numRuns: 500, seed: 16 });
  });

  it('keys by text when the number would not be exact', () => {
    const key = tupleKey([2 ** 30, 2 ** 30]);
    expect(key([1, 2])).toBe('1,2');
    expect(tupleKey([3, 4])([2, 3])).toBe(3 * 5 + 4);
  });
});
