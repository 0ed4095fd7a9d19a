/**
 * The large-mesh benchmark (`npm run bench`). Every measurement runs in a fresh child process
 * (bench/child.ts) on the compiled library, several times; the table shows medians.
 *
 * Options: `--services N` (default 1000), `--runs N` (default 5), `--scaling 250,500,1000,2000`,
 * `--requests N` (default 200000), `--large` (S=8000 with scaling 1000,2000,4000,8000, and the
 * analyze case on 155,784 AuthorizationPolicies in one file, the size of the cluster export that once
 * overflowed the stack; one run), `--analyze-policies N` (default 0 — skipped — unless `--large` or
 * `--smoke`), `--out FILE` (default bench/results.json), `--smoke` (tiny sizes, one run: proves the
 * benchmark still works; used by the test suite, no timing meaning), `--network-policies
 * ingress|egress` (only the cost of mirroring intentions as NetworkPolicies: synth at S with
 * `NetworkPolicies.mirrorIntentions()` on — egress locked down for `egress` — vs off, as a ratio).
 *
 * `--istio-version 1.4` (any 1.0–1.4 release): only the legacy target's synth cost — the same
 * generated mesh (intentions Istio 1.x can express) synthesized for that release and for 1.30,
 * alternating child runs, medians and their ratio (docs/legacy-target.md).
 *
 * `--replay [--replay-lines 1000000,4000000]`: only the replay benchmark (`trustmesh replay` on
 * generated Istio TEXT access logs against the S-service mesh): lines per second and peak RSS at
 * each log size (RSS should not grow with the log). 10 million lines is
 * `--replay-lines 10000000` (about 3.5 GB of log on disk; not part of the default run).
 *
 * `--convert [--convert-proof 5,10]`: only the `trustmesh convert` benchmark on a generated legacy
 * mesh of S services (bench/convert-bench.ts), the equivalence proof measured separately.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { convertBench } from './convert-bench';
import { generatePolicies } from './generate-policies';

interface Options {
  services: number;
  runs: number;
  scaling: number[];
  requests: number;
  caIntermediates: number;
  analyzePolicies: number;
  out: string;
  smoke: boolean;
  networkPolicies?: 'ingress' | 'egress';
}

interface ChildResult {
  ms: number;
  peakRssMb: number;
  [key: string]: unknown;
}

const CHILD = path.join(__dirname, 'child.ts');

function parseOptions(argv: readonly string[]): Options {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const smoke = argv.includes('--smoke');
  const large = argv.includes('--large');
  return {
    services: Number(get('services') ?? (smoke ? 20 : large ? 8000 : 1000)),
    runs: Number(get('runs') ?? (smoke ? 1 : large ? 3 : 5)),
    scaling: (get('scaling') ?? (smoke ? '10,20' : large ? '1000,2000,4000,8000' : '250,500,1000,2000')).split(',').map(Number),
    requests: Number(get('requests') ?? (smoke ? 500 : 200_000)),
    caIntermediates: smoke ? 2 : 10,
    // The 155k-policy analyze case takes minutes: only with --large (the smoke run keeps a tiny one).
    analyzePolicies: Number(get('analyze-policies') ?? (smoke ? 500 : large ? 155_784 : 0)),
    out: get('out') ?? path.join(__dirname, 'results.json'),
    smoke,
    ...(get('network-policies') ? { networkPolicies: get('network-policies') === 'egress' ? 'egress' as const : 'ingress' as const } : {}),
  };
}

function child(args: readonly string[]): ChildResult {
  const out = execFileSync(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', CHILD, ...args], {
    encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Repeated { ms: number; cpuMs: number; peakRssMb: number; samples: number[]; last: ChildResult }

function repeat(runs: number, fn: (i: number) => ChildResult): Repeated {
  const results = Array.from({ length: runs }, (_, i) => fn(i));
  return {
    ms: median(results.map((r) => r.ms)),
    cpuMs: median(results.map((r) => (typeof r.cpuMs === 'number' ? r.cpuMs : Number.NaN))), // perf6
    peakRssMb: median(results.map((r) => r.peakRssMb)),
    samples: results.map((r) => Math.round(r.ms)),
    last: results[results.length - 1],
  };
}

/** The replay benchmark: one mesh, one log per size, each replayed in a fresh process. */
function replayBench(argv: readonly string[], o: Options): void {
  const i = argv.indexOf('--replay-lines');
  const sizes = (i >= 0 ? argv[i + 1] : o.smoke ? '2000,8000' : '1000000,4000000').split(',').map(Number);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'trustmesh-bench-replay-'));
  const dump = path.join(work, 'a.json');
  child(['trustmesh', String(o.services), path.join(work, 'dist'), dump]);
  const rows = sizes.map((lines) => {
    const log = path.join(work, `access-${lines}.log`);
    const inventory = path.join(work, 'inventory.json');
    const written = child(['replay-log', dump, String(lines), log, inventory]);
    const r = child(['replay', dump, log, inventory]);
    fs.rmSync(log);
    process.stderr.write(`replay ${lines} lines (${Math.round(Number(written.bytes) / 1e6)} MB): ${String(r.perSecond)} lines/s (${String(r.perCpuSecond)} per CPU second), ${r.peakRssMb} MB peak RSS\n`);
    return {
      lines,
      megabytes: Math.round(Number(written.bytes) / 1e6),
      distinctRequests: written.distinct,
      ms: Math.round(r.ms),
      loadMs: Math.round(Number(r.loadMs)),
      linesPerSecond: r.perSecond,
      linesPerCpuSecond: r.perCpuSecond,
      peakRssMb: r.peakRssMb,
      totals: r.totals,
    };
  });
  const result = { date: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version }, services: o.services, replay: rows, target: '>= 200,000 lines/s, RSS independent of the log size' };
  const out = o.out.replace(/results\.json$/, 'replay-results.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

function main(): void {
  const argv = process.argv.slice(2);
  const o = parseOptions(argv);
  if (argv.includes('--replay')) return replayBench(argv, o);
  // The convert benchmark (issue 12): its own mode, its own table.
  if (argv.includes('--convert')) return convertBench(argv, o, child);
  if (argv.includes('--istio-version')) return legacyTargetCost(argv[argv.indexOf('--istio-version') + 1], o);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'trustmesh-bench-'));
  const dump = (name: string): string => path.join(work, `${name}.json`);
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };

  // Scaling, check, matrix and diff take at most 3 runs each.
  const fewerRuns = Math.max(1, Math.min(o.runs, 3));

  log(`benchmark: S=${o.services}, I=${o.services * 10}, ${o.runs} run(s) each, work dir ${work}`);
  if (o.networkPolicies) {
    networkPolicyCost(o, work, log);
    return;
  }
  // Synth: trustmesh vs the cdk8s floor on the very same objects. The first run dumps the objects
  // (a second synth pass, after its figures are taken); the others only synthesize.
  const synth = repeat(o.runs, (i) => child(['trustmesh', String(o.services), path.join(work, `t${i}`, 'dist'), ...(i === 0 ? [dump('a')] : [])]));
  const floor = repeat(o.runs, (i) => child(['floor', dump('a'), path.join(work, `f${i}`)]));
  log(`synth ${synth.ms.toFixed(0)} ms, floor ${floor.ms.toFixed(0)} ms`);

  // Scaling: synth time at each size (I = 10 x S), ratio per doubling.
  // The smallest size's first run dumps its objects: the baseline of `check` (mesh size must not matter).
  const scaling = o.scaling.map((s, k) => {
    const r = repeat(fewerRuns, (i) => child(['trustmesh', String(s), path.join(work, `s${s}-${i}`, 'dist'), ...(k === 0 && i === 0 ? [dump('small')] : [])]));
    log(`scaling S=${s}: ${r.ms.toFixed(0)} ms`);
    return { services: s, intentions: s * 10, ms: r.ms, peakRssMb: r.peakRssMb };
  });
  const perDoubling = scaling.slice(1).map((r, i) => ({ from: scaling[i].services, to: r.services, ratio: r.ms / scaling[i].ms }));

  // Check: decisions per second after load.
  const check = repeat(fewerRuns, () => child(['check', dump('a'), String(o.requests)]));
  const checkSmall = repeat(fewerRuns, () => child(['check', dump('small'), String(o.requests)]));
  log(`check: ${Math.round(o.requests / (check.ms / 1000))} decisions/s at S=${o.services}, ${Math.round(o.requests / (checkSmall.ms / 1000))} at S=${o.scaling[0]} (medians of ${fewerRuns} runs)`);

  // Matrix, and the diff of two versions differing by 1% of intentions.
  child(['trustmesh', String(o.services), path.join(work, 'variant', 'dist'), dump('b'), '0.01']);
  const matrix = repeat(fewerRuns, () => child(['matrix', dump('a')]));
  const diff = repeat(fewerRuns, () => child(['diff', dump('a'), dump('b')]));
  log(`matrix ${matrix.ms.toFixed(0)} ms, diff ${diff.ms.toFixed(0)} ms`);

  // perf2: the streamed connection list (`matrix --output connlist`) vs the full matrix of this run.
  const connlist = repeat(fewerRuns, (i) => child(['connlist', dump('a'), path.join(work, `connlist-${i}.txt`)]));
  log(`connlist ${connlist.ms.toFixed(0)} ms, ${connlist.peakRssMb} MB peak RSS (matrix ${matrix.peakRssMb} MB)`);

  // CA bootstrap: root + intermediates.
  const ca = ['ecdsa-p256', 'rsa-4096'].map((alg) => {
    const r = repeat(o.smoke ? 1 : 3, (i) => child(['ca', alg, String(o.caIntermediates), path.join(work, `ca-${alg}-${i}`)]));
    log(`ca ${alg}: ${r.ms.toFixed(0)} ms`);
    return { algorithm: alg, intermediates: o.caIntermediates, ms: r.ms };
  });

  // analyze on one large file of small AuthorizationPolicies: one run, it takes minutes at full size.
  let analyzeResult: {
    policies: number; megabytes: number; ms: number; cpuMs: number; loadMs: number; findings: number; peakRssMb: number; analyzeOverLoad: number;
  } | undefined;
  if (o.analyzePolicies > 0) {
    const file = path.join(work, 'policies.yaml');
    fs.writeFileSync(file, generatePolicies(o.analyzePolicies));
    const r = child(['analyze', file]);
    analyzeResult = {
      policies: o.analyzePolicies,
      megabytes: Math.round(fs.statSync(file).size / 1e6),
      ms: r.ms,
      cpuMs: r.cpuMs as number, // perf6
      loadMs: r.loadMs as number,
      findings: r.findings as number,
      peakRssMb: r.peakRssMb,
      analyzeOverLoad: r.ms / (r.loadMs as number),
    };
    log(`analyze ${o.analyzePolicies} policies: ${r.ms.toFixed(0)} ms, ${r.peakRssMb} MB`);
  }

  const results = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))) },
    smoke: o.smoke,
    size: { services: o.services, namespaces: Math.min(50, o.services), intentions: o.services * 10, objects: synth.last.objects },
    synth: {
      trustmeshMs: synth.ms,
      floorMs: floor.ms,
      timeRatio: synth.ms / floor.ms,
      trustmeshPeakRssMb: synth.peakRssMb,
      floorPeakRssMb: floor.peakRssMb,
      rssRatio: synth.peakRssMb / floor.peakRssMb,
      trustmeshSamples: synth.samples,
      floorSamples: floor.samples,
      // perf6: CPU time of the same runs (medians), less inflated by other load than wall time.
      trustmeshCpuMs: synth.cpuMs,
      floorCpuMs: floor.cpuMs,
      cpuRatio: synth.cpuMs / floor.cpuMs,
    },
    scaling: { points: scaling, perDoubling },
    check: {
      decisionsPerSecond: Math.round(o.requests / (check.ms / 1000)),
      loadMs: check.last.loadMs,
      requests: o.requests,
      // Baseline: the same evaluator on the smallest mesh of the scaling run (1.0 = size does not matter).
      baselineServices: o.scaling[0],
      baselineDecisionsPerSecond: Math.round(o.requests / (checkSmall.ms / 1000)),
      rateRatio: checkSmall.ms / check.ms,
    },
    // Baseline of the matrix: the cdk8s floor synth of the same objects.
    matrix: { // perf7: cpuMs
      ...{ ms: matrix.ms, cpuMs: matrix.cpuMs, rows: matrix.last.rows, columns: matrix.last.columns },
      ...{ peakRssMb: matrix.peakRssMb, overFloor: matrix.ms / floor.ms },
    },
    // perf2: baseline of the streamed connection list: the full matrix of the same output, same run.
    connlist: {
      ...{ ms: connlist.ms, cpuMs: connlist.cpuMs, lines: connlist.last.lines, peakRssMb: connlist.peakRssMb }, // perf7: cpuMs
      ...{ overMatrix: connlist.ms / matrix.ms, rssOverMatrix: connlist.peakRssMb / matrix.peakRssMb },
    },
    // Baseline of the diff: the full matrix of the same output (every destination analyzed once).
    diff: { ms: diff.ms, cpuMs: diff.cpuMs, changes: diff.last.changes, peakRssMb: diff.peakRssMb, overMatrix: diff.ms / matrix.ms }, // perf7: cpuMs
    ca,
    ...(analyzeResult ? { analyze: analyzeResult } : {}),
    targets: {
      synthTime: '<= 1.0x floor (issue 17)',
      synthRss: '<= 1.25x floor',
      perDoubling: '<= 2.1x',
      decisionsPerSecond: '>= 200000 at S=1000 and S=8000',
      matrixMs: '<= 10000 at S=8000',
      diffMs: '<= 1000 at S=1000, <= 3000 at S=8000',
      analyze: '155,784 policies: <= 60000 ms, <= 2048 MB peak RSS',
    },
  };
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(table(results));
}

