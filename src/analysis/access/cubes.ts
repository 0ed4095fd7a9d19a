/**
 * Sets of request classes as unions of "cubes" — the algebra behind the access matrix and the
 * semantic diff.
 *
 * A destination's request space is a product of finite dimensions (method, path, host, token, …),
 * each split into regions (see `request-classes.ts`). A cube picks a set of regions per dimension
 * (a bit mask, `bigint` so that any number of regions fits); a set of requests is a list of cubes
 * (their union). An AuthorizationPolicy rule is a union of cubes (one per `from` × `to` pair), so
 * "ALLOW minus DENY" is exact cube arithmetic, with no enumeration of the product space.
 *
 * @module
 */
/* eslint-disable no-bitwise -- region masks are bit sets */

/** One region mask per dimension; a request class is in the cube when each of its regions is. */
export type Cube = readonly bigint[];

/** A union of cubes (not necessarily disjoint). */
export type CubeSet = readonly Cube[];

/** The mask with the first `n` bits set. */
export function fullMask(n: number): bigint {
  return (1n << BigInt(n)) - 1n;
}

/** The cube covering every region of every dimension. */
export function fullCube(sizes: readonly number[]): Cube {
  return sizes.map(fullMask);
}

/** True when some dimension has no region left. */
function isEmptyCube(c: Cube): boolean {
  for (const m of c) if (m === 0n) return true;
  return false;
}

/** True when `a` ⊆ `b`. */
function cubeWithin(a: Cube, b: Cube): boolean {
  // diff16: one bigint made per dimension, not two (`a & ~b`).
  for (let i = 0; i < a.length; i++) if ((a[i] | b[i]) !== b[i]) return false;
  return true;
}

/** `a` minus `b` as disjoint cubes (at most one per dimension). */
function subtractCube(a: Cube, b: Cube): Cube[] {
  // Disjoint if some dimension does not overlap.
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

/** True when `a` and `b` share no class (some dimension does not overlap). */
function cubesDisjoint(a: Cube, b: Cube): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i] & b[i]) === 0n) return true;
  return false;
}

/** Every class of `a` that is in no cube of `b`. */
export function subtractSets(a: CubeSet, b: CubeSet): Cube[] {
  let pieces: Cube[] = [...a];
  for (const cut of b) {
    if (pieces.length === 0) break;
    const next: Cube[] = [];
    for (const p of pieces) {
      // diff16: a piece outside the cut is kept as is, one inside it dropped, without the
      // arrays of subtractCube (the same pieces: it gives [p] and [] for these).
      if (cubesDisjoint(p, cut)) next.push(p);
      else if (!cubeWithin(p, cut)) for (const q of subtractCube(p, cut)) next.push(q);
    }
    pieces = next;
  }
  return pieces;
}

/** True when the set contains no class. */
export function isEmptySet(s: CubeSet): boolean {
  return s.every(isEmptyCube);
}

/** True when `a` ⊆ `b`. */
function setWithin(a: CubeSet, b: CubeSet): boolean {
  return isEmptySet(subtractSets(a, b));
}

/** True when both sets contain exactly the same classes. */
export function setsEqual(a: CubeSet, b: CubeSet): boolean {
  return setWithin(a, b) && setWithin(b, a);
}

/** True when the set contains the class with these region indexes. */
export function setContains(s: CubeSet, point: readonly number[]): boolean {
  for (const c of s) {
    let inside = true;
    for (let i = 0; i < c.length; i++) {
      if (((c[i] >> BigInt(point[i])) & 1n) === 0n) {
        inside = false;
        break;
      }
    }
    if (inside) return true;
  }
  return false;
}

/**
 * A smaller, deterministic list of cubes for the same set: empty cubes and cubes inside another
 * are dropped, and cubes that differ in one dimension only are merged, until nothing changes.
 * Used before describing a set to people, and before comparing rendered output.
 */
export function simplifySet(s: CubeSet): Cube[] {
  // diff16: most sets the analysis simplifies hold one cube or none: nothing to drop, merge or
  // sort. The cubes are not copied (they are read only; a merge makes a new one).
  if (s.length <= 1) return s.length === 1 && !isEmptyCube(s[0]) ? [s[0]] : [];
  let cubes = s.filter((c) => !isEmptyCube(c));
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

/** The cubes inside no other (of equal cubes, the first is kept). */
function dropContained(cubes: readonly Cube[]): Cube[] {
  const out: Cube[] = [];
  for (let i = 0; i < cubes.length; i++) if (!insideAnother(cubes, i)) out.push(cubes[i]);
  return out;
}

function insideAnother(cubes: readonly Cube[], i: number): boolean {
  const c = cubes[i];
  for (let j = 0; j < cubes.length; j++) {
    if (j !== i && cubeWithin(c, cubes[j]) && (j < i || !cubeWithin(cubes[j], c))) return true;
  }
  return false;
}

/** -1: equal; d ≥ 0: differ only in dimension d; -2: differ in several dimensions. */
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

/** A total order on cubes (lowest region first, dimension by dimension). */
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

/** The region indexes in a mask, ascending. */
export function maskIndexes(m: bigint): number[] {
  const out: number[] = [];
  let i = 0;
  let rest = m;
  while (rest !== 0n) {
    if ((rest & 1n) === 1n) out.push(i);
    rest >>= 1n;
    i++;
  }
  return out;
}

/** The mask with the given region indexes set. */
export function maskOf(indexes: Iterable<number>): bigint {
  let m = 0n;
  for (const i of indexes) m |= 1n << BigInt(i);
  return m;
}

/**
 * For display: grows each cube, one dimension at a time, to the whole dimension when the result
 * stays inside `within` (the set plus classes nobody cares about), then drops cubes inside others.
 * The union is unchanged modulo `within`; fewer, larger cubes read better ("with a token from X,
 * or requests to /healthz" instead of a disjoint split).
 */
export function expandCubes(cubes: CubeSet, within: CubeSet): Cube[] {
  const out = cubes.map((c) => {
    const grown = [...c];
    for (let d = 0; d < grown.length; d++) {
      const all = fullMaskLike(within, d, grown[d]);
      if (grown[d] === all) continue;
      const candidate = [...grown];
      candidate[d] = all;
      if (setCovers(within, candidate)) grown[d] = all;
    }
    return grown;
  });
  return simplifySet(out);
}

/**
 * True when the set holds every class of cube `c`. diff16: mostly one cube of the set holds it all,
 * or the cubes meeting `c` miss some of its regions of a dimension (then no class with such a region
 * is held); only otherwise the exact test, the subtraction.
 */
export function setCovers(s: CubeSet, c: Cube): boolean {
  if (isEmptyCube(c)) return true;
  for (const o of s) if (cubeWithin(c, o)) return true;
  for (let d = 0; d < c.length; d++) if (!projectionCovers(s, c, d)) return false;
  return isEmptySet(subtractSets([c], s));
}

/** True when the cubes of `s` meeting cube `c` hold, together, each region `c` has in dimension `d`. */
function projectionCovers(s: CubeSet, c: Cube, d: number): boolean {
  let m = 0n;
  for (const o of s) if (!cubesDisjoint(o, c)) m |= o[d];
  return (c[d] | m) === m;
}

/** The union of every mask of dimension `d` (the whole dimension as far as the sets know it). */
function fullMaskLike(sets: CubeSet, d: number, seed: bigint): bigint {
  let m = seed;
  for (const c of sets) m |= c[d];
  return m;
}
