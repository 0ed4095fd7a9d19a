/**
 * perf8: `check` A/B — two builds of the library (`before` and `after` lib directories) loaded in
 * one process, the same generated requests decided by each in turn (alternating rounds), CPU time
 * of the decision loop only, medians; the decisions of both compared as JSON.
 *
 * node --import tsx bench/perf8-ab.ts <manifests.json> <requests> <rounds> <beforeLib> <afterLib> [compare] [noprepare]
 * node --import tsx bench/perf8-ab.ts <manifests.json> <requests> <rounds> <lib>   (one library: profiling)
 */
import * as fs from 'fs';
import * as path from 'path';
import { generateRequests } from './generate-requests';

interface Lib {
  readonly name: string;
  readonly loadCpuMs: number;
  evaluate(r: unknown): { outcome: string };
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-var-requires -- two builds loaded side by side */
function load(dir: string, objects: unknown[]): Lib {
  const lib = require(path.resolve(dir, 'src'));
  const yaml = require(path.resolve(dir, 'src/private/yaml-emitter')).toYamlStream(objects);
  const c0 = cpuMs();
  const evaluator = lib.createEvaluator(lib.parseConfigText(yaml, 'bench.yaml'), lib.meshConfig(), { compileNow: true });
  // check10: a build with prepareWorkloads prepares the declared workloads at load, as `trustmesh check` does.
  const { prepareWorkloads } = require(path.resolve(dir, 'src/analysis/evaluator/evaluate'));
  if (prepareWorkloads && !noPrepare) prepareWorkloads(evaluator.context, require(path.resolve(dir, 'src/analysis/access/destinations')).matrixDestinations(evaluator.context));
  const loadCpuMs = cpuMs() - c0;
  return { name: dir, evaluate: (r) => evaluator.evaluate(r), loadCpuMs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const [dumpFile, count, roundsArg, ...rest] = process.argv.slice(2);
const compare = rest.includes('compare');
// check10: `noprepare` leaves every workload to its first request (as before prepareWorkloads).
const noPrepare = rest.includes('noprepare');
const dirs = rest.filter((r) => r !== 'compare' && r !== 'noprepare');
const objects = Object.values(JSON.parse(fs.readFileSync(dumpFile, 'utf8')) as Record<string, unknown[]>).flat() as Record<string, unknown>[];
const libs = dirs.map((d) => load(d, objects));
const requests = generateRequests(objects, Number(count));
for (const lib of libs) for (let i = 0; i < Math.min(2000, requests.length); i++) lib.evaluate(requests[i]); // warm-up
if (compare && libs.length === 2) {
  let differences = 0;
  for (const r of requests) {
    const a = JSON.stringify(libs[0].evaluate(r));
    const b = JSON.stringify(libs[1].evaluate(r));
    if (a !== b) {
      if (differences < 3) process.stderr.write(`DIFF\n${a}\n${b}\n`);
      differences++;
    }
  }
  process.stdout.write(`compared ${requests.length} decisions (JSON): ${differences} differences\n`);
}
const times: number[][] = libs.map(() => []);
for (let round = 0; round < Number(roundsArg); round++) {
  libs.forEach((lib, k) => {
    const c0 = cpuMs();
    let allowed = 0;
    for (const r of requests) if (lib.evaluate(r).outcome === 'ALLOW') allowed++;
    times[k].push(cpuMs() - c0);
    if (round === 0) process.stdout.write(`${lib.name}: ${allowed} ALLOW\n`);
  });
}
libs.forEach((lib, k) => {
  const m = median(times[k]);
  process.stdout.write(`${lib.name}: load ${Math.round(lib.loadCpuMs)} ms CPU; loop median ${Math.round(m)} ms CPU of [${times[k].map(Math.round).join(', ')}]`
    + ` → ${Math.round(requests.length / (m / 1000))} decisions/CPU-s\n`);
});
if (libs.length === 2) process.stdout.write(`ratio after/before: ${(median(times[0]) / median(times[1])).toFixed(2)}x\n`);
