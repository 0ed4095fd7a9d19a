/**
 * Validation of the names that end up in certificates and key-store paths: cluster names, trust
 * domains, host names, Kubernetes names. The rules are the shared ones of `private/name-rules`
 * (the Mesh checks the same names by them); this module gives them the CA's codes and messages.
 *
 * @module
 */
import { ErrorCode, TrustmeshError } from '../errors';
import { followsNameRule, NameRule, nameRuleAllowed, suggestName } from '../private/name-rules';

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
  if (followsNameRule('dns-subdomain', name)) return name;
  throw new TrustmeshError('TM_INVALID_NAME', `invalid ${what}`, {
    value: name,
    allowed: nameRuleAllowed('dns-subdomain'),
    fix: didYouMean('dns-subdomain', name, 'use lower-case letters, digits, "-" and "." only'),
  });
}

/**
 * Checks a SPIFFE trust domain (`cluster.local`, `prod.example.com`) by the rule the Mesh applies
 * too: a bare DNS name as Istio's mesh config accepts it, without scheme, port or path.
 * @see https://github.com/spiffe/spiffe/blob/main/standards/SPIFFE-ID.md#21-trust-domain
 * @throws TrustmeshError `TM_CA_INVALID_TRUST_DOMAIN`
 */
export function validateTrustDomain(trustDomain: string): string {
  if (followsNameRule('trust-domain', trustDomain)) return trustDomain;
  const hint = suggestName('trust-domain', trustDomain);
  throw new TrustmeshError('TM_CA_INVALID_TRUST_DOMAIN', 'invalid trust domain', {
    value: trustDomain,
    allowed: nameRuleAllowed('trust-domain'),
    fix: `pass the bare trust domain, as in meshConfig.trustDomain.${hint ? ` Did you mean "${hint}"?` : ''}`,
  });
}

/**
 * Checks a TLS host name for a gateway certificate: a lower-case DNS name, optionally starting with
 * one `*.` wildcard label.
 * @throws TrustmeshError `TM_CA_INVALID_HOST`
 */
export function validateHostName(host: string): string {
  if (followsNameRule('tls-host', host)) return host;
  const hint = suggestName('tls-host', host);
  throw new TrustmeshError('TM_CA_INVALID_HOST', 'invalid host name for a certificate', {
    value: host,
    allowed: nameRuleAllowed('tls-host'),
    fix: `pass the bare host name, without scheme, port or path.${hint ? ` Did you mean "${hint}"?` : ''}`,
  });
}

function checkLabel(code: ErrorCode, what: string, name: string): string {
  if (followsNameRule('dns-label', name)) return name;
  throw new TrustmeshError(code, `invalid ${what}`, {
    value: name,
    allowed: nameRuleAllowed('dns-label'),
    fix: didYouMean('dns-label', name, 'use lower-case letters, digits and "-" only'),
  });
}

function didYouMean(rule: NameRule, name: unknown, otherwise: string): string {
  if (typeof name !== 'string') return 'pass a string';
  const suggestion = suggestName(rule, name);
  return suggestion ? `Did you mean "${suggestion}"?` : otherwise;
}
