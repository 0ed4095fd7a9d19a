/**
 * istiod's `validateHTTPRoute` (`pkg/config/validation/virtualservice.go` and its helpers in
 * validation.go): route/redirect/direct-response conflicts, match requests, header operations,
 * CORS, fault injection, mirrors, redirects, retries, rewrites and weighted destinations.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
 * @module
 */
import { durationReason, parseGoDuration } from './go-duration';
import { isIstioDnsLabel, labelReasons, portReason } from './istio-syntax';
import {
  destinationReasons, gatewayNameReasons, headerOperationReason, headerValueReason, isAuthorityHeader, matchHeaderNameReason, regexReason,
  requestHeaderSetReason, stringMatchReason,
} from './route-syntax';
import { VS } from './virtual-service-checks';
import { Findings, WebhookCheck, WebhookPath, show } from './webhook-types';
import { isRecord } from '../../private/records';

const RETRY_ON = ['5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream', 'retriable-status-codes',
  'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure', 'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'];
// Go's http.StatusText knows these codes.
const HTTP_STATUS = new Set([100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451,
  500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511]);
const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', '*'];
const GRPC_STATUS = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];
const CORS_HEADER = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;

const has = (v: unknown): boolean => v !== undefined && v !== null;
const nonEmpty = (v: unknown): boolean => Array.isArray(v) && v.length > 0;
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** `validateHTTPRoute` on `spec.http[i]`; `delegate` when the VirtualService has no hosts. */
export function checkHttpRoute(http: Readonly<Record<string, unknown>>, delegate: boolean, at: WebhookPath, out: Findings): void {
  const add = (check: WebhookCheck, path: WebhookPath, message: string, fix: string): void => out.add(check, [...at, ...path], message, fix);
  checkConflicts(http, delegate, add);
  checkMatches(http.match, [...at, 'match'], out);
  checkHeaderOperations(http.headers, [...at, 'headers'], out);
  checkCors(http.corsPolicy, [...at, 'corsPolicy'], out);
  checkFault(http.fault, [...at, 'fault'], out);
  const mirrorPercent = num(http.mirrorPercent) ?? num(http.mirror_percent);
  if (mirrorPercent !== undefined) {
    const field = http.mirrorPercent !== undefined ? 'mirrorPercent' : 'mirror_percent';
    if (mirrorPercent > 100) add(VS.DESTINATION, [field], `mirror_percent must have a max value of 100 (it has ${mirrorPercent})`, 'Use mirrorPercentage.value between 0 and 100.');
    out.warn(VS.DESTINATION, [...at, field], 'using deprecated setting "mirrorPercent", use "mirrorPercentage" instead', 'Write mirrorPercentage: {value: <percent>}.');
  }
  const mirrorPercentage = isRecord(http.mirrorPercentage) ? num(http.mirrorPercentage.value) : undefined;
  if (mirrorPercentage !== undefined && (mirrorPercentage > 100 || mirrorPercentage < 0)) {
    add(VS.DESTINATION, ['mirrorPercentage', 'value'], `mirror_percentage must be between 0 and 100 (it has ${mirrorPercentage})`, 'Use a value between 0 and 100.');
  }
  for (const d of destinationReasons(http.mirror)) add(VS.DESTINATION, ['mirror', d.field], d.reason, destinationFix(d.field));
  (Array.isArray(http.mirrors) ? http.mirrors : []).forEach((m, i) => {
    // A mirror without a destination is the CRD's required field.
    if (!isRecord(m) || !isRecord(m.destination)) return;
    for (const d of destinationReasons(m.destination)) add(VS.DESTINATION, ['mirrors', i, 'destination', d.field], d.reason, destinationFix(d.field));
    const value = isRecord(m.percentage) ? num(m.percentage.value) : undefined;
    if (value !== undefined && (value > 100 || value < 0)) add(VS.DESTINATION, ['mirrors', i, 'percentage', 'value'], `mirror percentage must be between 0 and 100 (it has ${value})`, 'Use a value between 0 and 100.');
  });
  checkRedirect(http.redirect, add);
  checkDirectResponse(http.directResponse, [...at, 'directResponse'], out);
  checkRetries(http.retries, add);
  checkRewrite(http, add);
  checkDestinations(http.route, [...at, 'route'], out, true);
  const timeout = durationReason(http.timeout);
  if (timeout) add(VS.RETRY, ['timeout'], `timeout ${show(http.timeout)}: ${timeout}`, 'Write the timeout in whole milliseconds.');
}

