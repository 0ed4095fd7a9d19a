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
import { Cube, fullCube, isEmptySet, simplifySet, subtractSets } from './cubes';
import { decisivePolicies, PortSlice, RequestSpace, VersionInput } from './request-classes';
import { SourceClass } from './source-classes';
import { SpaceTerms, TermShape } from './space-terms';
import { AccessProtocol } from '../../semantics/access-request';
import { MeshConfig } from '../config/mesh-config';
import { CompiledPolicy } from '../evaluator/authorization-rule';
import { mtlsForPort } from '../evaluator/mtls-mode';

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

/**
 * Computes `[class][slice]` access for one version of a destination.
 *
 * @param input the version's policies and ports; undefined when the destination does not exist in it.
 * @param terms the destination's term shapes, shared by the versions analyzed over `space` and `classes`.
 */
export function evaluateVersion(space: RequestSpace, classes: readonly SourceClass[], input: VersionInput | undefined, version: number,
  mesh: MeshConfig, terms: SpaceTerms = new SpaceTerms(space, classes, mesh)): SliceAccess[][] {
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

  const termsByProtocol = new Map<AccessProtocol, { deny: Term[]; allow: Term[] }>();
  const termsFor = (protocol: AccessProtocol): { deny: Term[]; allow: Term[] } => {
    let t = termsByProtocol.get(protocol);
    if (!t) {
      t = { deny: policyTerms(deny, protocol, space, version, full, terms), allow: policyTerms(allow, protocol, space, version, full, terms) };
      termsByProtocol.set(protocol, t);
    }
    return t;
  };

  // diffeval: what a slice decides depends on the class only through which terms hold for it;
  // classes with the same terms share one result (most of a destination's classes are named by
  // no rule of one version, or by the same ones).
  const perSlice = space.slices.map((slice, i) => {
    if (!slice.inVersion[version]) return undefined;
    const mtls = mtlsForPort(wp.peerAuthentication, slice.port);
    const pa = mtls.source?.policy;
    return {
      strict: mtls.mode === 'STRICT',
      disabled: mtls.mode === 'DISABLE',
      refusedBy: pa ? `${pa.metadata.namespace}/${pa.metadata.name}` : 'mTLS',
      terms: termsFor(slice.protocol),
      dontCare: slice.protocol === 'HTTP' ? dontCareHttp : [],
      index: i,
      results: new Map<number | string, SliceAccess>(),
    };
  });

  return classes.map((cls, k) => perSlice.map((p): SliceAccess => {
    if (!p) return empty;
    if (p.strict && cls.principal === null) return { allowed: [], dontCare: [], absent: false, refusedBy: p.refusedBy };
    const slot = p.disabled || cls.principal === null ? terms.noPrincipal : k;
    const holds = (t: Term): boolean => terms.principalHolds(t.shape, slot) && terms.portHolds(t.shape, p.index);
    const denyKey = holdingKey(p.terms.deny, holds);
    const allowKey = allow.length === 0 ? 0 : holdingKey(p.terms.allow, holds);
    const key = typeof denyKey === 'number' && typeof allowKey === 'number' ? denyKey * KEY_RANGE + allowKey : `${denyKey}/${allowKey}`;
    let result = p.results.get(key);
    if (!result) {
      const denied = p.terms.deny.filter(holds).map((t) => t.cube);
      const granted = allow.length === 0 ? [full] : p.terms.allow.filter(holds).map((t) => t.cube);
      const allowed = subtractSets(subtractSets(granted, denied), p.dontCare);
      result = { allowed: simplifySet(allowed), dontCare: p.dontCare, absent: false };
      p.results.set(key, result);
    }
    return result;
  }));
}

/** Keys of term subsets of lists up to this long are numbers below {@link KEY_RANGE}. */
const KEY_BITS = 26;
const KEY_RANGE = 2 ** KEY_BITS;

/**
 * Which terms of a list hold, as a key: the bit set as a number for short lists (two of them make
 * one exact number below 2^52), else the indexes as text.
 */
function holdingKey(list: readonly Term[], holds: (t: Term) => boolean): number | string {
  if (list.length <= KEY_BITS) {
    let m = 0;
    for (let i = 0; i < list.length; i++) if (holds(list[i])) m += 2 ** i;
    return m;
  }
  let k = '';
  for (let i = 0; i < list.length; i++) if (holds(list[i])) k += `${i},`;
  return k;
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
  return !s.absent && isEmptySet(subtractSets(subtractSets([fullCube(sizes)], s.dontCare), s.allowed));
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
