// check10 (issue 17): `check` prepares the workloads its config declares at load
// (prepareWorkloads). Property: an evaluator whose workloads were prepared decides every request
// exactly as one that resolves each workload on its first request — prepared workloads, workloads
// the config does not declare, and workloads named with more labels than a selector.
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { matrixDestinations } from '../../../src/analysis/access/destinations';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG } from '../../../src/analysis/config/mesh-config';
import { firstMatchingRule } from '../../../src/analysis/evaluator/authorization-rule';
import { createEvaluator, prepareWorkloads } from '../../../src/analysis/evaluator/evaluate';
import { RequestAttributes } from '../../../src/analysis/evaluator/request-attributes';
import { AccessRequest } from '../../../src/semantics/access-request';

const NAMESPACES = ['istio-system', 'a', 'b'];
const APPS = ['x', 'y', 'z'];
const SOURCES = ['cluster.local/ns/a/sa/x', 'cluster.local/ns/b/sa/y', 'cluster.local/ns/a/sa/z'];

const policyArb = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  app: fc.option(fc.constantFrom(...APPS), { nil: undefined }),
  action: fc.constantFrom('ALLOW', 'DENY', 'AUDIT', 'CUSTOM'),
  dryRun: fc.boolean(),
  rules: fc.array(fc.record({
    from: fc.option(fc.constantFrom({ namespaces: ['a'] }, { principals: [SOURCES[1]] }, { notNamespaces: ['b'] }), { nil: undefined }),
    to: fc.option(fc.constantFrom({ methods: ['GET'] }, { paths: ['/admin/*'] }, { ports: ['8080'] }), { nil: undefined }),
  }), { maxLength: 3 }),
});

const requestArb = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  labels: fc.constantFrom<Record<string, string>>({ app: 'x' }, { app: 'y' }, { app: 'z' }, { app: 'w' }, { app: 'x', version: 'v1' }, {}),
  principal: fc.option(fc.constantFrom(...SOURCES), { nil: null }),
  tcp: fc.boolean(),
  method: fc.constantFrom('GET', 'POST'),
  path: fc.constantFrom('/', '/admin/x'),
  port: fc.constantFrom(8080, 9090),
});

type PolicyInput = typeof policyArb extends fc.Arbitrary<infer T> ? T : never;
type RequestInput = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function yamlOf(policies: PolicyInput[], strict: boolean): string {
  const docs = policies.map((p, i) => {
    const rules = p.rules.map((r) => ({
      ...(r.from ? { from: [{ source: r.from }] } : {}),
      ...(r.to ? { to: [{ operation: r.to }] } : {}),
    }));
    const spec = {
      ...(p.app ? { selector: { matchLabels: { app: p.app } } } : {}),
      action: p.action,
      ...(p.action === 'CUSTOM' ? { provider: { name: 'ext' } } : {}),
      rules,
    };
    const annotations = p.dryRun ? { annotations: { 'istio.io/dry-run': 'true' } } : {};
    return JSON.stringify({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: `p${i}`, namespace: p.namespace, ...annotations }, spec });
  });
  if (strict) docs.push(JSON.stringify({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'a' }, spec: { mtls: { mode: 'STRICT' } } }));
  // A workload-level one in namespace b (its other workloads share the namespace's resolution).
  if (strict) {
    docs.push(JSON.stringify({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'x', namespace: 'b' },
      spec: { selector: { matchLabels: { app: 'x' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 9090: { mode: 'DISABLE' } } },
    }));
  }
  return docs.join('\n---\n');
}

function requestOf(r: RequestInput): AccessRequest {
  const base = {
    source: { principal: r.principal, namespace: r.principal ? r.principal.split('/')[2] : null, ip: '10.0.0.1' },
    destination: { namespace: r.namespace, labels: r.labels, port: r.port },
    jwt: null,
  };
  return r.tcp ? { protocol: 'TCP', ...base } : { protocol: 'HTTP', ...base, method: r.method, path: r.path, headers: {} };
}

describe('prepareWorkloads', () => {
  test('prepared and lazily resolved evaluators decide every request alike (property)', () => {
    const seed = Number(process.env.FC_SEED ?? 1206);
    // eslint-disable-next-line no-console
    console.log(`prepare-workloads property seed ${seed}`);
    const requestsArb = fc.array(requestArb, { minLength: 1, maxLength: 12 });
    fc.assert(fc.property(fc.array(policyArb, { maxLength: 8 }), fc.boolean(), requestsArb, (policies, strict, requests) => {
      const yaml = yamlOf(policies, strict);
      const lazy = createEvaluator(parseConfigText(yaml, 'lazy.yaml'), DEFAULT_MESH_CONFIG, { compileNow: true, allowInvalidConfig: true });
      const prepared = createEvaluator(parseConfigText(yaml, 'prepared.yaml'), DEFAULT_MESH_CONFIG, { compileNow: true, allowInvalidConfig: true });
      prepareWorkloads(prepared.context, matrixDestinations(prepared.context));
      // Twice each: the first decision of a lazy workload builds its plan, the second reads it.
      for (const r of [...requests, ...requests]) {
        const request = requestOf(r);
        expect(JSON.stringify(prepared.evaluate(request))).toBe(JSON.stringify(lazy.evaluate(request)));
      }
    }), { seed, numRuns: 300 });
  });

  test('resolves and plans each declared workload at once, and counts them', () => {
    const yaml = yamlOf([
      { namespace: 'a', app: 'x', action: 'ALLOW', dryRun: false, rules: [{ from: { namespaces: ['a'] }, to: undefined }] },
      { namespace: 'a', app: 'y', action: 'DENY', dryRun: false, rules: [{ from: undefined, to: { methods: ['GET'] } }] },
    ], false);
    const evaluator = createEvaluator(parseConfigText(yaml, 'two.yaml'), DEFAULT_MESH_CONFIG, { compileNow: true });
    const count = prepareWorkloads(evaluator.context, [{ namespace: 'a', labels: { app: 'x' } }, { namespace: 'a', labels: { app: 'y' } }]);
    expect(count).toBe(2);
    const x = evaluator.context.policies.workload('a', { app: 'x' });
    expect(x.plan).toBeDefined();
    // The "no ALLOW rule matched" denial of an ALLOW workload is built at load too.
    expect(x.plan?.noMatchHttp?.text).toMatch(/^denied: no rule of the ALLOW policy a\/p0/);
    expect(x.plan?.noMatchTcp).toBeDefined();
    // A workload without ALLOW policies has no such denial.
    expect(evaluator.context.policies.workload('a', { app: 'y' }).plan?.noMatchHttp).toBeUndefined();
  });
});

