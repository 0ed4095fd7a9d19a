/**
 * The evaluator's decision procedure, run symbolically over a destination's request space: for each
 * version, source class and port slice, the exact set of request classes the destination allows.
 *
 * Same order as `evaluate.ts`: plaintext to a STRICT port is refused; a token the JWT filter refuses
 * never reaches authorization; then CUSTOM policies istiod turns into denials and DENY policies
 * subtract from what ALLOW policies grant (everything, when no ALLOW policy applies). Each rule is
 * the union over its `from` × `to` pairs of one cube — its in-cell constraints' region masks — kept
 * when its identity and port constraints hold for the class and the slice. The constraints are the
 * evaluator's compiled ones (`policy.http` / `policy.tcp`), so HTTP-only fields on TCP ports narrow
 * ALLOW and widen DENY exactly as there.
 *
 * @module
 */
/* eslint-disable no-bitwise -- region masks are bit sets */
import { Cube, fullCube, setCovers, simplifySet, subtractSets } from './cubes';
import { decisivePolicies, PortSlice, RequestSpace, VersionInput } from './request-classes';
import { SourceClass } from './source-classes';
import { SpaceTerms, TermShape } from './space-terms';
import { appendAll } from '../../private/arrays';
import { AccessProtocol } from '../../semantics/access-request';
import { MeshConfig } from '../config/mesh-config';
import { CompiledPolicy, CompiledRule, CompiledRules } from '../evaluator/authorization-rule';
import { mtlsForPort } from '../evaluator/mtls-mode';
import { WorkloadPolicies } from '../evaluator/policy-index';

/** What one source class may do on one port slice, in one version. */
export interface SliceAccess {
  /** Allowed request classes (simplified union of cubes). */
  readonly allowed: readonly Cube[];
  /** Classes outside the question: tokens the destination's RequestAuthentication refuses. */
  readonly dontCare: readonly Cube[];
  /** True when the slice is not served in this version (no such port, or no such destination). */
  readonly absent: boolean;
  /** Set when plaintext is refused by STRICT mTLS: `namespace/name` of the PeerAuthentication (or `mTLS`). */
  readonly refusedBy?: string;
}

/** The verdict of a whole cell. */
export type AccessStatus = 'allowed' | 'denied' | 'partial';

interface Term {
  readonly shape: TermShape;
  readonly cube: Cube;
}

/** A version of the destination already evaluated over the same space and classes (see {@link evaluateVersion}). */
export interface EarlierVersion {
  readonly version: number;
  readonly input: VersionInput | undefined;
  readonly access: readonly (readonly SliceAccess[])[];
}

/**
 * Computes `[class][slice]` access for one version of a destination.
 *
 * @param input the version's policies and ports; undefined when the destination does not exist in it.
 * @param terms the destination's term shapes, shared by the versions analyzed over `space` and `classes`.
 * @param earlier a version evaluated before over the same space, classes and terms: a class and slice
 *   that no rule the two versions do not share can reach get its very SliceAccess (see {@link reusableChains}).
 */
