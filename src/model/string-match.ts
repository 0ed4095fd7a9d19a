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
 * Istio host matching: case-insensitive; a pattern without a port also matches the host with any
 * port (`example.com` matches `example.com:8080`).
 */
export function matchesIstioHost(pattern: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  if (matchesIstioString(pattern, host, { ignoreCase: true })) return true;
  if (!hasPort(pattern) && hasPort(host)) {
    return matchesIstioString(pattern, host.slice(0, host.lastIndexOf(':')), { ignoreCase: true });
  }
  return false;
}

function hasPort(host: string): boolean {
  const i = host.lastIndexOf(':');
  return i > 0 && i > host.lastIndexOf(']') && /^\d+$/.test(host.slice(i + 1));
}
