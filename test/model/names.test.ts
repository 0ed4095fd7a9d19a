import { describe, expect, test } from 'vitest';
import { assertDnsLabel, assertDnsSubdomain, assertLabels } from '../../src/model/names';
import { catchTrustmesh } from '../helpers';

describe('names', () => {
  test('accepts DNS-1123 labels', () => {
    for (const ok of ['a', 'payments', 'orders-v2', 'x'.repeat(63)]) expect(() => assertDnsLabel(ok, 'name')).not.toThrow();
  });

  test('rejects invalid labels with a suggestion', () => {
    const e = catchTrustmesh(() => assertDnsLabel('Bad_Name', 'namespace name'));
    expect(e.code).toBe('TM_INVALID_NAME');
    expect(e.message).toMatch(/namespace name is not a valid DNS-1123 label/);
    expect(e.message).toMatch(/received: "Bad_Name"/);
    expect(e.fix).toBe('use "bad-name"');
    for (const bad of ['', '-a', 'a-', 'a.b', 'x'.repeat(64)]) expect(catchTrustmesh(() => assertDnsLabel(bad, 'n')).code).toBe('TM_INVALID_NAME');
  });

  test('subdomains allow dots', () => {
    expect(() => assertDnsSubdomain('example.com', 'trust domain')).not.toThrow();
    expect(catchTrustmesh(() => assertDnsSubdomain('Example..com', 'trust domain')).code).toBe('TM_INVALID_NAME');
  });

  test('labels: keys with prefixes, values without wildcards', () => {
    expect(() => assertLabels({ 'app': 'x', 'app.kubernetes.io/name': 'y', 'version': '' }, 'labels')).not.toThrow();
    expect(catchTrustmesh(() => assertLabels({ '': 'x' }, 'labels')).code).toBe('TM_INVALID_LABEL');
    expect(catchTrustmesh(() => assertLabels({ 'app*': 'x' }, 'labels')).code).toBe('TM_INVALID_LABEL');
    expect(catchTrustmesh(() => assertLabels({ app: 'a*' }, 'labels')).code).toBe('TM_INVALID_LABEL');
  });
});
