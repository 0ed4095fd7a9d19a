/**
 * The value syntax of VirtualService routes as istiod checks it: string matches and RE2 regexes
 * (`validateStringMatch`, `validateStringRegexp`), header names and values
 * (`ValidateHTTPHeaderNameOrJwtClaimRoute`, `ValidateHTTPHeader…OperationName`,
 * `ValidateHTTPHeaderValue`), gateway names (`validateGatewayNames`) and destinations
 * (`validateDestination`). Each returns istiod's reason, or `undefined`.
 *
 * @module
 */
import { fqdnReason, isIstioDnsLabel, portReason, wildcardDomainReason } from './istio-syntax';
import { isRecord } from '../../private/records';

// RFC 7230 token characters (validHeaderNameRegex).
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;
const PSEUDO_HEADERS = [':method', ':scheme', ':authority', ':path', ':status'];

interface Re2 {
  compile(re: string): unknown;
}
let re2: Re2 | undefined;

/** `validateStringRegexp`: at most 1024 characters and RE2 (Go `regexp`) syntax. */
export function regexReason(re: string): string | undefined {
  if (re.length > 1024) return 'regex is too large, max length allowed is 1024';
  // re2js is loaded on the first regex: most configurations have none.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  re2 ??= (require('re2js') as { RE2JS: Re2 }).RE2JS;
  try {
    re2.compile(re);
    return undefined;
  } catch (e) {
    return `${e instanceof Error ? e.message : String(e)}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)`;
  }
}

/** `validateStringMatch`: a `prefix` must not be empty, a `regex` must be a valid, non-empty RE2 regex. */
export function stringMatchReason(m: unknown, options: { readonly regexOnly?: boolean } = {}): string | undefined {
  if (!isRecord(m)) return undefined;
  if (!options.regexOnly && m.prefix === '') return 'prefix string match should not be empty';
  if (typeof m.regex === 'string') return m.regex === '' ? 'regex string match should not be empty' : regexReason(m.regex);
  return undefined;
}

/** `jwt.ToRoutingClaim(name).Match`: `@request.auth.claims.a.b` or `@request.auth.claims[a][b]`. */
export function isJwtClaimRoute(name: string): boolean {
  if (!name.toLowerCase().startsWith('@request.auth.claims')) return false;
  const rest = name.slice('@request.auth.claims'.length);
  return (rest.startsWith('.') && rest.length > 1) || (rest.startsWith('[') && rest.endsWith(']') && rest.length > 2);
}

/** `ValidateHTTPHeaderNameOrJwtClaimRoute`: a header to match on. */
export function matchHeaderNameReason(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (isJwtClaimRoute(name) || PSEUDO_HEADERS.includes(name)) return undefined;
  return HEADER_NAME.test(name) ? undefined : `header name ${name} is not a valid header name`;
}

const isInternalHeader = (k: string): boolean => k.startsWith(':') || k.toLowerCase() === 'host';
/** `isAuthorityHeader`. */
export const isAuthorityHeader = (k: string): boolean => k.toLowerCase() === ':authority' || k.toLowerCase() === 'host';

/** `ValidateHTTPHeaderWithAuthorityOperationName`: a request header to add or set. */
export function requestHeaderSetReason(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  return isInternalHeader(name) && !isAuthorityHeader(name) ? `invalid header ${JSON.stringify(name)}: header cannot have ":" prefix` : undefined;
}

/** `ValidateHTTPHeaderOperationName`: a request header to remove, or a response header to change. */
export function headerOperationReason(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (name.toLowerCase() === 'host') return `invalid header ${JSON.stringify(name)}: cannot set Host header`;
  return isInternalHeader(name) ? `invalid header ${JSON.stringify(name)}: header cannot have ":" prefix` : undefined;
}

/** `ValidateHTTPHeaderValue`: no control characters, and `%` only as `%%` or an Envoy `%VAR%` / `%VAR(…)%`. */
export function headerValueReason(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- the control characters Envoy refuses in header values
  if (/[\u0000-\u0008\u000A-\u001F\u007F]/.test(value)) return `header value configuration ${JSON.stringify(value)} is invalid`;
  const reason = headerVariableReason(value);
  return reason ? `header value configuration: ${reason}` : undefined;
}