type Add = (check: WebhookCheck, path: WebhookPath, message: string, fix: string) => void;

// validateHTTPRouteConflict.
function checkConflicts(http: Readonly<Record<string, unknown>>, delegate: boolean, add: Add): void {
  const name = typeof http.name === 'string' ? http.name : '';
  if (!delegate && has(http.delegate)) {
    if (has(http.redirect)) add(VS.DELEGATE, ['redirect'], `root HTTP route ${name} must not specify redirect`, 'A route that delegates cannot redirect: move the redirect into the delegate VirtualService.');
    if (nonEmpty(http.route)) add(VS.DELEGATE, ['route'], `root HTTP route ${name} must not specify route`, 'A route that delegates cannot route: move the destinations into the delegate VirtualService.');
    return;
  }
  if (delegate && has(http.delegate)) add(VS.DELEGATE, ['delegate'], 'delegate HTTP route cannot contain delegate', 'Delegation is one level deep: route here instead.');
  const conflict = (field: string, other: string): void => add(VS.CONFLICT, [field], `HTTP route cannot contain both ${field} and ${other}`, `Keep one of ${field} and ${other}.`);
  if (has(http.redirect)) {
    if (nonEmpty(http.route)) conflict('route', 'redirect');
    if (has(http.fault)) conflict('fault', 'redirect');
    if (has(http.rewrite)) conflict('rewrite', 'redirect');
    if (has(http.directResponse)) conflict('directResponse', 'redirect');
  } else if (has(http.directResponse)) {
    if (nonEmpty(http.route)) conflict('route', 'directResponse');
    if (has(http.fault)) conflict('fault', 'directResponse');
    if (has(http.rewrite)) conflict('rewrite', 'directResponse');
  } else if (!nonEmpty(http.route)) {
    add(VS.ROUTE_MISSING, [], 'HTTP route, redirect or direct_response is required', 'Add route (destinations), redirect or directResponse.');
  }
  if (has(http.mirror) && nonEmpty(http.mirrors)) conflict('mirror', 'mirrors');
}

