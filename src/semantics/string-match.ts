/**
 * Istio's string matching for AuthorizationPolicy fields: exact `abc`, prefix `abc*`, suffix
 * `*abc` and presence `*` (non-empty).
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Rule
 * @module
 */

/** A compiled Istio string pattern. */
export interface StringPattern {
  /** The pattern as written in the policy. */
  readonly raw: string;
  /** Tests a present value. A missing value never matches (Envoy matchers fail on absent attributes). */
  test(value: string): boolean;
}

/**
 * Compiles `raw` the way Istio's `matcher.StringMatcher` does: `*` alone is a presence match
 * (regex `.+`, so the empty string does not match), a leading `*` a suffix match, a trailing `*` a
 * prefix match, anything else exact. Only one wildcard position is honoured, like Istio: `*a*` is
 * a suffix match for `a*`.
 *
 * @param ignoreCase compare case-insensitively (the `hosts` field).
 */
export function compileStringPattern(raw: string, ignoreCase = false): StringPattern {
  const norm = (s: string): string => (ignoreCase ? s.toLowerCase() : s);
  if (raw === '*') return { raw, test: (v) => v.length > 0 };
  if (raw.startsWith('*')) {
    const suffix = norm(raw.slice(1));
    return { raw, test: (v) => norm(v).endsWith(suffix) };
  }
  if (raw.endsWith('*')) {
    const prefix = norm(raw.slice(0, -1));
    return { raw, test: (v) => norm(v).startsWith(prefix) };
  }
  const exact = norm(raw);
  return { raw, test: (v) => norm(v) === exact };
}

/**
 * Like {@link compileStringPattern} but for Envoy header matchers built by Istio's
 * `matcher.HeaderMatcher`/`HostMatcher`: `*` is `present_match`, true for a header that is present
 * even if empty.
 */
export function compileHeaderPattern(raw: string, ignoreCase = false): StringPattern {
  if (raw === '*') return { raw, test: () => true };
  return compileStringPattern(raw, ignoreCase);
}

/** One-off form of {@link compileStringPattern}: whether `value` matches `pattern` (false when missing). */
export function matchesIstioString(pattern: string, value: string | undefined, options: { ignoreCase?: boolean } = {}): boolean {
  return value !== undefined && compileStringPattern(pattern, options.ignoreCase ?? false).test(value);
}

/**
 * Istio host matching: case-insensitive, against the `Host`/`:authority` value as sent (with its
 * port, if any). An exact `example.com` does not match `example.com:8080`; write `example.com:*`.
 * @see https://istio.io/latest/news/security/istio-security-2021-008/
 */
export function matchesIstioHost(pattern: string, host: string | undefined): boolean {
  return matchesIstioString(pattern, host, { ignoreCase: true });
}
