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
import { fullMask } from './cubes';
import {
  buildTokenDimension, buildValueDimension, BuiltDimension, Dimension, DimensionKind, KeyedMatcher, KIND_ORDER, WitnessCache,
} from './request-class-dimensions';
import { OTHER_IPV4, otherPort } from './request-class-witnesses';
import { AccessProtocol, AccessRequest } from '../../semantics/access-request';
import { AuthorizationPolicyResource } from '../config/istio-config';
import { MeshConfig } from '../config/mesh-config';
import { CompiledPolicy, CompiledRule, FieldConstraint } from '../evaluator/authorization-rule';
import { ValueMatcher } from '../evaluator/conditions';
import { WorkloadPolicies } from '../evaluator/policy-index';

export type { Atom, Dimension, DimensionKind, Region } from './request-class-dimensions';
export { WitnessCache } from './request-class-dimensions';

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

/** diffspace: targets by attribute key, shared (callers only read them); a mesh has few distinct keys. */
const targets = new Map<string, ConstraintTarget>();

/** Maps an attribute key of the evaluator to its dimension. */
export function constraintTarget(attributeKey: string): ConstraintTarget {
  let target = targets.get(attributeKey);
  if (target === undefined) {
    target = targetOf(attributeKey);
    targets.set(attributeKey, target);
  }
  return target;
}

