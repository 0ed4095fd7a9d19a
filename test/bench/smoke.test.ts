import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, test } from 'vitest';

// The benchmark itself (`npm run bench`) is never timed in tests; this only proves that it still
// runs end to end at a tiny size and writes every figure.
describe('benchmark smoke run', () => {
  test('bench/run.ts --smoke writes results.json with every measurement', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-')), 'results.json');
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../bench/run.ts'), '--smoke', '--out', out], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(stdout).toMatch(/synth \(S=20, I=200/);
    const r = JSON.parse(fs.readFileSync(out, 'utf8'));
    const positive = (v: unknown): void => {
      expect(typeof v).toBe('number');
      expect(v as number).toBeGreaterThan(0);
    };
    for (const v of [r.synth.trustmeshMs, r.synth.floorMs, r.synth.timeRatio, r.synth.trustmeshPeakRssMb, r.synth.rssRatio,
      r.check.baselineDecisionsPerSecond, r.check.rateRatio, r.matrix.overFloor, r.diff.overMatrix, r.analyze.analyzeOverLoad,
      r.check.decisionsPerSecond, r.matrix.ms, r.diff.ms, r.ca[0].ms, r.ca[1].ms, r.analyze.ms, r.analyze.peakRssMb]) positive(v);
    // perf6: CPU time next to wall time.
    for (const v of [r.synth.trustmeshCpuMs, r.synth.floorCpuMs, r.synth.cpuRatio, r.analyze.cpuMs]) positive(v);
    expect(r.analyze).toMatchObject({ policies: 500, findings: 500 });
    expect(r.size.objects).toBeGreaterThan(20);
    expect(r.scaling.perDoubling).toHaveLength(1);
    expect(r.matrix.rows).toBeGreaterThan(0);
    // About 25 child processes, each loading the library: minutes on a busy 2-core machine.
  }, 600_000);

  test('bench/run.ts --replay --smoke replays generated access logs of two sizes and writes lines/s and peak RSS', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-replay-smoke-')), 'results.json');
    execFileSync(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../bench/run.ts'), '--replay', '--smoke', '--out', out], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
    });
    const r = JSON.parse(fs.readFileSync(out.replace(/results\.json$/, 'replay-results.json'), 'utf8'));
    expect(r.replay.map((row: { lines: number }) => row.lines)).toEqual([2000, 8000]);
    for (const row of r.replay) {
      for (const v of [row.megabytes, row.distinctRequests, row.ms, row.linesPerSecond, row.linesPerCpuSecond, row.peakRssMb]) {
        expect(typeof v).toBe('number');
        expect(v).toBeGreaterThanOrEqual(0);
      }
      expect(row.linesPerSecond).toBeGreaterThan(0);
      expect(row.peakRssMb).toBeGreaterThan(0);
      expect(row.distinctRequests).toBeGreaterThan(0);
    }
  }, 600_000);

  test('bench/run.ts --convert --smoke converts a generated legacy mesh and proves a small one equivalent', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-convert-smoke-')), 'results.json');
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../bench/run.ts'), '--convert', '--smoke', '--out', out], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(stdout).toMatch(/^convert \(S=20, \d+ legacy objects/);
    const r = JSON.parse(fs.readFileSync(out.replace(/results\.json$/, 'convert-results.json'), 'utf8'));
    for (const v of [r.conversion.convertMs, r.conversion.objectsPerSecond, r.conversion.loadMs, r.conversion.convertOverLoad,
      r.conversion.peakRssMb, r.conversion.converted, r.proof[0].requests, r.proof[0].requestsPerSecond, r.proof[0].proofOverLoad]) {
      expect(typeof v).toBe('number');
      expect(v as number).toBeGreaterThan(0);
    }
    // 1 MeshPolicy, 20 namespace Policies, 1 ClusterRbacConfig, 20 roles, 20 bindings, 2 targeted JWT Policies.
    expect(r.conversion.input.legacyObjects).toBe(64);
    expect(r.conversion.refusals).toBe(0);
    expect(r.proof[0]).toMatchObject({ services: 2, differences: 0 });
  }, 600_000);
});