// validateHeaderValue's state machine over %VAR%, %VAR(arg)% and %VAR(["a", "b"])%.
function headerVariableReason(v: string): string | undefined {
  type State = 'literal' | 'name' | 'array?' | 'string?' | 'string' | 'delimiter' | 'argsEnd' | 'varEnd';
  let state: State = 'literal';
  for (let pos = 0; pos < v.length; pos++) {
    const ch = v[pos];
    const next = pos + 1 < v.length;
    switch (state) {
      case 'literal':
        if (ch !== '%') break;
        if (!next) return 'invalid header configuration. Un-escaped %';
        if (v[pos + 1] === '%') pos++;
        else state = 'name';
        break;
      case 'name':
        if (ch === '%') state = 'literal';
        else if (ch === '(') state = 'array?';
        break;
      case 'array?':
        if (ch === '[') state = 'string?';
        else if (ch !== ' ') state = 'string';
        break;
      case 'delimiter':
        if (ch === ',') state = 'string?';
        else if (ch === ']') state = 'argsEnd';
        else if (ch !== ' ') return "invalid header configuration. Expecting ',', ']', or whitespace";
        break;
      case 'string?':
        if (ch === '"') state = 'string';
        else if (ch !== ' ') return 'invalid header configuration. Expecting \'"\'';
        break;
      case 'string':
        if (ch === '\\') {
          if (!next) return 'invalid header configuration. Un-terminated backslash in JSON string';
          pos++;
        } else if (ch === ')') {state = 'varEnd';} else if (ch === '"') {state = 'delimiter';}
        break;
      case 'argsEnd':
        if (ch === ')') state = 'varEnd';
        else if (ch !== ' ') return "invalid header configuration. Expecting ')' or whitespace";
        break;
      case 'varEnd':
        if (ch === '%') state = 'literal';
        else if (ch !== ' ') return "invalid header configuration. Expecting '%' or whitespace after";
        break;
    }
  }
  return state === 'literal' ? undefined : `invalid header configuration. Un-terminated variable expression '${v}'`;
}

/**
 * `validateGatewayNames`: `namespace/name` (both DNS-1123 labels) or a legacy name. Like istiod,
 * stops at the first name without a `/` (so names after `mesh` are not checked).
 * @returns per gateway index: errors, and warnings (the legacy `name.namespace` form)
 */
export function gatewayNameReasons(names: readonly unknown[]): { readonly index: number; readonly reason: string; readonly warning?: boolean }[] {
  const out: { index: number; reason: string; warning?: boolean }[] = [];
  for (const [index, name] of names.entries()) {
    if (typeof name !== 'string') continue;
    const slash = name.indexOf('/');
    if (slash < 0) {
      if (name.includes('.')) {
        const parts = name.split('.');
        out.push({ index, warning: true, reason: `using legacy gatewayName format ${JSON.stringify(name)}; prefer the <namespace>/<name> format: ${JSON.stringify(`${parts[1]}/${parts[0]}`)}` });
      }
      const fqdn = fqdnReason(name);
      if (fqdn) out.push({ index, reason: fqdn });
      return out;
    }
    const ns = name.slice(0, slash);
    const gw = name.slice(slash + 1);
    if (ns === '' || gw === '') out.push({ index, reason: 'config namespace and gateway name cannot be empty' });
    if (!isIstioDnsLabel(ns)) out.push({ index, reason: `invalid value for namespace: ${JSON.stringify(ns)}` });
    if (!isIstioDnsLabel(gw)) out.push({ index, reason: `invalid value for gateway name: ${JSON.stringify(gw)}` });
  }
  return out;
}

/** `validateDestination`: host (not `*`), subset name, port. */
export function destinationReasons(d: unknown): { readonly field: string; readonly reason: string }[] {
  if (!isRecord(d)) return [];
  const out: { field: string; reason: string }[] = [];
  const host = typeof d.host === 'string' ? d.host : '';
  if (host === '*') {out.push({ field: 'host', reason: `invalid destination host ${host}` });} else {
    const reason = wildcardDomainReason(host);
    if (reason) out.push({ field: 'host', reason });
  }
  if (typeof d.subset === 'string' && d.subset !== '' && !isIstioDnsLabel(d.subset)) out.push({ field: 'subset', reason: `subset name is invalid: ${d.subset}` });
  if (isRecord(d.port)) {
    const reason = portReason(typeof d.port.number === 'number' ? d.port.number : 0);
    if (reason) out.push({ field: 'port', reason });
  }
  return out;
}
