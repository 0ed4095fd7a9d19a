import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthorizationPolicyResource, IstioConfig } from '../../../src/analysis/config/istio-config';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG } from '../../../src/analysis/config/mesh-config';
import { CompiledPolicy, compilePolicy } from '../../../src/analysis/evaluator/authorization-rule';
import { createEvaluator } from '../../../src/analysis/evaluator/evaluate';
import { PolicyIndex } from '../../../src/analysis/evaluator/policy-index';
import { selectorMatches } from '../../../src/semantics/labels';

// The index must select exactly the policies the scope rules of the authorization-policy reference
// select (https://istio.io/latest/docs/reference/config/security/authorization-policy/#AuthorizationPolicy-selector).

const NAMESPACES = ['istio-system', 'a', 'b'];
const LABEL_KEYS = ['app', 'version', 'tier'];
const LABEL_VALUES = ['x', 'y'];

const labelsArb = fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES), { maxKeys: 3 });
const policyArb = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  selector: fc.option(labelsArb, { nil: undefined }),
  targetRef: fc.boolean(),
});

function build(policies: { namespace: string; selector?: Record<string, string>; targetRef: boolean }[]): IstioConfig {
  const docs = policies.map((p, i) => {
    const selector = p.selector ? `  selector:\n    matchLabels: ${JSON.stringify(p.selector)}\n` : '';
    const target = p.targetRef ? '  targetRefs: [{kind: Service, group: "", name: s}]\n' : '';
    return `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p${String(i).padStart(3, '0')}, namespace: ${p.namespace}}\nspec:\n${selector}${target}  action: DENY\n  rules: [{}]\n`;
  });
  return parseConfigText(docs.join('---\n'));
}

/** The scope rules, written as a plain scan over every policy. */
function bruteForce(config: IstioConfig, namespace: string, labels: Record<string, string>): string[] {
  return config.authorizationPolicies.filter((p: AuthorizationPolicyResource) => {
    if (p.spec.targetRefs.length > 0) return false;
    const ns = p.metadata.namespace;
    if (ns !== namespace && ns !== DEFAULT_MESH_CONFIG.rootNamespace) return false;
    return selectorMatches(p.spec.selector?.matchLabels ?? {}, labels);
  }).map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort();
}

describe('PolicyIndex', () => {
  it('selects exactly the policies a full scan selects, for any policies and workload', () => {
    fc.assert(fc.property(fc.array(policyArb, { maxLength: 25 }), fc.constantFrom(...NAMESPACES), labelsArb, (policies, ns, labels) => {
      const config = build(policies);
      const evaluator = createEvaluator(config);
      const viaIndex = evaluator.policiesFor(ns, labels).deny.map((p) => `${p.namespace}/${p.name}`).sort();
      expect(viaIndex).toEqual(bruteForce(config, ns, labels));
      // The cached second lookup gives the same answer.
      expect(evaluator.policiesFor(ns, { ...labels }).deny.map((p) => `${p.namespace}/${p.name}`).sort()).toEqual(viaIndex);
    }), { numRuns: 200 });
  });

  it('compiles each policy once, on its first resolution or compileAll, as compilePolicy does (diff16)', () => {
    // A rule computes its guard and identity ids on first read (compileAll reads them): both sides
    // read them before they are compared, so that only what the rules are is compared.
    const settled = (c: CompiledPolicy): CompiledPolicy => {
      for (const r of [...c.http.rules, ...c.tcp.rules]) {
        void r.guard;
        void r.identityIds;
      }
      return { ...c, http: c.http, tcp: c.tcp };
    };
    fc.assert(fc.property(fc.array(policyArb, { maxLength: 12 }), fc.array(fc.tuple(fc.constantFrom(...NAMESPACES), labelsArb), { maxLength: 6 }),
      fc.boolean(), (policies, workloads, compileFirst) => {
        const config = build(policies);
        const index = new PolicyIndex(config, DEFAULT_MESH_CONFIG);
        if (compileFirst) index.compileAll();
        const seen = new Map<string, CompiledPolicy>();
        for (const [ns, labels] of workloads) {
          for (const p of index.forWorkload(ns, labels).deny) {
            const key = `${p.namespace}/${p.name}`;
            // One compiled object per policy, whichever workload resolves it first.
            if (seen.has(key)) expect(p).toBe(seen.get(key));
            seen.set(key, p);
            const plain = compilePolicy(p.resource, DEFAULT_MESH_CONFIG);
            expect(settled(p)).toEqual(settled(plain));
          }
        }
      }), { numRuns: 100 });
  });

  it('returns policies in (namespace, name) order whatever the file order', () => {
    const config = build([
      { namespace: 'a', selector: { app: 'x' }, targetRef: false },
      { namespace: 'a', targetRef: false },
      { namespace: 'istio-system', targetRef: false },
    ]);
    const names = createEvaluator(config).policiesFor('a', { app: 'x' }).deny.map((p) => `${p.namespace}/${p.name}`);
    expect(names).toEqual(['a/p000', 'a/p001', 'istio-system/p002']);
  });

  it('keeps workloads with the same labels in different namespaces apart in the cache', () => {
    const config = build([{ namespace: 'a', targetRef: false }]);
    const evaluator = createEvaluator(config);
    expect(evaluator.policiesFor('a', { app: 'x' }).deny).toHaveLength(1);
    expect(evaluator.policiesFor('b', { app: 'x' }).deny).toHaveLength(0);
  });

  it('decides correctly in a 1,000-service mesh with mesh-wide selector policies', () => {
    const docs: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const ns = `ns${i % 50}`;
      docs.push(`apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: svc${i}, namespace: ${ns}}\nspec:\n  selector: {matchLabels: {app: svc${i}}}\n  rules:\n  - from:\n    - source: {principals: ["cluster.local/ns/${ns}/sa/client${i}"]}\n`);
    }
    docs.push('apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: deny-v0, namespace: istio-system}\nspec:\n  selector: {matchLabels: {version: v0}}\n  action: DENY\n  rules: [{}]\n');
    const evaluator = createEvaluator(parseConfigText(docs.join('---\n')));
    const req = (i: number, client: number, version = 'v1'): string => evaluator.evaluate({
      protocol: 'TCP',
      source: { principal: `cluster.local/ns/ns${i % 50}/sa/client${client}`, namespace: `ns${i % 50}`, ip: '10.0.0.1' },
      jwt: null,
      destination: { namespace: `ns${i % 50}`, labels: { app: `svc${i}`, version }, port: 9000 },
    }).outcome;
    expect(req(777, 777)).toBe('ALLOW');
    expect(req(777, 778)).toBe('DENY_CONN');
    expect(req(777, 777, 'v0')).toBe('DENY_CONN');
  });
});
