/**
 * The access request that the offline evaluator (and the intent model's own decision function)
 * answers: "would this request reach the destination workload, and which policy decided?".
 *
 * The JSON shape is fixed by the project's issue 5 and is what `trustmesh check --request` reads:
 *
 * ```json
 * {"protocol":"HTTP", "source":{"principal":"cluster.local/ns/dev/sa/sleep","namespace":"dev","ip":"10.0.0.1"},
 *  "jwt":null, "destination":{"namespace":"foo","labels":{"app":"httpbin"},"port":8000},
 *  "method":"POST", "path":"/post"}
 * ```
 *
 * This module has no dependency on the evaluator, so the model can share the types.
 *
 * @module
 */
import { TrustmeshError } from '../errors';
import { principalNamespace } from './principal';
import { closestMatch } from '../private/did-you-mean';

/** Transport of the request as the destination sidecar sees it. */
export type AccessProtocol = 'HTTP' | 'TCP';

/** Where a token was presented: `header:<name>`, `query:<param>` or `cookie:<name>`. */
export type JwtLocation = `header:${string}` | `query:${string}` | `cookie:${string}`;

/** The calling workload (or plain client). */
export interface AccessRequestSource {
  /**
   * Peer identity from the client certificate, `<trust-domain>/ns/<ns>/sa/<sa>` (no `spiffe://`).
   * `null` means the client sent plaintext (no sidecar, or mTLS not used).
   */
  readonly principal: string | null;
  /** Namespace of the client; `null` for plaintext clients. Authorization derives it from the principal. */
  readonly namespace: string | null;
  /** Downstream connection address (`source.ip`, `ipBlocks`). */
  readonly ip: string;
  /**
   * The original client address (`remote.ip`, `remoteIpBlocks`), when the caller already knows it.
   * @default - derived from `X-Forwarded-For` and MeshConfig `numTrustedProxies`, else `ip`
   */
  readonly remoteIp?: string;
}

/** A token the JWT filter can verify. */
export interface ValidJwt {
  readonly status: 'valid';
  /** The decoded payload (`iss`, `sub`, `aud`, `azp`, custom claims). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** @default 'header:Authorization' (as `Bearer <token>`) */
  readonly location?: JwtLocation;
}

/** A token that fails verification (bad signature, expired, unparsable). */
export interface InvalidJwt {
  readonly status: 'invalid';
  readonly reason: 'expired' | 'malformed';
  /** @default 'header:Authorization' */
  readonly location?: JwtLocation;
}

/** The end-user token carried by the request. */
export type RequestJwt = ValidJwt | InvalidJwt;

/** The workload receiving the request. */
export interface AccessRequestDestination {
  readonly namespace: string;
  /** Pod labels of the destination workload (what `selector.matchLabels` is compared with). */
  readonly labels: Readonly<Record<string, string>>;
  /** Workload (container) port, not the Service port. */
  readonly port: number;
  /** Destination address (`destination.ip`). */
  readonly ip?: string;
}

/** One request to decide. */
export interface AccessRequest {
  readonly protocol: AccessProtocol;
  readonly source: AccessRequestSource;
  /** The end-user token, `null` when none is sent. HTTP only. */
  readonly jwt: RequestJwt | null;
  readonly destination: AccessRequestDestination;
  /** HTTP `Host` / `:authority`. */
  readonly host?: string;
  /** HTTP method, upper case. @default 'GET' for HTTP requests */
  readonly method?: string;
  /** HTTP path including any query string, as sent (normalized by the evaluator). @default '/' */
  readonly path?: string;
  /** HTTP headers; names are lower-cased by {@link parseAccessRequest}. */
  readonly headers?: Readonly<Record<string, string>>;
  /** TLS server name the client sent (`connection.sni`). */
  readonly sni?: string;
}

/** What the client observes. */
export type AccessOutcome = 'ALLOW' | 'DENY_403' | 'DENY_401' | 'DENY_CONN';

/** A policy that decided (or could have decided) a request. */
export interface DecidingPolicy {
  readonly kind: 'AuthorizationPolicy' | 'PeerAuthentication' | 'RequestAuthentication';
  readonly namespace: string;
  readonly name: string;
  /**
   * AuthorizationPolicy action (`ALLOW`, `DENY`, `CUSTOM`, `AUDIT`); the effective mTLS mode for
   * a PeerAuthentication (`STRICT`); `JWT` for a RequestAuthentication.
   */
  readonly action: string;
  /** Index into `spec.rules` (AuthorizationPolicy) or `spec.jwtRules` (RequestAuthentication); `null` when no single rule decided. */
  readonly rule: number | null;
}

