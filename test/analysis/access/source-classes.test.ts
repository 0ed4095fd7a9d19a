// diffeval: the classifier finds a rule's identity matchers once per rule, reuses the automaton
// step of the previous row and a state's class. For random meshes, every row is in the class its
// principal gets from testing every matcher afresh (classOf), the classes are in the order of their
// first row with the right sizes, and a classifier that classified other destinations before
// classifies a destination as a fresh one does.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { matrixDestinations } from '../../../src/analysis/access/destinations';
import { SourceClassification, SourceClassifier } from '../../../src/analysis/access/source-classes';
import { matrixSources } from '../../../src/analysis/access/sources';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG } from '../../../src/analysis/config/mesh-config';
import { createAnalysisContext } from '../../../src/analysis/evaluator/analysis-context';
import { evaluatorFor } from '../../../src/analysis/evaluator/evaluate';
import { WorkloadPolicies } from '../../../src/analysis/evaluator/policy-index';

const NAMESPACES = ['a', 'b', 'c'];
const APPS = ['web', 'api'];

const source = fc.oneof(
  fc.constantFrom('cluster.local/ns/a/sa/s1', 'cluster.local/ns/b/sa/s2', 'cluster.local/ns/a/*', '*/sa/s3', 'other.td/ns/x/sa/y')
    .map((p) => ({ principals: [p] })),
  fc.constantFrom('s1', 'b/s2', 'c/s3', 'a/ghost').map((sa) => ({ serviceAccounts: [sa] })),
  fc.constantFrom(...NAMESPACES, 'a*').map((ns) => ({ namespaces: [ns] })),
  fc.constantFrom(...NAMESPACES).map((ns) => ({ notNamespaces: [ns] })),
  fc.constantFrom('other.td', 'cluster.local').map((td) => ({ trustDomains: [td] })),
);
const rule = fc.record({
  from: fc.array(source, { minLength: 1, maxLength: 4 }).map((xs) => xs.map((s) => ({ source: s }))),
  when: fc.option(fc.constant([{ key: 'source.namespace', values: ['b'] }]), { nil: undefined }),
}).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
const policy = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  app: fc.option(fc.constantFrom(...APPS), { nil: undefined }),
  action: fc.constantFrom('ALLOW', 'DENY'),
  rules: fc.array(rule, { maxLength: 3 }),
});
const version = fc.array(policy, { minLength: 1, maxLength: 5 });

function config(policies: typeof version extends fc.Arbitrary<infer T> ? T : never, file: string): ReturnType<typeof parseConfigText> {
  // Several accounts per namespace, so that namespace matchers match many rows.
  const docs: Record<string, unknown>[] = NAMESPACES.flatMap((ns) => ['s1', 's2', 's3', 's4'].map((name) => ({
    apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns },
  })));
  for (const ns of NAMESPACES) {
    for (const app of APPS) {
      docs.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: app, namespace: ns },
        spec: { template: { metadata: { labels: { app } }, spec: { serviceAccountName: 's1', containers: [{ name: app }] } } },
      });
    }
  }
  policies.forEach((p, i) => docs.push({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: `p${i}`, namespace: p.namespace },
    spec: { ...(p.app ? { selector: { matchLabels: { app: p.app } } } : {}), action: p.action, rules: p.rules },
  }));
  return parseConfigText(docs.map((d) => stringify(d)).join('---\n'), file);
}

function plain(c: SourceClassification): unknown {
  return { classes: c.classes, rest: c.rest, rows: c.classes.map((_k, i) => [...c.rows(i)]), classOfRows: [...c.classOfRows()] };
}

describe('SourceClassifier', () => {
  it('puts each row in the class of its principal, classes in row order, alike when warm or fresh', () => {
    fc.assert(fc.property(version, version, (x, y) => {
      const mesh = DEFAULT_MESH_CONFIG;
      const contexts = [config(x, 'old.yaml'), config(y, 'new.yaml')].map((c) => createAnalysisContext(c, mesh));
      const evaluators = contexts.map(evaluatorFor);
      const principals = matrixSources(contexts).map((s) => s.principal);
      const warm = new SourceClassifier(principals, mesh);
      const columns = new Map<string, (WorkloadPolicies | undefined)[]>();
      contexts.forEach((context, v) => {
        for (const d of matrixDestinations(context)) {
          const list = columns.get(d.id) ?? [undefined, undefined];
          list[v] = evaluators[v].policiesFor(d.namespace, d.labels);
          columns.set(d.id, list);
        }
      });
      for (const versions of columns.values()) {
        const c = warm.classify(versions);
        expect(plain(c)).toEqual(plain(new SourceClassifier(principals, mesh).classify(versions)));
        principals.forEach((p, row) => expect(c.classOfRow(row)).toBe(c.classOf(p)));
        c.classes.forEach((k, i) => {
          const rows = principals.map((_p, row) => row).filter((row) => c.classOfRow(row) === i);
          const expected = { first: rows[0], size: rows.length, principal: principals[rows[0]] };
          expect({ first: k.first, size: k.size, principal: k.principal }).toEqual(expected);
          if (i > 0) expect(k.first).toBeGreaterThan(c.classes[i - 1].first);
        });
      }
    }), { numRuns: 100, seed: 9 });
  });
});
