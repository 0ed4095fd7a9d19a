/**
 * Istio's string matching for AuthorizationPolicy fields: exact `abc`, prefix `abc*`, suffix
 * `*abc`, and presence `*` (any non-empty value).
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
export function matchesIstioString(pattern: string, value: string | undefined, options: { ignoreCase?: boolean } = {}): boolean {
  if (value === undefined) return false;
  const p = options.ignoreCase ? pattern.toLowerCase() : pattern;
  const v = options.ignoreCase ? value.toLowerCase() : value;
  if (p === '*') return v.length > 0;
  if (p.endsWith('*')) return v.startsWith(p.slice(0, -1));
  if (p.startsWith('*')) return v.endsWith(p.slice(1));
  return v === p;
}

/**
 * Istio host matching: case-insensitive, against the `Host`/`:authority` value as sent (with its
 * port, if any). An exact `example.com` does not match `example.com:8080`; write `example.com:*`.
 * @see https://istio.io/latest/news/security/istio-security-2021-008/ (host matching and ports)
 */
export function matchesIstioHost(pattern: string, host: string | undefined): boolean {
  return matchesIstioString(pattern, host, { ignoreCase: true });
}
