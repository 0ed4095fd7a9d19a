import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Mesh } from '../../src/constructs/mesh';
import { MeshService } from '../../src/constructs/mesh-service';
import { assertDnsSubdomain } from '../../src/model/names';
import { validateSubdomainName, validateTrustDomain } from '../../src/pki/names';
import { SpiffeId } from '../../src/pki/spiffe-id';
import { followsNameRule, suggestName } from '../../src/private/name-rules';
import { tempApp } from '../helpers';

function accepts(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (e instanceof TypeError) throw e;
    return false;
  }
}

const meshAcceptsTrustDomain = (td: string): boolean => accepts(() => new Mesh(tempApp(), 'm', { trustDomain: td }));
const meshAcceptsAlias = (td: string): boolean => accepts(() => new Mesh(tempApp(), 'm', { trustDomainAliases: [td] }));
const caAcceptsTrustDomain = (td: string): boolean => accepts(() => validateTrustDomain(td));
const svidAcceptsTrustDomain = (td: string): boolean => accepts(() => SpiffeId.forServiceAccount(td, 'shop', 'payments'));

const TRUST_DOMAINS: [string, boolean][] = [
  ['cluster.local', true],
  ['prod.example.com', true],
  ['a-b.c', true],
  ['east', true],
  ['1.2.3.4', true],
  ['my_domain.local', false],
  ['my_domain', false],
  ['Cluster.Local', false],
  ['', false],
  ['.local', false],
  ['cluster.local.', false],
  ['cluster..local', false],
  ['-a.b', false],
  ['a-.b', false],
  ['a:8080', false],
  ['spiffe://cluster.local', false],
  ['cluster.local/ns/a', false],
  ['x'.repeat(254), false],
];

describe('the Mesh and the CA apply one name rule', () => {
  it.each(TRUST_DOMAINS)('trust domain %j: accepted = %s by the Mesh, its aliases, the CA and SPIFFE IDs', (td, ok) => {
    expect({
      mesh: meshAcceptsTrustDomain(td),
      alias: meshAcceptsAlias(td),
      ca: caAcceptsTrustDomain(td),
      svid: svidAcceptsTrustDomain(td),
    }).toEqual({ mesh: ok, alias: ok, ca: ok, svid: ok });
  });

  it('agree on every trust domain (property, over the characters that matter)', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '_', '.', ':', '/'), maxLength: 12 }), (td) => {
      const mesh = meshAcceptsTrustDomain(td);
      expect(caAcceptsTrustDomain(td)).toBe(mesh);
      expect(svidAcceptsTrustDomain(td)).toBe(mesh);
    }), { numRuns: 200 });
  });

  it.each([
    ['shop', true], ['team-a', true], ['a', true], ['x'.repeat(63), true],
    ['Shop', false], ['team_a', false], ['team.a', false], ['-a', false], ['x'.repeat(64), false], ['', false],
  ])('namespace %j: accepted = %s by Mesh.addNamespace and SPIFFE IDs', (ns, ok) => {
    const mesh = accepts(() => new Mesh(tempApp(), 'm').addNamespace(ns));
    const svid = accepts(() => SpiffeId.forServiceAccount('cluster.local', ns, 'payments'));
    expect({ mesh, svid }).toEqual({ mesh: ok, svid: ok });
  });

  it.each([
    ['payments', true], ['bookinfo-productpage', true], ['payments.v2', true],
    ['Payments', false], ['pay_ments', false], ['.payments', false], ['payments.', false], ['', false],
  ])('service account %j: accepted = %s by addService, MeshService.fromAttributes and SPIFFE IDs', (sa, ok) => {
    const ns = (): ReturnType<Mesh['addNamespace']> => new Mesh(tempApp(), 'm').addNamespace('shop');
    const service = accepts(() => ns().addService('payments', { serviceAccount: sa }));
    const imported = accepts(() => MeshService.fromAttributes(ns(), 'imported', { namespace: 'other', name: 'payments', serviceAccount: sa }));
    const svid = accepts(() => SpiffeId.forServiceAccount('cluster.local', 'shop', sa));
    expect({ service, imported, svid }).toEqual({ service: ok, imported: ok, svid: ok });
  });

  it.each([
    ['cacerts', true], ['juice-shop.tls', true], ['a', true],
    ['Juice_Shop', false], ['juice-shop.', false], ['x'.repeat(254), false],
  ])('object name %j: accepted = %s by the model and the CA', (name, ok) => {
    expect(accepts(() => assertDnsSubdomain(name, 'Secret name'))).toBe(ok);
    expect(accepts(() => validateSubdomainName(name, 'Secret name'))).toBe(ok);
  });
});

describe('name rule suggestions', () => {
  it('suggest only names that follow the rule (property)', () => {
    for (const rule of ['dns-label', 'dns-subdomain', 'trust-domain', 'tls-host'] as const) {
      fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => {
        const suggestion = suggestName(rule, s);
        if (suggestion !== undefined) {
          expect(followsNameRule(rule, suggestion)).toBe(true);
          expect(suggestion).not.toBe(s);
        }
      }));
    }
  });

  it('turn a SPIFFE ID or an underscore into a trust domain', () => {
    expect(suggestName('trust-domain', 'spiffe://Example.com/ns/a')).toBe('example.com');
    expect(suggestName('trust-domain', 'my_domain.local')).toBe('my-domain.local');
  });
});