// validateHTTPRouteMatchRequest.
function checkMatches(matches: unknown, at: WebhookPath, out: Findings): void {
  (Array.isArray(matches) ? matches : []).forEach((m, i) => {
    if (!isRecord(m)) return;
    const bad = (path: WebhookPath, message: string, fix: string): void => out.add(VS.MATCH, [...at, i, ...path], message, fix);
    const stringFix = 'A prefix must not be empty (match everything by leaving the field out); a regex must be RE2 syntax.';
    for (const field of ['headers', 'withoutHeaders'] as const) {
      for (const [name, header] of Object.entries(isRecord(m[field]) ? m[field] as Record<string, unknown> : {})) {
        if (field === 'headers' && !isRecord(header)) bad([field, name], `header match ${name} cannot be null`, 'Give the header a match (exact, prefix or regex).');
        const nameReason = matchHeaderNameReason(name);
        if (nameReason) bad([field, name], nameReason, 'Use a header name (token characters), a pseudo-header or @request.auth.claims.<claim>.');
        // In withoutHeaders, regex "*" means "present", not a regex.
        if (field === 'withoutHeaders' && isRecord(header) && header.regex === '*') continue;
        const reason = stringMatchReason(header);
        if (reason) bad([field, name], `${field}: ${reason}`, stringFix);
      }
    }
    const uri = stringMatchReason(m.uri, { regexOnly: true });
    if (uri) bad(['uri'], `uri: ${uri}`, stringFix);
    for (const field of ['scheme', 'method', 'authority']) {
      const reason = stringMatchReason(m[field]);
      if (reason) bad([field], `${field}: ${reason}`, stringFix);
    }
    for (const [name, qp] of Object.entries(isRecord(m.queryParams) ? m.queryParams : {})) {
      const reason = stringMatchReason(qp);
      if (reason) bad(['queryParams', name], `queryParams: ${reason}`, stringFix);
    }
    const port = num(m.port) ?? 0;
    if (port !== 0 && portReason(port)) bad(['port'], portReason(port)!, 'Use a port between 1 and 65535.');
    for (const reason of labelReasons(m.sourceLabels)) bad(['sourceLabels'], reason, 'Use Kubernetes label syntax for keys and values.');
    for (const g of gatewayNameReasons(Array.isArray(m.gateways) ? m.gateways : [])) {
      if (g.warning) out.warn(VS.GATEWAY, [...at, i, 'gateways', g.index], g.reason, 'Write gateways as <namespace>/<name>.');
      else out.add(VS.GATEWAY, [...at, i, 'gateways', g.index], g.reason, 'Write gateways as <namespace>/<name>, or mesh.');
    }
    if (typeof m.sourceNamespace === 'string' && m.sourceNamespace !== '' && !isIstioDnsLabel(m.sourceNamespace)) {
      bad(['sourceNamespace'], `sourceNamespace match ${m.sourceNamespace} is invalid`, 'Write a namespace name.');
    }
  });
}

/** Header operations of a route or a destination (`headers.request`/`headers.response`). */
export function checkHeaderOperations(headers: unknown, at: WebhookPath, out: Findings): void {
  if (!isRecord(headers)) return;
  for (const side of ['request', 'response'] as const) {
    const ops = isRecord(headers[side]) ? headers[side] as Record<string, unknown> : {};
    for (const op of ['add', 'set'] as const) {
      for (const [name, value] of Object.entries(isRecord(ops[op]) ? ops[op] as Record<string, unknown> : {})) {
        const reason = side === 'request' ? requestHeaderSetReason(name) : headerOperationReason(name);
        if (reason) out.add(VS.HEADERS, [...at, side, op, name], reason, 'Pseudo-headers (":…") and Host cannot be changed this way; use rewrite.authority for the authority.');
        const valueReason = typeof value === 'string' ? headerValueReason(value) : undefined;
        if (valueReason) out.add(VS.HEADERS, [...at, side, op, name], valueReason, 'Escape a literal % as %%; Envoy variables are written %NAME% or %NAME(arg)%.');
      }
    }
    (Array.isArray(ops.remove) ? ops.remove : []).forEach((name, i) => {
      const reason = typeof name === 'string' ? headerOperationReason(name) : undefined;
      if (reason) out.add(VS.HEADERS, [...at, side, 'remove', i], reason, 'Pseudo-headers (":…") and Host cannot be removed.');
    });
  }
}

