// perf5: a workload's DENY/ALLOW rules merged across its policies (evaluator/workload-rules.ts).
// Property: the first matching entry is the first matching rule of the first policy that has one,
// as trying each policy in order without any index finds it — with several policies, identities
// whose keys select several lists (the merge), and principals in the namespace "ns" (extra keys).
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { config } from './evaluate-helpers';
import { AuthorizationPolicyResource } from '../../../src/analysis/config/istio-config';
import { DEFAULT_MESH_CONFIG } from '../../../src/analysis/config/mesh-config';
import { CompiledPolicy, compilePolicy, firstMatchingRule } from '../../../src/analysis/evaluator/authorization-rule';
import { RequestAttributes } from '../../../src/analysis/evaluator/request-attributes';
import { firstMatchingIn, mayTryRules, workloadPlan } from '../../../src/analysis/evaluator/workload-rules';
import { AccessRequest } from '../../../src/semantics/access-request';

const NAMESPACES = ['dev', 'ns', 'sa'];
const ACCOUNTS = ['sleep', 'web'];
const IDENTITIES = NAMESPACES.flatMap((ns) => ACCOUNTS.map((sa) => `${ns}/${sa}`));
const principal = fc.constantFrom(...IDENTITIES.map((id) => `cluster.local/ns/${id.replace('/', '/sa/')}`), 'ns/ns/dev/sa/web', 'odd-shape');
const source = fc.oneof(
  fc.record({ serviceAccounts: fc.subarray(IDENTITIES, { minLength: 1 }) }),
  fc.record({ namespaces: fc.subarray(NAMESPACES, { minLength: 1 }) }),
  fc.record({ principals: fc.subarray(['cluster.local/ns/dev/sa/sleep', 'cluster.local/ns/ns/sa/web', 'cluster.local/ns/*'], { minLength: 1 }) }),
  fc.record({ ipBlocks: fc.constantFrom(['10.0.0.0/8'], ['192.168.0.0/16']) }),
);
const rule = fc.record({
  from: fc.option(fc.array(fc.record({ source }), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  to: fc.option(fc.constantFrom([{ operation: { methods: ['GET'] } }], [{ operation: { paths: ['/admin/*'] } }]), { nil: undefined }),
});

function policy(name: string, rules: unknown[], action: 'ALLOW' | 'DENY' = 'ALLOW'): AuthorizationPolicyResource {
  const text = JSON.stringify({
    apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: 'foo' }, spec: { action, rules },
  });
  return config(text).authorizationPolicies[0];
}

function requestOf(peer: string | null, method: string, path: string, ip: string, protocol: 'HTTP' | 'TCP'): AccessRequest {
  return protocol === 'TCP'
    ? { protocol, source: { principal: peer, namespace: null, ip }, destination: { namespace: 'foo', labels: {}, port: 80 }, jwt: null }
    : { protocol, source: { principal: peer, namespace: null, ip }, destination: { namespace: 'foo', labels: {}, port: 80 }, jwt: null, method, path, headers: {} };
}

/** The reference: each policy in order, its rules scanned without identity keys (no rule skipped). */
function firstInOrder(compiled: readonly CompiledPolicy[], attrs: RequestAttributes): { policy: string; rule: number } | undefined {
  const unindexed = Object.create(attrs, { identityKeys: { value: undefined } }) as RequestAttributes;
  for (const p of compiled) {
    const r = firstMatchingRule(p, unindexed);
    if (r) return { policy: p.name, rule: r.index };
  }
  return undefined;
}

describe('firstMatchingIn (rules merged across a workload\'s policies)', () => {
  test('finds the rule that trying each policy in order finds (property)', () => {
    const seed = Number(process.env.FC_SEED ?? 1205);
    // eslint-disable-next-line no-console
    console.log(`workload-rules property seed ${seed}`);
    let matched = 0;
    const policySets = fc.array(fc.array(rule, { minLength: 0, maxLength: 5 }), { minLength: 1, maxLength: 4 });
    fc.assert(fc.property(policySets, fc.option(principal, { nil: null }),
      fc.constantFrom('GET', 'POST'), fc.constantFrom('/admin/x', '/'), fc.constantFrom('10.1.2.3', '192.168.1.1'), fc.constantFrom<'HTTP' | 'TCP'>('HTTP', 'TCP'),
      (policies, peer, method, path, ip, protocol) => {
        const attrs = new RequestAttributes(requestOf(peer, method, path, ip, protocol), DEFAULT_MESH_CONFIG, peer ?? undefined, undefined);
        const compiled = policies.map((rules, i) => compilePolicy(policy(`p${i}`, rules), DEFAULT_MESH_CONFIG));
        // The ALLOW policies' segment of the chain (the workload's plan, with no DENY policy).
        const plan = workloadPlan([], compiled, { legacy: false, plain: true, noJwtRules: true, allowNone: false, mtls: undefined });
        const got = firstMatchingIn(plan.table, protocol === 'TCP' ? plan.allowTcpBase : plan.allowHttpBase, plan, attrs);
        const expected = firstInOrder(compiled, attrs);
        if (got) matched++;
        expect(got ? { policy: got.policy.name, rule: got.rule.index } : undefined).toEqual(expected);
      }), { numRuns: 500, seed });
    expect(matched).toBeGreaterThan(20);
  });
});

// check13: a workload's plan holds its four (action, chain) segments in one table of its own.
describe('workloadPlan (the DENY and ALLOW rules of both chains in one table)', () => {
  test('each segment finds the rule that trying each policy of its action in order finds, and its filter lets it (property)', () => {
    const seed = Number(process.env.FC_SEED ?? 1313);
    // eslint-disable-next-line no-console
    console.log(`workload-plan property seed ${seed}`);
    let matched = 0;
    const policySets = fc.array(fc.array(rule, { minLength: 0, maxLength: 4 }), { minLength: 0, maxLength: 3 });
    fc.assert(fc.property(policySets, policySets, fc.option(principal, { nil: null }),
      fc.constantFrom('GET', 'POST'), fc.constantFrom('/admin/x', '/'), fc.constantFrom('10.1.2.3', '192.168.1.1'), fc.constantFrom<'HTTP' | 'TCP'>('HTTP', 'TCP'),
      (denySets, allowSets, peer, method, path, ip, protocol) => {
        const attrs = new RequestAttributes(requestOf(peer, method, path, ip, protocol), DEFAULT_MESH_CONFIG, peer ?? undefined, undefined);
        const deny = denySets.map((rules, i) => compilePolicy(policy(`d${i}`, rules, 'DENY'), DEFAULT_MESH_CONFIG));
        const allow = allowSets.map((rules, i) => compilePolicy(policy(`a${i}`, rules), DEFAULT_MESH_CONFIG));
        const plan = workloadPlan(deny, allow, { legacy: false, plain: true, noJwtRules: true, allowNone: allow.length === 0, mtls: undefined });
        const tcp = protocol === 'TCP';
        const segments = tcp
          ? [
            [plan.denyTcpBase, plan.denyTcpFilter1, plan.denyTcpFilter2, deny],
            [plan.allowTcpBase, plan.allowTcpFilter1, plan.allowTcpFilter2, allow],
          ] as const
          : [
            [plan.denyHttpBase, plan.denyHttpFilter1, plan.denyHttpFilter2, deny],
            [plan.allowHttpBase, plan.allowHttpFilter1, plan.allowHttpFilter2, allow],
          ] as const;
        for (const [base, filter1, filter2, policies] of segments) {
          const got = firstMatchingIn(plan.table, base, plan, attrs);
          if (got) matched++;
          expect(got ? { policy: got.policy.name, rule: got.rule.index } : undefined).toEqual(firstInOrder(policies, attrs));
          // The filter never skips a segment that has a matching rule (the evaluator asks it first).
          if (got) expect(mayTryRules(filter1, filter2, attrs)).toBe(true);
        }
      }), { numRuns: 500, seed });
    expect(matched).toBeGreaterThan(20);
  });
});
