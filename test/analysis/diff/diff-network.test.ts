// The diff reports changes in either layer: Istio and Kubernetes NetworkPolicy.
// NetworkPolicy rules: https://kubernetes.io/docs/concepts/services-networking/network-policies/
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfigText } from '../../../src/analysis/config/load-config';
import { diffAccess } from '../../../src/analysis/diff/diff';
import { diffLayers } from '../../../src/analysis/diff/network-diff';

const LAYERS = path.join(__dirname, '..', '..', 'fixtures', 'analysis', 'layers');
const all = (): string => ['workloads.yaml', 'istio.yaml', 'network-policies.yaml'].map((f) => fs.readFileSync(path.join(LAYERS, f), 'utf8')).join('\n---\n');

describe('diffLayers', () => {
  const before = loadConfig(LAYERS);

  it('reports a NetworkPolicy that newly admits a source as an added L4 change', () => {
    const after = parseConfigText(all().replace('- from: [{ podSelector: { matchLabels: { app: web } } }]',
      '- from: [{ podSelector: { matchLabels: { app: web } } }, { namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: dev } } }]'), 'after.yaml');
    const d = diffLayers(before, after);
    expect(diffAccess(before, after).changes).toEqual([]);
    expect(d.widens).toBe(true);
    expect(d.changes.map((c) => [c.layer, c.kind, c.text])).toEqual([
      ['NetworkPolicy', 'added', 'dev/sleep → shop/db: NetworkPolicy now admits the connection (L4 all ports)'],
    ]);
  });

  it('reports a removed NetworkPolicy rule as removed, and a rename as no change', () => {
    const removed = parseConfigText(all().replace('- from: [{ podSelector: { matchLabels: { app: web } } }]', '- from: [{ podSelector: { matchLabels: { app: nobody } } }]'), 'after.yaml');
    expect(diffLayers(before, removed).changes.map((c) => [c.layer, c.kind, c.sources, c.destination])).toEqual([
      ['NetworkPolicy', 'removed', ['shop/web'], 'shop/db'],
    ]);
    const renamed = parseConfigText(all().replace('name: web-to-db', 'name: db-from-web'), 'after.yaml');
    expect(diffLayers(before, renamed).changes).toEqual([]);
  });

  // Policies apply to every port of the pod: a rule moved to a port db does not declare is still seen.
  it('reports a rule moved to an undeclared port as changed, naming both ports', () => {
    const moved = parseConfigText(all().replace('ports: [{ port: postgres }]', 'ports: [{ port: 6543 }]'), 'after.yaml');
    expect(diffLayers(before, moved).changes.map((c) => [c.layer, c.kind, c.text])).toEqual([
      ['NetworkPolicy', 'changed', 'shop/web → shop/db: NetworkPolicy admits port 6543 (was: port 5432)'],
    ]);
  });
});