function table(r: {
  synth: {
    trustmeshMs: number;
    floorMs: number;
    timeRatio: number;
    trustmeshPeakRssMb: number;
    floorPeakRssMb: number;
    rssRatio: number;
    trustmeshCpuMs: number;
    floorCpuMs: number;
    cpuRatio: number; // perf6
  };
  scaling: { points: { services: number; ms: number }[]; perDoubling: { from: number; to: number; ratio: number }[] };
  check: { decisionsPerSecond: unknown; baselineServices: number; baselineDecisionsPerSecond: number; rateRatio: number };
  matrix: { ms: number; cpuMs: number; overFloor: number }; // perf7: cpuMs
  connlist: { ms: number; peakRssMb: number; overMatrix: number; rssOverMatrix: number };
  diff: { ms: number; cpuMs: number; overMatrix: number }; // perf7: cpuMs
  ca: { algorithm: string; ms: number; intermediates: number }[];
  analyze?: { policies: number; megabytes: number; ms: number; cpuMs: number; peakRssMb: number; analyzeOverLoad: number };
  size: { services: number; intentions: number; objects: unknown };
}): string {
  const rows: [string, string, string][] = [
    [`synth (S=${r.size.services}, I=${r.size.intentions}, ${String(r.size.objects)} objects)`, `${r.synth.trustmeshMs.toFixed(0)} ms vs floor ${r.synth.floorMs.toFixed(0)} ms`, `${r.synth.timeRatio.toFixed(2)}x floor (<= 1.0x)`],
    // perf6: the same runs in CPU time.
    ['synth CPU time', `${r.synth.trustmeshCpuMs.toFixed(0)} ms vs floor ${r.synth.floorCpuMs.toFixed(0)} ms`, `${r.synth.cpuRatio.toFixed(2)}x floor (<= 1.0x)`],
    ['synth peak RSS', `${r.synth.trustmeshPeakRssMb} MB vs floor ${r.synth.floorPeakRssMb} MB`, `${r.synth.rssRatio.toFixed(2)}x floor (<= 1.25x)`],
    ...r.scaling.perDoubling.map((d): [string, string, string] => [`scaling S=${d.from}->${d.to}`, `${r.scaling.points.find((p) => p.services === d.from)!.ms.toFixed(0)} -> ${r.scaling.points.find((p) => p.services === d.to)!.ms.toFixed(0)} ms`, `${d.ratio.toFixed(2)}x (<= 2.1x)`]),
    ['check', `${String(r.check.decisionsPerSecond)} decisions/s vs ${r.check.baselineDecisionsPerSecond}/s at S=${r.check.baselineServices}`,
      `${r.check.rateRatio.toFixed(2)}x the small mesh's rate (>= 200,000/s)`],
    ['matrix', `${r.matrix.ms.toFixed(0)} ms (${r.matrix.cpuMs.toFixed(0)} ms CPU)`, // perf7: CPU
      `${r.matrix.overFloor.toFixed(2)}x the floor synth (<= 10,000 ms at S=8000)`],
    // perf2: the streamed connection list.
    ['matrix --output connlist (streamed)', `${r.connlist.ms.toFixed(0)} ms, ${r.connlist.peakRssMb} MB peak RSS`,
      `${r.connlist.overMatrix.toFixed(2)}x the matrix's time, ${r.connlist.rssOverMatrix.toFixed(2)}x its RSS (<= 10,000 ms at S=8000)`],
    ['diff (1% of intentions changed)', `${r.diff.ms.toFixed(0)} ms (${r.diff.cpuMs.toFixed(0)} ms CPU)`, // perf7: CPU
      `${r.diff.overMatrix.toFixed(2)}x the matrix (<= 1,000 ms at S=1000, 3,000 at S=8000)`],
    ...r.ca.map((c): [string, string, string] => [`CA bootstrap ${c.algorithm} (root + ${c.intermediates})`, `${c.ms.toFixed(0)} ms`, '']),
    ...(r.analyze ? [[`analyze (${r.analyze.policies} AuthorizationPolicies, ${r.analyze.megabytes} MB, one file)`,
      `${r.analyze.ms.toFixed(0)} ms (${r.analyze.cpuMs.toFixed(0)} ms CPU), ${r.analyze.peakRssMb} MB peak RSS`, `${r.analyze.analyzeOverLoad.toFixed(2)}x its load (<= 60,000 ms, <= 2,048 MB)`] as [string, string, string]] : []),
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length)));
  return `${rows.map((row) => row.map((c, i) => c.padEnd(w[i])).join('  ')).join('\n')}\n`;
}

