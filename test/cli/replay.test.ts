// `trustmesh replay` as a real child process (compile first: npx tsc --build) on the shop fixtures.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAIN, ROOT, runCli } from './cli-runner';

const SHOP = path.join('test', 'fixtures', 'traffic', 'shop');
const f = (name: string): string => path.join(SHOP, name);
const TRAFFIC = ['--traffic', f('text.log'), f('json.log'), f('trustmesh.log'), f('prometheus.json'), '--inventory', f('inventory.yaml')];

interface Group { category: string; source: string; destination: string; rule: string; count: number; example: { location: string } }

describe('trustmesh replay', () => {
  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
  });

  it('against the policies in force, reports no served request as denied and lists what was and stays denied', () => {
    const r = runCli(['replay', '--policies', f('policies'), ...TRAFFIC, '--output', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    type Out = { totals: Record<string, number>; groups: Group[]; unresolved: { reason: string }[]; read: { malformedCount: number } };
    const out = JSON.parse(r.stdout) as Out;
    expect(out.totals['newly-denied']).toBe(0);
    expect(out.groups.map((g) => `${g.category} ${g.source} -> ${g.destination}: ${g.rule} x${g.count}`)).toEqual([
      'still-denied shop/orders -> shop/payments:8080: no ALLOW rule matched (shop/payments) x1',
      'still-denied shop/payments -> shop/db:5432: no ALLOW rule matched (shop/db) x1',
      'still-denied shop/web -> shop/orders:8080: AuthorizationPolicy shop/orders-no-delete rule 0 (DENY) x2',
      'still-denied shop/web -> shop/payments:8080: no ALLOW rule matched (shop/payments) x1',
    ]);
    expect(out.totals.noDecisionThen).toBe(1);
    expect(out.read.malformedCount).toBe(2);
    expect(out.unresolved.map((u) => u.reason)).toEqual([
      'metrics record no method, path or token, and the policies of shop/payments:8080 decide by them (replay its access logs instead)',
      'passthrough traffic (PassthroughCluster): the destination is not a service of the mesh',
    ]);
  });

  it('compares two versions on the same traffic and fails on newly denied requests with --fail-on', () => {
    const r = runCli(['replay', '--policies', f('policies'), '--policies', f('policies-new'), ...TRAFFIC, '--fail-on', 'newly-denied']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('**3 of 1,324 recorded requests would now be denied** (1 call paths).');
    expect(r.stdout).toMatch(/### Served then, denied now\n\n.*\n.*\n\| shop\/web \| shop\/payments:8080 \| no ALLOW rule matched \(shop\/payments\) \| DENY_403 \| 3 \| 2026-11-30T10:00:02.456Z \| 2026-11-30T10:02:00.000Z \| test\/fixtures\/traffic\/shop\/text.log:3 \|/);
    expect(r.stdout).toMatch(/### Denied then, allowed now\n\n.*\n.*\n\| shop\/payments \| shop\/db:5432 \| AuthorizationPolicy shop\/db rule 0 \(ALLOW\) \| ALLOW \| 1 \|/);
    expect(r.stdout).toContain('- test/fixtures/traffic/shop/text.log:7: neither Istio\'s TEXT format');
  });

  it('decides through the NetworkPolicy layer too: a new default deny on a served destination is newly denied, named', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-replay-np-'));
    fs.copyFileSync(path.join(ROOT, f('policies/shop.yaml')), path.join(dir, 'shop.yaml'));
    fs.writeFileSync(path.join(dir, 'payments-netpol.yaml'), [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      '  name: payments-closed',
      '  namespace: shop',
      'spec:',
      '  podSelector:',
      '    matchLabels:',
      '      app: payments',
      '  policyTypes:',
      '    - Ingress',
      '',
    ].join('\n'));
    const r = runCli(['replay', '--policies', f('policies'), '--policies', dir, ...TRAFFIC, '--output', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { totals: Record<string, number>; groups: Group[] };
    const newly = out.groups.filter((g) => g.category === 'newly-denied');
    expect(newly.length).toBeGreaterThan(0);
    expect(newly.every((g) => g.destination.startsWith('shop/payments') && g.rule.includes('NetworkPolicy shop/payments-closed'))).toBe(true);
    expect(out.totals['newly-denied']).toBe(newly.reduce((n, g) => n + g.count, 0));
  });

  it('compares a git revision with the working tree', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-replay-git-'));
    const git = (...args: string[]): void => {
      const res = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
      if (res.status !== 0) throw new Error(res.stderr);
    };
    git('init', '-q');
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.copyFileSync(path.join(ROOT, f('policies/shop.yaml')), path.join(dir, 'dist', 'shop.yaml'));
    git('add', '.');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'base');
    fs.copyFileSync(path.join(ROOT, f('policies-new/shop.yaml')), path.join(dir, 'dist', 'shop.yaml'));
    const abs = (name: string): string => path.join(ROOT, f(name));
    const r = runCli(['replay', '--policies', 'git:HEAD:dist', '--policies', 'dist', '--traffic', abs('text.log'), '--inventory', abs('inventory.yaml'), '--output', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { totals: Record<string, number> }).totals['newly-denied']).toBe(2);
  });

  it('--strict fails on a malformed line, naming it', () => {
    const r = runCli(['replay', '--policies', f('policies'), '--traffic', f('text.log'), '--inventory', f('inventory.yaml'), '--strict']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TM_TRAFFIC_MALFORMED/);
    expect(r.stderr).toContain('text.log:7');
  });

  it('reports entries it cannot map to a workload without an inventory, instead of guessing', () => {
    const r = runCli(['replay', '--policies', f('policies'), '--traffic', f('text.log'), '--output', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { totals: Record<string, number>; unresolved: { reason: string; count: number }[] };
    expect(out.totals.unresolved).toBe(9);
    expect(out.unresolved.map((u) => u.reason)).toEqual(['destination: pod payments-5f7b9c-abcde is not in the inventory', 'destination: Service shop/orders is not in the inventory', 'destination: pod db-0 is not in the inventory']);
  });

  it('refuses a third --policies and a missing traffic file', () => {
    expect(runCli(['replay', '--policies', f('policies'), '--policies', f('policies'), '--policies', f('policies'), '--traffic', f('text.log')]).stderr).toMatch(/TM_OPTION_INVALID/);
    const missing = runCli(['replay', '--policies', f('policies'), '--traffic', 'no-such.log']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/TM_FILE_NOT_FOUND/);
  });
});
