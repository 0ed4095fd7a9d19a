/**
 * The attributes an Envoy RBAC filter sees for one request, derived once per evaluation from an
 * {@link AccessRequest}, the outcome of peer and request authentication, and MeshConfig.
 *
 * @module
 */
import { IpAddress, parseIp } from './ip-match';
import { MeshConfig } from './mesh-config';
import { normalizePath } from './path-normalization';
import { AccessRequest } from '../model/access-request';

/** Request attributes as authorization sees them. `undefined` means "absent". */
export interface RequestAttributes {
  readonly protocol: 'HTTP' | 'TCP';
  /** Peer principal from the mTLS certificate; absent for plaintext (and for ports with mTLS DISABLE). */
  readonly principal?: string;
  readonly sourceIp?: IpAddress;
  readonly sourceIpText: string;
  readonly remoteIp?: IpAddress;
  readonly remoteIpText?: string;
  readonly destinationIp?: IpAddress;
  readonly destinationIpText?: string;
  readonly port: number;
  readonly host?: string;
  readonly method?: string;
  /** The path after normalization, without query. */
  readonly path?: string;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly sni?: string;
  /** Claims of a token that the JWT filter verified; absent when no token was verified. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/**
 * Derives the attributes. `principal` and `claims` come from the authentication steps, because
 * PeerAuthentication and RequestAuthentication decide whether the request carries them.
 */
export function buildRequestAttributes(
  request: AccessRequest,
  mesh: MeshConfig,
  principal: string | undefined,
  claims: Readonly<Record<string, unknown>> | undefined,
): RequestAttributes {
  const headers = request.headers ?? {};
  const remoteIpText = remoteAddress(request, headers, mesh.numTrustedProxies);
  const http = request.protocol === 'HTTP';
  return {
    protocol: request.protocol,
    ...(principal !== undefined ? { principal } : {}),
    sourceIp: parseIp(request.source.ip),
    sourceIpText: request.source.ip,
    ...(remoteIpText !== undefined ? { remoteIp: parseIp(remoteIpText), remoteIpText } : {}),
    ...(request.destination.ip !== undefined
      ? { destinationIp: parseIp(request.destination.ip), destinationIpText: request.destination.ip } : {}),
    port: request.destination.port,
    ...(http && request.host !== undefined ? { host: request.host } : {}),
    ...(http ? { method: request.method ?? 'GET' } : {}),
    ...(http ? { path: normalizePath(request.path ?? '/', mesh.pathNormalization) } : {}),
    headers: http ? withPseudoHeaders(headers, request) : {},
    ...(request.sni !== undefined ? { sni: request.sni } : {}),
    ...(claims !== undefined ? { claims } : {}),
  };
}

/**
 * `remote.ip`: an explicit `source.remoteIp`; else, with N = `numTrustedProxies` > 0, the Nth
 * address from the right of `X-Forwarded-For` (falling back to the downstream address when the
 * header has fewer than N entries, as Envoy does); else the downstream address.
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 */
export function remoteAddress(request: AccessRequest, headers: Readonly<Record<string, string>>, numTrustedProxies: number): string {
  if (request.source.remoteIp !== undefined) return request.source.remoteIp;
  const xff = headers['x-forwarded-for'];
  if (numTrustedProxies > 0 && xff !== undefined && request.protocol === 'HTTP') {
    const entries = xff.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (entries.length >= numTrustedProxies) {
      const candidate = entries[entries.length - numTrustedProxies];
      if (parseIp(candidate)) return candidate;
    }
  }
  return request.source.ip;
}

function withPseudoHeaders(headers: Readonly<Record<string, string>>, request: AccessRequest): Record<string, string> {
  // Envoy exposes :authority/:method/:path to header matchers; `request.headers[:method]` is legal.
  const out: Record<string, string> = { ...headers };
  if (request.host !== undefined) {
    out[':authority'] = request.host;
    out.host ??= request.host;
  }
  out[':method'] = request.method ?? 'GET';
  out[':path'] = request.path ?? '/';
  return out;
}
