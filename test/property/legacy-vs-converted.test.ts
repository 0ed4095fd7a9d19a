// Property: for random legacy (Istio 1.x) configurations and requests, the legacy evaluator's
// decision on the input equals the v1 evaluator's decision on `convert`'s output, or convert's
// proof reported that difference (a differing request to the same destination, same direction).
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IstioConfig } from '../../src/analysis/config/istio-config';
import { parseConfigText } from '../../src/analysis/config/load-config';
import { convertedConfig, convertLegacy } from '../../src/analysis/convert/convert-legacy';
import { ConversionProof, proveConversion } from '../../src/analysis/convert/proof';
import { createEvaluator } from '../../src/analysis/evaluator/evaluate';
import { AccessRequest, AccessRequestDestination, RequestJwt } from '../../src/semantics/access-request';

const CONFIGS = 250;
const REQUESTS_PER_CONFIG = 40;
const SEED = Number(process.env.TRUSTMESH_PROPERTY_SEED ?? 20261205);

const TOPOLOGY = `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec: {selector: {app: httpbin}, ports: [{name: http, port: 80, targetPort: 8000}]}
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: foo}
spec: {selector: {app: echo}, ports: [{name: http, port: 80, targetPort: 9000}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin-v1, namespace: foo}
spec: {template: {metadata: {labels: {app: httpbin, version: v1}}, spec: {serviceAccountName: httpbin, containers: [{name: c, ports: [{containerPort: 8000}]}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin-v2, namespace: foo}
spec: {template: {metadata: {labels: {app: httpbin, version: v2}}, spec: {serviceAccountName: httpbin, containers: [{name: c, ports: [{containerPort: 8000}]}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo, namespace: foo}
spec: {template: {metadata: {labels: {app: echo}}, spec: {serviceAccountName: echo, containers: [{name: c, ports: [{containerPort: 9000}]}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: dev}
spec: {template: {metadata: {labels: {app: sleep}}, spec: {serviceAccountName: sleep, containers: [{name: c}]}}}
`;

const peers = fc.constantFrom('', '  peers: [{mtls: {}}]\n', '  peers: [{mtls: {mode: PERMISSIVE}}]\n', '  peers: [{mtls: {}}]\n  peerIsOptional: true\n');
const trigger = fc.constantFrom('', ', triggerRules: [{excludedPaths: [{exact: /health}]}]', ', triggerRules: [{includedPaths: [{prefix: /api}]}]');
const origins = fc.option(fc.record({ trigger, optional: fc.constantFrom(false, false, false, true) }), { nil: undefined });
const authn = fc.record({ peers, origins, binding: fc.constantFrom('USE_PEER', 'USE_ORIGIN') });
const rbacMode = fc.constantFrom('', 'mode: "OFF"', 'mode: ON', 'mode: ON_WITH_INCLUSION, inclusion: {namespaces: [foo]}',
  'mode: ON_WITH_INCLUSION, inclusion: {services: [httpbin.foo.svc.cluster.local]}', 'mode: ON_WITH_EXCLUSION, exclusion: {services: [echo.foo.svc.cluster.local]}');
const rule = fc.record({
  services: fc.constantFrom('["*"]', '[httpbin.foo.svc.cluster.local]', '["echo*"]'),
  methods: fc.option(fc.subarray(['GET', 'POST'], { minLength: 1 }), { nil: undefined }),
  paths: fc.option(fc.subarray(['/api*', '/health', '*'], { minLength: 1 }), { nil: undefined }),
  version: fc.boolean(),
});
const subject = fc.constantFrom('{user: "*"}', '{user: cluster.local/ns/dev/sa/sleep}', '{user: a/alice}', '{properties: {source.namespace: dev}}',
  '{properties: {"request.auth.claims[role]": learner}}', '{user: "cluster.local/ns/foo/*"}');
const plan = fc.record({
  mesh: fc.constantFrom('', '  peers: [{mtls: {}}]\n', '  peers: [{mtls: {mode: PERMISSIVE}}]\n'),
  ns: fc.option(authn, { nil: undefined }),
  rbac: rbacMode,
  permissive: fc.constantFrom(false, false, false, true),
  roles: fc.array(fc.record({
    rules: fc.array(rule, { minLength: 1, maxLength: 2 }),
    subjects: fc.array(subject, { maxLength: 2 }),
  }), { maxLength: 2 }),
});

export function yamlOf(p: (typeof plan) extends fc.Arbitrary<infer T> ? T : never): string {
  const docs = [TOPOLOGY];
  if (p.mesh) docs.push(`apiVersion: authentication.istio.io/v1alpha1\nkind: MeshPolicy\nmetadata: {name: default}\nspec:\n${p.mesh}`);
  if (p.ns) {
    const o = p.ns.origins ? `  origins: [{jwt: {issuer: a${p.ns.origins.trigger}}}]\n${p.ns.origins.optional ? '  originIsOptional: true\n' : ''}` : '';
    docs.push(`apiVersion: authentication.istio.io/v1alpha1\nkind: Policy\nmetadata: {name: default, namespace: foo}\nspec:\n${p.ns.peers}${o}  principalBinding: ${p.ns.binding}\n`);
  }
  if (p.rbac) docs.push(`apiVersion: rbac.istio.io/v1alpha1\nkind: ClusterRbacConfig\nmetadata: {name: default}\nspec: {${p.rbac}${p.permissive ? ', enforcementMode: PERMISSIVE' : ''}}\n`);
  p.roles.forEach((r, i) => {
    const rules = r.rules.map((x) => [
      `  - services: ${x.services}\n`,
      x.methods ? `    methods: [${x.methods.join(', ')}]\n` : '',
      x.paths ? `    paths: [${x.paths.map((v) => JSON.stringify(v)).join(', ')}]\n` : '',
      x.version ? '    constraints: [{key: "destination.labels[version]", values: [v1]}]\n' : '',
    ].join('')).join('');
    docs.push(`apiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRole\nmetadata: {name: role-${i}, namespace: foo}\nspec:\n  rules:\n${rules}`);
    if (r.subjects.length > 0) docs.push(`apiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRoleBinding\nmetadata: {name: bind-${i}, namespace: foo}\nspec:\n  roleRef: {kind: ServiceRole, name: role-${i}}\n  subjects: [${r.subjects.join(', ')}]\n`);
  });
  return docs.join('---\n');
}

