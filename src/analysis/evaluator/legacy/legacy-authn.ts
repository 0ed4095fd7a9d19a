/**
 * 1.x authentication (`authentication.istio.io/v1alpha1` Policy, policy.proto 1.0–1.4) of one
 * request: peer mTLS, origin JWT and the principal binding.
 *
 * - `peers`: the first `mtls` method decides; STRICT (also an empty `mtls: {}`, the enum's zero)
 *   refuses plaintext unless `peerIsOptional`; PERMISSIVE accepts both. No mtls peer: the sidecar
 *   does not terminate mTLS, so no peer identity is available.
 * - `origins`: a token is checked by the origin of its issuer; a request *without* a token fails
 *   (401) unless `originIsOptional`, or no origin's `triggerRules` trigger on the path ("If the list
 *   is not empty and none of the rules matched, authentication will skip the JWT validation").
 * - `principalBinding`: USE_PEER (default) or USE_ORIGIN picks the identity written as
 *   `request.auth.principal`; `source.principal` (RBAC `user`, `names`, v1beta1 `principals`) is
 *   the peer's whatever the binding (istio/proxy 1.4.10 `filter_context.cc` `setPrincipal`,
 *   `utils/authn.cc` `SaveAuthAttributesToStruct`; docs/legacy.md).
 *
 * @see https://istio.io/v1.4/docs/reference/config/security/istio.authentication.v1alpha1/
 * @module
 */
import { ResolvedLegacyAuthn } from './legacy-index';
import { legacyPath } from './legacy-rbac';
import { AccessRequest, JwtLocation } from '../../../semantics/access-request';
import { acceptsIssuer, DEFAULT_TOKEN_LOCATION, readsTokenAt, tokenAudiences, tokenLocations } from '../../../semantics/jwt-token';
import { LegacyJwt, LegacyStringMatch, LegacyTriggerRule } from '../../config/legacy-resources';

/** The outcome of 1.x authentication. */
export type LegacyAuthnResult =
  | { readonly kind: 'reject'; readonly outcome: 'DENY_CONN' | 'DENY_401'; readonly explanation: string }
  | {
    readonly kind: 'pass';
    /** Peer principal when mTLS was terminated. */
    readonly peer?: string;
    /** Origin principal `iss/sub` of a verified token. */
    readonly origin?: string;
    /** Claims of the verified token. */
    readonly claims?: Readonly<Record<string, unknown>>;
    /** The principal RBAC sees as `user` / `source.principal`: the peer's, whatever the binding. */
    readonly principal?: string;
    /** `request.auth.principal`: the origin under USE_ORIGIN, the peer under USE_PEER. */
    readonly requestPrincipal?: string;
    readonly notes: readonly string[];
  };

