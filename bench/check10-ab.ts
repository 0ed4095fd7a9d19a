/**
 * check10: `check` A/B as the bench child measures it — each round loads every library afresh (its
 * modules re-required, so its module-level caches start empty, as in a new process), builds the
 * evaluator as `trustmesh check` does (rules compiled; with `prepareWorkloads`, the declared
 * workloads prepared), decides 2,000 warm-up requests, then times the 200,000 (CPU and wall).
 * Libraries alternate in order from round to round; medians are printed. The decisions of every
 * library's first round are hashed (sha256 of their JSON lines) and compared.
 *
 * node --expose-gc --max-old-space-size=8192 --import tsx bench/check10-ab.ts <manifests.json> <requests> <rounds> <lib>... [noprepare]
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { generateRequests } from './generate-requests';

interface Run {
  readonly loadCpuMs: number;
  readonly loopCpuMs: number;
  readonly loopMs: number;
  readonly digest?: string;
  readonly prepared: number;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-var-requires -- builds loaded side by side, afresh */
function fresh(dir: string, file: string): any {
  const root = path.resolve(dir);
  for (const k of Object.keys(require.cache)) if (k.startsWith(root + path.sep)) delete require.cache[k];
  return require(path.resolve(root, file));
}

function run(dir: string, objects: readonly Record<string, unknown>[], requests: readonly unknown[], hash: boolean, noPrepare: boolean): Run {
  const lib = fresh(dir, 'src');
  const yaml = require(path.resolve(dir, 'src/private/yaml-emitter')).toYamlStream(objects);
  const { prepareWorkloads } = require(path.resolve(dir, 'src/analysis/evaluator/evaluate'));
  const c0 = cpuMs();
  const evaluator = lib.createEvaluator(lib.parseConfigText(yaml, 'bench.yaml'), lib.meshConfig(), { compileNow: true });
  const prepared: number = prepareWorkloads && !noPrepare
    ? prepareWorkloads(evaluator.context, require(path.resolve(dir, 'src/analysis/access/destinations')).matrixDestinations(evaluator.context))
    : 0;
  const loadCpuMs = cpuMs() - c0;
  for (let i = 0; i < Math.min(2000, requests.length); i++) evaluator.evaluate(requests[i]); // warm-up, as the child
  const l0 = cpuMs();
  const w0 = performance.now();
  const outcomes: Record<string, number> = {};
  for (const r of requests) {
    const o = evaluator.evaluate(r).outcome as string;
    outcomes[o] = (outcomes[o] ?? 0) + 1;
  }
  const loopMs = performance.now() - w0;
  const loopCpuMs = cpuMs() - l0;
  let digest: string | undefined;
  if (hash) {
    // After the timing: the same evaluator decides the requests again (every decision is deterministic).
    const h = createHash('sha256');
    for (const r of requests) h.update(`${JSON.stringify(evaluator.evaluate(r))}\n`);
    digest = h.digest('hex');
  }
  return { loadCpuMs, loopCpuMs, loopMs, digest, prepared };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const args = process.argv.slice(2);
const noPrepare = args.includes('noprepare');
const [dumpFile, count, roundsArg, ...dirs] = args.filter((a) => a !== 'noprepare');
const objects = Object.values(JSON.parse(fs.readFileSync(dumpFile, 'utf8')) as Record<string, unknown[]>).flat() as Record<string, unknown>[];
const requests = generateRequests(objects, Number(count));
const runs: Run[][] = dirs.map(() => []);
const gc = (globalThis as { gc?: () => void }).gc;
for (let round = 0; round < Number(roundsArg); round++) {
  const order = round % 2 === 0 ? dirs.map((_, k) => k) : dirs.map((_, k) => dirs.length - 1 - k);
  for (const k of order) {
    gc?.();
    const r = run(dirs[k], objects, requests, round === 0, noPrepare);
    runs[k].push(r);
    const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    process.stdout.write(`round ${round} ${dirs[k]}: load ${Math.round(r.loadCpuMs)} ms CPU, loop ${Math.round(r.loopCpuMs)} ms CPU / ${Math.round(r.loopMs)} ms wall`
      + ` (prepared ${r.prepared}; load average ${load})${r.digest ? ` decisions sha256 ${r.digest}` : ''}\n`);
  }
}
dirs.forEach((d, k) => {
  const loop = median(runs[k].map((r) => r.loopCpuMs));
  const wall = median(runs[k].map((r) => r.loopMs));
  process.stdout.write(`${d}: load median ${Math.round(median(runs[k].map((r) => r.loadCpuMs)))} ms CPU; loop median ${Math.round(loop)} ms CPU`
    + ` → ${Math.round(requests.length / (loop / 1000))} decisions/CPU-s, ${Math.round(wall)} ms wall → ${Math.round(requests.length / (wall / 1000))} decisions/s\n`);
});
if (dirs.length === 2) {
  const [a, b] = runs.map((rs) => median(rs.map((r) => r.loopCpuMs)));
  process.stdout.write(`ratio (loop CPU) first/second: ${(a / b).toFixed(2)}x; decisions ${runs[0][0].digest === runs[1][0].digest ? 'identical' : 'DIFFER'}\n`);
}
