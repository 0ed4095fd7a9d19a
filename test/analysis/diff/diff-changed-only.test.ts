// The diff analyzes only the destinations whose inputs differ between the versions (diff10): for
// random meshes and random edits, that diff equals the diff of every destination, and the pairwise
// input comparison agrees with the content fingerprints it replaced.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { InputFingerprints } from './input-fingerprints';
import { analyzeAccess } from '../../../src/analysis/access/access-analysis';
import { matrixDestinations } from '../../../src/analysis/access/destinations';
import { InputComparison } from '../../../src/analysis/access/input-comparison';
import { VersionInput } from '../../../src/analysis/access/request-classes';
import { IstioConfig } from '../../../src/analysis/config/istio-config';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG } from '../../../src/analysis/config/mesh-config';
import { diffAccess, diffAnalysis } from '../../../src/analysis/diff/diff';
import { diffLayers, withNetworkChanges } from '../../../src/analysis/diff/network-diff';
import { createAnalysisContext } from '../../../src/analysis/evaluator/analysis-context';
import { evaluatorFor } from '../../../src/analysis/evaluator/evaluate';

const NAMESPACES = ['a', 'b'];
const APPS = ['web', 'api', 'db'];
const PRINCIPALS = ['cluster.local/ns/a/sa/web', 'cluster.local/ns/b/sa/api', 'cluster.local/ns/a/sa/*', '*'];
const METHODS = ['GET', 'POST'];

type Doc = Record<string, unknown>;

const rule = fc.record({
  from: fc.oneof(
    fc.constant(undefined),
    fc.uniqueArray(fc.constantFrom(...PRINCIPALS), { minLength: 1, maxLength: 2 }).map((principals) => [{ source: { principals } }]),
    fc.constantFrom(...NAMESPACES).map((ns) => [{ source: { namespaces: [ns] } }]),
  ),
  to: fc.oneof(
    fc.constant(undefined),
    fc.uniqueArray(fc.constantFrom(...METHODS), { minLength: 1, maxLength: 2 }).map((methods) => [{ operation: { methods } }]),
    fc.constantFrom('8080', '9090').map((port) => [{ operation: { ports: [port] } }]),
  ),
}).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

const policy = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  app: fc.option(fc.constantFrom(...APPS), { nil: undefined }),
  action: fc.constantFrom('ALLOW', 'DENY'),
  rules: fc.array(rule, { minLength: 0, maxLength: 3 }),
});

function policyDoc(p: { namespace: string; app?: string; action: string; rules: Doc[] }, name: string): Doc {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: p.namespace },
    spec: { ...(p.app ? { selector: { matchLabels: { app: p.app } } } : {}), action: p.action, rules: p.rules },
  };
}

const workloads: Doc[] = NAMESPACES.flatMap((ns) => APPS.map((app) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: app, namespace: ns },
  spec: {
    template: { metadata: { labels: { app } }, spec: { serviceAccountName: app, containers: [{ name: app, ports: [{ containerPort: 8080 }] }] } },
  },
})));

/** An edit of the policy list: each keeps most policies as they are, so that most destinations are unchanged. */
const edit = fc.oneof(
  fc.tuple(fc.constant('replace' as const), fc.nat(), policy),
  fc.tuple(fc.constant('add' as const), fc.nat(), policy),
  fc.tuple(fc.constant('remove' as const), fc.nat(), policy),
  fc.tuple(fc.constant('rename' as const), fc.nat(), policy),
  fc.tuple(fc.constant('reorder-keys' as const), fc.nat(), policy),
);

const scenario = fc.record({
  withWorkloads: fc.boolean(),
  policies: fc.array(policy, { minLength: 1, maxLength: 6 }),
  edits: fc.array(edit, { minLength: 0, maxLength: 2 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function versions(s: Scenario): [IstioConfig, IstioConfig] {
  const before = s.policies.map((p, i) => policyDoc(p, `p${i}`));
  const after = [...before];
  s.edits.forEach(([kind, at, p], k) => {
    const i = at % Math.max(1, after.length);
    switch (kind) {
      case 'replace': if (after.length > 0) after[i] = policyDoc(p, (after[i].metadata as { name: string }).name); break;
      case 'add': after.push(policyDoc(p, `new${k}`)); break;
      case 'remove': after.splice(i, 1); break;
      case 'rename': if (after.length > 0) after[i] = { ...after[i], metadata: { ...(after[i].metadata as Doc), name: `renamed${k}` } }; break;
      default: if (after.length > 0) after[i] = Object.fromEntries(Object.entries(after[i]).reverse());
    }
  });
  const text = (docs: Doc[]): string => [...(s.withWorkloads ? workloads : []), ...docs].map((d) => stringify(d)).join('---\n');
  return [parseConfigText(text(before), 'old.yaml'), parseConfigText(text(after), 'new.yaml')];
}

describe('diff of the changed destinations only', () => {
  it('equals the diff of every destination, in every field (fixed seed)', () => {
    let changed = 0;
    for (const s of fc.sample(scenario, { seed: 17, numRuns: 200 })) {
      const [before, after] = versions(s);
      const full = diffAnalysis(analyzeAccess([before, after]));
      const fast = diffAccess(before, after);
      expect(fast).toEqual(full);
      // Without NetworkPolicies, diffLayers takes the same shortcut.
      expect(diffLayers(before, after)).toEqual(withNetworkChanges(full, analyzeAccess([before, after]), [before, after]));
      if (full.changes.length > 0) changed++;
    }
    expect(changed).toBeGreaterThan(50);
  });

  it('compares destination inputs as the fingerprints do (fixed seed)', () => {
    let same = 0;
    let different = 0;
    for (const s of fc.sample(scenario, { seed: 23, numRuns: 200 })) {
      const configs = versions(s);
      const contexts = configs.map((c) => createAnalysisContext(c, DEFAULT_MESH_CONFIG));
      const evaluators = contexts.map(evaluatorFor);
      const columns = new Map<string, (VersionInput | undefined)[]>();
      contexts.forEach((context, v) => {
        for (const d of matrixDestinations(context)) {
          const list = columns.get(d.id) ?? [undefined, undefined];
          list[v] = { policies: evaluators[v].policiesFor(d.namespace, d.labels), ...(d.ports ? { ports: d.ports } : {}) };
          columns.set(d.id, list);
        }
      });
      const comparison = new InputComparison();
      const fingerprints = new InputFingerprints();
      for (const inputs of columns.values()) {
        const expected = inputs.every((i) => i !== undefined) && fingerprints.of(inputs[0]) === fingerprints.of(inputs[1]);
        expect(comparison.sameAcross(inputs)).toBe(expected);
        if (expected) same++;
        else different++;
      }
    }
    expect(same).toBeGreaterThan(100);
    expect(different).toBeGreaterThan(100);
  });
});