function targetOf(attributeKey: string): ConstraintTarget {
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

const constraintLists = new WeakMap<CompiledRule, readonly FieldConstraint[]>();

/** Every constraint of a rule (sources, operations, conditions); diffspace: one list per rule, shared (callers only read it). */
export function ruleConstraints(rule: CompiledRule): readonly FieldConstraint[] {
  let list = constraintLists.get(rule);
  if (list === undefined) {
    const all: FieldConstraint[] = [];
    if (rule.sources) for (const group of rule.sources) for (const c of group) all.push(c);
    if (rule.operations) for (const group of rule.operations) for (const c of group) all.push(c);
    for (const c of rule.conditions) all.push(c);
    list = all;
    constraintLists.set(rule, list);
  }
  return list;
}

/** A value a rule names on an in-cell dimension: an atom of the request space, with its dimension. */
interface NamedAtom extends KeyedMatcher {
  readonly dimension: string;
  readonly kind: DimensionKind;
  readonly header?: string;
}

/** What a request space takes from one compiled rule: the in-cell values it names, and the port numbers. */
interface RuleNames {
  readonly atoms: readonly NamedAtom[];
  readonly ports: readonly number[];
}

const ruleNames = new WeakMap<CompiledRule, RuleNames>();

/** diffspace: atoms by matcher (compiled values are shared by the rules naming them), with the attribute key they were made for. */
const atomsByMatcher = new WeakMap<ValueMatcher, NamedAtom & { readonly attributeKey: string }>();

/** The atom of one value a constraint names on a dimension: one object (and key) per compiled value. */
function atomOf(attributeKey: string, target: ConstraintTarget & { readonly type: 'dimension' }, m: ValueMatcher): NamedAtom {
  const known = atomsByMatcher.get(m);
  if (known !== undefined && known.attributeKey === attributeKey) return known;
  const key = `${attributeKey}\u0000${m.raw}`;
  const atom = target.header === undefined
    ? { key, matcher: m, dimension: target.key, kind: target.kind, attributeKey }
    : { key, matcher: m, dimension: target.key, kind: target.kind, header: target.header, attributeKey };
  if (known === undefined) atomsByMatcher.set(m, atom);
  return atom;
}

/**
 * diffspace: the atoms and port numbers of a rule, read once per rule (the versions of a diff
 * share most compiled rules), in the order of its constraints, each constraint's values before
 * its notValues.
 */
function namesOf(rule: CompiledRule): RuleNames {
  let names = ruleNames.get(rule);
  if (names === undefined) {
    const atoms: NamedAtom[] = [];
    const ports: number[] = [];
    for (const c of ruleConstraints(rule)) {
      const target = constraintTarget(c.attribute.key);
      if (target.type === 'port') {
        portsOf(c.values, ports);
        portsOf(c.notValues, ports);
      } else if (target.type === 'dimension') {
        atomsOf(c.attribute.key, target, c.values, atoms);
        atomsOf(c.attribute.key, target, c.notValues, atoms);
      }
    }
    names = { atoms, ports };
    ruleNames.set(rule, names);
  }
  return names;
}

/** diff16: the port numbers of a list of values, appended (no list of the lists per constraint). */
function portsOf(list: readonly ValueMatcher[] | undefined, ports: number[]): void {
  if (list === undefined) return;
  for (const m of list) if (/^\d+$/.test(m.raw)) ports.push(Number(m.raw));
}

function atomsOf(attributeKey: string, target: ConstraintTarget & { readonly type: 'dimension' }, list: readonly ValueMatcher[] | undefined,
  atoms: NamedAtom[]): void {
  if (list === undefined) return;
  for (const m of list) atoms.push(atomOf(attributeKey, target, m));
}

/**
 * The port numbers the Istio policies of a workload name: `to.operation.ports` and `notPorts` of
 * its decisive AuthorizationPolicies (and `destination.port` conditions), and the
 * `portLevelMtls` keys of its PeerAuthentication. Istio enforces them on any port of the pod,
 * declared or not.
 */
export function policyPortNumbers(wp: WorkloadPolicies, mesh: MeshConfig): Set<number> {
  const out = new Set<number>();
  const { deny, allow } = decisivePolicies(wp, mesh);
  for (const list of [deny, allow]) {
    for (const p of list) {
      // perf5: a policy whose rules name no port contributes none; its rules need not be compiled.
      if (!namesPorts(p.resource)) continue;
      for (const rules of [p.http.rules, p.tcp.rules]) for (const rule of rules) for (const port of namesOf(rule).ports) out.add(port);
    }
  }
  for (const port of wp.peerAuthentication.ports.keys()) out.add(port);
  return out;
}

const portNaming = new WeakMap<AuthorizationPolicyResource, boolean>();

/** Whether a rule of the policy names a port (`ports`, `notPorts`, a `destination.port` condition), as written. */
function namesPorts(resource: AuthorizationPolicyResource): boolean {
  let named = portNaming.get(resource);
  if (named === undefined) {
    named = resource.spec.rules.some((r) => r !== null && (
      (r.to ?? []).some((t) => (t.operation?.ports?.length ?? 0) > 0 || (t.operation?.notPorts?.length ?? 0) > 0)
      || (r.when ?? []).some((w) => w.key === 'destination.port')));
    portNaming.set(resource, named);
  }
  return named;
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
  // A compiled rule the versions share (a diff's unchanged rules) adds nothing the second time.
  const seen = new Set<CompiledRule>();
  for (const v of versions) {
    if (!v) continue;
    // The atoms of the version's decisive policies on both filter chains, and the ports they name.
    const { deny, allow } = decisivePolicies(v.policies, mesh);
    for (const list of [deny, allow]) {
      for (const p of list) {
        for (const rules of [p.http.rules, p.tcp.rules]) {
          for (const rule of rules) {
            if (seen.has(rule)) continue;
            seen.add(rule);
            const names = namesOf(rule);
            for (const atom of names.atoms) {
              let entry = matchers.get(atom.dimension);
              if (entry === undefined) {
                entry = { kind: atom.kind, ...(atom.header ? { header: atom.header } : {}), list: new Map() };
                matchers.set(atom.dimension, entry);
              }
              if (!entry.list.has(atom.key)) entry.list.set(atom.key, atom);
            }
            for (const port of names.ports) portNumbers.add(port);
          }
        }
      }
    }
    for (const port of v.policies.peerAuthentication.ports.keys()) portNumbers.add(port);
  }

  const slices = buildSlices(versions, portNumbers);
  const basePort = slices[0]?.port ?? 80;
  const base: AccessRequest = {
    protocol: 'HTTP',
    source: { principal: null, namespace: null, ip: OTHER_IPV4, remoteIp: OTHER_IPV4 },
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
    // perf7: shared by the destinations whose policies name the same values (and JWT rules: the
    // rules and where they read tokens; the regions do not depend on which policy declares them).
    const named = list.map((m) => m.key).join('\u0001');
    const dim: BuiltDimension = entry.kind === 'token'
      ? cache.dimension(`token\u0000${versions.length}\u0000${named}\u0000${JSON.stringify(tokenRules.map((rules) => rules.map((r) => [r.rule, r.locations])))}`,
        () => buildTokenDimension(list, tokenRules, base, mesh))
      : cache.dimension(`${key}\u0000${entry.kind}\u0000${entry.header ?? ''}\u0000${versions.length}\u0000${named}`,
        () => buildValueDimension(key, entry.kind, entry.header, list, versions.length, base, mesh, cache));
    dimensions.push(dim.dimension);
    classifiers.push(dim.classify);
  }

  const index = new Map(dimensions.map((d, i) => [d.key, i]));
  const masks = new Map<FieldConstraint, bigint[]>();
  const matcherMasks = new Map<ValueMatcher, bigint[]>();
  /** The regions of dimension `d` a value matches in a version (a matcher tests one attribute: one dimension). */
  const matcherMask = (m: ValueMatcher, d: number, version: number): bigint => {
    let perVersion = matcherMasks.get(m);
    if (perVersion === undefined) {
      perVersion = [];
      matcherMasks.set(m, perVersion);
    }
    let mask = perVersion[version];
    if (mask === undefined) {
      mask = 0n;
      const regions = dimensions[d].regions;
      for (let i = 0; i < regions.length; i++) if (m.test(regions[i].attrs[version])) mask |= 1n << BigInt(i);
      perVersion[version] = mask;
    }
    return mask;
  };
  const space: RequestSpace = {
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
      // diff14: a dimension whose regions have the same attributes in every version (all but tokens)
      // gives a constraint one mask: found once, not once per version.
      if (version !== 0 && dimensions[d].regions.every((r) => r.attrs[version] === r.attrs[0])) {
        perVersion[version] = space.constraintMask(c, d, 0);
        return perVersion[version];
      }
      // diff16: a constraint's mask from its values' masks (values ORed, notValues taken out, as
      // constraintMatches decides), each value tested once per dimension and version: the rules of a
      // destination share compiled values (authorization-rule.ts), 46,000 values of 16,600 at S=8,000.
      let mask = c.values === undefined ? fullMask(dimensions[d].regions.length) : 0n;
      if (c.values !== undefined) for (const m of c.values) mask |= matcherMask(m, d, version);
      if (c.notValues !== undefined) for (const m of c.notValues) mask &= ~matcherMask(m, d, version);
      perVersion[version] = mask;
      return mask;
    },
  };
  return space;
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