/** A dry-run (`istio.io/dry-run: "true"`) AuthorizationPolicy that applies to the workload. */
export interface DryRunResult extends DecidingPolicy {
  /** Whether the policy would have matched had it been enforced (`rule` is the matching rule). */
  readonly matched: boolean;
}

/** A CUSTOM policy whose rule matched, so Istio asks the external authorizer. */
export interface CustomAuthzResult extends DecidingPolicy {
  readonly provider: string;
  /** What the evaluator assumed about the external decision. */
  readonly note: string;
}

/** A policy in scope that does not apply to sidecars, and why. */
export interface IgnoredPolicy {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly reason: string;
}

/** The evaluator's answer. */
export interface AccessDecision {
  readonly outcome: AccessOutcome;
  /** `outcome === 'ALLOW'`. */
  readonly allowed: boolean;
  /** The deciding policy; for "no ALLOW policy matched", the ALLOW policies that were candidates (`rule: null`). */
  readonly decidedBy: readonly DecidingPolicy[];
  /** One human line, e.g. `denied by foo/httpbin-deny rule 0: source namespace dev matched, method POST matched`. */
  readonly explanation: string;
  /** Dry-run policies applying to the workload (never enforced). */
  readonly dryRun?: readonly DryRunResult[];
  /** AUDIT policies that matched (they never change the decision). */
  readonly audit?: readonly DecidingPolicy[];
  /** CUSTOM policies that matched and delegated to an external authorizer. */
  readonly custom?: readonly CustomAuthzResult[];
  /** Policies in scope that the sidecar ignores (e.g. `targetRefs`). */
  readonly ignored?: readonly IgnoredPolicy[];
}

/** Where a request document came from, for error messages. */
export interface RequestOrigin {
  /** File name as given, or `-` for stdin. */
  readonly file?: string;
  /** 1-based line (JSON Lines) where the request starts. */
  readonly line?: number;
  /** Position in a JSON array of requests. */
  readonly index?: number;
}

const REQUEST_KEYS = ['protocol', 'source', 'jwt', 'destination', 'host', 'method', 'path', 'headers', 'sni'] as const;
const SOURCE_KEYS = ['principal', 'namespace', 'ip', 'remoteIp'] as const;
const DESTINATION_KEYS = ['namespace', 'labels', 'port', 'ip'] as const;
const VALID_JWT_KEYS = ['status', 'claims', 'location'] as const;
const INVALID_JWT_KEYS = ['status', 'reason', 'location'] as const;
const HTTP_ONLY_KEYS = ['host', 'method', 'path', 'headers'] as const;

/**
 * Validates one request object (already parsed from JSON) and returns it normalized: header names
 * lower-cased, `method` and `path` defaulted for HTTP, `source.namespace` derived from the principal
 * when omitted.
 *
 * @throws TrustmeshError `TM_REQUEST_INVALID` naming the field, the value and what is allowed.
 */
