// diff15: PolicyChanges says a column is unchanged, without resolving its policies, only where
// resolving them in both versions and comparing them (InputComparison.sameAcross) says so too, for
// random meshes and edits of every kind of security object, in the column's namespace and the root.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { MatrixDestination, matrixDestinations } from '../../../src/analysis/access/destinations';
import { InputComparison } from '../../../src/analysis/access/input-comparison';
import { PolicyChanges } from '../../../src/analysis/access/policy-changes';
import { IstioConfig } from '../../../src/analysis/config/istio-config';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG } from '../../../src/analysis/config/mesh-config';
import { createAnalysisContext } from '../../../src/analysis/evaluator/analysis-context';
import { evaluatorFor } from '../../../src/analysis/evaluator/evaluate';

const NAMESPACES = ['a', 'b', 'istio-system'];
const APPS = ['web', 'api'];
const TIERS = ['front', 'back'];

type Doc = Record<string, unknown>;

const selector = fc.oneof(
  fc.constant(undefined),
  fc.constant({}),
  fc.record({ app: fc.constantFrom(...APPS) }),
  fc.record({ app: fc.constantFrom(...APPS), tier: fc.constantFrom(...TIERS) }),
  fc.record({ tier: fc.constantFrom(...TIERS) }),
);

const object = fc.record({
  kind: fc.constantFrom('AuthorizationPolicy', 'AuthorizationPolicy', 'AuthorizationPolicy', 'RequestAuthentication', 'PeerAuthentication'),
  name: fc.constantFrom('p0', 'p1', 'p2', 'p3'),
  namespace: fc.constantFrom(...NAMESPACES),
  selector,
  targeted: fc.boolean(),
  variant: fc.constantFrom('GET', 'POST'),
});

type ObjectSpec = typeof object extends fc.Arbitrary<infer T> ? T : never;

function doc(o: ObjectSpec): Doc {
  const sel = o.selector ? { selector: { matchLabels: o.selector } } : {};
  const targetRefs = o.targeted && o.kind !== 'PeerAuthentication' ? { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'gw' }] } : {};
  const metadata = { name: o.name, namespace: o.namespace };
  switch (o.kind) {
    case 'AuthorizationPolicy':
      return { apiVersion: 'security.istio.io/v1', kind: o.kind, metadata, spec: { ...sel, ...targetRefs, rules: [{ to: [{ operation: { methods: [o.variant] } }] }] } };
    case 'RequestAuthentication':
      return { apiVersion: 'security.istio.io/v1', kind: o.kind, metadata, spec: { ...sel, ...targetRefs, jwtRules: [{ issuer: o.variant }] } };
    default:
      return { apiVersion: 'security.istio.io/v1', kind: o.kind, metadata, spec: { ...sel, mtls: { mode: o.variant === 'GET' ? 'STRICT' : 'PERMISSIVE' } } };
  }
}

const workload = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  app: fc.constantFrom(...APPS),
  tier: fc.option(fc.constantFrom(...TIERS), { nil: undefined }),
  port: fc.constantFrom(8080, 9090),
});

type WorkloadSpec = typeof workload extends fc.Arbitrary<infer T> ? T : never;

function deployment(w: WorkloadSpec, i: number): Doc {
  const labels = { app: w.app, ...(w.tier ? { tier: w.tier } : {}) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `w${i}`, namespace: w.namespace },
    spec: { template: { metadata: { labels }, spec: { serviceAccountName: w.app, containers: [{ name: 'c', ports: [{ containerPort: w.port }] }] } } },
  };
}

const scenario = fc.record({
  withWorkloads: fc.boolean(),
  workloads: fc.array(workload, { minLength: 1, maxLength: 5 }),
  objects: fc.array(object, { minLength: 1, maxLength: 6 }),
  // Edits: replace or add an object, remove one, move a workload, change a port.
  edits: fc.array(fc.tuple(fc.constantFrom('object', 'remove', 'workload', 'port'), fc.nat(), object, workload), { maxLength: 2 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function versions(s: Scenario): [IstioConfig, IstioConfig] {
  const objects = [...s.objects];
  const workloads = [...s.workloads];
  for (const [kind, at, o, w] of s.edits) {
    if (kind === 'object') objects.push(o);
    else if (kind === 'remove') objects.splice(at % objects.length, 1);
    else if (kind === 'workload') workloads[at % workloads.length] = w;
    else workloads[at % workloads.length] = { ...workloads[at % workloads.length], port: w.port };
  }
  const text = (os: ObjectSpec[], ws: WorkloadSpec[]): string => [...(s.withWorkloads ? ws.map(deployment) : []), ...os.map(doc)]
    .map((d) => stringify(d)).join('---\n');
  const load = (t: string, f: string): IstioConfig => parseConfigText(t, f);
  return [load(text(s.objects, s.workloads), 'old.yaml'), load(text(objects, workloads), 'new.yaml')];
}

describe('PolicyChanges', () => {
  it('says unchanged only for columns whose inputs compare the same (fixed seed)', () => {
    let fast = 0;
    let compared = 0;
    for (const s of fc.sample(scenario, { seed: 31, numRuns: 400 })) {
      const configs = versions(s);
      const contexts = configs.map((c) => createAnalysisContext(c, DEFAULT_MESH_CONFIG, { allowInvalidConfig: true }));
      const evaluators = contexts.map(evaluatorFor);
      const columns = new Map<string, (MatrixDestination | undefined)[]>();
      contexts.forEach((context, v) => {
        for (const d of matrixDestinations(context)) {
          const list = columns.get(d.id) ?? [undefined, undefined];
          list[v] = d;
          columns.set(d.id, list);
        }
      });
      const changes = PolicyChanges.of(configs, DEFAULT_MESH_CONFIG.rootNamespace);
      const comparison = new InputComparison();
      for (const list of columns.values()) {
        const inputs = list.map((d, v) => (d
          ? { policies: evaluators[v].policiesFor(d.namespace, d.labels), ...(d.ports ? { ports: d.ports } : {}) }
          : undefined));
        const same = comparison.sameAcross(inputs);
        if (changes.unchanged(list, (a, b) => comparison.samePorts(a, b))) {
          expect(same).toBe(true);
          fast++;
        } else {
          compared++;
        }
      }
    }
    expect(fast).toBeGreaterThan(200);
    expect(compared).toBeGreaterThan(200);
  });
});
