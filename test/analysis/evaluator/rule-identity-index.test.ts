// firstMatchingRule tries only the rules a request's identity can match (rules indexed by the
// identities they pin). Property: it returns the same rule as trying every rule in order — each
// rule's own verdict taken from a policy holding that rule alone, evaluated without the index.
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { config } from './evaluate-helpers';
import { AuthorizationPolicyResource } from '../../../src/analysis/config/istio-config';
import { DEFAULT_MESH_CONFIG } from '../../../src/analysis/config/mesh-config';
import { compilePolicy, firstMatchingRule } from '../../../src/analysis/evaluator/authorization-rule';
import { RequestAttributes } from '../../../src/analysis/evaluator/request-attributes';
import { AccessRequest } from '../../../src/semantics/access-request';

const NAMESPACES = ['dev', 'prod'];
const ACCOUNTS = ['sleep', 'web'];
const principal = fc.constantFrom(...NAMESPACES.flatMap((ns) => ACCOUNTS.map((sa) => `cluster.local/ns/${ns}/sa/${sa}`)), 'spiffe-less/odd');
const source = fc.oneof(
  fc.record({ serviceAccounts: fc.subarray(NAMESPACES.flatMap((ns) => ACCOUNTS.map((sa) => `${ns}/${sa}`)), { minLength: 1 }) }),
  fc.record({ namespaces: fc.subarray(NAMESPACES, { minLength: 1 }) }),
  fc.record({ principals: fc.subarray(['cluster.local/ns/dev/sa/sleep', 'cluster.local/ns/prod/sa/web', 'cluster.local/ns/*'], { minLength: 1 }) }),
  fc.record({ ipBlocks: fc.constantFrom(['10.0.0.0/8'], ['192.168.0.0/16']) }),
  fc.record({ notNamespaces: fc.subarray(NAMESPACES, { minLength: 1 }) }),
);
const rule = fc.record({
  from: fc.option(fc.array(fc.record({ source }), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  to: fc.option(fc.constantFrom([{ operation: { methods: ['GET'] } }], [{ operation: { paths: ['/admin/*'] } }]), { nil: undefined }),
});

function policy(rules: unknown[]): AuthorizationPolicyResource {
  const text = JSON.stringify({
    apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'foo' }, spec: { action: 'ALLOW', rules },
  });
  return config(text).authorizationPolicies[0];
}

describe('firstMatchingRule with the identity index', () => {
  test('returns the first rule in order that matches, as a linear scan does (property)', () => {
    const seed = Number(process.env.FC_SEED ?? 1717);
    // eslint-disable-next-line no-console
    console.log(`rule-identity-index property seed ${seed}`);
    let matched = 0;
    fc.assert(fc.property(fc.array(rule, { minLength: 1, maxLength: 8 }), fc.option(principal, { nil: null }),
      fc.constantFrom('GET', 'POST'), fc.constantFrom('/admin/x', '/'), fc.constantFrom('10.1.2.3', '192.168.1.1'), fc.constantFrom<'HTTP' | 'TCP'>('HTTP', 'TCP'),
      (rules, peer, method, path, ip, protocol) => {
        const request: AccessRequest = protocol === 'TCP'
          ? { protocol, source: { principal: peer, namespace: null, ip }, destination: { namespace: 'foo', labels: {}, port: 80 }, jwt: null }
          : { protocol, source: { principal: peer, namespace: null, ip }, destination: { namespace: 'foo', labels: {}, port: 80 }, jwt: null, method, path, headers: {} };
        const attrs = new RequestAttributes(request, DEFAULT_MESH_CONFIG, peer ?? undefined, undefined);
        const whole = compilePolicy(policy(rules), DEFAULT_MESH_CONFIG);
        const got = firstMatchingRule(whole, attrs)?.index;
        // The reference: the same attributes without identity keys, so no rule is skipped.
        const unindexed = Object.create(attrs, { identityKeys: { value: undefined } }) as RequestAttributes;
        const expected = rules.findIndex((r) => {
          const alone = compilePolicy(policy([r]), DEFAULT_MESH_CONFIG);
          return firstMatchingRule(alone, unindexed) !== undefined;
        });
        if (got !== undefined) matched++;
        expect(got).toBe(expected < 0 ? undefined : expected);
      }), { numRuns: 400, seed });
    expect(matched).toBeGreaterThan(20);
  });
});
