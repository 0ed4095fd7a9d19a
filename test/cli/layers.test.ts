// The CLI on mixed inputs (Istio + Kubernetes NetworkPolicy + Sidecar), as a real child process
// from the compiled output (by hand: `npx tsc --build`). NetworkPolicy semantics:
// https://kubernetes.io/docs/concepts/services-networking/network-policies/
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, ROOT, runCli } from './cli-runner';

const LAYERS = path.join(ROOT, 'test', 'fixtures', 'analysis', 'layers');

const fromSleep = {
  protocol: 'TCP',
  source: { principal: 'cluster.local/ns/dev/sa/sleep', ip: '10.0.0.1' },
  jwt: null,
  destination: { namespace: 'shop', labels: { app: 'db' }, port: 5432 },
};
const fromWeb = { ...fromSleep, source: { principal: 'cluster.local/ns/shop/sa/web', ip: '10.0.0.2' } };

describe('trustmesh on Istio + NetworkPolicy input', () => {
  let dir: string;
  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };

  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-layers-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('check decides the NetworkPolicy layer first and names the refusing policies', () => {
    const requests = file('r.jsonl', `${JSON.stringify(fromSleep)}\n${JSON.stringify(fromWeb)}\n`);
    const r = runCli(['check', '--policies', LAYERS, '--request', requests, '--output', 'text']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      '1: DENY_CONN TCP from cluster.local/ns/dev/sa/sleep to shop{app=db}:5432: denied by NetworkPolicies shop/default-deny, shop/web-to-db (no ingress rule admits the source dev/pod{app=sleep} (10.0.0.1) on port 5432)',
      '2: ALLOW TCP from cluster.local/ns/shop/sa/web to shop{app=db}:5432: allowed by shop/db rule 0: source principal cluster.local/ns/shop/sa/web matched, port 5432 matched',
      '',
    ]);
  });

  it('check exits 2 with the coded error at file:line for an invalid NetworkPolicy', () => {
    const bad = file('bad.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: x, namespace: shop }\nspec:\n  podSelector: {}\n  ingress: [{ ports: [{ port: 80, endPort: 70 }] }]\n');
    const r = runCli(['check', '--policies', LAYERS, bad, '--request', file('one.json', JSON.stringify(fromWeb))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TM_CONFIG_INVALID');
    expect(r.stderr).toContain(`${bad}:6`);
    expect(r.stderr).toContain('endPort 70 is below port 80');
  });

  it('matrix shows both layers per cell, with the L4-open finding', () => {
    const r = runCli(['matrix', LAYERS]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Two layers per cell: Istio (above), then `L4`');
    expect(r.stdout).toContain('| dev/sleep | ✅ all · L4 all ports | ✅ all · L4 none | ✅ all · L4 none |');
    const json = JSON.parse(runCli(['matrix', LAYERS, '--output', 'json']).stdout) as { destinations: { id: string; access: { sources: string[]; status: string; network: unknown }[] }[] };
    const db = json.destinations.find((d) => d.id === 'shop/db')!;
    expect(db.access.find((a) => a.sources.includes('shop/web'))).toMatchObject({ status: 'allowed', network: { status: 'allowed', ports: [5432] } });
  });
});