export function evaluateVersion(space: RequestSpace, classes: readonly SourceClass[], input: VersionInput | undefined, version: number,
  mesh: MeshConfig, terms: SpaceTerms = new SpaceTerms(space, classes, mesh), earlier?: EarlierVersion): SliceAccess[][] {
  const empty: SliceAccess = { allowed: [], dontCare: [], absent: true };
  if (!input) return classes.map(() => space.slices.map(() => empty));
  const wp = input.policies;
  const { deny, allow } = decisivePolicies(wp, mesh);
  const full = fullCube(space.sizes);
  const tokenIndex = space.dimensionIndex('token');
  const dontCareHttp: Cube[] = [];
  if (tokenIndex >= 0) {
    let mask = 0n;
    space.dimensions[tokenIndex].regions.forEach((r) => {
      if (r.rejected?.[version]) mask |= 1n << BigInt(r.index);
    });
    if (mask !== 0n) {
      const c = [...full];
      c[tokenIndex] = mask;
      dontCareHttp.push(c);
    }
  }

  const reuse = earlier === undefined ? undefined : reusableChains(space, earlier, input, version, mesh, terms);
  const lists = new Map<AccessProtocol, { deny: TermList; allow: TermList }>();
  const listsFor = (protocol: AccessProtocol): { deny: TermList; allow: TermList } => {
    let t = lists.get(protocol);
    if (!t) {
      t = {
        deny: termList(policyTerms(deny, protocol, space, version, full, terms), terms),
        allow: termList(policyTerms(allow, protocol, space, version, full, terms), terms),
      };
      lists.set(protocol, t);
    }
    return t;
  };

  // diffeval: what a slice decides depends on the class only through which terms hold for it;
  // classes with the same terms share one result (most of a destination's classes are named by
  // no rule of one version, or by the same ones).
  const perSlice = space.slices.map((slice, i) => {
    if (!slice.inVersion[version]) return undefined;
    const mtls = mtlsOf(wp, slice.port);
    return {
      strict: mtls.strict,
      disabled: mtls.disabled,
      refusedBy: mtls.refusedBy,
      protocol: slice.protocol,
      dontCare: slice.protocol === 'HTTP' ? dontCareHttp : [],
      index: i,
      results: new Map<number | string, SliceAccess>(),
      // diff14: the rules the earlier version does not share, when this slice may reuse its access.
      changed: reuse?.changed(slice, mtls),
    };
  });

  return classes.map((cls, k) => perSlice.map((p): SliceAccess => {
    if (!p) return empty;
    if (p.strict && cls.principal === null) return { allowed: [], dontCare: [], absent: false, refusedBy: p.refusedBy };
    const slot = p.disabled || cls.principal === null ? terms.noPrincipal : k;
    if (p.changed !== undefined && !anyHolds(p.changed, terms, slot, p.index)) return (earlier as EarlierVersion).access[k][p.index];
    const chain = listsFor(p.protocol);
    const d = chain.deny.holding(slot, p.index);
    const a = allow.length === 0 ? 0 : chain.allow.holding(slot, p.index);
    const key = typeof d === 'number' && typeof a === 'number' ? d * MASK_RANGE + a : `${d}/${a}`;
    let result = p.results.get(key);
    if (!result) {
      const denied = chain.deny.cubes(d);
      const granted = allow.length === 0 ? [full] : chain.allow.cubes(a);
      const allowed = subtractSets(subtractSets(granted, denied), p.dontCare);
      result = { allowed: simplifySet(allowed), dontCare: p.dontCare, absent: false };
      p.results.set(key, result);
    }
    return result;
  }));
}

/** Whether one of the terms holds for a class slot on a slice. */
function anyHolds(list: readonly TermShape[], terms: SpaceTerms, slot: number, slice: number): boolean {
  for (const t of list) if (terms.principalHolds(t, slot) && terms.portHolds(t, slice)) return true;
  return false;
}

/** How a version's mTLS treats a port: what the evaluation of a slice reads of it. */
interface SliceMtls {
  readonly strict: boolean;
  readonly disabled: boolean;
  readonly refusedBy: string;
}

function mtlsOf(wp: WorkloadPolicies, port: number): SliceMtls {
  const mtls = mtlsForPort(wp.peerAuthentication, port);
  const pa = mtls.source?.policy;
  return { strict: mtls.mode === 'STRICT', disabled: mtls.mode === 'DISABLE', refusedBy: pa ? `${pa.metadata.namespace}/${pa.metadata.name}` : 'mTLS' };
}

/** What a version may reuse of an earlier one: per slice, the terms of the rules they do not share, or undefined (no reuse). */
interface ReusableChains {
  changed(slice: PortSlice, mtls: SliceMtls): readonly TermShape[] | undefined;
}

/**
 * diff14: a changed destination mostly keeps most of its rules (`shared-rules.ts` gives the two
 * versions the same compiled rule objects for them), so most of its classes keep their access.
 * A class's access on a slice is a function of the cubes of the DENY and ALLOW terms that hold for
 * it there, in list order, of whether ALLOW policies apply, of the slice's mTLS and of the refused
 * tokens. When the versions' region attributes are the same objects (cubes alike), both list the
 * rules they share in the same order on a chain, ALLOW policies apply in both or neither, and the
 * slice is served with the same mTLS in both, then a class no term of the other rules (those of one
 * version only, on either list) holds for has the same holding cubes in both versions, hence the
 * same access: the earlier version's object is reused.
 */
