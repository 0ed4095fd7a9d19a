/**
 * End-user token witnesses: the tokens a request may carry, as a grid over the claims the
 * destination's policies look at (`iss`, `sub`, `aud`, `azp`, `request.auth.claims[...]` paths)
 * and the places its RequestAuthentications read tokens from, plus "no token".
 *
 * Each claim takes one value per token (a list claim is modelled by one of its values); tokens with
 * a bad signature or expired are not part of the request space (they are refused with 401 wherever
 * a RequestAuthentication reads them, whatever the AuthorizationPolicies say).
 *
 * @module
 */
import { FRESH, stringWitnesses, Witness } from './request-class-witnesses';
import { JwtLocation, ValidJwt } from '../../semantics/access-request';
import { LocatedJwtRule } from '../evaluator/jwt-filter';

/** One claim the policies test. */
export interface TokenCoordinate {
  /** Claim path joined with `.`: `iss`, `role`, `groups.admin`. */
  readonly name: string;
  readonly path: readonly string[];
  /** Candidate values; index 0 is always "absent". */
  readonly values: readonly Witness[];
}

/** One token of the grid. */
export interface TokenPoint {
  /** `null`: the request carries no token. */
  readonly jwt: ValidJwt | null;
  /** Index into each coordinate's `values` (empty for "no token"). */
  readonly coords: readonly number[];
}

/** The token grid of one destination. */
export interface TokenGrid {
  readonly locations: readonly JwtLocation[];
  readonly coordinates: readonly TokenCoordinate[];
  readonly points: readonly TokenPoint[];
  /** True when the grid was reduced to one-claim-at-a-time variations (too many combinations). */
  readonly reduced: boolean;
}

/** The claim patterns a destination's policies use, by claim path (joined with `.`). */
export type ClaimPatterns = ReadonlyMap<string, readonly string[]>;

const GRID_LIMIT = 1024;

/**
 * Splits `requestPrincipals` / `request.auth.principal` values into the issuer and subject
 * patterns istiod matches separately (`requestPrincipalGenerator`: split at the last `/`).
 */
export function requestPrincipalParts(value: string): { iss: string; sub: string } {
  if (value === '*') return { iss: '*', sub: '*' };
  const idx = value.lastIndexOf('/');
  if (idx < 0) return value.startsWith('*') ? { iss: '*', sub: value } : { iss: value, sub: '*' };
  return { iss: value.slice(0, idx), sub: value.slice(idx + 1) };
}

/**
 * Builds the grid: "no token", then for each read location every combination of claim values
 * (or, beyond {@link GRID_LIMIT} combinations, one claim varied at a time around a base token).
 *
 * @param rulesByVersion the jwtRules selecting the destination, per compared version.
 * @param claims claim patterns from the policies (issuers and audiences of the jwtRules are added).
 */
export function buildTokenGrid(rulesByVersion: readonly (readonly LocatedJwtRule[])[], claims: ClaimPatterns): TokenGrid {
  const locations = [...new Set(rulesByVersion.flatMap((rules) => rules.flatMap((r) => r.locations)))].sort();
  if (locations.length === 0) return { locations, coordinates: [], points: [{ jwt: null, coords: [] }], reduced: false };

  const patterns = new Map<string, Set<string>>();
  const add = (name: string, raw: string): void => {
    const set = patterns.get(name) ?? new Set<string>();
    set.add(raw);
    patterns.set(name, set);
  };
  // Every token has an issuer coordinate, so that "a token from another issuer" is a class.
  patterns.set('iss', new Set<string>());
  for (const rules of rulesByVersion) {
    for (const r of rules) {
      if (r.rule.issuer) add('iss', r.rule.issuer);
      r.rule.audiences.forEach((a) => add('aud', a));
    }
  }
  for (const [name, raws] of claims) raws.forEach((raw) => add(name, raw));
  const names = [...patterns.keys()].sort(compareClaimNames);
  const coordinates: TokenCoordinate[] = names
    // A claim that is also the parent of a nested claim cannot hold a string value too.
    .filter((n) => !names.some((o) => o.startsWith(`${n}.`)))
    .map((name) => ({
      name,
      path: name.split('.'),
      values: stringWitnesses(patterns.get(name) ?? [], { absent: true, other: `${FRESH}${name}` }),
    }));

  const combos = coordinates.reduce((n, c) => n * c.values.length, 1);
  const reduced = combos * locations.length > GRID_LIMIT;
  const tuples: number[][] = reduced ? oneAtATime(coordinates) : product(coordinates);
  const points: TokenPoint[] = [{ jwt: null, coords: [] }];
  for (const location of locations) {
    for (const coords of tuples) {
      points.push({ jwt: { status: 'valid', claims: claimsOf(coordinates, coords), location }, coords });
    }
  }
  return { locations, coordinates, points, reduced };
}

function product(coordinates: readonly TokenCoordinate[]): number[][] {
  let out: number[][] = [[]];
  for (const c of coordinates) {
    const next: number[][] = [];
    for (const t of out) for (let i = 0; i < c.values.length; i++) next.push([...t, i]);
    out = next;
  }
  return out;
}

function oneAtATime(coordinates: readonly TokenCoordinate[]): number[][] {
  // Base token: each claim's first named value (index 1 is "other", 2+ come from patterns).
  const base = coordinates.map((c) => (c.values.length > 2 ? 2 : c.values.length - 1));
  const out: number[][] = [base];
  coordinates.forEach((c, i) => {
    for (let v = 0; v < c.values.length; v++) {
      if (v === base[i]) continue;
      const t = [...base];
      t[i] = v;
      out.push(t);
    }
  });
  return out;
}

function claimsOf(coordinates: readonly TokenCoordinate[], coords: readonly number[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  coordinates.forEach((c, i) => {
    const value = c.values[coords[i]].value;
    if (value === undefined) return;
    let cur = claims;
    for (const seg of c.path.slice(0, -1)) {
      const next = cur[seg];
      if (typeof next !== 'object' || next === null) cur[seg] = {};
      cur = cur[seg] as Record<string, unknown>;
    }
    cur[c.path[c.path.length - 1]] = value;
  });
  return claims;
}

const FIRST_CLAIMS = ['iss', 'sub', 'aud', 'azp'];

function compareClaimNames(a: string, b: string): number {
  const ia = FIRST_CLAIMS.indexOf(a);
  const ib = FIRST_CLAIMS.indexOf(b);
  if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}
