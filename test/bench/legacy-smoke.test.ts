import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, test } from 'vitest';

// `npm run bench -- --istio-version 1.4` (never timed in tests): proves at a tiny size that the same
// generated mesh synthesizes for the legacy target and for 1.30 and that the ratio is written.
describe('benchmark smoke run of the legacy target', () => {
  test('bench/run.ts --smoke --istio-version 1.4 writes legacy-results.json with both targets and their ratio', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-legacy-smoke-')), 'results.json');
    execFileSync(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../bench/run.ts'), '--smoke', '--istio-version', '1.4', '--out', out], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
    });
    const r = JSON.parse(fs.readFileSync(out.replace(/results\.json$/, 'legacy-results.json'), 'utf8'));
    expect([r.services, r.runs, r.legacy.istioVersion, r.current.istioVersion]).toEqual([20, 1, '1.4', '1.30']);
    for (const v of [r.legacy.ms, r.current.ms, r.timeRatio, r.rssRatio, r.intentions]) expect(v).toBeGreaterThan(0);
    // The legacy APIs need a ServiceRole and a ServiceRoleBinding per intention group: more objects.
    expect(r.legacy.objects).toBeGreaterThan(r.current.objects);
  }, 600_000);
});