function reusableChains(space: RequestSpace, earlier: EarlierVersion, input: VersionInput | undefined, version: number, mesh: MeshConfig,
  terms: SpaceTerms): ReusableChains | undefined {
  const before = earlier.input;
  if (input === undefined || before === undefined) return undefined;
  const e = earlier.version;
  const alike = space.dimensions.every((d) => d.regions.every((r) => r.attrs[e] === r.attrs[version] && r.rejected?.[e] === r.rejected?.[version]));
  if (!alike) return undefined;
  const old = decisivePolicies(before.policies, mesh);
  const now = decisivePolicies(input.policies, mesh);
  if ((old.allow.length === 0) !== (now.allow.length === 0)) return undefined;
  const chains = new Map<AccessProtocol, readonly TermShape[] | undefined>();
  const chain = (protocol: AccessProtocol): readonly TermShape[] | undefined => {
    if (!chains.has(protocol)) {
      const deny = unsharedRules(old.deny, now.deny, protocol);
      const allow = deny && unsharedRules(old.allow, now.allow, protocol);
      chains.set(protocol, allow && deny && [...deny, ...allow].flatMap((rule) => terms.of(rule).filter((t) => t.possible)));
    }
    return chains.get(protocol);
  };
  return {
    changed: (slice, mtls) => {
      if (!slice.inVersion[e]) return undefined;
      const was = mtlsOf(before.policies, slice.port);
      if (was.strict !== mtls.strict || was.disabled !== mtls.disabled || was.refusedBy !== mtls.refusedBy) return undefined;
      return chain(slice.protocol);
    },
  };
}

/**
 * The compiled rules of one list (DENY or ALLOW) on one chain that only one of two versions has;
 * undefined when the rules both have are not in the same order in both. Exported for its test.
 */
export function unsharedRules(old: readonly CompiledPolicy[], now: readonly CompiledPolicy[], protocol: AccessProtocol): CompiledRule[] | undefined {
  const chainOf = (p: CompiledPolicy): CompiledRules => (protocol === 'TCP' ? p.tcp : p.http);
  // The same compiled chains in the same order (a list no edit touched): every rule shared, in order.
  if (old.length === now.length && old.every((p, i) => chainOf(p) === chainOf(now[i]))) return [];
  // diff16: the same policy names in the same order (the usual edit): a compiled rule is shared
  // only by namesakes (shared-rules.ts), so the rules are compared pair by pair, and only in the
  // pairs whose chains differ.
  if (old.length === now.length && old.every((p, i) => p.namespace === now[i].namespace && p.name === now[i].name)) {
    const out: CompiledRule[] = [];
    for (let i = 0; i < old.length; i++) {
      const a = chainOf(old[i]).rules;
      const b = chainOf(now[i]).rules;
      if (a === b) continue;
      const unshared = unsharedOf(a, b);
      if (unshared === undefined) return undefined;
      appendAll(out, unshared);
    }
    return out;
  }
  const rulesOf = (policies: readonly CompiledPolicy[]): CompiledRule[] => policies.flatMap((p) => chainOf(p).rules);
  return unsharedOf(rulesOf(old), rulesOf(now));
}

/** The rules of `a` not in `b` and of `b` not in `a`; undefined when the rules in both are not in the same order in both. */
function unsharedOf(a: readonly CompiledRule[], b: readonly CompiledRule[]): CompiledRule[] | undefined {
  const inA = new Set(a);
  const inB = new Set(b);
  const sharedA = a.filter((r) => inB.has(r));
  const sharedB = b.filter((r) => inA.has(r));
  if (sharedA.length !== sharedB.length || sharedA.some((r, i) => r !== sharedB[i])) return undefined;
  return [...a.filter((r) => !inB.has(r)), ...b.filter((r) => !inA.has(r))];
}

/** Lists up to this long give their holding terms as a bit set in a number below {@link MASK_RANGE}. */
const MASK_BITS = 26;
const MASK_RANGE = 2 ** MASK_BITS;

/** A version's terms on one filter chain, with which of them hold for a class slot and a slice. */
interface TermList {
  /**
   * The terms that hold: a bit set for short lists (two of them make one exact number below
   * 2^52), else their indexes as text.
   */
  holding(slot: number, slice: number): number | string;
  /** The cubes of the terms in a {@link holding} answer, in list order. */
  cubes(holding: number | string): Cube[];
}

