// `trustmesh learn` as a real child process (compile first: npx tsc --build): the draft it writes
// is synthesized as a user would run it, and replaying the same traffic against the output denies
// nothing that was served.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAIN, ROOT, runCli } from './cli-runner';

const SHOP = path.join(ROOT, 'test', 'fixtures', 'traffic', 'shop');
const f = (name: string): string => path.join(SHOP, name);
/** tsx's loader, by URL: the draft's directory has no node_modules. */
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const LOGS = [f('text.log'), f('json.log'), f('trustmesh.log'), f('prometheus.json')];

/** Writes the draft into a fresh directory, importing trustmesh from this repository, and runs it (it synthesizes dist/). */
export function synthesizeDraft(draft: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-learn-'));
  const file = path.join(dir, 'learned.ts');
  fs.writeFileSync(file, draft.replace(/from 'trustmesh';/, `from ${JSON.stringify(path.join(ROOT, 'src', 'index'))};`));
  const r = spawnSync(process.execPath, ['--import', TSX, file], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the draft did not synthesize:\n${r.stderr}\n${draft}`);
  return path.join(dir, 'dist');
}

describe('trustmesh learn', () => {
  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
  });

  it('writes one allowFrom per call path with the methods and collapsed paths used, and lists unexpected connections', () => {
    const r = runCli(['learn', '--traffic', ...LOGS, '--inventory', f('inventory.yaml'), '--policies', f('policies-new')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('shopPayments.allowFrom(shopWeb, { methods: [HttpMethod.GET, HttpMethod.POST], paths: [\'/api/*\'] });');
    expect(r.stdout).toContain('shopOrders.allowFrom(shopWeb, { methods: [HttpMethod.GET], paths: [\'/orders/*\'] });');
    expect(r.stdout).toContain('shopDb.allowFrom(shopOrders, { ports: [5432] });');
    expect(r.stdout).toMatch(/\/\/ {3}shop\/web -> shop\/payments:8080: served, but the policies in force deny it \(DENY_403: no ALLOW rule matched \(shop\/payments\)\) \(3, e\.g\. .*text\.log:3\)/);
    expect(r.stderr).toContain('text.log:7');
  });

  it('leaves out call paths under --min-count and lists them', () => {
    const r = runCli(['learn', '--traffic', ...LOGS, '--inventory', f('inventory.yaml'), '--min-count', '3', '--output', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { edges: string[]; rare: { source: string; destination: string; count: number }[] };
    expect(out.rare).toEqual([{ source: 'shop/web', destination: 'shop/orders:8080', count: 2 }]);
    expect(out.edges).toEqual([
      'shop/orders -> shop/db:5432 TCP   (90)',
      'shop/web -> shop/payments:8080 HTTP GET,POST /api/* (1208)',
    ]);
  });

  it('drafts a declaration that, synthesized, denies none of the served requests on replay', () => {
    const learned = runCli(['learn', '--traffic', ...LOGS, '--inventory', f('inventory.yaml')]);
    expect(learned.code).toBe(0);
    const dist = synthesizeDraft(learned.stdout);
    const r = runCli(['replay', '--policies', dist, '--traffic', ...LOGS, '--inventory', f('inventory.yaml'), '--output', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { totals: Record<string, number> };
    expect(out.totals['newly-denied']).toBe(0);
    expect(out.totals.stillAllowed).toBe(96);
  }, 60_000);
});
