/**
 * Allowed request classes in words and in stable JSON: "GET, POST /api/v1/products*, /login on
 * port 9080", "GET with a token from istio-succinctly.io where role=learner".
 *
 * A set of regions of one dimension is written, in this order of preference, as the patterns that
 * cover it (`/a, /b*`), as "anything except" the patterns that cover its complement, as patterns
 * minus exceptions (`/static/* except /static/img/*`), or — when none of these is exact — as
 * example values. Tokens are written per claim (`from <iss> where role=learner`); tokens the
 * destination's RequestAuthentication refuses are "don't care" and never mentioned.
 *
 * @module
 */
/* eslint-disable no-bitwise -- region masks are bit sets */
import { SliceAccess } from './access-sets';
import { Cube, CubeSet, expandCubes, fullMask, maskIndexes } from './cubes';
import { HTTP_ONLY_KINDS } from './request-class-dimensions';
import { TokenPoint } from './request-class-tokens';
import { Dimension, PortSlice, RequestSpace } from './request-classes';
import { DEFAULT_TOKEN_LOCATION } from '../../semantics/jwt-token';

/** A set of values of one attribute. Absent fields mean "any value". */
export interface ValueSet {
  /** Any of these patterns (`(absent)`: the attribute is missing; `(other)`: a value no pattern names). */
  readonly in?: readonly string[];
  /** Any value except these patterns. */
  readonly notIn?: readonly string[];
  /** With `in`: minus these patterns. */
  readonly except?: readonly string[];
  /** When no pattern description is exact: example values of the allowed classes. */
  readonly examples?: readonly string[];
}

/** Which end-user tokens are allowed, one alternative. */
export interface TokenRequirement {
  /** True: requests without a token. */
  readonly none?: boolean;
  readonly issuers?: ValueSet;
  readonly subjects?: ValueSet;
  readonly audiences?: ValueSet;
  readonly presenters?: ValueSet;
  /** Other claims by path (`role`, `groups.admin`). */
  readonly claims?: Readonly<Record<string, ValueSet>>;
  /** Where the token must be, when it matters (`header:x-jwt`). */
  readonly locations?: readonly string[];
}

/** One allowed combination (a cube): every listed field must hold. */
export interface AccessRuleSummary {
  readonly methods?: ValueSet;
  readonly paths?: ValueSet;
  readonly hosts?: ValueSet;
  readonly headers?: Readonly<Record<string, ValueSet>>;
  readonly tokens?: readonly TokenRequirement[];
  readonly sourceIps?: ValueSet;
  readonly remoteIps?: ValueSet;
  readonly destinationIps?: ValueSet;
  readonly sni?: ValueSet;
  /** The same in words. */
  readonly text: string;
}

/** What is allowed on one port and filter chain. */
export interface PortAccessSummary {
  /** The port number, or `other` for "any port the policies do not name". */
  readonly port: number | 'other';
  readonly protocol: 'HTTP' | 'TCP';
  readonly status: 'allowed' | 'denied' | 'partial';
  readonly allowed: readonly AccessRuleSummary[];
  /** Plaintext refused by STRICT mTLS: the PeerAuthentication. */
  readonly refusedBy?: string;
}

/** Describes a set of regions of a dimension; undefined when it is every value (modulo `dontCare`). */
function describeRegions(dim: Dimension, set: bigint, dontCare = 0n): ValueSet | undefined {
  const all = fullMask(dim.regions.length);
  if (((set | dontCare) & all) === all) return undefined;
  if (set === 0n) return { in: [] };
  const atoms = [
    ...dim.atoms,
    ...(dim.absentMask !== 0n ? [{ raw: '(absent)', mask: dim.absentMask }] : []),
    ...(dim.otherMask !== 0n ? [{ raw: '(other)', mask: dim.otherMask }] : []),
  ];
  const allowedOrFree = set | dontCare;
  const excluded = all & ~allowedOrFree;
  const positive = cover(atoms, set, allowedOrFree);
  const negative = cover(atoms, excluded, excluded | dontCare);
  // Prefer naming patterns over "any other value"; then the shorter description; then in this order.
  const score = (xs: readonly string[] | undefined): number => (xs === undefined ? Infinity : xs.length + (xs.includes('(other)') ? 100 : 0));
  const candidates: { set: ValueSet; score: number }[] = [];
  if (positive) candidates.push({ set: { in: positive }, score: score(positive) });
  // Patterns minus exceptions.
  const broad = cover(atoms, set, all);
  if (broad) {
    // diff16: the picked patterns as a set (a dimension can have hundreds of atoms).
    const picked = new Set(broad);
    const union = atoms.filter((a) => picked.has(a.raw)).reduce((m, a) => m | a.mask, 0n);
    const except = cover(atoms, union & excluded, excluded | dontCare);
    if (except && except.length > 0) candidates.push({ set: { in: broad, except }, score: score(broad) + score(except) });
  }
  if (negative) candidates.push({ set: { notIn: negative }, score: score(negative) });
  const best = candidates.reduce<{ set: ValueSet; score: number } | undefined>((b, c) => (b === undefined || c.score < b.score ? c : b), undefined);
  if (best && best.score < Infinity) return best.set;
  return { examples: maskIndexes(set).map((i) => exampleOf(dim, i)) };
}

