/**
 * The finite request space of one destination workload: the request classes its policies can
 * tell apart.
 *
 * Every value an AuthorizationPolicy tests belongs to one attribute, and every attribute to one
 * dimension of the request: the port (with its filter chain, HTTP or TCP), the peer identity (the
 * matrix row), and the in-cell dimensions — method, path, host, each header, the end-user token,
 * source / remote / destination IP and SNI. For each in-cell dimension the values the policies name
 * (the atoms) give witness values (`request-class-witnesses.ts`, `request-class-tokens.ts`); the
 * evaluator's compiled matchers decide which atoms each witness matches, and witnesses with the same
 * answers form one region. A request class is one region per dimension; the decision is a function
 * of the class, because the evaluator decides only through those matchers.
 *
 * Several versions of the policies (the two sides of a diff) share one space: the atoms of all
 * versions, so that allowed sets compare region by region.
 *
 * @module
 */
/* eslint-disable no-bitwise -- region masks are bit sets */
import { fullMask, maskOf } from './access-cubes';
import { CompiledPolicy, CompiledRule, constraintMatches, FieldConstraint } from './authorization-rule';
import { ValueMatcher } from './conditions';
import { MeshConfig } from './mesh-config';
import { WorkloadPolicies } from './policy-index';
import { buildRequestAttributes, RequestAttributes } from './request-attributes';
import { runJwtFilter } from './request-authentication';
import { buildTokenGrid, requestPrincipalParts, TokenGrid, TokenPoint } from './request-class-tokens';
import { ipWitnesses, OTHER, otherPort, stringWitnesses, Witness } from './request-class-witnesses';
import { AccessProtocol, AccessRequest } from '../model/access-request';

/** In-cell dimensions, in the order summaries mention them. */
export type DimensionKind = 'method' | 'path' | 'host' | 'header' | 'token' | 'source.ip' | 'remote.ip' | 'destination.ip' | 'connection.sni';

const KIND_ORDER: readonly DimensionKind[] = ['method', 'path', 'host', 'header', 'token', 'source.ip', 'remote.ip', 'destination.ip', 'connection.sni'];

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

/** A port of the destination with one filter chain. */
export interface PortSlice {
  readonly port: number;
  /** True for the representative of "any port the policies do not name". */
  readonly other: boolean;
  readonly protocol: AccessProtocol;
  /** Per version: whether the destination serves this port/protocol. */
  readonly inVersion: readonly boolean[];
}

/** A port the destination declares (container port or Service target port). */
export interface DeclaredPort {
  readonly port: number;
  /** `auto`: no declared protocol, Istio sniffs HTTP and falls back to TCP. */
  readonly protocol: AccessProtocol | 'auto';
}

/** What one version knows about the destination. */
export interface VersionInput {
  readonly policies: WorkloadPolicies;
  /** `undefined`: no declared ports, use the ports the policies name plus "any other port". */
  readonly ports?: readonly DeclaredPort[];
}

/** Where a compiled constraint's attribute lives. */
export type ConstraintTarget =
  | { readonly type: 'principal' }
  | { readonly type: 'port' }
  | { readonly type: 'const' }
  | { readonly type: 'dimension'; readonly key: string; readonly kind: DimensionKind; readonly header?: string };

/** The request space of one destination. */
export interface RequestSpace {
  readonly namespace: string;
  readonly dimensions: readonly Dimension[];
  readonly slices: readonly PortSlice[];
  /** The region count of each dimension. */
  readonly sizes: readonly number[];
  /** Region mask of each in-cell constraint (by identity), computed on first use. */
  constraintMask(c: FieldConstraint, dimension: number, version: number): bigint;
  /** Index of a dimension key, or -1. */
  dimensionIndex(key: string): number;
  /**
   * The region of a concrete request in each dimension, found with the same matchers; `undefined`
   * where the request falls outside the space (a class no witness exhibits, a CORS preflight with a
   * token dimension).
   */
  classify(request: AccessRequest): (number | undefined)[];
}

const PRINCIPAL_KEYS: ReadonlySet<string> = new Set(['source.principal', 'source.namespace', 'source.serviceAccount', 'source.trustDomain']);

