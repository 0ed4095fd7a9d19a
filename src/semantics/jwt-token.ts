/**
 * Facts about end-user tokens that Istio's JWT filter fixes and that the model's decision and the
 * offline evaluator both need: where a token is read, which issuer a rule accepts, which audiences
 * a token carries, which claims are split on spaces, and which requests skip token checks. What a
 * token then means for a decision stays with each side.
 *
 * @see https://istio.io/latest/docs/reference/config/security/request_authentication/
 * @see https://istio.io/latest/docs/reference/config/security/jwt/
 * @module
 */
import { AccessRequest, JwtLocation } from './access-request';

/** Where a request carries its token when it does not say. */
export const DEFAULT_TOKEN_LOCATION: JwtLocation = 'header:Authorization';

/** Claims that Istio always treats as space-delimited lists (besides a rule's `spaceDelimitedClaims`). */
export const ALWAYS_SPACE_DELIMITED_CLAIMS: readonly string[] = ['scope', 'permission'];

/** The token sources of a jwtRule (or of an issuer a rule is rendered from). */
export interface TokenSources {
  readonly fromHeaders: readonly { readonly name: string }[];
  readonly fromParams: readonly string[];
  readonly fromCookies: readonly string[];
}

/**
 * The locations a rule reads: its `fromHeaders`/`fromParams`/`fromCookies`, or Istio's defaults
 * (`Authorization: Bearer` and the `access_token` query parameter) when it names none.
 */
export function tokenLocations(sources: TokenSources): JwtLocation[] {
  if (sources.fromHeaders.length === 0 && sources.fromParams.length === 0 && sources.fromCookies.length === 0) {
    return ['header:Authorization', 'query:access_token'];
  }
  return [
    ...sources.fromHeaders.map((h): JwtLocation => `header:${h.name}`),
    ...sources.fromParams.map((p): JwtLocation => `query:${p}`),
    ...sources.fromCookies.map((c): JwtLocation => `cookie:${c}`),
  ];
}

/** Whether a token at `location` is one of `locations`. Header names are case-insensitive; query parameters and cookies are not. */
export function readsTokenAt(locations: readonly JwtLocation[], location: JwtLocation): boolean {
  const key = locationKey(location);
  return locations.some((l) => locationKey(l) === key);
}

function locationKey(location: JwtLocation): string {
  return location.startsWith('header:') ? location.toLowerCase() : location;
}

/** Whether a jwtRule with this `issuer` accepts a token with this `iss` claim (an empty issuer accepts any). */
export function acceptsIssuer(issuer: string | undefined, iss: unknown): boolean {
  return issuer === undefined || issuer === '' || issuer === iss;
}

/** The token's audiences: a string `aud`, or the string elements of a list `aud`. */
export function tokenAudiences(claims: Readonly<Record<string, unknown>>): string[] {
  const aud = claims.aud;
  return typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}

/** A copy of the claims with the named string claims split on spaces into lists, as the JWT filter passes them on. */
export function splitSpaceDelimitedClaims(claims: Readonly<Record<string, unknown>>, names: Iterable<string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...claims };
  for (const c of names) {
    const v = out[c];
    if (typeof v === 'string') out[c] = v.split(' ').filter((s) => s !== '');
  }
  return out;
}

/** A CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`): the JWT filter skips token checks. */
export function isCorsPreflight(request: AccessRequest): boolean {
  const headers = request.headers ?? {};
  return request.protocol === 'HTTP' && request.method === 'OPTIONS' && headers.origin !== undefined
    && headers['access-control-request-method'] !== undefined;
}