/** Greedy set cover of `target` by atoms inside `within`; undefined when it cannot be covered. */
function cover(atoms: readonly { raw: string; mask: bigint }[], target: bigint, within: bigint): string[] | undefined {
  const candidates = atoms.filter((a) => a.mask !== 0n && (a.mask & ~within) === 0n && (a.mask & target) !== 0n)
    .sort((a, b) => popcount(b.mask & target) - popcount(a.mask & target) || (a.raw < b.raw ? -1 : a.raw > b.raw ? 1 : 0));
  let covered = 0n;
  const picked: string[] = [];
  for (const a of candidates) {
    if ((a.mask & target & ~covered) === 0n) continue;
    picked.push(a.raw);
    covered |= a.mask;
    if ((target & ~covered) === 0n) return picked.sort();
  }
  return target === 0n ? [] : undefined;
}

function popcount(m: bigint): number {
  let n = 0;
  let rest = m;
  while (rest !== 0n) {
    let x = Number(rest & 0xffffffffn);
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    n += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    rest >>= 32n;
  }
  return n;
}

function exampleOf(dim: Dimension, region: number): string {
  const r = dim.regions[region];
  if (r.tokens) return r.tokens[0].jwt === null ? '(no token)' : JSON.stringify(r.tokens[0].jwt.claims);
  const v = r.witnesses[0].value;
  return v === undefined ? '(absent)' : v;
}

/** Describes the token regions of a set as alternatives; undefined when any token will do. */
function describeTokens(dim: Dimension, set: bigint, dontCare: bigint): TokenRequirement[] | undefined {
  const all = fullMask(dim.regions.length);
  if (((set | dontCare) & all) === all) return undefined;
  const grid = dim.tokenGrid;
  if (!grid) return undefined;
  const pointsOf = (mask: bigint): TokenPoint[] => maskIndexes(mask).flatMap((i) => dim.regions[i].tokens ?? []);
  const allowed = pointsOf(set);
  const free = pointsOf(dontCare & ~set);
  const out: TokenRequirement[] = [];
  if (allowed.some((p) => p.jwt === null)) out.push({ none: true });
  // Merge tokens (as coordinate tuples, location first) that differ in one claim, don't-cares included.
  const tupleOf = (p: TokenPoint): number[] => [grid.locations.indexOf(p.jwt?.location ?? DEFAULT_TOKEN_LOCATION), ...p.coords];
  const key = tupleKey([grid.locations.length, ...grid.coordinates.map((c) => c.values.length)]);
  const allowedKeys = new Set(allowed.filter((p) => p.jwt !== null).map((p) => key(tupleOf(p))));
  const cubes = mergeTokenTuples([...allowed, ...free].filter((p) => p.jwt !== null).map(tupleOf), grid.coordinates.length + 1);
  const seen = new Set<string>();
  for (const c of cubes) {
    // Describe each merged cube by the values its allowed tokens take (don't-cares only helped merging).
    const members = expand(c).filter((t) => allowedKeys.has(key(t)));
    if (members.length === 0) continue;
    const requirement = tokenRequirement(dim, members);
    const k = JSON.stringify(requirement);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(requirement);
  }
  return out;
}