/** Maps an attribute key of the evaluator to its dimension. */
export function constraintTarget(attributeKey: string): ConstraintTarget {
  if (PRINCIPAL_KEYS.has(attributeKey)) return { type: 'principal' };
  switch (attributeKey) {
    case 'destination.port': return { type: 'port' };
    case 'source.ip': case 'remote.ip': case 'destination.ip': case 'connection.sni':
      return { type: 'dimension', key: attributeKey, kind: attributeKey };
    case ':authority': return { type: 'dimension', key: 'host', kind: 'host' };
    case ':method': return { type: 'dimension', key: 'method', kind: 'method' };
    case 'path': return { type: 'dimension', key: 'path', kind: 'path' };
    default:
  }
  if (attributeKey.startsWith('request.auth.')) return { type: 'dimension', key: 'token', kind: 'token' };
  const header = /^request\.headers\[([^\]]+)\]$/.exec(attributeKey)?.[1]?.toLowerCase();
  if (header !== undefined) {
    if (header === ':authority' || header === 'host') return { type: 'dimension', key: 'host', kind: 'host' };
    if (header === ':method') return { type: 'dimension', key: 'method', kind: 'method' };
    // `:path` is the raw path; it is classed with the normalized path (see docs/matrix-and-diff.md).
    if (header === ':path') return { type: 'dimension', key: 'path', kind: 'path' };
    return { type: 'dimension', key: `header:${header}`, kind: 'header', header };
  }
  return { type: 'const' };
}

/** The policies that can change a decision: DENY, ALLOW, and CUSTOM policies istiod turns into denials. */
export interface DecisivePolicies {
  readonly deny: readonly CompiledPolicy[];
  readonly allow: readonly CompiledPolicy[];
}

/** DENY policies plus unusable CUSTOM policies (istiod generates deny rules for them), and ALLOW policies. */
export function decisivePolicies(wp: WorkloadPolicies, mesh: MeshConfig): DecisivePolicies {
  const broken = wp.custom.filter((p) => {
    const provider = p.provider ?? '';
    return provider === '' || !mesh.extensionProviders.includes(provider) || wp.customProviders.length > 1;
  });
  return { deny: [...broken, ...wp.deny], allow: wp.allow };
}

/** Every constraint of a rule (sources, operations, conditions). */
export function ruleConstraints(rule: CompiledRule): FieldConstraint[] {
  return [...(rule.sources ?? []).flat(), ...(rule.operations ?? []).flat(), ...rule.conditions];
}

/** Every constraint of the decisive policies of one version, both filter chains. */
export function versionConstraints(wp: WorkloadPolicies, mesh: MeshConfig): FieldConstraint[] {
  const { deny, allow } = decisivePolicies(wp, mesh);
  const out: FieldConstraint[] = [];
  for (const p of [...deny, ...allow]) {
    for (const rule of [...p.http.rules, ...p.tcp.rules]) out.push(...ruleConstraints(rule));
  }
  return out;
}

interface KeyedMatcher {
  readonly key: string;
  readonly matcher: ValueMatcher;
}

/**
 * Witness request attributes shared by the destinations of one analysis: the same path or method
 * witness is built once, not once per destination. Bound to one MeshConfig.
 */
export class WitnessCache {
  private readonly attrs = new Map<string, RequestAttributes>();

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
}

/**
 * Builds the request space of a destination from the policies of each version (`undefined` where
 * the destination does not exist).
 *
 * @param cache shared witness attributes (for many destinations with one MeshConfig).
 */
