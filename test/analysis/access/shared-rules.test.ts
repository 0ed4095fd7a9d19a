// diff12: the diff's versions share compiled rules by content; the shared form must be what
// compileRules gives for the policy itself.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SharedRules } from '../../../src/analysis/access/shared-rules';
import { AuthorizationPolicyResource } from '../../../src/analysis/config/istio-config';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG, MeshConfig } from '../../../src/analysis/config/mesh-config';
import { CompiledRules, compilePolicy, compileRules } from '../../../src/analysis/evaluator/authorization-rule';

/** Rules as YAML flow: plain, HTTP-only (dropped or ignored on TCP), invalid, unknown key, null. */
const RULES: readonly string[] = [
  '{ from: [{ source: { principals: [cluster.local/ns/a/sa/x] } }] }',
  '{ from: [{ source: { serviceAccounts: [x] } }], to: [{ operation: { methods: [GET], ports: ["8080"] } }] }',
  '{ to: [{ operation: { paths: [/api/*] } }], when: [{ key: "request.headers[x-id]", values: [a] }] }',
  '{ from: [{ source: { namespaces: [b], ipBlocks: [10.0.0.0/8] } }] }',
  '{ to: [{ operation: { ports: ["not-a-port"] } }] }',
  '{ when: [{ key: no.such.key, values: [v] }] }',
  'null',
  '{}',
];

function policy(namespace: string, action: string, rules: readonly number[]): AuthorizationPolicyResource {
  const yaml = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: p, namespace: ${namespace} }
spec:
  action: ${action}
  rules: [${rules.map((i) => RULES[i]).join(', ')}]
`;
  return parseConfigText(yaml, 'test.yaml').authorizationPolicies[0];
}

/** Compiled rules as data (matchers by pattern, guards by content). */
function plain(r: CompiledRules): unknown {
  return JSON.parse(JSON.stringify(r, (_k, v: unknown) => (v instanceof Set ? [...v] : v instanceof Map ? [...v.entries()] : typeof v === 'function' ? 'fn' : v)));
}

const MESH: MeshConfig = { ...DEFAULT_MESH_CONFIG, trustDomainAliases: ['old.local'] };

describe('SharedRules', () => {
  it('compiles a namesake\'s rules as compileRules does, whatever the two versions of the policy', () => {
    const version = fc.record({
      namespace: fc.constantFrom('a', 'b'),
      action: fc.constantFrom('ALLOW', 'DENY', 'AUDIT'),
      rules: fc.array(fc.integer({ min: 0, max: RULES.length - 1 }), { maxLength: 6 }),
    });
    fc.assert(fc.property(version, version, (x, y) => {
      const shared = new SharedRules(MESH);
      const before = policy(x.namespace, x.action, x.rules);
      const after = policy(y.namespace, y.action, y.rules);
      const first = shared.policy(compilePolicy(before, MESH));
      const second = shared.policy(compilePolicy(after, MESH));
      for (const protocol of ['HTTP', 'TCP'] as const) {
        expect(plain(protocol === 'HTTP' ? second.http : second.tcp)).toEqual(plain(compileRules(after, protocol, MESH)));
      }
      // diff16: a namesake of the same document shares the compiled chains themselves.
      if (after.documentText === before.documentText) {
        expect(second.http).toBe(first.http);
        expect(second.tcp).toBe(first.tcp);
      }
    }), { numRuns: 300 });
  });

  it('gives a namesake of the same content the compiled rules themselves, on both chains', () => {
    const shared = new SharedRules(MESH);
    const first = shared.policy(compilePolicy(policy('a', 'ALLOW', [0, 1, 6, 2]), MESH));
    const second = shared.policy(compilePolicy(policy('a', 'ALLOW', [0, 1, 6, 2]), MESH));
    expect(second).not.toBe(first);
    expect(second.http).toBe(first.http);
    expect(second.tcp).toBe(first.tcp);
  });

  it('reuses the namesake\'s compiled rule for a rule of the same content, and only then', () => {
    const shared = new SharedRules(MESH);
    const first = shared.policy(compilePolicy(policy('a', 'ALLOW', [0, 1, 2]), MESH));
    // Rule 0 removed, rule 3 inserted: rules 1 and 2 are the same, at other indexes.
    const second = shared.policy(compilePolicy(policy('a', 'ALLOW', [3, 1, 2]), MESH));
    expect(second.http.rules[1]).toEqual({ ...first.http.rules[1], index: 1 });
    expect(second.http.rules[1].sources).toBe(first.http.rules[1].sources);
    expect(second.http.rules[2]).toBe(first.http.rules[2]);
    expect(second.http.rules[0].sources).not.toBe(first.http.rules[0].sources);
    // Another action: nothing shared (DENY keeps what ALLOW drops on TCP).
    const deny = shared.policy(compilePolicy(policy('a', 'DENY', [0, 1, 2]), MESH));
    expect(deny.http.rules[2]).not.toBe(first.http.rules[2]);
    expect(deny.tcp.rules.length).toBeGreaterThan(first.tcp.rules.length);
  });
});
