import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateClusterName, validateCredentialName, validateHostName, validateTrustDomain } from '../../src/pki/names';
import { SpiffeId } from '../../src/pki/spiffe-id';
import { catchTrustmesh } from '../helpers';

describe('cluster names', () => {
  it('accepts DNS-1123 labels', () => {
    for (const name of ['east', 'cluster-1', 'a', 'x'.repeat(63)]) expect(validateClusterName(name)).toBe(name);
  });

  it.each(['Bad_Name', 'east.1', '-east', 'east-', '', 'x'.repeat(64), 'ÉST'])('rejects %j with TM_CA_INVALID_CLUSTER_NAME', (name) => {
    const e = catchTrustmesh(() => validateClusterName(name));
    expect(e.code).toBe('TM_CA_INVALID_CLUSTER_NAME');
    expect(e.message).toMatch(/DNS-1123 label/);
  });

  it('suggests a fixed name', () => {
    expect(catchTrustmesh(() => validateClusterName('Bad_Name')).fix).toBe('Did you mean "bad-name"?');
  });

  it('suggests only names that are themselves valid (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => {
      let fix: string | undefined;
      try {
        validateClusterName(s);
        return;
      } catch (e) {
        fix = (e as { fix?: string }).fix;
      }
      const suggested = /Did you mean "(.*)"\?/.exec(fix ?? '')?.[1];
      if (suggested !== undefined) expect(validateClusterName(suggested)).toBe(suggested);
    }));
  });
});

describe('credential names', () => {
  it('accepts DNS-1123 labels, which double as Secret names and key-store directories', () => {
    expect(validateCredentialName('juice-shop')).toBe('juice-shop');
  });

  it.each(['Juice_Shop', '../escape', 'a/b', ''])('rejects %j with TM_CA_INVALID_CREDENTIAL_NAME', (name) => {
    const e = catchTrustmesh(() => validateCredentialName(name));
    expect(e.code).toBe('TM_CA_INVALID_CREDENTIAL_NAME');
    expect(e.message).toMatch(/credential name/);
    expect(e.value).toBe(name);
  });
});

describe('trust domains', () => {
  it('accepts SPIFFE trust domains', () => {
    for (const td of ['cluster.local', 'prod.example.com', 'a-b.c']) expect(validateTrustDomain(td)).toBe(td);
  });

  it('rejects a URI with TM_CA_INVALID_TRUST_DOMAIN and suggests the bare domain', () => {
    const e = catchTrustmesh(() => validateTrustDomain('spiffe://Example.com/ns'));
    expect(e.code).toBe('TM_CA_INVALID_TRUST_DOMAIN');
    expect(e.fix).toMatch(/Did you mean "example.com"\?/);
  });

  it.each(['', '.local', 'cluster..local', 'Cluster.Local', 'a:8080', 'my_domain'])('rejects %j', (td) => {
    expect(catchTrustmesh(() => validateTrustDomain(td)).code).toBe('TM_CA_INVALID_TRUST_DOMAIN');
  });
});

describe('host names', () => {
  it('accepts DNS names and one leading wildcard', () => {
    for (const h of ['juice-shop.istio-succinctly.io', '*.example.com']) expect(validateHostName(h)).toBe(h);
  });

  it.each(['https://example.com', 'example', '*.*.example.com', 'Example.com', 'a.b:443'])('rejects %j with TM_CA_INVALID_HOST', (h) => {
    expect(catchTrustmesh(() => validateHostName(h)).code).toBe('TM_CA_INVALID_HOST');
  });
});

describe('SpiffeId', () => {
  it('builds and parses Istio identities', () => {
    const id = SpiffeId.forServiceAccount('cluster.local', 'bookinfo', 'bookinfo-productpage');
    expect(id.uri).toBe('spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage');
    expect(id.principal).toBe('cluster.local/ns/bookinfo/sa/bookinfo-productpage');
    expect(SpiffeId.parse(id.uri)).toEqual(id);
  });

  it('rejects a non-Istio SPIFFE ID with TM_INVALID_SPIFFE_ID', () => {
    expect(catchTrustmesh(() => SpiffeId.parse('spiffe://cluster.local/workload/x')).code).toBe('TM_INVALID_SPIFFE_ID');
  });
});
