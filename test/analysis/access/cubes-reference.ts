// The cube algebra as it was before diff16 (copies of every piece and cube), kept as the oracle of
// its fast paths: the new functions must give the very same cube lists, not only the same sets.
/* eslint-disable no-bitwise -- region masks are bit sets */
import { Cube, CubeSet, fullCube } from '../../../src/analysis/access/cubes';

function isEmptyCube(c: Cube): boolean {
  for (const m of c) if (m === 0n) return true;
  return false;
}

function cubeWithin(a: Cube, b: Cube): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i] & ~b[i]) !== 0n) return false;
  return true;
}

function subtractCube(a: Cube, b: Cube): Cube[] {
  for (let i = 0; i < a.length; i++) if ((a[i] & b[i]) === 0n) return [a];
  const out: Cube[] = [];
  const prefix = [...a];
  for (let i = 0; i < a.length; i++) {
    const outside = a[i] & ~b[i];
    if (outside !== 0n) {
      const piece = [...prefix];
      piece[i] = outside;
      out.push(piece);
    }
    prefix[i] = a[i] & b[i];
  }
  return out;
}

export function referenceSubtractSets(a: CubeSet, b: CubeSet): Cube[] {
  let pieces: Cube[] = [...a];
  for (const cut of b) {
    if (pieces.length === 0) break;
    const next: Cube[] = [];
    for (const p of pieces) for (const q of subtractCube(p, cut)) next.push(q);
    pieces = next;
  }
  return pieces;
}

function isEmptySet(s: CubeSet): boolean {
  return s.every(isEmptyCube);
}

export function referenceSimplifySet(s: CubeSet): Cube[] {
  let cubes = s.filter((c) => !isEmptyCube(c)).map((c) => [...c]);
  let changed = true;
  while (changed) {
    changed = false;
    cubes = dropContained(cubes);
    outer: for (let i = 0; i < cubes.length; i++) {
      for (let j = i + 1; j < cubes.length; j++) {
        const d = singleDifference(cubes[i], cubes[j]);
        if (d === -2) continue;
        const merged = [...cubes[i]];
        if (d >= 0) merged[d] = cubes[i][d] | cubes[j][d];
        cubes.splice(j, 1);
        cubes[i] = merged;
        changed = true;
        break outer;
      }
    }
  }
  return cubes.sort(compareCubes);
}

function dropContained(cubes: bigint[][]): bigint[][] {
  const out: bigint[][] = [];
  cubes.forEach((c, i) => {
    const inside = cubes.some((o, j) => j !== i && cubeWithin(c, o) && (!cubeWithin(o, c) || j < i));
    if (!inside) out.push(c);
  });
  return out;
}

function singleDifference(a: Cube, b: Cube): number {
  let d = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      if (d >= 0) return -2;
      d = i;
    }
  }
  return d;
}

function compareCubes(a: Cube, b: Cube): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return lowestBit(a[i] ^ b[i]) === lowestBit(a[i] & (a[i] ^ b[i])) ? -1 : 1;
  }
  return 0;
}

function lowestBit(m: bigint): number {
  if (m === 0n) return -1;
  let i = 0;
  while (((m >> BigInt(i)) & 1n) === 0n) i++;
  return i;
}

export function referenceExpandCubes(cubes: CubeSet, within: CubeSet): Cube[] {
  const out = cubes.map((c) => {
    const grown = [...c];
    for (let d = 0; d < grown.length; d++) {
      let all = grown[d];
      for (const w of within) all |= w[d];
      if (grown[d] === all) continue;
      const candidate = [...grown];
      candidate[d] = all;
      if (isEmptySet(referenceSubtractSets([candidate], within))) grown[d] = all;
    }
    return grown;
  });
  return referenceSimplifySet(out);
}

/** `sliceComplete` before diff16: the full cube minus the don't-cares minus the allowed cubes is empty. */
export function referenceSliceComplete(s: { allowed: CubeSet; dontCare: CubeSet; absent: boolean }, sizes: readonly number[]): boolean {
  return !s.absent && isEmptySet(referenceSubtractSets(referenceSubtractSets([fullCube(sizes)], s.dontCare), s.allowed));
}
