// diffeval: the diff words its before and after cells by the identity of their slices, describing
// only partial cells. For random meshes of two versions, every version and class gets the status
// and summary of the matrix's cell.
import * as path from 'path';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { analyzeAccess } from '../../../src/analysis/access/access-analysis';
import { SliceAccess, sliceComplete } from '../../../src/analysis/access/access-sets';
import { DescribeMemo } from '../../../src/analysis/access/cell-summary';
import { IstioConfig } from '../../../src/analysis/config/istio-config';
import { loadConfig, parseConfigText } from '../../../src/analysis/config/load-config';
import { cellStates } from '../../../src/analysis/diff/cell-states';
import { destinationCells } from '../../../src/analysis/matrix/matrix';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

const rule = fc.record({
  from: fc.option(fc.constantFrom('cluster.local/ns/a/sa/web', 'cluster.local/ns/a/*').map((p) => [{ source: { principals: [p] } }]), { nil: undefined }),
  to: fc.option(fc.constantFrom('GET', 'POST').map((m) => [{ operation: { methods: [m], ports: ['8080'] } }]), { nil: undefined }),
}).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
const policies = fc.array(fc.record({
  app: fc.option(fc.constantFrom('web', 'api'), { nil: undefined }),
  action: fc.constantFrom('ALLOW', 'DENY'),
  rules: fc.array(rule, { maxLength: 3 }),
}), { minLength: 1, maxLength: 4 });

function config(ps: typeof policies extends fc.Arbitrary<infer T> ? T : never, file: string): IstioConfig {
  const docs: Record<string, unknown>[] = ['web', 'api'].map((app) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace: 'a' },
    spec: {
      template: { metadata: { labels: { app } }, spec: { serviceAccountName: app, containers: [{ name: app, ports: [{ containerPort: 8080 }] }] } },
    },
  }));
  ps.forEach((p, i) => docs.push({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: `p${i}`, namespace: 'a' },
    spec: { ...(p.app ? { selector: { matchLabels: { app: p.app } } } : {}), action: p.action, rules: p.rules },
  }));
  return parseConfigText(docs.map((d) => stringify(d)).join('---\n'), file);
}

function expectMatrixWords(configs: readonly IstioConfig[]): void {
  for (const d of analyzeAccess(configs).destinations) {
    const memo: DescribeMemo = new Map();
    const states = cellStates(d, (s: SliceAccess) => sliceComplete(s, d.space.sizes), memo);
    const cells = destinationCells(d);
    d.access.forEach((classes, v) => classes.forEach((_slices, k) => {
      const cell = cells(v, k);
      expect(states(v, k)).toEqual({ status: cell.status, summary: cell.summary });
    }));
  }
}

describe('cellStates', () => {
  it('gives the status and summary of the matrix cell, for every version and class (random meshes)', () => {
    fc.assert(fc.property(policies, policies, (x, y) => expectMatrixWords([config(x, 'old.yaml'), config(y, 'new.yaml')])), { numRuns: 100, seed: 3 });
  });

  it('gives the status and summary of the matrix cell on the fixtures', () => {
    for (const fixture of ['matrix/bookinfo', 'analysis/layers']) expectMatrixWords([loadConfig(path.join(FIXTURES, fixture))]);
  });
});