function checkCors(policy: unknown, at: WebhookPath, out: Findings): void {
  if (!isRecord(policy)) return;
  const bad = (path: WebhookPath, message: string, fix: string): void => out.add(VS.CORS, [...at, ...path], message, fix);
  (Array.isArray(policy.allowOrigins) ? policy.allowOrigins : []).forEach((o, i) => {
    const m = isRecord(o) ? o : {};
    const value = [m.exact, m.prefix, m.regex].find((x) => typeof x === 'string');
    if (value === undefined || value === '') {bad(['allowOrigins', i], `${show(value ?? '')} is not a valid match type for CORS allow origins`, 'Write exact, prefix or regex with a non-empty origin.');} else if (typeof m.regex === 'string') {
      const reason = regexReason(m.regex);
      if (reason) bad(['allowOrigins', i, 'regex'], reason, 'Write the origin regex in RE2 syntax.');
    }
  });
  (Array.isArray(policy.allowMethods) ? policy.allowMethods : []).forEach((method, i) => {
    if (typeof method === 'string' && !CORS_METHODS.includes(method)) bad(['allowMethods', i], `${show(method)} is not a supported HTTP method`, `Use ${CORS_METHODS.join(', ')} (upper case).`);
  });
  for (const field of ['allowHeaders', 'exposeHeaders']) {
    (Array.isArray(policy[field]) ? policy[field] as unknown[] : []).forEach((h, i) => {
      if (typeof h !== 'string' || h === '*') return;
      if (h === '' || !CORS_HEADER.test(h)) bad([field, i], h === '' ? 'header name cannot be empty' : `header name ${h} is not a valid header name`, 'Use header names (token characters) or "*".');
    });
  }
  const maxAge = durationReason(policy.maxAge);
  const ns = typeof policy.maxAge === 'string' ? parseGoDuration(policy.maxAge) : undefined;
  if (maxAge) {bad(['maxAge'], `maxAge ${show(policy.maxAge)}: ${maxAge}`, 'Write maxAge in whole seconds, e.g. 24h.');} else if (ns !== undefined && ns > 0n && ns % 1_000_000_000n !== 0n) {
    bad(['maxAge'], `max_age duration is accurate only to seconds precision, got ${show(policy.maxAge)}`, 'Write maxAge in whole seconds, e.g. 86400s.');
  }
}

function checkFault(fault: unknown, at: WebhookPath, out: Findings): void {
  if (!isRecord(fault)) return;
  const bad = (path: WebhookPath, message: string, fix: string): void => out.add(VS.FAULT, [...at, ...path], message, fix);
  if (!isRecord(fault.abort) && !isRecord(fault.delay)) bad([], 'HTTP fault injection must have an abort and/or a delay', 'Add abort or delay, or remove fault.');
  const percentage = (p: unknown, path: WebhookPath): void => {
    const v = isRecord(p) ? num(p.value) : undefined;
    if (v !== undefined && (v < 0 || v > 100 || (v > 0 && v < 0.0001))) bad([...path, 'percentage', 'value'], `percentage ${v} is neither 0.0, nor in range [0.0001, 100.0]`, 'Use a percentage between 0.0001 and 100.');
  };
  if (isRecord(fault.abort)) {
    const a = fault.abort;
    percentage(a.percentage, ['abort']);
    if (typeof a.grpcStatus === 'string') {
      if (!GRPC_STATUS.includes(a.grpcStatus)) bad(['abort', 'grpcStatus'], `gRPC status ${show(a.grpcStatus)} is not supported`, `Use a gRPC status name, e.g. ${GRPC_STATUS.slice(5, 8).join(', ')}.`);
    } else if (typeof a.http2Error === 'string') {
      bad(['abort', 'http2Error'], 'HTTP/2 abort fault injection not supported yet', 'Use httpStatus or grpcStatus.');
    } else if (typeof a.httpStatus === 'number') {
      if (a.httpStatus < 200 || a.httpStatus > 600) bad(['abort', 'httpStatus'], `HTTP status ${a.httpStatus} is not in range 200-599`, 'Use an HTTP status between 200 and 599.');
    } else {
      out.warn(VS.FAULT, [...at, 'abort'], 'abort configured, but error type not set', 'Set httpStatus (or grpcStatus).');
    }
  }
  if (isRecord(fault.delay)) {
    const d = fault.delay;
    percentage(d.percentage, ['delay']);
    const fixed = durationReason(d.fixedDelay);
    if (fixed) bad(['delay', 'fixedDelay'], `fixedDelay ${show(d.fixedDelay)}: ${fixed}`, 'Write the delay in whole milliseconds.');
    if (d.exponentialDelay !== undefined) bad(['delay', 'exponentialDelay'], 'exponentialDelay not supported yet', 'Use fixedDelay.');
  }
}

