// The cube algebra under the matrix and the diff, checked point by point on small random spaces.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Cube, CubeSet, expandCubes, fullCube, isEmptySet, setContains, setsEqual, simplifySet, subtractSets,
} from '../../../src/analysis/access/cubes';
import { stringWitnesses, ipWitnesses } from '../../../src/analysis/access/request-class-witnesses';

const SIZES = [3, 4, 2];

function points(): number[][] {
  let out: number[][] = [[]];
  for (const n of SIZES) out = out.flatMap((p) => Array.from({ length: n }, (_, i) => [...p, i]));
  return out;
}

const cube: fc.Arbitrary<Cube> = fc.tuple(...SIZES.map((n) => fc.integer({ min: 0, max: 2 ** n - 1 }).map(BigInt)));
const cubeSet: fc.Arbitrary<CubeSet> = fc.array(cube, { maxLength: 4 });

describe('cube sets', () => {
  it('subtracts exactly: a point is in a − b iff it is in a and not in b', () => {
    fc.assert(fc.property(cubeSet, cubeSet, (a, b) => {
      const d = subtractSets(a, b);
      for (const p of points()) expect(setContains(d, p)).toBe(setContains(a, p) && !setContains(b, p));
    }), { seed: 1, numRuns: 300 });
  });

  it('simplifies and expands without changing the set', () => {
    fc.assert(fc.property(cubeSet, (a) => {
      const s = simplifySet(a);
      const e = expandCubes(a, a);
      for (const p of points()) {
        expect(setContains(s, p)).toBe(setContains(a, p));
        expect(setContains(e, p)).toBe(setContains(a, p));
      }
      expect(setsEqual(s, a)).toBe(true);
    }), { seed: 2, numRuns: 300 });
  });

  it('tells empty sets and the full space apart', () => {
    expect(isEmptySet([])).toBe(true);
    expect(isEmptySet([[0n, 1n, 1n]])).toBe(true);
    expect(isEmptySet(subtractSets([fullCube(SIZES)], [fullCube(SIZES)]))).toBe(true);
    expect(simplifySet([[1n, 15n, 3n], [6n, 15n, 3n]])).toEqual([[7n, 15n, 3n]]);
  });
});

describe('witnesses', () => {
  it('exhibit exact, prefix, suffix, presence and template patterns, plus "other"', () => {
    const values = stringWitnesses(['/a', '/b/*', '*.json', '/c/{*}/d', '*'], { other: '/other', paths: true }).map((w) => w.value);
    expect(values).toEqual(expect.arrayContaining(['/other', '/a', '/b/', '/b/~tm~', '.json', '/~tm~.json', '/c/~tm~/d', '~tm~', '/b/~tm~.json']));
  });

  it('put an address inside and just outside each block', () => {
    const values = ipWitnesses(['10.1.0.0/16']).map((w) => w.value);
    expect(values).toEqual(expect.arrayContaining(['10.1.0.0', '10.1.255.255', '10.0.255.255', '10.2.0.0']));
  });
});