export function parseAccessRequest(value: unknown, origin: RequestOrigin = {}): AccessRequest {
  const fail = (field: string, summary: string, received: unknown, allowed?: string, fix?: string): never => {
    const at = origin.index === undefined ? field : `[${origin.index}]${field.startsWith('(') ? '' : '.'}${field}`;
    throw new TrustmeshError('TM_REQUEST_INVALID', summary, {
      location: { file: origin.file, line: origin.line, field: at },
      value: received,
      allowed,
      fix,
    });
  };
  const obj = asObject(value, '(request)', fail);
  checkKeys(obj, REQUEST_KEYS, '', fail);

  const protocol = obj.protocol;
  if (protocol !== 'HTTP' && protocol !== 'TCP') {
    const upper = typeof protocol === 'string' ? protocol.toUpperCase() : undefined;
    fail('protocol', 'protocol must be "HTTP" or "TCP"', protocol, '"HTTP" | "TCP"',
      upper === 'HTTP' || upper === 'TCP' ? `Did you mean "${upper}"?` : undefined);
  }
  const proto = protocol as AccessProtocol;

  const source = parseSource(obj.source, fail);
  const destination = parseDestination(obj.destination, fail);
  const jwt = parseJwt(obj.jwt, fail);

  if (proto === 'TCP') {
    for (const key of HTTP_ONLY_KEYS) {
      if (obj[key] !== undefined) {
        fail(key, `${key} is only meaningful for HTTP requests`, obj[key], 'omit it for protocol "TCP"', 'Set "protocol": "HTTP" or remove the field.');
      }
    }
    if (jwt !== null) fail('jwt', 'a TCP request cannot carry a JWT (the JWT filter is HTTP only)', obj.jwt, 'null');
  }

  let headers: Record<string, string> | undefined;
  if (obj.headers !== undefined) {
    const h = asObject(obj.headers, 'headers', fail);
    headers = {};
    for (const [name, raw] of Object.entries(h)) {
      // istio.io/latest/docs/reference/config/security/normalization/#header-name-related
      if (name === '' || /\s/.test(name)) fail(`headers.${name}`, 'header names must not be empty or contain white space (Envoy answers 400)', name);
      const lower = name.toLowerCase();
      let v: string;
      if (typeof raw === 'string') v = raw;
      else if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) v = (raw as string[]).join(',');
      else v = fail(`headers.${name}`, 'a header value must be a string or a list of strings', raw, 'string | string[]');
      // Duplicate headers are merged with "," before authorization (normalization page, "Duplicate headers").
      headers[lower] = headers[lower] === undefined ? v : `${headers[lower]},${v}`;
    }
  }

  let host: string | undefined;
  if (obj.host !== undefined) host = asString(obj.host, 'host', fail);
  const headerHost = headers?.[':authority'] ?? headers?.host;
  if (host !== undefined && headerHost !== undefined && headerHost.toLowerCase() !== host.toLowerCase()) {
    fail('host', 'host and the Host header disagree', { host, header: headerHost }, 'one Host value');
  }
  if (host === undefined && headerHost !== undefined) host = headerHost;

  let method: string | undefined;
  let path: string | undefined;
  if (proto === 'HTTP') {
    method = obj.method === undefined ? 'GET' : asString(obj.method, 'method', fail);
    // istio.io/latest/docs/reference/config/security/normalization/#method-related
    if (!/^[A-Z][A-Z0-9_-]*$/.test(method)) {
      fail('method', 'HTTP method must be an upper-case token (Envoy rejects other verbs with 400 before authorization)', method,
        'e.g. "GET", "POST"', method.toUpperCase() !== method ? `Did you mean "${method.toUpperCase()}"?` : undefined);
    }
    path = obj.path === undefined ? '/' : asString(obj.path, 'path', fail);
    if (!path.startsWith('/') && path !== '*') fail('path', 'path must start with "/"', path, '"/..." (origin-form)');
    if (/%00/.test(path)) fail('path', 'a path containing %00 is rejected by Envoy with 400 before authorization', path);
  }

  let sni: string | undefined;
  if (obj.sni !== undefined) sni = asString(obj.sni, 'sni', fail);

  const request: AccessRequest = {
    protocol: proto,
    source,
    jwt,
    destination,
    ...(host !== undefined ? { host } : {}),
    ...(method !== undefined ? { method } : {}),
    ...(path !== undefined ? { path } : {}),
    ...(headers !== undefined ? { headers } : {}),
    ...(sni !== undefined ? { sni } : {}),
  };
  return request;
}

type Fail = (field: string, summary: string, received: unknown, allowed?: string, fix?: string) => never;

function parseSource(value: unknown, fail: Fail): AccessRequestSource {
  const obj = asObject(value, 'source', fail);
  checkKeys(obj, SOURCE_KEYS, 'source.', fail);
  let principal: string | null = null;
  if (obj.principal !== undefined && obj.principal !== null) {
    principal = asString(obj.principal, 'source.principal', fail);
    if (principal.startsWith('spiffe://')) {
      fail('source.principal', 'principals are written without the spiffe:// scheme', principal, '"<trust-domain>/ns/<ns>/sa/<sa>"',
        `Did you mean "${principal.slice('spiffe://'.length)}"?`);
    }
    if (principal === '') fail('source.principal', 'principal must not be empty; use null for a plaintext client', principal);
  }
  let namespace: string | null = null;
  if (obj.namespace !== undefined && obj.namespace !== null) {
    namespace = asString(obj.namespace, 'source.namespace', fail);
  }
  const fromPrincipal = principal === null ? undefined : principalNamespace(principal);
  if (namespace === null && obj.namespace === undefined && fromPrincipal !== undefined) namespace = fromPrincipal;
  if (namespace !== null && fromPrincipal !== undefined && namespace !== fromPrincipal) {
    fail('source.namespace', `source.namespace disagrees with the principal's namespace "${fromPrincipal}"`, namespace,
      `"${fromPrincipal}" (authorization derives the namespace from the certificate)`);
  }
  const ip = asIp(obj.ip, 'source.ip', fail, true);
  const remoteIp = obj.remoteIp === undefined ? undefined : asIp(obj.remoteIp, 'source.remoteIp', fail, true);
  return { principal, namespace, ip: ip as string, ...(remoteIp !== undefined ? { remoteIp } : {}) };
}

