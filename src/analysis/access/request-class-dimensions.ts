/**
 * The in-cell dimensions of a request space and their regions: witnesses are turned into request
 * attributes, the evaluator's matchers answer for each, and witnesses with the same answers form a
 * region (see `request-classes.ts` for the space they belong to).
 *
 * @module
 */
/* eslint-disable no-bitwise -- region masks are bit sets */
import { fullMask, maskOf } from './cubes';
import { buildTokenGrid, requestPrincipalParts, TokenGrid, TokenPoint } from './request-class-tokens';
import { ipWitnesses, OTHER, stringWitnesses, Witness } from './request-class-witnesses';
import { AccessRequest } from '../../semantics/access-request';
import { isCorsPreflight } from '../../semantics/jwt-token';
import { MeshConfig } from '../config/mesh-config';
import { ValueMatcher } from '../evaluator/conditions';
import { LocatedJwtRule, runJwtFilter } from '../evaluator/jwt-filter';
import { RequestAttributes } from '../evaluator/request-attributes';

/** In-cell dimensions, in the order summaries mention them. */
export type DimensionKind = 'method' | 'path' | 'host' | 'header' | 'token' | 'source.ip' | 'remote.ip' | 'destination.ip' | 'connection.sni';

/** Dimension kinds in the order summaries mention them. */
export const KIND_ORDER: readonly DimensionKind[] = ['method', 'path', 'host', 'header', 'token', 'source.ip', 'remote.ip', 'destination.ip', 'connection.sni'];

/** Dimension kinds a TCP request does not have (a TCP request is in every region of them). */
export const HTTP_ONLY_KINDS: ReadonlySet<DimensionKind> = new Set(['method', 'path', 'host', 'header', 'token']);

/** One region of a dimension: the values that match exactly the same atoms. */
export interface Region {
  readonly index: number;
  /** The witnesses in the region; the first represents it. */
  readonly witnesses: readonly Witness[];
  /** Token dimension: the grid points in the region. */
  readonly tokens?: readonly TokenPoint[];
  /** Request attributes of the representative, per version (they differ only for tokens). */
  readonly attrs: readonly RequestAttributes[];
  /** Token dimension, per version: the JWT filter refuses these tokens (401/403). */
  readonly rejected?: readonly boolean[];
}

/** A value named by the policies, and the regions it matches. */
export interface Atom {
  /** The pattern as written (`/static/*`, `GET`, `10.0.0.0/8`). */
  readonly raw: string;
  readonly mask: bigint;
}

/** One in-cell dimension. */
export interface Dimension {
  /** `method`, `path`, `host`, `header:<name>`, `token`, `source.ip`, … */
  readonly key: string;
  readonly kind: DimensionKind;
  /** Lower-case header name for `header` dimensions. */
  readonly header?: string;
  readonly regions: readonly Region[];
  readonly atoms: readonly Atom[];
  /** Regions whose representative is "absent" (no header, no token, …). */
  readonly absentMask: bigint;
  /** Regions matching no atom ("any other value"). */
  readonly otherMask: bigint;
  readonly tokenGrid?: TokenGrid;
}

/** A compiled value with its identity (attribute key and pattern). */
export interface KeyedMatcher {
  readonly key: string;
  readonly matcher: ValueMatcher;
}

/**
 * Witness request attributes shared by the destinations of one analysis: the same path or method
 * witness is built once, not once per destination. Bound to one MeshConfig.
 */
export class WitnessCache {
  private readonly attrs = new Map<string, RequestAttributes>();
  /** perf7: built dimensions by what they are built from (see {@link WitnessCache.dimension}). */
  private readonly dimensions = new Map<string, BuiltDimension>();

  public constructor(public readonly mesh: MeshConfig) {}

  /** Attributes of a request that differs from the base only in one dimension. */
  public attributes(kind: DimensionKind, header: string | undefined, value: string | undefined, build: () => RequestAttributes): RequestAttributes {
    const key = `${kind}\u0000${header ?? ''}\u0000${value ?? '\u0001'}`;
    let a = this.attrs.get(key);
    if (!a) {
      a = build();
      this.attrs.set(key, a);
    }
    return a;
  }