/** Runs 1.x authentication for a request under the resolved Policy. */
export function legacyAuthenticate(resolved: ResolvedLegacyAuthn, request: AccessRequest): LegacyAuthnResult {
  const policy = resolved.policy;
  const notes: string[] = [];
  const where = policy ? `${policy.kind} ${policy.metadata.namespace ? `${policy.metadata.namespace}/` : ''}${policy.metadata.name}` : '';
  if (!policy) {
    return { kind: 'pass', notes: ['no authentication Policy applies, so no mTLS is terminated and no peer identity is available'] };
  }
  const spec = policy.spec;
  // Peer authentication.
  const mtls = spec.peers.find((p) => p.kind === 'mtls');
  let peer: string | undefined;
  if (spec.peers.some((p) => p.kind === 'jwt')) notes.push(`${where} has a jwt peer method, which trustmesh does not evaluate`);
  if (mtls && mtls.kind === 'mtls') {
    if (request.source.principal === null && mtls.mode === 'STRICT' && !spec.peerIsOptional) {
      return { kind: 'reject', outcome: 'DENY_CONN', explanation: `connection refused: ${where} requires STRICT mTLS (peers) and the client sent plaintext` };
    }
    peer = request.source.principal ?? undefined;
  } else if (request.source.principal !== null) {
    notes.push(`${where} has no mtls peer, so the sidecar does not terminate mTLS and the peer identity is not available`);
  }
  // Origin authentication (HTTP only).
  let origin: string | undefined;
  let claims: Readonly<Record<string, unknown>> | undefined;
  if (spec.origins.length > 0 && request.protocol === 'HTTP') {
    const path = legacyPath(request);
    const triggered = spec.origins.filter((o) => triggers(o, path));
    const jwt = request.jwt;
    if (triggered.length === 0) {
      notes.push(`${where}: no origin's triggerRules apply to ${path}, so the token is not checked`);
    } else if (jwt === null) {
      if (!spec.originIsOptional) {
        return { kind: 'reject', outcome: 'DENY_401', explanation: `denied (401): ${where} requires a JWT (origins ${triggered.map((o) => o.issuer).join(', ')}) and the request has none` };
      }
      notes.push(`${where}: no token, accepted because originIsOptional`);
    } else {
      const location: JwtLocation = jwt.location ?? DEFAULT_TOKEN_LOCATION;
      const readers = triggered.filter((o) => readsTokenAt(originLocations(o), location));
      if (readers.length === 0) {
        if (!spec.originIsOptional) {
          return { kind: 'reject', outcome: 'DENY_401', explanation: `denied (401): ${where} reads tokens at ${originLocations(triggered[0]).join(', ')}, not ${location}, so the request has no token it accepts` };
        }
      } else if (jwt.status === 'invalid') {
        if (!spec.originIsOptional) return { kind: 'reject', outcome: 'DENY_401', explanation: `denied (401): ${where}: the token is ${jwt.reason}` };
        notes.push(`${where}: invalid token accepted without identity because originIsOptional`);
      } else {
        const accepting = readers.find((o) => acceptsIssuer(o.issuer, jwt.claims.iss) && audienceOk(o, jwt.claims));
        if (!accepting) {
          if (!spec.originIsOptional) {
            return { kind: 'reject', outcome: 'DENY_401', explanation: `denied (401): ${where} accepts issuers ${readers.map((o) => o.issuer).join(', ')} (with their audiences) and the token's iss is ${JSON.stringify(jwt.claims.iss)}` };
          }
          notes.push(`${where}: the token is not accepted; passed without identity because originIsOptional`);
        } else {
          origin = `${String(jwt.claims.iss)}/${typeof jwt.claims.sub === 'string' ? jwt.claims.sub : ''}`;
          claims = jwt.claims;
        }
      }
    }
  }
  const requestPrincipal = spec.principalBinding === 'USE_ORIGIN' ? origin : peer;
  return {
    kind: 'pass',
    ...(peer ? { peer, principal: peer } : {}),
    ...(origin ? { origin, claims } : {}),
    ...(requestPrincipal ? { requestPrincipal } : {}),
    notes,
  };
}

/** Where a 1.x origin reads its token: jwtHeaders/jwtParams, else `Authorization: Bearer` and `access_token`. */
export function originLocations(o: LegacyJwt): JwtLocation[] {
  return tokenLocations({ fromHeaders: o.jwtHeaders.map((name) => ({ name })), fromParams: o.jwtParams, fromCookies: [] });
}

function audienceOk(o: LegacyJwt, claims: Readonly<Record<string, unknown>>): boolean {
  if (o.audiences.length === 0) return true;
  const aud = tokenAudiences(claims);
  return o.audiences.some((a) => aud.includes(a));
}

/** Whether an origin's trigger rules ask for JWT validation on a path (no rules: always). */
export function triggers(o: LegacyJwt, path: string): boolean {
  if (o.triggerRules.length === 0) return true;
  const p = path.split('?')[0];
  return o.triggerRules.some((r) => ruleMatches(r, p));
}

function ruleMatches(r: LegacyTriggerRule, path: string): boolean {
  if (r.excludedPaths.some((m) => stringMatches(m, path))) return false;
  return r.includedPaths.length === 0 || r.includedPaths.some((m) => stringMatches(m, path));
}

/** policy.proto `StringMatch`. */
export function stringMatches(m: LegacyStringMatch, value: string): boolean {
  if ('exact' in m) return value === m.exact;
  if ('prefix' in m) return value.startsWith(m.prefix);
  if ('suffix' in m) return value.endsWith(m.suffix);
  try {
    return new RegExp(`^(?:${m.regex})$`).test(value);
  } catch {
    return false;
  }
}
