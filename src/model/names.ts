import { TrustmeshError, TrustmeshUsageError } from '../errors';
import { isDnsLabel, isDnsSubdomain, isLabelValue, isQualifiedName } from '../private/k8s-names';

/**
 * Checks a DNS-1123 label (lower-case alphanumerics and '-', at most 63 characters, starting and
 * ending with an alphanumeric). Identity-bearing names must be explicit and valid, never derived.
 * @throws TrustmeshError TM_INVALID_NAME
 */
export function assertDnsLabel(value: string, what: string): void {
  if (typeof value !== 'string') throw new TrustmeshUsageError(`${what} must be a string`);
  if (isDnsLabel(value)) return;
  throw new TrustmeshError('TM_INVALID_NAME', `${what} is not a valid DNS-1123 label`, {
    value,
    allowed: 'lower-case letters, digits and "-", at most 63 characters, starting and ending with a letter or digit',
    fix: suggestDnsLabel(value) ? `use "${suggestDnsLabel(value)}"` : 'choose a name such as "payments" or "orders-v2"',
  });
}

/**
 * Checks a DNS-1123 subdomain (dot-separated labels, at most 253 characters): object names,
 * trust domains and host names.
 * @throws TrustmeshError TM_INVALID_NAME
 */
export function assertDnsSubdomain(value: string, what: string): void {
  if (typeof value !== 'string') throw new TrustmeshUsageError(`${what} must be a string`);
  if (isDnsSubdomain(value)) return;
  const suggestion = value.toLowerCase().replace(/[^a-z0-9.-]/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  throw new TrustmeshError('TM_INVALID_NAME', `${what} is not a valid DNS-1123 subdomain`, {
    value,
    allowed: 'dot-separated DNS labels (lower-case letters, digits, "-"), at most 253 characters',
    fix: suggestion && isDnsSubdomain(suggestion) ? `use "${suggestion}"` : 'use a name such as "example.com"',
  });
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

function suggestDnsLabel(value: string): string | undefined {
  const s = value.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return s && isDnsLabel(s) && s !== value ? s : undefined;
}
