// diff14: token tuples are merged with each coordinate's values as a bit set. For random tuples, the
// cubes are those of merging value lists keyed by their text (as describeTokens did), in the same order.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeTokenTuples } from '../../../src/analysis/access/cell-summary';

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
