// The CLI on mixed inputs (Istio + Kubernetes NetworkPolicy + Sidecar), as a real child process
// from the compiled output (by hand: `npx tsc --build`). NetworkPolicy semantics:
// https://kubernetes.io/docs/concepts/services-networking/network-policies/
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, ROOT, runCli } from './cli-runner';

const LAYERS = path.join(ROOT, 'test', 'fixtures', 'analysis', 'layers');
/** An AuthorizationPolicy and a NetworkPolicy on db's port 9187, which no container or Service declares. */
const UNDECLARED_PORT = path.join(ROOT, 'test', 'fixtures', 'analysis', 'undeclared-port');

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

  it('check refuses a host outside the registry to a REGISTRY_ONLY source by its Sidecar, before the other layers', () => {
    const toUnregistered = { ...fromWeb, protocol: 'HTTP', host: 'evil.example', method: 'GET', path: '/' };
    const r = runCli(['check', '--policies', LAYERS, '--request', file('host.json', JSON.stringify(toUnregistered)), '--output', 'text']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('1: DENY_CONN GET / from cluster.local/ns/shop/sa/web to shop{app=db}:5432: denied by Sidecar shop/web-egress '
      + '(outboundTrafficPolicy REGISTRY_ONLY: evil.example is not in the service registry)\n');
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
    expect(r.stdout).toContain('Outbound to hosts outside the service registry (REGISTRY_ONLY): refused for shop/web (Sidecar shop/web-egress); allowed for every other source with a sidecar.');
    const json = JSON.parse(runCli(['matrix', LAYERS, '--output', 'json']).stdout) as { destinations: { id: string; access: { sources: string[]; status: string; network: unknown }[] }[] };
    const db = json.destinations.find((d) => d.id === 'shop/db')!;
    expect(db.access.find((a) => a.sources.includes('shop/web'))).toMatchObject({ status: 'allowed', network: { status: 'allowed', ports: [5432] } });
  });

  it('diff reports a NetworkPolicy change and fails on it with --fail-on widened', () => {
    const after = path.join(dir, 'after');
    fs.mkdirSync(after);
    for (const f of fs.readdirSync(LAYERS)) fs.copyFileSync(path.join(LAYERS, f), path.join(after, f));
    const np = path.join(after, 'network-policies.yaml');
    fs.writeFileSync(np, fs.readFileSync(np, 'utf8').replace('ports: [{ port: postgres }]', 'ports: [{ port: postgres }]\n  - from: [{ namespaceSelector: {} }]'));
    const r = runCli(['diff', LAYERS, after, '--fail-on', 'widened']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('| ⚠️ | added | dev/sleep, shop/db | shop/db | NetworkPolicy now admits the connection (L4 all ports) |');
  });

  // Istio and the CNI enforce on every port of the pod, declared or not.
  it('matrix shows both layers of a rule on a port the workload does not declare', () => {
    const r = runCli(['matrix', LAYERS, UNDECLARED_PORT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| dev/sleep | ✅ all · L4 all ports | ◐ TCP on port 5432; GET on port 9187 · L4 port 9187 | ✅ all · L4 none |');
    expect(r.stdout).toContain('| shop/web | ✅ all · L4 all ports | ◐ TCP on port 5432 · L4 port 5432 | ✅ all · L4 none |');
    const json = JSON.parse(runCli(['matrix', LAYERS, UNDECLARED_PORT, '--output', 'json']).stdout) as { destinations: { id: string; ports: unknown }[] };
    expect(json.destinations.find((d) => d.id === 'shop/db')?.ports).toEqual([{ port: 5432, protocol: 'TCP' }, { port: 9187, protocol: 'auto' }]);
  });

  it('diff reports a rule added on an undeclared port, in both layers', () => {
    const after = path.join(dir, 'after-undeclared');
    fs.mkdirSync(after);
    for (const from of [LAYERS, UNDECLARED_PORT]) for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(after, f));
    const r = runCli(['diff', LAYERS, after, '--fail-on', 'widened']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('| ⚠️ | added | dev/sleep, dev/\\* | shop/db | NetworkPolicy now admits the connection (L4 port 9187) |');
    expect(r.stdout).toContain('| ⚠️ | widened | dev/sleep | shop/db | now also GET on port 9187 |');
  });

  it('reports each kind it does not model once, with the count and where the first one is', () => {
    const r = runCli(['matrix', LAYERS, '--output', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`${path.join(LAYERS, 'extras.yaml')}:2:1: warning TM_KIND_NOT_MODELLED: ignored 2 EnvoyFilter objects (networking.istio.io/v1alpha3): not modelled by the analysis\n`
      + '  fix: Decisions, the matrix and the diff do not account for these objects; review their effect by hand.\n');
  });

  it('--keep-going skips an invalid object with its coded error and analyses the rest; strict by default', () => {
    const bad = file('bad-np.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: bad, namespace: shop }\nspec:\n  podSelector: {}\n  policyTypes: [ingress]\n');
    const badAp = file('bad-ap.yaml', 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: bad, namespace: shop }\nspec:\n  action: ALOW\n');
    const request = file('web.json', JSON.stringify(fromWeb));
    expect(runCli(['check', '--policies', LAYERS, bad, badAp, '--request', request]).code).toBe(2);
    const r = runCli(['check', '--policies', LAYERS, bad, badAp, '--request', request, '--keep-going']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`skipped (--keep-going): ${badAp}:5:3 (spec.action): error TM_POLICY_INVALID: AuthorizationPolicy shop/bad: action must be one of`);
    expect(r.stderr).toContain(`skipped (--keep-going): ${bad}:6:17 (spec.policyTypes[0]): error TM_NETWORK_POLICY_INVALID: NetworkPolicy shop/bad: spec.policyTypes[0] is "ingress"`);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'ALLOW' });
    const m = runCli(['matrix', LAYERS, bad, '--keep-going', '--output', 'csv']);
    expect(m.code).toBe(0);
    expect(m.stdout).toContain('shop/web,allowed; L4 all ports,allowed; L4 all ports,allowed; L4 none');
  });

  it('hints at --mesh-config for a policy in a root-like namespace that is not the root', () => {
    const p = file('root.yaml', 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: default, namespace: istio-config }\nspec: { mtls: { mode: STRICT } }\n');
    const r = runCli(['check', '--policies', p, '--request', file('web2.json', JSON.stringify(fromWeb))]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${p}:1:1: warning TM_ROOT_NAMESPACE_HINT: PeerAuthentication istio-config/default is in istio-config, which is not the configured root namespace (istio-system)`);
    expect(r.stderr).toContain('pass --mesh-config with "rootNamespace: istio-config"');
    const mesh = file('mesh.yaml', 'rootNamespace: istio-config\n');
    expect(runCli(['check', '--policies', p, '--request', file('web3.json', JSON.stringify(fromWeb)), '--mesh-config', mesh]).stderr).toBe('');
  });
});

