/**
 * The value syntax istiod checks in AuthorizationPolicy rules (`pkg/config/security`): IP blocks
 * (`ValidateIPs`), ports (`ValidatePorts`), service accounts (`CheckServiceAccount`), trust
 * domains (`CheckTrustDomainValues`), path templates (`CheckValidPathTemplate`) and `when`
 * conditions (`ValidateAttribute`). Each returns istiod's reason, or `undefined`.
 *
 * @module
 */
import { parseGoAddr, parseGoPrefix } from './go-net';

/** `security.ValidateIPs` for one value: a CIDR block when it has a `/`, else an address. */
export function ipValueReason(v: string): string | undefined {
  if (v.includes('/')) {
    const p = parseGoPrefix(v);
    return p.ok ? undefined : `bad CIDR range (${v}): ${p.reason}`;
  }
  return parseGoAddr(v).ok ? undefined : `bad IP address (${v})`;
}

/** `security.ValidatePorts` for one value: Go's `ParseUint(port, 10, 32)`, at most 65535. */
export function portValueReason(v: string): string | undefined {
  return /^\d+$/.test(v) && Number(v) <= 65535 ? undefined : `bad port (${v})`;
}

/** `security.CheckServiceAccount` for one value: `sa` or `namespace/sa`, no wildcard, at most 320 characters. */
export function serviceAccountReason(v: string): string | undefined {
  if (v === '') return 'empty value not allowed';
  if (v.includes('*')) return 'wildcard not allowed';
  // Slashes counted without splitting (every peer of a large mesh is checked).
  const slash = v.indexOf('/');
  if (slash < 0) return undefined;
  if (v.indexOf('/', slash + 1) >= 0) return `expected format 'serviceAccount' or 'namespace/serviceAccount', found ${JSON.stringify(v)}`;
  // More than 320 characters (and more than 16 values) are refused by the CRD already.
  if (slash === 0) return `expected format 'serviceAccount' or 'namespace/serviceAccount', found empty namespace ${JSON.stringify(v)}`;
  if (slash === v.length - 1) return `expected format 'serviceAccount' or 'namespace/serviceAccount', found empty serviceAccount ${JSON.stringify(v)}`;
  return undefined;
}

/** `security.CheckWildcardValues` for one value: at most one `*`, at the start or the end. */
export function wildcardValueReason(v: string): string | undefined {
  if (v === '') return 'empty value not allowed';
  const count = v.split('*').length - 1;
  if (count > 1) return `at most one wildcard is allowed, found ${JSON.stringify(v)}`;
  if (count === 1 && v !== '*' && !v.startsWith('*') && !v.endsWith('*')) return `wildcard is only allowed at the start or end, found ${JSON.stringify(v)}`;
  return undefined;
}

/** `security.CheckTrustDomainValues` for one value: a wildcard value without `/`. */
export function trustDomainReason(v: string): string | undefined {
  return wildcardValueReason(v) ?? (v.includes('/') ? `trust domain must not contain '/', found ${JSON.stringify(v)}` : undefined);
}

// RFC 3986 pchar, the literal segments Envoy's URI templates accept.
const VALID_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;

/** `security.CheckValidPathTemplate` for one path: `{*}` segments, then at most one trailing `{**}`. */
export function pathTemplateReason(value: string): string | undefined {
  // Without braces no segment is an operator and none is checked as a literal: a plain path passes.
  if (!value.includes('{') && !value.includes('}')) return undefined;
  const template = value.includes('{*}') || value.includes('{**}');
  const path = value.replace(/^\/+/, '').replace(/\/+$/, '');
  let matchAny = false;
  for (const glob of path.split('/')) {
    if (glob === '{*}' && !matchAny) continue;
    if (glob === '{**}' && !matchAny) {
      matchAny = true;
      continue;
    }
    if ((glob === '{**}' || glob === '{*}') && matchAny) return `invalid or unsupported path ${path}: {**} is not the last operator`;
    if (glob.includes('{') || glob.includes('}')) return `invalid or unsupported path ${path}: contains '{' or '}' beyond a supported path template`;
    if (template && !VALID_LITERAL.test(glob)) return `invalid or unsupported path ${path}: contains segment ${glob} with invalid string literal`;
  }
  return undefined;
}

function mapKeyReason(key: string): string | undefined {
  const open = key.indexOf('[');
  return key.endsWith(']') && open > 0 && open < key.length - 2 ? undefined : `bad key (${key}): should have format a[b]`;
}

/** What `security.ValidateAttribute` says about a condition key before looking at values. */
export interface AttributeCheck {
  /** The key itself is refused (unknown, replaced, deprecated, or a malformed `a[b]`). */
  readonly keyReason?: string;
  /** The check each value must pass, when the key constrains values. */
  readonly value?: (v: string) => string | undefined;
}

/** `security.ValidateAttribute`, split into the key check and the per-value check. */
export function attributeCheck(key: string): AttributeCheck {
  if (key.startsWith('request.headers')) return { keyReason: mapKeyReason(key) };
  if (key === 'source.ip' || key === 'remote.ip' || key === 'destination.ip') return { value: ipValueReason };
  if (['source.namespace', 'source.principal', 'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'connection.sni'].includes(key)) return {};
  if (key === 'source.serviceAccount') return { value: serviceAccountReason };
  if (key === 'source.trustDomain') return { value: wildcardValueReason };
  if (key.startsWith('request.auth.claims')) return { keyReason: mapKeyReason(key) };
  if (key === 'destination.port') return { value: portValueReason };
  if (key.startsWith('experimental.envoy.filters.')) return { keyReason: mapKeyReason(key) };
  if (key === 'destination.namespace') return { keyReason: `attribute ${key} is replaced by the metadata.namespace` };
  if (key.startsWith('destination.labels')) return { keyReason: `attribute ${key} is replaced by the workload selector` };
  if (key === 'destination.name' || key === 'destination.user') return { keyReason: `deprecated attribute ${key}: only supported in v1alpha1` };
  return { keyReason: `unknown attribute: ${key}` };
}

/** The condition keys istiod knows, for a "did you mean". */
export const CONDITION_KEYS: readonly string[] = [
  'request.headers[name]', 'source.ip', 'remote.ip', 'source.namespace', 'source.principal', 'source.serviceAccount', 'source.trustDomain',
  'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'request.auth.claims[name]', 'destination.ip',
  'destination.port', 'connection.sni', 'experimental.envoy.filters.<filter>[key]',
];