/**
 * A key for token tuples with these numbers of values per coordinate. diff16: a number (mixed
 * radix, one digit per coordinate, -1 included) when it fits, not the tuple's text: thousands of
 * token points are keyed per description.
 */
export function tupleKey(sizes: readonly number[]): (t: readonly number[]) => number | string {
  let span = 1;
  for (const n of sizes) span *= n + 1;
  if (!Number.isSafeInteger(span)) return (t) => t.join(',');
  return (t) => {
    if (t.length !== sizes.length) return t.join(',');
    let k = 0;
    for (let i = 0; i < sizes.length; i++) {
      const v = t[i];
      // A value beyond its coordinate keeps the text (a string never equals a number).
      if (!(v >= -1 && v < sizes[i])) return t.join(',');
      k = k * (sizes[i] + 1) + (v + 1);
    }
    return k;
  };
}

/**
 * Merges tuples (of `arity` values) that differ in one coordinate into cubes (per coordinate, its
 * values ascending), one coordinate after the other, until nothing merges; the cubes are in the
 * order of their first tuple.
 */
export function mergeTokenTuples(tuples: readonly (readonly number[])[], arity: number): number[][][] {
  // diff14: each coordinate's values as a bit set (a number), not a list keyed by its text: the same
  // merges, a few times faster. Values beyond a number's bits take the lists.
  if (tuples.some((t) => t.some((v) => v < 0 || v > 30))) return mergeTupleLists(tuples, arity);
  let cubes: number[][] = tuples.map((t) => t.map((v) => 1 << v));
  let changed = true;
  while (changed) {
    changed = false;
    for (let d = 0; d < arity; d++) {
      const groups = new Map<string, number[]>();
      for (const c of cubes) {
        let k = '';
        for (let i = 0; i < c.length; i++) k += i === d ? '*,' : `${c[i]},`;
        const g = groups.get(k);
        if (!g) {
          groups.set(k, [...c]);
        } else if ((g[d] | c[d]) !== g[d]) {
          g[d] |= c[d];
          changed = true;
        }
      }
      if (groups.size !== cubes.length) changed = true;
      cubes = [...groups.values()];
    }
  }
  return cubes.map((c) => c.map(bitIndexes));
}

/** The indexes of the bits of a number, ascending. */
function bitIndexes(bits: number): number[] {
  const out: number[] = [];
  for (let i = 0; i <= 30; i++) if ((bits & (1 << i)) !== 0) out.push(i);
  return out;
}

