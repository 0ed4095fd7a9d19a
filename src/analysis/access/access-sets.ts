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
import { probeRequest } from './request-class-witnesses';
import { constraintTarget, decisivePolicies, PortSlice, RequestSpace, VersionInput } from './request-classes';
import { SourceClass } from './source-classes';
import { AccessProtocol } from '../../semantics/access-request';
import { MeshConfig } from '../config/mesh-config';
import { CompiledPolicy, constraintMatches, FieldConstraint } from '../evaluator/authorization-rule';
import { mtlsForPort } from '../evaluator/mtls-mode';
import { RequestAttributes } from '../evaluator/request-attributes';

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
  readonly principal: readonly FieldConstraint[];
  readonly port: readonly FieldConstraint[];
  readonly cube: Cube;
}

/**
 * Computes `[class][slice]` access for one version of a destination.
 *
 * @param input the version's policies and ports; undefined when the destination does not exist in it.
 */
export function evaluateVersion(space: RequestSpace, classes: readonly SourceClass[], input: VersionInput | undefined, version: number,
  mesh: MeshConfig): SliceAccess[][] {
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

  const base = probeRequest({ namespace: space.namespace, labels: {}, port: 80 });
  const principalAttrs = new Map<string, RequestAttributes>();
  const attrsFor = (principal: string | undefined): RequestAttributes => {
    const key = principal ?? '';
    let a = principalAttrs.get(key);
    if (!a) {
      a = new RequestAttributes(base, mesh, principal, undefined);
      principalAttrs.set(key, a);
    }
    return a;
  };
  const portAttrs = new Map<number, RequestAttributes>();
  const attrsForPort = (port: number): RequestAttributes => {
    let a = portAttrs.get(port);
    if (!a) {
      a = new RequestAttributes({ ...base, destination: { ...base.destination, port } }, mesh, undefined, undefined);
      portAttrs.set(port, a);
    }
    return a;
  };
  const holds = memoHolds();

  const termsByProtocol = new Map<AccessProtocol, { deny: Term[]; allow: Term[] }>();
  const termsFor = (protocol: AccessProtocol): { deny: Term[]; allow: Term[] } => {
    let t = termsByProtocol.get(protocol);
    if (!t) {
      const constAttrs = attrsFor(undefined);
      t = {
        deny: policyTerms(deny, protocol, space, version, full, constAttrs),
        allow: policyTerms(allow, protocol, space, version, full, constAttrs),
      };
      termsByProtocol.set(protocol, t);
    }
    return t;
  };

  // perf7: the terms whose identity constraints hold for a principal, found once per principal and
  // filter chain (not once per port slice); each slice then tests only their port constraints.
  const byPrincipal = new Map<string, { deny: Term[]; allow: Term[] }>();
  const principalTerms = (protocol: AccessProtocol, principal: string | undefined): { deny: Term[]; allow: Term[] } => {
    const key = `${protocol}\u0000${principal ?? ''}`;
    let t = byPrincipal.get(key);
    if (!t) {
      const pAttrs = attrsFor(principal);
      const holdsFor = (term: Term): boolean => term.principal.every((c) => holds(c, principal ?? '', pAttrs));
      const all = termsFor(protocol);
      t = { deny: all.deny.filter(holdsFor), allow: all.allow.filter(holdsFor) };
      byPrincipal.set(key, t);
    }
    return t;
  };

  return classes.map((cls) => space.slices.map((slice): SliceAccess => {
    if (!slice.inVersion[version]) return empty;
    const mtls = mtlsForPort(wp.peerAuthentication, slice.port);
    if (mtls.mode === 'STRICT' && cls.principal === null) {
      const pa = mtls.source?.policy;
      return { allowed: [], dontCare: [], absent: false, refusedBy: pa ? `${pa.metadata.namespace}/${pa.metadata.name}` : 'mTLS' };
    }
    const principal = mtls.mode === 'DISABLE' || cls.principal === null ? undefined : cls.principal;
    const portA = attrsForPort(slice.port);
    const portHolds = (t: Term): boolean => t.port.every((c) => holds(c, `:${slice.port}`, portA));
    const terms = principalTerms(slice.protocol, principal);
    const denied = terms.deny.filter(portHolds).map((t) => t.cube);
    const granted = allow.length === 0 ? [full] : terms.allow.filter(portHolds).map((t) => t.cube);
    const dontCare = slice.protocol === 'HTTP' ? dontCareHttp : [];
    const allowed = subtractSets(subtractSets(granted, denied), dontCare);
    return { allowed: simplifySet(allowed), dontCare, absent: false };
  }));
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
  constAttrs: RequestAttributes): Term[] {
  const out: Term[] = [];
  for (const policy of policies) {
    const rules = protocol === 'TCP' ? policy.tcp.rules : policy.http.rules;
    for (const rule of rules) {
      for (const source of rule.sources ?? [[]]) {
        for (const operation of rule.operations ?? [[]]) {
          const term = buildTerm([...source, ...operation, ...rule.conditions], space, version, full, constAttrs);
          if (term) out.push(term);
        }
      }
    }
  }
  return out;
}

function buildTerm(constraints: readonly FieldConstraint[], space: RequestSpace, version: number, full: Cube,
  constAttrs: RequestAttributes): Term | undefined {
  const principal: FieldConstraint[] = [];
  const port: FieldConstraint[] = [];
  const cube = [...full];
  for (const c of constraints) {
    const target = constraintTarget(c.attribute.key);
    if (target.type === 'principal') {
      principal.push(c);
    } else if (target.type === 'port') {
      port.push(c);
    } else if (target.type === 'const') {
      // Attributes the request model never carries (filter metadata): decided once.
      if (!constraintMatches(c, constAttrs)) return undefined;
    } else {
      const d = space.dimensionIndex(target.key);
      cube[d] &= space.constraintMask(c, d, version);
      if (cube[d] === 0n) return undefined;
    }
  }
  return { principal, port, cube };
}

function memoHolds(): (c: FieldConstraint, key: string, attrs: RequestAttributes) => boolean {
  const memo = new Map<FieldConstraint, Map<string, boolean>>();
  return (c, key, attrs) => {
    let m = memo.get(c);
    if (!m) {
      m = new Map();
      memo.set(c, m);
    }
    let v = m.get(key);
    if (v === undefined) {
      v = constraintMatches(c, attrs);
      m.set(key, v);
    }
    return v;
  };
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