  /**
   * perf7: a dimension built once for every destination whose policies name the same values (and,
   * for tokens, have the same JWT rules): `signature` covers everything the dimension is built from
   * (its regions read only their own attribute, not the destination). Shared dimensions also share
   * their descriptions (`cell-summary.ts`).
   */
  public dimension(signature: string, build: () => BuiltDimension): BuiltDimension {
    let d = this.dimensions.get(signature);
    if (!d) {
      d = build();
      this.dimensions.set(signature, d);
    }
    return d;
  }
}

function requestWith(base: AccessRequest, kind: DimensionKind, header: string | undefined, value: string | undefined): AccessRequest {
  switch (kind) {
    case 'method': return { ...base, method: value ?? 'GET' };
    case 'path': return { ...base, path: value ?? '/' };
    case 'host': return value === undefined ? base : { ...base, host: value };
    case 'header': return value === undefined || header === undefined ? base : { ...base, headers: { [header]: value } };
    case 'source.ip': return { ...base, source: { ...base.source, ip: value ?? base.source.ip } };
    case 'remote.ip': return { ...base, source: { ...base.source, remoteIp: value ?? base.source.ip } };
    case 'destination.ip': return value === undefined ? base : { ...base, destination: { ...base.destination, ip: value } };
    case 'connection.sni': return value === undefined ? base : { ...base, sni: value };
    case 'token': return base;
    default: return base;
  }
}

function witnessesFor(kind: DimensionKind, raws: readonly string[]): Witness[] {
  switch (kind) {
    case 'method': return stringWitnesses(raws, { other: OTHER.method });
    case 'path': return stringWitnesses(raws, { other: OTHER.path, paths: true });
    case 'host': return stringWitnesses(raws, { other: OTHER.host, absent: true });
    case 'header': return stringWitnesses(raws, { other: OTHER.value, absent: true, empty: true });
    case 'connection.sni': return stringWitnesses(raws, { other: OTHER.host, absent: true });
    case 'destination.ip': return ipWitnesses(raws, true);
    default: return ipWitnesses(raws);
  }
}

/** A dimension and how to place a concrete request in it. */
export interface BuiltDimension {
  readonly dimension: Dimension;
  readonly classify: (request: AccessRequest) => number | undefined;
}

export function buildValueDimension(key: string, kind: DimensionKind, header: string | undefined, list: readonly KeyedMatcher[], versionCount: number,
  base: AccessRequest, mesh: MeshConfig, cache: WitnessCache): BuiltDimension {
  const witnesses = witnessesFor(kind, list.map((m) => m.matcher.raw));
  const groups = new Map<string, { witnesses: Witness[]; attrs: RequestAttributes }>();
  for (const w of witnesses) {
    // Value dimensions read only their own attribute, so the witness attributes do not depend on the destination.
    const attrs = cache.attributes(kind, header, w.value,
      () => new RequestAttributes(requestWith(base, kind, header, w.value), mesh, undefined, undefined));
    const vector = list.map((m) => (m.matcher.test(attrs) ? '1' : '0')).join('');
    const g = groups.get(vector);
    if (g) g.witnesses.push(w);
    else groups.set(vector, { witnesses: [w], attrs });
  }
  const regions: Region[] = [...groups.values()].map((g, index) => ({
    index,
    witnesses: g.witnesses,
    attrs: new Array<RequestAttributes>(versionCount).fill(g.attrs),
  }));
  const byVector = new Map([...groups.keys()].map((v, i) => [v, i]));
  return {
    dimension: finishDimension(key, kind, header, regions, list),
    classify: (request) => {
      const attrs = new RequestAttributes(request, mesh, undefined, undefined);
      return byVector.get(list.map((m) => (m.matcher.test(attrs) ? '1' : '0')).join(''));
    },
  };
}