function parseDestination(value: unknown, fail: Fail): AccessRequestDestination {
  const obj = asObject(value, 'destination', fail);
  checkKeys(obj, DESTINATION_KEYS, 'destination.', fail);
  const namespace = asString(obj.namespace, 'destination.namespace', fail);
  if (namespace === '') fail('destination.namespace', 'destination.namespace must not be empty', namespace);
  const labels: Record<string, string> = {};
  if (obj.labels !== undefined) {
    for (const [k, v] of Object.entries(asObject(obj.labels, 'destination.labels', fail))) {
      labels[k] = typeof v === 'string' ? v : fail(`destination.labels.${k}`, 'label values must be strings', v, 'string');
    }
  }
  const port = obj.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    fail('destination.port', 'destination.port must be the workload port number', port, 'an integer 1-65535',
      typeof port === 'string' && /^\d+$/.test(port) ? `Write it as a number: ${port}` : undefined);
  }
  const ip = obj.ip === undefined ? undefined : asIp(obj.ip, 'destination.ip', fail, true);
  return { namespace, labels, port: port as number, ...(ip !== undefined ? { ip } : {}) };
}

function parseJwt(value: unknown, fail: Fail): RequestJwt | null {
  if (value === undefined || value === null) return null;
  const obj = asObject(value, 'jwt', fail);
  const location = obj.location === undefined ? undefined : parseLocation(obj.location, fail);
  if (obj.status === 'valid') {
    checkKeys(obj, VALID_JWT_KEYS, 'jwt.', fail);
    const claims = asObject(obj.claims, 'jwt.claims', fail);
    return { status: 'valid', claims, ...(location ? { location } : {}) };
  }
  if (obj.status === 'invalid') {
    checkKeys(obj, INVALID_JWT_KEYS, 'jwt.', fail);
    if (obj.reason !== 'expired' && obj.reason !== 'malformed') {
      fail('jwt.reason', 'jwt.reason must be "expired" or "malformed"', obj.reason, '"expired" | "malformed"');
    }
    return { status: 'invalid', reason: obj.reason as 'expired' | 'malformed', ...(location ? { location } : {}) };
  }
  return fail('jwt.status', 'jwt.status must be "valid" or "invalid"', obj.status, '"valid" | "invalid"');
}

function parseLocation(value: unknown, fail: Fail): JwtLocation {
  const s = asString(value, 'jwt.location', fail);
  const m = /^(header|query|cookie):(.+)$/.exec(s);
  if (!m) {
    fail('jwt.location', 'jwt.location must name where the token is sent', s, '"header:NAME" | "query:NAME" | "cookie:NAME"');
  }
  return s as JwtLocation;
}

function asObject(value: unknown, field: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(field, `${field} must be a JSON object`, value, 'an object');
  }
  return value as Record<string, unknown>;
}

function asString(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string') return fail(field, `${field} must be a string`, value, 'string');
  return value;
}

function asIp(value: unknown, field: string, fail: Fail, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  const s = asString(value, field, fail);
  if (!isIpAddress(s)) {
    fail(field, `${field} must be an IPv4 or IPv6 address`, s, 'e.g. "10.0.0.1" or "fd00::1"',
      s.includes('/') ? `Did you mean "${s.split('/')[0]}"? (an address, not a CIDR)` : undefined);
  }
  return s;
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], prefix: string, fail: Fail): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      const suggestion = closestMatch(key, allowed);
      fail(`${prefix}${key}`, `unknown field "${prefix}${key}"`, key, allowed.join(', '),
        suggestion ? `Did you mean "${prefix}${suggestion}"?` : undefined);
    }
  }
}

/** True for a literal IPv4 (dotted quad) or IPv6 address. */
function isIpAddress(s: string): boolean {
  return isIpv4(s) || isIpv6(s);
}

function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIpv6(s: string): boolean {
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (h: string): string[] => (h === '' ? [] : h.split(':'));
  const all = [...groups(halves[0]), ...(halves.length === 2 ? groups(halves[1]) : [])];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i];
    if (i === all.length - 1 && g.includes('.')) {
      if (!isIpv4(g)) return false;
      count += 2;
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      count += 1;
    }
  }
  return halves.length === 2 ? count < 8 : count === 8;
}