// check13: a plain workload's "no ALLOW rule matched" decision is one frozen object per chain,
// shared by every request it answers; so is a STRICT namespace's denial of plaintext, per port.
describe('shared decisions', () => {
  test('are what the policies conclude: no DENY or ALLOW rule matched, or plaintext to STRICT; frozen (property)', () => {
    const seed = Number(process.env.FC_SEED ?? 1313);
    // eslint-disable-next-line no-console
    console.log(`shared no-match decisions property seed ${seed}`);
    let shared = 0;
    const plainPolicy = policyArb.map((p) => ({ ...p, action: p.action === 'AUDIT' || p.action === 'CUSTOM' ? 'ALLOW' : p.action, dryRun: false }));
    fc.assert(fc.property(fc.array(plainPolicy, { maxLength: 8 }), fc.boolean(), fc.boolean(), fc.array(requestArb, { minLength: 1, maxLength: 12 }),
      (policies, strict, prepare, requests) => {
        const evaluator = createEvaluator(parseConfigText(yamlOf(policies, strict), 'shared.yaml'), DEFAULT_MESH_CONFIG, { compileNow: true });
        if (prepare) prepareWorkloads(evaluator.context, matrixDestinations(evaluator.context));
        for (const r of [...requests, ...requests]) {
          const request = requestOf(r);
          const d = evaluator.evaluate(request);
          if (!Object.isFrozen(d)) continue;
          shared++;
          expect(Object.isFrozen(d.decidedBy) && d.decidedBy.every((ref) => Object.isFrozen(ref))).toBe(true);
          expect(evaluator.evaluate(request)).toBe(d);
          if (d.decidedBy[0]?.kind === 'PeerAuthentication') {
            // A plaintext request to a STRICT namespace (the one-per-port denial).
            expect(request.source.principal).toBeNull();
            expect(d).toEqual({
              outcome: 'DENY_CONN',
              allowed: false,
              decidedBy: [{ kind: 'PeerAuthentication', namespace: 'a', name: 'default', action: 'STRICT', rule: null }],
              explanation: `connection refused: PeerAuthentication a/default requires STRICT mTLS on port ${r.port} and the client sent plaintext`,
            });
            continue;
          }
          // The reference: no DENY and no ALLOW policy of the workload has a matching rule.
          const wp = evaluator.policiesFor(r.namespace, r.labels);
          const peer = request.source.principal ?? undefined;
          const attrs = new RequestAttributes(request, DEFAULT_MESH_CONFIG, peer, undefined);
          expect([...wp.deny, ...wp.allow].every((p) => firstMatchingRule(p, attrs) === undefined)).toBe(true);
          expect(wp.allow.length).toBeGreaterThan(0);
          expect(d).toEqual({
            outcome: r.tcp ? 'DENY_CONN' : 'DENY_403',
            allowed: false,
            decidedBy: wp.allow.map((p) => ({ kind: 'AuthorizationPolicy', namespace: p.namespace, name: p.name, action: 'ALLOW', rule: null })),
            explanation: expect.stringMatching(/^denied: no rule of the ALLOW polic(y|ies) .* matched$/),
          });
        }
      }), { seed, numRuns: 300 });
    expect(shared).toBeGreaterThan(50);
  });

  test('a planned workload is filed in the index as its own plan', () => {
    const yaml = yamlOf([{ namespace: 'a', app: 'x', action: 'ALLOW', dryRun: false, rules: [{ from: { principals: [SOURCES[1]] }, to: undefined }] }], false);
    const evaluator = createEvaluator(parseConfigText(yaml, 'one.yaml'), DEFAULT_MESH_CONFIG, { compileNow: true });
    const request = requestOf({ namespace: 'a', labels: { app: 'x' }, principal: SOURCES[0], tcp: false, method: 'GET', path: '/', port: 8080 });
    const first = evaluator.evaluate(request);
    const planned = evaluator.context.policies.workload('a', { app: 'x' });
    expect(planned.plan).toBe(planned);
    expect(evaluator.evaluate(request)).toBe(first);
    expect(first.explanation).toBe('denied: no rule of the ALLOW policy a/p0 matched');
  });
});