function termList(list: readonly Term[], terms: SpaceTerms): TermList {
  if (list.length > MASK_BITS) {
    const holds = (t: Term, slot: number, slice: number): boolean => terms.principalHolds(t.shape, slot) && terms.portHolds(t.shape, slice);
    return {
      holding: (slot, slice) => list.map((t, i) => (holds(t, slot, slice) ? `${i},` : '')).join(''),
      cubes: (holding) => (holding as string).split(',').filter((i) => i !== '').map((i) => list[Number(i)].cube),
    };
  }
  // The identity verdicts of a class hold on every slice, the port verdicts of a slice for every class.
  // diff16: the identity verdicts of every slot at once, term by term: a term pinned to identities
  // sets the bits of the few slots it names (SpaceTerms.holdingSlots), not one test per class.
  let bySlot: Int32Array | undefined;
  const bySlice = new Map<number, number>();
  const mask = (f: (shape: TermShape) => boolean): number => {
    let m = 0;
    for (let i = 0; i < list.length; i++) if (f(list[i].shape)) m |= 1 << i;
    return m;
  };
  return {
    holding: (slot, slice) => {
      bySlot ??= slotMasks(list, terms);
      const p = bySlot[slot];
      let q = bySlice.get(slice);
      if (q === undefined) {
        q = mask((s) => terms.portHolds(s, slice));
        bySlice.set(slice, q);
      }
      return p & q;
    },
    cubes: (holding) => list.filter((_t, i) => ((holding as number) & (1 << i)) !== 0).map((t) => t.cube),
  };
}

/** For each slot (class index or `noPrincipal`), the bit set of the terms of a short list whose identity constraints hold for it. */
function slotMasks(list: readonly Term[], terms: SpaceTerms): Int32Array {
  const out = new Int32Array(terms.noPrincipal + 1);
  for (let i = 0; i < list.length; i++) {
    const bit = 1 << i;
    const slots = terms.holdingSlots(list[i].shape);
    if (slots === undefined) {
      for (let slot = 0; slot < out.length; slot++) out[slot] |= bit;
    } else {
      for (const slot of slots) out[slot] |= bit;
    }
  }
  return out;
}

/**
 * allowed when every served slice is fully allowed (ignoring refused tokens), denied when nothing is.
 * @param complete {@link sliceComplete} of a slice (callers that need it again pass a memoized one).
 */
export function accessStatus(slices: readonly SliceAccess[], complete: (s: SliceAccess) => boolean): AccessStatus {
  const served = slices.filter((s) => !s.absent);
  if (served.every((s) => s.allowed.length === 0)) return 'denied';
  return served.every(complete) ? 'allowed' : 'partial';
}

/** True when a slice is served and fully allowed. */
export function sliceComplete(s: SliceAccess, sizes: readonly number[]): boolean {
  return coversSpace(s, fullCube(sizes));
}

/**
 * True when a slice is served and its allowed and don't-care cubes cover the `full` cube. diff16:
 * one test of both lists (the space minus the one minus the other is empty just when it is minus
 * both), which mostly finds one cube holding it all and subtracts nothing.
 */
function coversSpace(s: SliceAccess, full: Cube): boolean {
  return !s.absent && setCovers(s.dontCare.length === 0 ? s.allowed : [...s.allowed, ...s.dontCare], full);
}

/** {@link sliceComplete} for the slices of one space, each slice computed once. */
export function memoSliceComplete(sizes: readonly number[]): (s: SliceAccess) => boolean {
  const completeness = new Map<SliceAccess, boolean>();
  const full = fullCube(sizes);
  return (s) => {
    let c = completeness.get(s);
    if (c === undefined) {
      c = coversSpace(s, full);
      completeness.set(s, c);
    }
    return c;
  };
}

function policyTerms(policies: readonly CompiledPolicy[], protocol: AccessProtocol, space: RequestSpace, version: number, full: Cube,
  terms: SpaceTerms): Term[] {
  const out: Term[] = [];
  for (const policy of policies) {
    const rules = protocol === 'TCP' ? policy.tcp.rules : policy.http.rules;
    for (const rule of rules) {
      for (const shape of terms.of(rule)) {
        const cube = cubeOf(shape, space, version, full);
        if (cube) out.push({ shape, cube });
      }
    }
  }
  return out;
}

/** The cube of a term in one version; undefined when the term matches nothing. */
function cubeOf(shape: TermShape, space: RequestSpace, version: number, full: Cube): Cube | undefined {
  if (!shape.possible) return undefined;
  const cube = [...full];
  for (const [d, c] of shape.dimensions) {
    cube[d] &= space.constraintMask(c, d, version);
    if (cube[d] === 0n) return undefined;
  }
  return cube;
}

/** The slices of a destination with their index, for lookups by port and protocol. */
export function sliceFor(slices: readonly PortSlice[], port: number, protocol: AccessProtocol): number {
  let other = -1;
  for (let i = 0; i < slices.length; i++) {
    const s = slices[i];
    if (s.protocol !== protocol) continue;
    if (!s.other && s.port === port) return i;
    if (s.other) other = i;
  }
  return other;
}
