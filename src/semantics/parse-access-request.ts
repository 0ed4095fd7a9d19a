/**
 * Reads an {@link AccessRequest} from parsed JSON (what `trustmesh check --request` and
 * `parseAccessRequestDocument` read), validating every field and normalizing the request.
 *
 * @module
 */
import {
  AccessProtocol, AccessRequest, AccessRequestDestination, AccessRequestSource, JwtLocation, RequestJwt,
} from './access-request';
import { parseIp } from './ip-match';
import { parseCanonicalPrincipal, principalNamespace } from './principal';
import { TrustmeshError } from '../errors';
import { closestMatch } from '../private/did-you-mean';

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
  if (protocol === undefined) missing('protocol', '"HTTP" | "TCP"', fail);
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

// A SPIFFE ID path with further segments around ns/<ns>/sa/<sa>, which Istio's principal and
// serviceAccounts matching also meets (e.g. from SPIRE): it still names a namespace and an account.
const SPIFFE_WORKLOAD_PATH = /^[^/\s]+\/ns\/[^/\s]+\/(?:\S+\/)?sa\/[^/\s]+(?:\/\S*)?$/;

const PRINCIPAL_FORM = '"<trust-domain>/ns/<namespace>/sa/<service-account>", e.g. "cluster.local/ns/shop/sa/checkout", or null for a plaintext client';

/** What a principal that is not of the canonical form was probably meant to be. */
function principalHint(principal: string): string {
  if (/^ns\/[^/]+\/sa\/[^/]+$/.test(principal)) return `Did you mean "cluster.local/${principal}"? (the trust domain comes first)`;
  if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(principal)) {
    return `Write the service account's full principal, e.g. "cluster.local/ns/<namespace>/sa/${principal}".`;
  }
  return 'Write the SPIFFE ID of the client\'s certificate without "spiffe://".';
}

/** Fails for a required field that is absent, saying so. */
function missing(field: string, allowed: string, fail: Fail): never {
  return fail(field, `${field} is missing`, undefined, allowed, `Add "${field.split('.').pop()}" (it is required; see docs/evaluator.md).`);
}

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
    if (!parseCanonicalPrincipal(principal) && !SPIFFE_WORKLOAD_PATH.test(principal)) {
      fail('source.principal', 'source.principal is not a workload principal', principal, PRINCIPAL_FORM, principalHint(principal));
    }
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
  if (port === undefined) missing('destination.port', 'an integer 1-65535 (the workload port)', fail);
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
    if (obj.reason === undefined) missing('jwt.reason', '"expired" | "malformed"', fail);
    if (obj.reason !== 'expired' && obj.reason !== 'malformed') {
      fail('jwt.reason', 'jwt.reason must be "expired" or "malformed"', obj.reason, '"expired" | "malformed"');
    }
    return { status: 'invalid', reason: obj.reason as 'expired' | 'malformed', ...(location ? { location } : {}) };
  }
  if (obj.status === undefined) missing('jwt.status', '"valid" | "invalid"', fail);
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
  if (value === undefined && field !== '(request)') missing(field, 'an object', fail);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(field, `${field} must be a JSON object`, value, 'an object');
  }
  return value as Record<string, unknown>;
}

function asString(value: unknown, field: string, fail: Fail): string {
  if (value === undefined) missing(field, 'a string', fail);
  if (typeof value !== 'string') return fail(field, `${field} must be a string`, value, 'string');
  return value;
}

function asIp(value: unknown, field: string, fail: Fail, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (value === undefined) missing(field, 'an IPv4 or IPv6 address, e.g. "10.0.0.1"', fail);
  const s = asString(value, field, fail);
  if (parseIp(s) === undefined) {
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
