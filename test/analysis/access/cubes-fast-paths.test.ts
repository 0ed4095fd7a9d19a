// diff16: the cube algebra's fast paths (pieces kept or dropped whole, sets of one cube or none,
// covering tests, completeness by one covering test) give the very cube lists of the plain
// algebra (test/analysis/access/cubes-reference.ts), not only the same sets: the report's words
// and JSON follow the lists.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  referenceExpandCubes, referenceSimplifySet, referenceSliceComplete, referenceSubtractSets,
} from './cubes-reference';
import { memoSliceComplete, SliceAccess, sliceComplete } from '../../../src/analysis/access/access-sets';
import { Cube, CubeSet, expandCubes, isEmptySet, setCovers, simplifySet, subtractSets } from '../../../src/analysis/access/cubes';

const SIZES = [3, 4, 2];

// Masks biased towards the whole dimension and nothing, so that cubes often hold, equal or miss each other.
const mask = (n: number): fc.Arbitrary<bigint> => fc.oneof(
  fc.constant(2n ** BigInt(n) - 1n), fc.constant(0n), fc.integer({ min: 0, max: 2 ** n - 1 }).map(BigInt));
const cube: fc.Arbitrary<Cube> = fc.tuple(...SIZES.map(mask));
const cubeSet: fc.Arbitrary<CubeSet> = fc.array(cube, { maxLength: 5 });
const slice: fc.Arbitrary<SliceAccess> = fc.record({ allowed: cubeSet, dontCare: cubeSet, absent: fc.boolean() });

describe('the cube algebra\'s fast paths', () => {
  it('subtract into the same pieces as the plain subtraction', () => {
    fc.assert(fc.property(cubeSet, cubeSet, (a, b) => {
      expect(subtractSets(a, b)).toEqual(referenceSubtractSets(a, b));
    }), { seed: 16, numRuns: 1000 });
  });

  it('simplify into the same list, sets of one cube or none included', () => {
    fc.assert(fc.property(cubeSet, (a) => {
      expect(simplifySet(a)).toEqual(referenceSimplifySet(a));
    }), { seed: 17, numRuns: 1000 });
    fc.assert(fc.property(fc.array(cube, { maxLength: 1 }), (a) => {
      expect(simplifySet(a)).toEqual(referenceSimplifySet(a));
    }), { seed: 18, numRuns: 200 });
  });

  it('expand into the same list', () => {
    fc.assert(fc.property(cubeSet, cubeSet, (a, extra) => {
      const within = [...a, ...extra];
      expect(expandCubes(a, within)).toEqual(referenceExpandCubes(a, within));
    }), { seed: 19, numRuns: 1000 });
  });

  it('cover a cube just when subtracting the set from it leaves nothing', () => {
    fc.assert(fc.property(cubeSet, cube, (s, c) => {
      expect(setCovers(s, c)).toBe(isEmptySet(referenceSubtractSets([c], s)));
    }), { seed: 20, numRuns: 1000 });
  });

  it('tell complete slices as the plain subtraction does, memoized or not', () => {
    fc.assert(fc.property(fc.array(slice, { minLength: 1, maxLength: 4 }), (slices) => {
      const complete = memoSliceComplete(SIZES);
      for (const s of [...slices, ...slices]) {
        expect(sliceComplete(s, SIZES)).toBe(referenceSliceComplete(s, SIZES));
        expect(complete(s)).toBe(referenceSliceComplete(s, SIZES));
      }
    }), { seed: 21, numRuns: 500 });
  });
});
