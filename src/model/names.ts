import { TrustmeshError, TrustmeshUsageError } from '../errors';
import { isLabelValue, isQualifiedName } from '../private/k8s-names';
import { followsNameRule, NameRule, nameRuleAllowed, suggestName } from '../private/name-rules';

/**
 * Checks a DNS-1123 label (lower-case alphanumerics and '-', at most 63 characters, starting and
 * ending with an alphanumeric). Identity-bearing names must be explicit and valid, never derived.
 * @throws TrustmeshError TM_INVALID_NAME
 */
export function assertDnsLabel(value: string, what: string): void {
  checkName('dns-label', value, what, 'DNS-1123 label', 'choose a name such as "payments" or "orders-v2"');
}

/**
 * Checks a DNS-1123 subdomain (dot-separated labels, at most 253 characters): object names and
 * host names.
 * @throws TrustmeshError TM_INVALID_NAME
 */
export function assertDnsSubdomain(value: string, what: string): void {
  checkName('dns-subdomain', value, what, 'DNS-1123 subdomain', 'use a name such as "example.com"');
}

/**
 * Checks a trust domain (the mesh's, or an alias) by the rule the CA applies too: a bare DNS name
 * as Istio's mesh config accepts it.
 * @throws TrustmeshError TM_INVALID_NAME
 */
export function assertTrustDomain(value: string, what: string): void {
  checkName('trust-domain', value, what, 'trust domain', 'use a trust domain such as "cluster.local" or "prod.example.com"');
}

/**
 * Checks a Kubernetes label map (workload selectors): keys are `[prefix/]name`, values at most 63
 * characters; Istio also forbids `*` and empty keys in selectors.
 * @throws TrustmeshError TM_INVALID_LABEL
 */
export function assertLabels(labels: Readonly<Record<string, string>>, what: string): void {
  for (const [key, value] of Object.entries(labels)) {
    if (!isQualifiedName(key)) {
      throw new TrustmeshError('TM_INVALID_LABEL', `${what} has an invalid label key`, {
        value: key,
        allowed: 'an optional DNS subdomain prefix and "/", then 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
        fix: 'use a key such as "app" or "app.kubernetes.io/name"',
      });
    }
    if (typeof value !== 'string' || !isLabelValue(value)) {
      throw new TrustmeshError('TM_INVALID_LABEL', `${what} has an invalid value for label "${key}"`, {
        value,
        allowed: 'at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (no "*")',
      });
    }
  }
}

function checkName(rule: NameRule, value: string, what: string, syntax: string, otherwise: string): void {
  if (typeof value !== 'string') throw new TrustmeshUsageError(`${what} must be a string`);
  if (followsNameRule(rule, value)) return;
  const suggestion = suggestName(rule, value);
  throw new TrustmeshError('TM_INVALID_NAME', `${what} is not a valid ${syntax}`, {
    value,
    allowed: nameRuleAllowed(rule),
    fix: suggestion ? `use "${suggestion}"` : otherwise,
  });
}