export function buildTokenDimension(list: readonly KeyedMatcher[], rulesByVersion: readonly (readonly LocatedJwtRule[])[], base: AccessRequest,
  mesh: MeshConfig): BuiltDimension {
  const claims = new Map<string, string[]>();
  const add = (name: string, raw: string): void => {
    claims.set(name, [...(claims.get(name) ?? []), raw]);
  };
  for (const { key, matcher } of list) {
    const attributeKey = key.split('\u0000')[0];
    if (attributeKey === 'request.auth.principal') {
      const { iss, sub } = requestPrincipalParts(matcher.raw);
      add('iss', iss);
      add('sub', sub);
    } else if (attributeKey === 'request.auth.audiences') {
      add('aud', matcher.raw);
    } else if (attributeKey === 'request.auth.presenter') {
      add('azp', matcher.raw);
    } else {
      const path = /^request\.auth\.claims((?:\[[^\]]+\])+)$/.exec(attributeKey)?.[1];
      if (path) add(path.slice(1, -1).split('][').join('.'), matcher.raw);
    }
  }
  const grid = buildTokenGrid(rulesByVersion, claims);
  const groups = new Map<string, { points: TokenPoint[]; attrs: RequestAttributes[]; rejected: boolean[] }>();
  const answers = (request: AccessRequest): { vector: string; attrs: RequestAttributes[]; rejected: boolean[] } => {
    const attrs: RequestAttributes[] = [];
    const rejected: boolean[] = [];
    let vector = '';
    rulesByVersion.forEach((rules) => {
      const outcome = runJwtFilter(rules, request);
      const a = new RequestAttributes(request, mesh, undefined, outcome.kind === 'continue' ? outcome.claims : undefined);
      attrs.push(a);
      rejected.push(outcome.kind === 'reject');
      vector += `${outcome.kind === 'reject' ? 'R' : 'C'}${list.map((m) => (m.matcher.test(a) ? '1' : '0')).join('')}|`;
    });
    return { vector, attrs, rejected };
  };
  for (const point of grid.points) {
    const { vector, attrs, rejected } = answers({ ...base, jwt: point.jwt });
    const g = groups.get(vector);
    if (g) g.points.push(point);
    else groups.set(vector, { points: [point], attrs, rejected });
  }
  const regions: Region[] = [...groups.values()].map((g, index) => ({
    index,
    witnesses: [],
    tokens: g.points,
    attrs: g.attrs,
    rejected: g.rejected,
  }));
  const byVector = new Map([...groups.keys()].map((v, i) => [v, i]));
  return {
    dimension: { ...finishDimension('token', 'token', undefined, regions, list), tokenGrid: grid },
    classify: (request) => {
      // A CORS preflight skips the JWT filter: a class of its own that the space does not model.
      if (isCorsPreflight(request)) return undefined;
      return byVector.get(answers(request).vector);
    },
  };
}

function finishDimension(key: string, kind: DimensionKind, header: string | undefined, regions: readonly Region[],
  list: readonly KeyedMatcher[]): Dimension {
  const byRaw = new Map<string, bigint>();
  for (const { matcher } of list) {
    let mask = byRaw.get(matcher.raw) ?? 0n;
    regions.forEach((r) => {
      if (matcher.test(r.attrs[0])) mask |= 1n << BigInt(r.index);
    });
    byRaw.set(matcher.raw, mask);
  }
  const atoms = [...byRaw.entries()].map(([raw, mask]) => ({ raw, mask })).sort((a, b) => (a.raw < b.raw ? -1 : a.raw > b.raw ? 1 : 0));
  const anyAtom = atoms.reduce((m, a) => m | a.mask, 0n);
  const absentMask = maskOf(regions.filter((r) => (r.tokens ? r.tokens[0].jwt === null : r.witnesses[0].value === undefined)).map((r) => r.index));
  const otherMask = fullMask(regions.length) & ~anyAtom & ~absentMask;
  return { key, kind, ...(header ? { header } : {}), regions, atoms, absentMask, otherMask };
}