main();

function summary(results: readonly ChildResult[]): Record<string, unknown> {
  return {
    ms: Math.round(median(results.map((r) => r.ms))),
    objects: results[0].objects,
    samples: results.map((r) => Math.round(r.ms)),
    peakRssMb: median(results.map((r) => r.peakRssMb)),
  };
}

/** Synth with the intentions mirrored as NetworkPolicies vs without, alternating runs, medians. */
function networkPolicyCost(o: Options, work: string, log: (line: string) => void): void {
  const off: ChildResult[] = [];
  const on: ChildResult[] = [];
  for (let i = 0; i < o.runs; i++) {
    off.push(child(['trustmesh', String(o.services), path.join(work, `off${i}`, 'dist'), '', '0']));
    on.push(child(['trustmesh', String(o.services), path.join(work, `on${i}`, 'dist'), '', '0', o.networkPolicies!]));
  }
  const offMs = median(off.map((r) => r.ms));
  const onMs = median(on.map((r) => r.ms));
  const result = {
    services: o.services,
    mode: o.networkPolicies,
    runs: o.runs,
    off: summary(off),
    on: summary(on),
    timeRatio: onMs / offMs,
  };
  log(`synth S=${o.services}: NetworkPolicies (${o.networkPolicies}) ${onMs.toFixed(0)} ms, ${String(on[0].objects)} objects`
    + ` vs off ${offMs.toFixed(0)} ms, ${String(off[0].objects)} objects: ${result.timeRatio.toFixed(2)}x`);
  fs.writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
}

