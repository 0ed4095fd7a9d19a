/**
 * The name rules every identity-bearing name is checked against, written once: what each rule
 * accepts, how to say what it allows, and the corrected name to suggest. The model (Mesh props,
 * services, gateways) and the CA (key store, certificates) wrap them in their own error codes and
 * messages; the rules themselves never differ, so a trust domain the Mesh rejects the CA rejects
 * too.
 *
 * @module
 */
import { isDnsLabel, isDnsSubdomain } from './k8s-names';

/** The syntaxes identity-bearing names follow. */
export type NameRule = 'dns-label' | 'dns-subdomain' | 'trust-domain' | 'tls-host';

interface RuleDefinition {
  readonly test: (value: string) => boolean;
  readonly allowed: string;
  /** A cleaned-up candidate (not necessarily valid). */
  readonly clean: (value: string) => string;
}

const LABEL_CHARS = /[^a-z0-9-]+/g;
const SUBDOMAIN_CHARS = /[^a-z0-9.-]+/g;

function cleanLabel(value: string): string {
  return value.toLowerCase().replace(LABEL_CHARS, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
}

function cleanSubdomain(value: string): string {
  return value.toLowerCase().replace(SUBDOMAIN_CHARS, '-').replace(/-+/g, '-').replace(/-*\.-*/g, '.').replace(/\.+/g, '.')
    .replace(/^[-.]+|[-.]+$/g, '').slice(0, 253).replace(/[-.]+$/, '');
}

/** Without a scheme, port or path: what users paste from a URL or a SPIFFE ID. */
function bareHost(value: string): string {
  return value.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/[:/].*$/, '');
}

/** A TLS host: a DNS name with at least two labels of at most 63 characters, optionally after one `*.`. */
function isTlsHost(value: string): boolean {
  const bare = value.startsWith('*.') ? value.slice(2) : value;
  return bare.includes('.') && isDnsSubdomain(bare) && bare.split('.').every((l) => l.length <= 63);
}

const RULES: Readonly<Record<NameRule, RuleDefinition>> = {
  'dns-label': {
    test: isDnsLabel,
    allowed: 'a DNS-1123 label: lower-case letters, digits and "-", at most 63 characters, starting and ending with a letter or digit',
    clean: cleanLabel,
  },
  'dns-subdomain': {
    test: isDnsSubdomain,
    allowed: 'a DNS-1123 subdomain: dot-separated DNS labels (lower-case letters, digits, "-"), at most 253 characters',
    clean: cleanSubdomain,
  },
  // Istio's mesh config validation (ValidateTrustDomain) accepts only DNS-1123 labels joined by
  // dots; SPIFFE alone would also allow "_", but istiod refuses such a trustDomain.
  'trust-domain': {
    test: isDnsSubdomain,
    allowed: 'a bare DNS name without scheme, port or path: dot-separated lower-case letters, digits and "-" (no "_"), e.g. "cluster.local"',
    clean: (value) => cleanSubdomain(bareHost(value)),
  },
  'tls-host': {
    test: isTlsHost,
    allowed: 'a fully qualified lower-case DNS name such as "juice-shop.example.com", optionally with a leading "*." wildcard',
    clean: (value) => bareHost(value).toLowerCase(),
  },
};

/** Whether `value` follows the rule. */
export function followsNameRule(rule: NameRule, value: unknown): value is string {
  return typeof value === 'string' && RULES[rule].test(value);
}

/** What the rule allows, for an error's `allowed`. */
export function nameRuleAllowed(rule: NameRule): string {
  return RULES[rule].allowed;
}

/** A corrected name that follows the rule and differs from `value`, if one is near. */
export function suggestName(rule: NameRule, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const candidate = RULES[rule].clean(value);
  return candidate !== value && RULES[rule].test(candidate) ? candidate : undefined;
}
