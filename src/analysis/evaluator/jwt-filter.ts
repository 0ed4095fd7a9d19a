/**
 * The JWT filter: what the RequestAuthentications selecting a workload do with the request's token.
 *
 * @see https://istio.io/latest/docs/reference/config/security/request_authentication/
 * @see https://istio.io/latest/docs/concepts/security/#request-authentication
 * @module
 */
import { AccessRequest, DecidingPolicy, JwtLocation } from '../../semantics/access-request';
import {
  acceptsIssuer, ALWAYS_SPACE_DELIMITED_CLAIMS, DEFAULT_TOKEN_LOCATION, isCorsPreflight, readsTokenAt, splitSpaceDelimitedClaims,
  tokenAudiences, tokenLocations,
} from '../../semantics/jwt-token';
import { JwtRule, RequestAuthenticationResource } from '../config/istio-config';

/** A jwtRule together with the policy that declares it. */
export interface LocatedJwtRule {
  readonly policy: RequestAuthenticationResource;
  readonly index: number;
  readonly rule: JwtRule;
  /** Where the rule reads tokens ({@link tokenLocations} of the rule). */
  readonly locations: readonly JwtLocation[];
}

/** Locates every jwtRule of the policies, in order. */
export function locateJwtRules(policies: readonly RequestAuthenticationResource[]): LocatedJwtRule[] {
  return policies.flatMap((policy) => policy.spec.jwtRules.map((rule, index) => ({ policy, index, rule, locations: tokenLocations(rule) })));
}

/** What the JWT filter did. */
export type JwtOutcome =
  | { readonly kind: 'continue'; readonly claims?: Readonly<Record<string, unknown>>; readonly note?: string }
  | { readonly kind: 'reject'; readonly outcome: 'DENY_401' | 'DENY_403'; readonly decidedBy: readonly DecidingPolicy[]; readonly explanation: string };

/**
 * Runs the JWT filter for one request.
 *
 * - No RequestAuthentication selects the workload: tokens are ignored (no request identity).
 * - TCP, no token, or a CORS preflight (`OPTIONS` with `Origin` and
 *   `Access-Control-Request-Method`): nothing to verify, continue without identity.
 * - A token at a location no rule reads is not extracted: continue without identity.
 * - An invalid token (expired, malformed) where a rule reads it: 401.
 * - A valid token whose issuer no rule reading that location accepts: 401.
 * - Issuer accepted but the token's `aud` is in none of the rules' non-empty `audiences`: 403
 *   (Envoy's jwt_authn answers `Audiences in Jwt are not allowed` with 403).
 * - Otherwise the claims become the request identity (`<iss>/<sub>`).
 */
export function runJwtFilter(rules: readonly LocatedJwtRule[], request: AccessRequest): JwtOutcome {
  if (request.protocol !== 'HTTP') return { kind: 'continue' };
  if (rules.length === 0) {
    return request.jwt ? { kind: 'continue', note: 'the token is ignored: no RequestAuthentication selects the workload' } : { kind: 'continue' };
  }
  if (isCorsPreflight(request)) {
    return { kind: 'continue', note: 'CORS preflight: token checks are skipped' };
  }
  const jwt = request.jwt;
  if (!jwt) return { kind: 'continue' };
  const location = jwt.location ?? DEFAULT_TOKEN_LOCATION;
  const reading = rules.filter((r) => readsTokenAt(r.locations, location));
  if (reading.length === 0) {
    return { kind: 'continue', note: `the token at ${location} is not read by any jwtRule (not extracted, no request identity)` };
  }
  if (jwt.status === 'invalid') {
    return {
      kind: 'reject',
      outcome: 'DENY_401',
      decidedBy: refs(reading),
      explanation: `rejected by RequestAuthentication ${name(reading[0])}: the token at ${location} is ${jwt.reason} (Jwt verification fails)`,
    };
  }
  const iss = jwt.claims.iss;
  const issuerOk = reading.filter((r) => acceptsIssuer(r.rule.issuer, iss));
  if (issuerOk.length === 0) {
    const accepted = [...new Set(reading.map((r) => r.rule.issuer ?? ''))].join(', ');
    return {
      kind: 'reject',
      outcome: 'DENY_401',
      decidedBy: refs(reading),
      explanation: `rejected by RequestAuthentication ${name(reading[0])}: token issuer ${typeof iss === 'string' ? iss : '(missing)'} is not accepted at ${location} (accepted: ${accepted})`,
    };
  }
  const audiences = tokenAudiences(jwt.claims);
  const accepting = issuerOk.filter((r) => r.rule.audiences.length === 0 || r.rule.audiences.some((a) => audiences.includes(a)));
  if (accepting.length === 0) {
    return {
      kind: 'reject',
      outcome: 'DENY_403',
      decidedBy: refs(issuerOk.slice(0, 1)),
      explanation: `rejected by RequestAuthentication ${name(issuerOk[0])} jwtRule ${issuerOk[0].index}: token audience ${audiences.join(',') || '(none)'} is not in audiences [${issuerOk[0].rule.audiences.join(', ')}]`,
    };
  }
  const spaceDelimited = new Set([...ALWAYS_SPACE_DELIMITED_CLAIMS, ...accepting.flatMap((r) => r.rule.spaceDelimitedClaims)]);
  return { kind: 'continue', claims: splitSpaceDelimitedClaims(jwt.claims, spaceDelimited) };
}

function refs(rules: readonly LocatedJwtRule[]): DecidingPolicy[] {
  const seen = new Set<string>();
  const out: DecidingPolicy[] = [];
  for (const r of rules) {
    const key = `${r.policy.metadata.namespace}/${r.policy.metadata.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ kind: 'RequestAuthentication', namespace: r.policy.metadata.namespace, name: r.policy.metadata.name, action: 'JWT', rule: r.index });
  }
  return out;
}

function name(r: LocatedJwtRule): string {
  return `${r.policy.metadata.namespace}/${r.policy.metadata.name}`;
}
