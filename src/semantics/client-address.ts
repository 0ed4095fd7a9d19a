import { isIP } from 'net';

/**
 * The original client address of a request (`remote.ip`, `remoteIpBlocks`): an explicit
 * `source.remoteIp`; else, with N = MeshConfig `numTrustedProxies` > 0, the Nth address from the
 * right of `X-Forwarded-For` (the downstream address when the header has fewer entries); else the
 * downstream connection address.
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export function originalClientAddress(
  request: { readonly protocol: string; readonly source: { readonly ip: string; readonly remoteIp?: string } },
  headers: Readonly<Record<string, string>>,
  numTrustedProxies: number,
): string {
  if (request.source.remoteIp !== undefined) return request.source.remoteIp;
  const xff = headers['x-forwarded-for'];
  if (numTrustedProxies > 0 && xff !== undefined && request.protocol === 'HTTP') {
    const entries = xff.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (entries.length >= numTrustedProxies) {
      const candidate = entries[entries.length - numTrustedProxies];
      if (isIP(candidate) !== 0) return candidate;
    }
  }
  return request.source.ip;
}