const DESTINATIONS: AccessRequestDestination[] = [
  { namespace: 'foo', labels: { app: 'httpbin', version: 'v1' }, port: 8000 },
  { namespace: 'foo', labels: { app: 'httpbin', version: 'v2' }, port: 8000 },
  { namespace: 'foo', labels: { app: 'echo' }, port: 9000 },
];
const TOKENS: (RequestJwt | null)[] = [null, { status: 'invalid', reason: 'expired' }, { status: 'valid', claims: { iss: 'a', sub: 'alice' } },
  { status: 'valid', claims: { iss: 'a', sub: 'alice', role: 'learner' } }, { status: 'valid', claims: { iss: 'b', sub: 'bob', role: 'learner' } }];
const request: fc.Arbitrary<AccessRequest> = fc.record({
  protocol: fc.constantFrom('HTTP' as const, 'HTTP' as const, 'TCP' as const),
  principal: fc.constantFrom(null, 'cluster.local/ns/dev/sa/sleep', 'cluster.local/ns/foo/sa/httpbin', 'cluster.local/ns/other/sa/x'),
  destination: fc.constantFrom(...DESTINATIONS),
  method: fc.constantFrom('GET', 'POST'),
  path: fc.constantFrom('/', '/health', '/apix', '/other'),
  jwt: fc.constantFrom(...TOKENS),
}).map((r): AccessRequest => {
  const source = { principal: r.principal, namespace: r.principal ? (/\/ns\/([^/]+)\//.exec(r.principal)?.[1] ?? null) : null, ip: '10.99.0.1' };
  return r.protocol === 'TCP'
    ? { protocol: 'TCP', source, jwt: null, destination: r.destination }
    : { protocol: 'HTTP', source, jwt: r.jwt, destination: r.destination, method: r.method, path: r.path };
});

describe('legacy decision == converted decision, or convert reported the difference', () => {
  test(`${CONFIGS} random legacy configurations × ${REQUESTS_PER_CONFIG} requests (seed ${SEED})`, () => {
    // eslint-disable-next-line no-console -- the seed is part of the test's output, to replay a failure
    console.log(`legacy-vs-converted property seed: ${SEED} (set TRUSTMESH_PROPERTY_SEED to replay)`);
    let pairs = 0;
    let mismatches = 0;
    // Figures for docs/legacy.md: what was converted, refused (by code), and proven.
    let legacyObjects = 0;
    let converted = 0;
    let proofs = 0;
    let proofRequests = 0;
    const refusals = new Map<string, number>();
    fc.assert(fc.property(plan, fc.array(request, { minLength: REQUESTS_PER_CONFIG, maxLength: REQUESTS_PER_CONFIG }), (p, requests) => {
      const input: IstioConfig = parseConfigText(yamlOf(p), 'legacy.yaml');
      expect(input.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const conversion = convertLegacy(input, { apiVersion: 'security.istio.io/v1' });
      const output = convertedConfig(input, conversion);
      legacyObjects += conversion.entries.length;
      converted += conversion.objects.length;
      for (const d of conversion.refusals) refusals.set(d.code, (refusals.get(d.code) ?? 0) + 1);
      const before = createEvaluator(input);
      const after = createEvaluator(output);
      let proof: ConversionProof | undefined;
      for (const r of requests) {
        pairs++;
        const a = before.evaluate(r);
        const b = after.evaluate(r);
        if (a.allowed === b.allowed) continue;
        mismatches++;
        if (!proof) {
          proof = proveConversion(input, output);
          proofs++;
          proofRequests += proof.requests;
        }
        const reported = proof.differences.some((d) => d.legacy.allowed === a.allowed
          && JSON.stringify(d.request.destination) === JSON.stringify(r.destination) && d.request.protocol === r.protocol);
        expect(reported, `not reported: ${JSON.stringify(r)}\nlegacy: ${a.explanation}\nconverted: ${b.explanation}\n${yamlOf(p)}`).toBe(true);
      }
    }), { numRuns: CONFIGS, seed: SEED, endOnFailure: true });
    expect(pairs).toBeGreaterThanOrEqual(10_000);
    // eslint-disable-next-line no-console -- how many pairs exercised the "reported" branch
    console.log(`${pairs} pairs, ${mismatches} decided differently and reported by the proof`);
    // eslint-disable-next-line no-console -- the figures of docs/legacy.md
    console.log(`${legacyObjects} legacy objects -> ${converted} objects; refused: ${[...refusals].sort().map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}; `
      + `${proofs} proofs over ${proofRequests} requests`);
  });
});
