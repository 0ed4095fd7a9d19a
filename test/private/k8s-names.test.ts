import { describe, expect, it } from 'vitest';
import { isDns1035Label, isDnsLabel, isDnsSubdomain, isLabelValue, isQualifiedName } from '../../src/private/k8s-names';

describe('Kubernetes name predicates', () => {
  it('DNS-1123 label: lower-case alphanumerics and "-", at most 63, alphanumeric at both ends', () => {
    for (const ok of ['a', 'orders-v2', '0abc', 'a'.repeat(63)]) expect(isDnsLabel(ok)).toBe(true);
    for (const bad of ['', 'A', '-a', 'a-', 'a.b', 'a_b', 'a'.repeat(64)]) expect(isDnsLabel(bad)).toBe(false);
  });

  it('DNS-1123 subdomain: labels joined by dots, at most 253', () => {
    for (const ok of ['a', 'example.com', 'a-b.c-d', `${'a'.repeat(63)}.${'b'.repeat(63)}`]) expect(isDnsSubdomain(ok)).toBe(true);
    for (const bad of ['', '.a', 'a.', 'a..b', 'A.b', `${'a.'.repeat(126)}ab`]) expect(isDnsSubdomain(bad)).toBe(false);
  });

  it('DNS-1035 label: a DNS-1123 label starting with a letter', () => {
    expect(isDns1035Label('web-1')).toBe(true);
    expect(isDns1035Label('1web')).toBe(false);
    expect(isDns1035Label('a'.repeat(64))).toBe(false);
  });

  it('qualified name: optional subdomain prefix and "/", then a name of at most 63', () => {
    for (const ok of ['app', 'App_1.x', 'app.kubernetes.io/name', 'x/Y']) expect(isQualifiedName(ok)).toBe(true);
    for (const bad of ['', '/app', 'Bad_Prefix/app', 'a/', 'a/b/c', '-app', 'a'.repeat(64), `${'p'.repeat(254)}/a`]) {
      expect(isQualifiedName(bad)).toBe(false);
    }
  });

  it('label value: empty, or at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends', () => {
    for (const ok of ['', 'v1', 'Blue_Green.2', 'a'.repeat(63)]) expect(isLabelValue(ok)).toBe(true);
    for (const bad of ['-v1', 'v1.', 'a b', 'a/b', 'a'.repeat(64)]) expect(isLabelValue(bad)).toBe(false);
  });
});