export function buildRequestSpace(namespace: string, labels: Readonly<Record<string, string>>, versions: readonly (VersionInput | undefined)[],
  mesh: MeshConfig, cache: WitnessCache = new WitnessCache(mesh)): RequestSpace {
  const matchers = new Map<string, { kind: DimensionKind; header?: string; list: Map<string, KeyedMatcher> }>();
  const portNumbers = new Set<number>();
  versions.forEach((v) => {
    if (!v) return;
    for (const c of versionConstraints(v.policies, mesh)) {
      const target = constraintTarget(c.attribute.key);
      const all = [...(c.values ?? []), ...(c.notValues ?? [])];
      if (target.type === 'port') {
        all.forEach((m) => { if (/^\d+$/.test(m.raw)) portNumbers.add(Number(m.raw)); });
      } else if (target.type === 'dimension') {
        const entry = matchers.get(target.key) ?? { kind: target.kind, ...(target.header ? { header: target.header } : {}), list: new Map() };
        for (const m of all) {
          const key = `${c.attribute.key}\u0000${m.raw}`;
          if (!entry.list.has(key)) entry.list.set(key, { key, matcher: m });
        }
        matchers.set(target.key, entry);
      }
    }
    for (const port of v.policies.peerAuthentication.ports.keys()) portNumbers.add(port);
  });

  const slices = buildSlices(versions, portNumbers);
  const basePort = slices[0]?.port ?? 80;
  const base: AccessRequest = {
    protocol: 'HTTP',
    source: { principal: null, namespace: null, ip: '203.0.113.77', remoteIp: '203.0.113.77' },
    jwt: null,
    destination: { namespace, labels, port: basePort },
    method: 'GET',
    path: '/',
  };

  const tokenRules = versions.map((v) => v?.policies.jwtRules ?? []);
  if (tokenRules.some((r) => r.length > 0) && !matchers.has('token')) matchers.set('token', { kind: 'token', list: new Map() });

  const dimensions: Dimension[] = [];
  const classifiers: ((request: AccessRequest) => number | undefined)[] = [];
  const keys = [...matchers.keys()].sort((a, b) => {
    const ka = KIND_ORDER.indexOf(matchers.get(a)?.kind ?? 'method');
    const kb = KIND_ORDER.indexOf(matchers.get(b)?.kind ?? 'method');
    return ka !== kb ? ka - kb : a < b ? -1 : a > b ? 1 : 0;
  });
  for (const key of keys) {
    const entry = matchers.get(key);
    if (!entry) continue;
    const list = [...entry.list.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const dim = entry.kind === 'token'
      ? tokenDimension(list, versions, base, mesh)
      : valueDimension(key, entry.kind, entry.header, list, versions.length, base, mesh, cache);
    dimensions.push(dim.dimension);
    classifiers.push(dim.classify);
  }

  const index = new Map(dimensions.map((d, i) => [d.key, i]));
  const masks = new Map<FieldConstraint, bigint[]>();
  return {
    namespace,
    dimensions,
    slices,
    sizes: dimensions.map((d) => d.regions.length),
    dimensionIndex: (key) => index.get(key) ?? -1,
    classify: (request) => classifiers.map((f) => f(request)),
    constraintMask: (c, d, version) => {
      let perVersion = masks.get(c);
      if (!perVersion) {
        perVersion = [];
        masks.set(c, perVersion);
      }
      const hit = perVersion[version];
      if (hit !== undefined) return hit;
      let mask = 0n;
      dimensions[d].regions.forEach((r, i) => {
        if (constraintMatches(c, r.attrs[version])) mask |= 1n << BigInt(i);
      });
      perVersion[version] = mask;
      return mask;
    },
  };
}


function buildSlices(versions: readonly (VersionInput | undefined)[], portNumbers: ReadonlySet<number>): PortSlice[] {
  const slices = new Map<string, { port: number; other: boolean; protocol: AccessProtocol; inVersion: boolean[] }>();
  const used = new Set<number>(portNumbers);
  versions.forEach((v) => v?.ports?.forEach((p) => used.add(p.port)));
  const other = otherPort(used);
  const add = (port: number, isOther: boolean, protocols: readonly AccessProtocol[], version: number): void => {
    for (const protocol of protocols) {
      const key = `${isOther ? 'other' : port}/${protocol}`;
      const s = slices.get(key) ?? { port, other: isOther, protocol, inVersion: versions.map(() => false) };
      s.inVersion[version] = true;
      slices.set(key, s);
    }
  };
  const both: readonly AccessProtocol[] = ['HTTP', 'TCP'];
  versions.forEach((v, i) => {
    if (!v) return;
    if (v.ports && v.ports.length > 0) {
      for (const p of v.ports) add(p.port, false, p.protocol === 'auto' ? both : [p.protocol], i);
    } else {
      for (const port of portNumbers) add(port, false, both, i);
      add(other, true, both, i);
    }
  });
  return [...slices.values()].sort((a, b) => (a.other !== b.other ? (a.other ? 1 : -1) : a.port - b.port || (a.protocol < b.protocol ? -1 : 1)));
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

interface BuiltDimension {
  readonly dimension: Dimension;
  readonly classify: (request: AccessRequest) => number | undefined;
}

function valueDimension(key: string, kind: DimensionKind, header: string | undefined, list: readonly KeyedMatcher[], versionCount: number,
  base: AccessRequest, mesh: MeshConfig, cache: WitnessCache): BuiltDimension {
  const witnesses = witnessesFor(kind, list.map((m) => m.matcher.raw));
  const groups = new Map<string, { witnesses: Witness[]; attrs: RequestAttributes }>();
  for (const w of witnesses) {
    // Value dimensions read only their own attribute, so the witness attributes do not depend on the destination.
    const attrs = cache.attributes(kind, header, w.value,
      () => buildRequestAttributes(requestWith(base, kind, header, w.value), mesh, undefined, undefined));
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
    dimension: finishDimension(key, kind, header, regions, list, 0),
    classify: (request) => {
      const attrs = buildRequestAttributes(request, mesh, undefined, undefined);
      return byVector.get(list.map((m) => (m.matcher.test(attrs) ? '1' : '0')).join(''));
    },
  };
}

function tokenDimension(list: readonly KeyedMatcher[], versions: readonly (VersionInput | undefined)[], base: AccessRequest,
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
  const grid = buildTokenGrid(versions.map((v) => v?.policies.jwtRules ?? []), claims);
  const groups = new Map<string, { points: TokenPoint[]; attrs: RequestAttributes[]; rejected: boolean[] }>();
  const answers = (request: AccessRequest): { vector: string; attrs: RequestAttributes[]; rejected: boolean[] } => {
    const attrs: RequestAttributes[] = [];
    const rejected: boolean[] = [];
    let vector = '';
    versions.forEach((v) => {
      const outcome = runJwtFilter(v?.policies.jwtRules ?? [], request);
      const a = buildRequestAttributes(request, mesh, undefined, outcome.kind === 'continue' ? outcome.claims : undefined);
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
    dimension: { ...finishDimension('token', 'token', undefined, regions, list, 0), tokenGrid: grid },
    classify: (request) => {
      const headers = request.headers ?? {};
      // A CORS preflight skips the JWT filter: a class of its own that the space does not model.
      if (request.protocol === 'HTTP' && request.method === 'OPTIONS' && headers.origin !== undefined
        && headers['access-control-request-method'] !== undefined) return undefined;
      return byVector.get(answers(request).vector);
    },
  };
}

function finishDimension(key: string, kind: DimensionKind, header: string | undefined, regions: readonly Region[], list: readonly KeyedMatcher[],
  version: number): Dimension {
  const byRaw = new Map<string, bigint>();
  for (const { matcher } of list) {
    let mask = byRaw.get(matcher.raw) ?? 0n;
    regions.forEach((r) => {
      if (matcher.test(r.attrs[version])) mask |= 1n << BigInt(r.index);
    });
    byRaw.set(matcher.raw, mask);
  }
  const atoms = [...byRaw.entries()].map(([raw, mask]) => ({ raw, mask })).sort((a, b) => (a.raw < b.raw ? -1 : a.raw > b.raw ? 1 : 0));
  const anyAtom = atoms.reduce((m, a) => m | a.mask, 0n);
  const absentMask = maskOf(regions.filter((r) => (r.tokens ? r.tokens[0].jwt === null : r.witnesses[0].value === undefined)).map((r) => r.index));
  const otherMask = fullMask(regions.length) & ~anyAtom & ~absentMask;
  return { key, kind, ...(header ? { header } : {}), regions, atoms, absentMask, otherMask };
}
