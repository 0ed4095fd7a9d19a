/**
 * Validation of the names that end up in certificates and key-store paths: cluster names, trust
 * domains, host names, Kubernetes names. Each failure is a coded error with the value, the rule and
 * a suggested fix.
 *
 * @module
 */
import { TrustmeshError } from '../errors';
import { isDnsLabel, isDnsSubdomain } from '../private/k8s-names';

/**
 * Checks a cluster name: a DNS-1123 label (lower-case letters, digits and `-`, at most 63
 * characters, starting and ending with a letter or digit). It becomes the `L=` of the cluster's
 * intermediate and a directory name in the key store.
 * @throws TrustmeshError `TM_CA_INVALID_CLUSTER_NAME`
 */
export function validateClusterName(name: string): string {
  return checkLabel('TM_CA_INVALID_CLUSTER_NAME', 'cluster name', name);
}

/**
 * Checks the name of an issued credential (gateway or client certificate): a DNS-1123 label, as it
 * doubles as the default Secret name and a key-store directory.
 * @throws TrustmeshError `TM_CA_INVALID_CREDENTIAL_NAME`
 */
export function validateCredentialName(name: string): string {
  return checkLabel('TM_CA_INVALID_CREDENTIAL_NAME', 'credential name', name);
}

/**
 * Checks a Kubernetes namespace name (DNS-1123 label).
 * @throws TrustmeshError `TM_INVALID_NAME`
 */
export function validateNamespace(name: string): string {
  return checkLabel('TM_INVALID_NAME', 'namespace', name);
}

/**
 * Checks a Kubernetes object name that may contain dots (DNS-1123 subdomain), such as a service
 * account or Secret name.
 * @throws TrustmeshError `TM_INVALID_NAME`
 */
export function validateSubdomainName(name: string, what: string): string {
  if (typeof name === 'string' && isDnsSubdomain(name)) return name;
  throw new TrustmeshError('TM_INVALID_NAME', `invalid ${what}`, {
    value: name,
    allowed: 'a DNS-1123 subdomain: lower-case letters, digits, "-" and ".", at most 253 characters, starting and ending with a letter or digit',
    fix: suggestion(name, 253, true),
  });
}

/**
 * Checks a SPIFFE trust domain (`cluster.local`, `prod.example.com`): lower-case letters, digits,
 * `.`, `-` and `_`, at most 255 characters, no scheme, port or path.
 * @see https://github.com/spiffe/spiffe/blob/main/standards/SPIFFE-ID.md#21-trust-domain
 * @throws TrustmeshError `TM_CA_INVALID_TRUST_DOMAIN`
 */
export function validateTrustDomain(trustDomain: string): string {
  const ok = typeof trustDomain === 'string' && trustDomain.length > 0 && trustDomain.length <= 255
    && /^[a-z0-9._-]+$/.test(trustDomain) && !trustDomain.startsWith('.') && !trustDomain.endsWith('.') && !trustDomain.includes('..');
  if (ok) return trustDomain;
  const stripped = typeof trustDomain === 'string'
    ? trustDomain.trim().toLowerCase().replace(/^spiffe:\/\//, '').replace(/[:/].*$/, '').replace(/^\.+|\.+$/g, '')
    : '';
  const hint = stripped && /^[a-z0-9._-]+$/.test(stripped) && stripped !== trustDomain ? ` Did you mean "${stripped}"?` : '';
  throw new TrustmeshError('TM_CA_INVALID_TRUST_DOMAIN', 'invalid trust domain', {
    value: trustDomain,
    allowed: 'lower-case letters, digits, ".", "-" and "_" (at most 255), without scheme, port or path, e.g. "cluster.local"',
    fix: `pass the bare trust domain, as in meshConfig.trustDomain.${hint}`,
  });
}

/**
 * Checks a TLS host name for a gateway certificate: a lower-case DNS name, optionally starting with
 * one `*.` wildcard label.
 * @throws TrustmeshError `TM_CA_INVALID_HOST`
 */
export function validateHostName(host: string): string {
  const bare = typeof host === 'string' && host.startsWith('*.') ? host.slice(2) : host;
  if (typeof bare === 'string' && bare.includes('.') && isDnsSubdomain(bare)
    && bare.split('.').every((l) => l.length <= 63)) {
    return host;
  }
  const lower = typeof host === 'string' ? host.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/[:/].*$/, '') : '';
  const hint = lower && lower !== host && validHostQuietly(lower) ? ` Did you mean "${lower}"?` : '';
  throw new TrustmeshError('TM_CA_INVALID_HOST', 'invalid host name for a certificate', {
    value: host,
    allowed: 'a fully qualified lower-case DNS name such as "juice-shop.example.com", optionally with a leading "*." wildcard',
    fix: `pass the bare host name, without scheme, port or path.${hint}`,
  });
}

function validHostQuietly(host: string): boolean {
  try {
    validateHostName(host);
    return true;
  } catch {
    return false;
  }
}

function checkLabel(code: `TM_${string}`, what: string, name: string): string {
  if (typeof name === 'string' && isDnsLabel(name)) return name;
  throw new TrustmeshError(code, `invalid ${what}`, {
    value: name,
    allowed: 'a DNS-1123 label: lower-case letters, digits and "-", at most 63 characters, starting and ending with a letter or digit',
    fix: suggestion(name, 63, false),
  });
}

function suggestion(name: unknown, max: number, dots: boolean): string {
  if (typeof name !== 'string') return 'pass a string';
  const candidate = name.toLowerCase().replace(dots ? /[^a-z0-9.-]+/g : /[^a-z0-9-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, max).replace(/[-.]+$/, '');
  return candidate && candidate !== name ? `Did you mean "${candidate}"?` : 'use lower-case letters, digits and "-" only';
}