function checkRedirect(redirect: unknown, add: Add): void {
  if (!isRecord(redirect)) return;
  const r = redirect;
  const set = (f: string): boolean => typeof r[f] === 'string' && r[f] !== '';
  // port (even 0) and derivePort fill the redirectPort oneof.
  if (!set('uri') && !set('authority') && !set('scheme') && r.port === undefined && r.derivePort === undefined) {
    add(VS.REDIRECT, ['redirect'], 'redirect must specify URI, authority, scheme, or port', 'Set redirect.uri, authority, scheme or port.');
    return;
  }
  const code = num(r.redirectCode) ?? 0;
  if (code !== 0 && (code < 300 || code > 399)) add(VS.REDIRECT, ['redirect', 'redirectCode'], `${code} is not a valid redirect code, must be 3xx`, 'Use 301, 302, 303, 307 or 308.');
  else if (set('scheme') && r.scheme !== 'http' && r.scheme !== 'https') add(VS.REDIRECT, ['redirect', 'scheme'], `invalid redirect scheme ${show(r.scheme)}, must be "http" or "https"`, 'Use http or https (lower case).');
  else if ((num(r.port) ?? 0) > 0 && portReason(r.port)) add(VS.REDIRECT, ['redirect', 'port'], portReason(r.port)!, 'Use a port between 1 and 65535.');
}

function checkDirectResponse(dr: unknown, at: WebhookPath, out: Findings): void {
  if (!isRecord(dr)) return;
  const body = isRecord(dr.body) ? dr.body : {};
  const size = typeof body.string === 'string' ? Buffer.byteLength(body.string) : typeof body.bytes === 'string' ? Buffer.from(body.bytes, 'base64').length : 0;
  if (size > 1024 * 1024) out.add(VS.REDIRECT, [...at, 'body'], `large direct_responses may impact control plane performance, must be less than 1MB (${size} bytes)`, 'Serve large bodies from a backend.');
  else if (size > 100 * 1024) out.warn(VS.REDIRECT, [...at, 'body'], `large direct_responses may impact control plane performance (${size} bytes)`, 'Serve large bodies from a backend.');
  const status = num(dr.status);
  if (status !== undefined && (status < 200 || status > 600)) out.add(VS.REDIRECT, [...at, 'status'], `HTTP status ${status} is not in range 200-599`, 'Use an HTTP status between 200 and 599.');
}

function checkRetries(retries: unknown, add: Add): void {
  if (!isRecord(retries)) return;
  const r = retries;
  const attempts = num(r.attempts) ?? 0;
  if (attempts < 0) add(VS.RETRY, ['retries', 'attempts'], 'attempts cannot be negative', 'Set attempts to 0 (no retries) or more.');
  const retryOn = typeof r.retryOn === 'string' ? r.retryOn : '';
  if (attempts === 0 && (r.perTryTimeout !== undefined || retryOn !== '' || r.retryRemoteLocalities !== undefined)) {
    add(VS.RETRY, ['retries'], 'http retry policy configured when attempts are set to 0 (disabled)', 'Set attempts, or remove the other retry settings.');
  }
  for (const f of ['perTryTimeout', 'backoff']) {
    const reason = durationReason(r[f]);
    if (reason) add(VS.RETRY, ['retries', f], `${f} ${show(r[f])}: ${reason}`, 'Write the duration in whole milliseconds.');
  }
  if (retryOn !== '') {
    for (const policy of retryOn.split(',')) {
      const code = /^[+-]?\d+$/.test(policy) ? Number(policy) : 0;
      if (!HTTP_STATUS.has(code) && !RETRY_ON.includes(policy)) {
        add(VS.RETRY, ['retries', 'retryOn'], `${show(policy)} is not a valid retryOn policy`, `Use HTTP status codes or ${RETRY_ON.slice(0, 6).join(', ')}, … separated by commas without spaces.`);
      }
    }
  }
}

