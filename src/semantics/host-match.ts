/**
 * Host matching as Istio applies it to Gateway `servers[].hosts` and SNI hosts.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#Server
 * @module
 */

/**
 * Whether a Gateway host (exact or `*.suffix`) covers a request/SNI host; also accepts a
 * wildcard inside a wildcard (`*.a.example.com` within `*.example.com`).
 */
export function gatewayHostCovers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*.')) {
    const suffix = p.slice(1);
    return h.endsWith(suffix) && h.length > suffix.length;
  }
  return p === h;
}