/**
 * The legacy target's synth cost (issue 13): the same generated mesh — only intentions Istio 1.x
 * can express — synthesized for `version` and for 1.30, alternating child runs; medians and the
 * ratio legacy / 1.30.
 */
function legacyTargetCost(version: string, o: Options): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'trustmesh-bench-legacy-'));
  const legacy: ChildResult[] = [];
  const current: ChildResult[] = [];
  for (let i = 0; i < o.runs; i++) {
    legacy.push(child(['trustmesh', String(o.services), path.join(work, `legacy${i}`, 'dist'), '', '0', '', version, 'legacy']));
    current.push(child(['trustmesh', String(o.services), path.join(work, `current${i}`, 'dist'), '', '0', '', '1.30', 'legacy']));
  }
  const legacyMs = median(legacy.map((r) => r.ms));
  const currentMs = median(current.map((r) => r.ms));
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version },
    services: o.services,
    intentions: legacy[0].intentions,
    runs: o.runs,
    legacy: { istioVersion: version, ...summary(legacy) },
    current: { istioVersion: '1.30', ...summary(current) },
    timeRatio: legacyMs / currentMs,
    rssRatio: median(legacy.map((r) => r.peakRssMb)) / median(current.map((r) => r.peakRssMb)),
  };
  process.stderr.write(`synth S=${o.services} for Istio ${version}: ${legacyMs.toFixed(0)} ms, ${String(legacy[0].objects)} objects`
    + ` vs 1.30: ${currentMs.toFixed(0)} ms, ${String(current[0].objects)} objects: ${result.timeRatio.toFixed(2)}x (median of ${o.runs})\n`);
  fs.writeFileSync(o.out.replace(/results\.json$/, 'legacy-results.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  fs.rmSync(work, { recursive: true, force: true });
}