function checkRewrite(http: Readonly<Record<string, unknown>>, add: Add): void {
  const rw = isRecord(http.rewrite) ? http.rewrite : undefined;
  if (rw) {
    const uri = typeof rw.uri === 'string' && rw.uri !== '';
    const regex = isRecord(rw.uriRegexRewrite) ? rw.uriRegexRewrite : undefined;
    if (uri && regex) {add(VS.REWRITE, ['rewrite'], 'rewrite may only contain one of URI or UriRegexRewrite', 'Keep uri or uriRegexRewrite.');} else if (!uri && !regex && (typeof rw.authority !== 'string' || rw.authority === '')) {
      add(VS.REWRITE, ['rewrite'], 'rewrite must specify at least one of URI, UriRegexRewrite, or authority', 'Set rewrite.uri, uriRegexRewrite or authority, or remove rewrite.');
    } else if (regex) {
      if (typeof regex.match !== 'string' || regex.match === '' || typeof regex.rewrite !== 'string' || regex.rewrite === '') {
        add(VS.REWRITE, ['rewrite', 'uriRegexRewrite'], 'UriRegexRewrite requires both Rewrite and Match fields to be specified', 'Set uriRegexRewrite.match and rewrite.');
      } else {
        const reason = regexReason(regex.match);
        if (reason) add(VS.REWRITE, ['rewrite', 'uriRegexRewrite', 'match'], `UriRegexRewrite has errors: ${reason}`, 'Write the match regex in RE2 syntax.');
      }
    }
  }
  // validateAuthorityRewrite: the authority may be rewritten in one place only.
  let current = rw && typeof rw.authority === 'string' ? rw.authority : '';
  const request = isRecord(http.headers) && isRecord(http.headers.request) ? http.headers.request : {};
  for (const op of ['set', 'add']) {
    for (const [k, v] of Object.entries(isRecord(request[op]) ? request[op] as Record<string, unknown> : {})) {
      if (!isAuthorityHeader(k)) continue;
      if (current !== '') {
        add(VS.HEADERS, ['headers', 'request', op, k], `authority header cannot be set multiple times: have ${show(current)}, attempting to set ${show(v)}`, 'Rewrite the authority in one place (rewrite.authority).');
        return;
      }
      current = typeof v === 'string' ? v : '';
    }
  }
}

/** `validateHTTPRouteDestinations` / `validateRouteDestinations` on a route list. */
export function checkDestinations(route: unknown, at: WebhookPath, out: Findings, http: boolean): void {
  const list = Array.isArray(route) ? route : [];
  let total = 0;
  list.forEach((w, i) => {
    if (!isRecord(w)) {
      out.add(VS.DESTINATION, [...at, i], 'weight may not be nil', 'Delete the null entry.');
      return;
    }
    if (http) checkHeaderOperations(w.headers, [...at, i, 'headers'], out);
    for (const d of destinationReasons(w.destination)) out.add(VS.DESTINATION, [...at, i, 'destination', d.field], d.reason, destinationFix(d.field));
    const weight = num(w.weight) ?? 0;
    if (weight < 0) out.add(VS.DESTINATION, [...at, i, 'weight'], `weight ${weight} < 0`, 'Use a weight of 0 or more.');
    total += weight;
  });
  if (list.length > 1 && total === 0) out.add(VS.DESTINATION, at, 'total destination weight = 0', 'Give the destinations weights that add up to more than 0 (usually 100).');
}

function destinationFix(field: string): string {
  if (field === 'host') return 'Write the destination\'s host name (reviews, reviews.bookinfo.svc.cluster.local), not "*".';
  if (field === 'subset') return 'Name a subset of the host\'s DestinationRule (a DNS-1123 label).';
  return 'Use a port between 1 and 65535.';
}