/** {@link mergeTokenTuples} over value lists. */
function mergeTupleLists(tuples: readonly (readonly number[])[], arity: number): number[][][] {
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

function expand(cube: readonly (readonly number[])[]): number[][] {
  let out: number[][] = [[]];
  for (const vals of cube) out = out.flatMap((t) => vals.map((v) => [...t, v]));
  return out;
}

function tokenRequirement(dim: Dimension, members: readonly (readonly number[])[]): TokenRequirement {
  const grid = dim.tokenGrid;
  if (!grid) return {};
  const project = (i: number): Set<number> => new Set(members.map((t) => t[i]));
  const locations = project(0);
  const result: { -readonly [K in keyof TokenRequirement]: TokenRequirement[K] } = {};
  if (locations.size < grid.locations.length) result.locations = [...locations].sort((a, b) => a - b).map((i) => grid.locations[i]);
  const claims: Record<string, ValueSet> = {};
  grid.coordinates.forEach((coord, ci) => {
    const values = project(ci + 1);
    if (values.size === coord.values.length) return;
    const raw = (i: number): string => {
      const o = coord.values[i].origin;
      return o.kind === 'pattern' ? o.raw : o.kind === 'absent' ? '(absent)' : '(other)';
    };
    const inside = [...values].map(raw);
    const outside = coord.values.map((_, i) => i).filter((i) => !values.has(i)).map(raw);
    const set: ValueSet = values.has(1) || outside.length < inside.length
      ? { notIn: [...new Set(outside)].sort() }
      : { in: [...new Set(inside)].sort() };
    // "Any issuer/subject that is present" is what every real token has: not worth words.
    if ((coord.name === 'iss' || coord.name === 'sub') && set.notIn?.length === 1 && set.notIn[0] === '(absent)') return;
    if (coord.name === 'iss') result.issuers = set;
    else if (coord.name === 'sub') result.subjects = set;
    else if (coord.name === 'aud') result.audiences = set;
    else if (coord.name === 'azp') result.presenters = set;
    else claims[coord.name] = set;
  });
  if (Object.keys(claims).length > 0) result.claims = claims;
  return result;
}

/** The words for a value set of one kind of dimension. */
function valueText(dim: Dimension, set: ValueSet): string {
  const list = (xs: readonly string[]): string => xs.map((x) => (x === '(absent)' ? 'none' : x === '(other)' ? 'any other' : x)).join(', ');
  const noun: Record<string, string> = {
    'method': 'method',
    'path': 'path',
    'host': 'host',
    'source.ip': 'source ip',
    'remote.ip': 'remote ip',
    'destination.ip': 'destination ip',
    'connection.sni': 'SNI',
    'header': `header ${dim.header ?? ''}`,
  };
  const n = noun[dim.kind] ?? dim.kind;
  if (set.examples) return `${n} like ${list(set.examples)}`;
  if (set.notIn) {
    // The connective of each dimension, so that a qualifier reads after the method and path.
    const lead: Partial<Record<string, string>> = {
      'host': 'to ', 'source.ip': 'from ', 'remote.ip': 'from ', 'destination.ip': 'to ', 'connection.sni': 'with ', 'header': 'with ',
    };
    if (dim.kind === 'header' && set.notIn.length === 1 && set.notIn[0] === '(absent)') return `with header ${dim.header ?? ''}`;
    return `${lead[dim.kind] ?? ''}any ${n} except ${list(set.notIn)}`;
  }
  const inside = set.in ?? [];
  const except = set.except ? ` except ${list(set.except)}` : '';
  switch (dim.kind) {
    case 'method': case 'path': return `${list(inside)}${except}`;
    case 'header':
      if (inside.length === 1 && inside[0] === '(absent)') return `without header ${dim.header ?? ''}`;
      if (inside.length === 1 && inside[0] === '*') return `with header ${dim.header ?? ''}`;
      return `with header ${dim.header ?? ''}: ${list(inside)}${except}`;
    case 'host': return `to host ${list(inside)}${except}`;
    case 'source.ip': return `from ${list(inside)}${except}`;
    case 'remote.ip': return `from remote ip ${list(inside)}${except}`;
    case 'destination.ip': return `to ip ${list(inside)}${except}`;
    case 'connection.sni': return `with SNI ${list(inside)}${except}`;
    default: return `${n} ${list(inside)}${except}`;
  }
}

function setText(noun: string, set: ValueSet, prefix: string): string {
  const show = (xs: readonly string[]): string => xs.map((x) => (x === '(absent)' ? `no ${noun}` : x === '(other)' ? `any other ${noun}` : x)).join(' or ');
  if (set.notIn) return `${prefix} any ${noun} but ${show(set.notIn)}`;
  return `${prefix} ${show(set.in ?? [])}`;
}

/** "without a token", "with a token from X where role=learner". */
function tokenText(t: TokenRequirement): string {
  if (t.none) return 'without a token';
  const parts = ['with a token'];
  if (t.issuers) parts.push(setText('issuer', t.issuers, 'from'));
  if (t.subjects) parts.push(setText('subject', t.subjects, 'for'));
  const where: string[] = [];
  const claim = (name: string, set: ValueSet): void => {
    if (set.notIn?.length === 1 && set.notIn[0] === '(absent)') where.push(`${name} is set`);
    else if (set.notIn) where.push(`${name} not ${set.notIn.filter((x) => x !== '(absent)').join(', ')}${set.notIn.includes('(absent)') ? ' (and set)' : ''}`);
    else if ((set.in ?? []).length === 1 && (set.in ?? [])[0] === '(absent)') where.push(`no ${name}`);
    else where.push(`${name}=${(set.in ?? []).map((x) => (x === '(absent)' ? '(missing)' : x === '(other)' ? '(other)' : x)).join('|')}`);
  };
  if (t.audiences) claim('aud', t.audiences);
  if (t.presenters) claim('azp', t.presenters);
  for (const [name, set] of Object.entries(t.claims ?? {})) claim(name, set);
  if (where.length > 0) parts.push(`where ${where.join(', ')}`);
  if (t.locations) parts.push(`in ${t.locations.join(' or ')}`);
  return parts.join(' ');
}

/** Descriptions already made for one request space (they repeat across source classes). */
export type DescribeMemo = Map<string, unknown>;

/** A dimension's region set in words (undefined: every value). */
type RegionWords = { readonly set: ValueSet; readonly text: string } | undefined;

/**
 * perf7: descriptions of each dimension's region sets, kept with the dimension: destinations whose
 * policies name the same values share one dimension (`WitnessCache.dimension`), so they describe
 * each set once for the whole analysis. diff16: keyed by the masks themselves (a bigint key needs
 * no text), the tokens by their mask and then the refused ones.
 */
interface DimensionMemo {
  readonly regions: Map<bigint, RegionWords>;
  readonly tokens: Map<bigint, Map<bigint, TokenWords>>;
}

const dimensionMemos = new WeakMap<Dimension, DimensionMemo>();

function dimensionMemo(dim: Dimension): DimensionMemo {
  let memo = dimensionMemos.get(dim);
  if (!memo) {
    memo = { regions: new Map(), tokens: new Map() };
    dimensionMemos.set(dim, memo);
  }
  return memo;
}

function memoized<K, T>(memo: Map<K, T>, key: K, make: () => T): T {
  // One lookup on a hit (an undefined value is told apart by `has`).
  const known = memo.get(key);
  if (known !== undefined || memo.has(key)) return known as T;
  const value = make();
  memo.set(key, value);
  return value;
}

/** Token requirements and their words (undefined: any token will do). */
type TokenWords = { readonly tokens: TokenRequirement[]; readonly text: string } | undefined;

function tokenWords(dim: Dimension, set: bigint, dontCareTokens: bigint): TokenWords {
  const byMask = dimensionMemo(dim).tokens;
  let byDontCare = byMask.get(set);
  if (!byDontCare) {
    byDontCare = new Map();
    byMask.set(set, byDontCare);
  }
  return memoized(byDontCare, dontCareTokens, () => {
    const tokens = describeTokens(dim, set & ~dontCareTokens, dontCareTokens);
    return tokens && { tokens, text: tokens.map(tokenText).join(' or ') };
  });
}

function regionWords(dim: Dimension, set: bigint): RegionWords {
  // diff14: a set's words are kept with it (they are the same wherever it is described).
  return memoized(dimensionMemo(dim).regions, set, () => {
    const regions = describeRegions(dim, set);
    return regions && { set: regions, text: valueText(dim, regions) };
  });
}

/** Describes one cube; `dontCareTokens` are refused tokens (not mentioned). */
function describeCube(space: RequestSpace, cube: Cube, protocol: 'HTTP' | 'TCP', dontCareTokens: bigint): AccessRuleSummary {
  const out: { -readonly [K in keyof AccessRuleSummary]: AccessRuleSummary[K] } = { text: '' };
  const words: { method?: string; path?: string; rest: string[] } = { rest: [] };
  const headers: Record<string, ValueSet> = {};
  space.dimensions.forEach((dim, d) => {
    if (protocol === 'TCP' && HTTP_ONLY_KINDS.has(dim.kind)) return;
    if (dim.kind === 'token') {
      const tokens = tokenWords(dim, cube[d], dontCareTokens);
      if (tokens) {
        out.tokens = tokens.tokens;
        words.rest.push(tokens.text);
      }
      return;
    }
    const described = regionWords(dim, cube[d]);
    if (!described) return;
    const { set, text } = described;
    switch (dim.kind) {
      case 'method': out.methods = set; words.method = text; break;
      case 'path': out.paths = set; words.path = text; break;
      case 'host': out.hosts = set; words.rest.push(text); break;
      case 'header': headers[dim.header ?? ''] = set; words.rest.push(text); break;
      case 'source.ip': out.sourceIps = set; words.rest.push(text); break;
      case 'remote.ip': out.remoteIps = set; words.rest.push(text); break;
      case 'destination.ip': out.destinationIps = set; words.rest.push(text); break;
      case 'connection.sni': out.sni = set; words.rest.push(text); break;
      default:
    }
  });
  if (Object.keys(headers).length > 0) out.headers = headers;
  let head: string;
  if (protocol === 'TCP') head = 'TCP';
  else if (words.method && words.path) head = `${words.method} ${words.path}`;
  else if (words.path) head = out.paths?.notIn ? words.path : `requests to ${words.path}`;
  else head = words.method ?? (words.rest.length > 0 ? 'requests' : 'any request');
  out.text = [head, ...words.rest].join(' ');
  return out;
}

/** The token regions a slice does not care about (refused tokens). */
export function dontCareTokenMask(space: RequestSpace, dontCare: CubeSet): bigint {
  const t = space.dimensionIndex('token');
  if (t < 0) return 0n;
  return dontCare.reduce((m, c) => m | c[t], 0n);
}

/**
 * Per-slice summaries of a cell. matrix10: with a `memo` (one per request space), a slice whose
 * access was described before — the same port, verdict and cubes, which most source classes of a
 * destination share — reuses that summary instead of expanding and describing its cubes again.
 *
 * @param describe the summary of one served slice (default {@link describeSlice}; the diff's cells
 *   pass one that also remembers each slice object's summary)
 */
export function describeSlices(space: RequestSpace, slices: readonly SliceAccess[], complete: (s: SliceAccess) => boolean,
  memo?: DescribeMemo,
  describe: (i: number, s: SliceAccess) => PortAccessSummary = (i, s) => describeSlice(space, i, s, complete, memo)): PortAccessSummary[] {
  const out: PortAccessSummary[] = [];
  for (let i = 0; i < space.slices.length; i++) {
    if (!slices[i].absent) out.push(describe(i, slices[i]));
  }
  return out;
}

/** The summary of slice `i` of a cell (served: not `absent`), as {@link describeSlices} gives it. */
export function describeSlice(space: RequestSpace, i: number, s: SliceAccess, complete: (s: SliceAccess) => boolean,
  memo?: DescribeMemo): PortAccessSummary {
  const slice: PortSlice = space.slices[i];
  // diff16: the status follows from the key's content (the cubes and `absent`): found first, then
  // only a new summary needs it.
  const key = memo ? `slice\u0000${i}\u0000${s.absent ? 1 : 0}\u0000${s.refusedBy ?? ''}\u0000${cubesKey(s.allowed)}\u0000${cubesKey(s.dontCare)}` : '';
  const known = memo?.get(key) as PortAccessSummary | undefined;
  if (known) return known;
  const status = s.allowed.length === 0 ? 'denied' : complete(s) ? 'allowed' : 'partial';
  const dc = dontCareTokenMask(space, s.dontCare);
  const shown = status === 'partial' ? expandCubes(s.allowed, [...s.allowed, ...s.dontCare]) : [];
  const summary: PortAccessSummary = {
    port: slice.other ? 'other' : slice.port,
    protocol: slice.protocol,
    status,
    allowed: shown.map((c) => describeCube(space, c, slice.protocol, dc)),
    ...(s.refusedBy ? { refusedBy: s.refusedBy } : {}),
  };
  memo?.set(key, summary);
  return summary;
}

/** A set of cubes as text; brackets keep the empty set apart from the set holding the empty cube. */
function cubesKey(set: CubeSet): string {
  let k = '';
  for (const c of set) k += `[${c.join(',')}]`;
  return k;
}

/** One line for a cell: "GET on port 9080; TCP on port 3306". */
export function summaryText(ports: readonly PortAccessSummary[]): string {
  const groups = new Map<string, { protocol: string; ports: (number | 'other')[]; text: string }>();
  const onlyOther = ports.every((p) => p.port === 'other');
  for (const p of ports) {
    if (p.status === 'denied') continue;
    const rules = p.status === 'allowed' ? (p.protocol === 'TCP' ? 'TCP' : 'any request') : p.allowed.map((r) => r.text).join(' or ');
    const key = `${p.protocol}\u0000${rules}`;
    const g = groups.get(key) ?? { protocol: p.protocol, ports: [], text: rules };
    g.ports.push(p.port);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    const numbers = g.ports.filter((p): p is number => p !== 'other').sort((a, b) => a - b);
    const hasOther = g.ports.includes('other');
    const where = onlyOther && hasOther ? 'any port'
      : numbers.length === 0 ? 'other ports'
        : `port${numbers.length > 1 ? 's' : ''} ${numbers.join(', ')}${hasOther ? ' and other ports' : ''}`;
    return `${g.text} on ${where}`;
  }).join('; ');
}
