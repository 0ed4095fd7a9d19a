/**
 * The `convert` benchmark (`npm run bench -- --convert`): `trustmesh convert` on a generated legacy
 * mesh (bench/generate-legacy-mesh.ts) in fresh child processes.
 *
 * - Conversion at S services (default 1000): wall time of the child, conversion time, legacy objects
 *   converted per second, peak RSS; the baseline, measured in the same child, is loading and
 *   validating the same legacy input (`convert` over `load`).
 * - The equivalence proof, separately, at the sizes of `--convert-proof 5,10` (the request space
 *   grows with the product of destinations, identities and tokens, see proof.ts): requests
 *   evaluated per second, differences found, over the same baseline.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateLegacyMesh } from './generate-legacy-mesh';

/** A child's JSON result line. */
interface Result {
  readonly ms: number;
  readonly peakRssMb: number;
  readonly [key: string]: unknown;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs the convert benchmark; `child` runs one bench/child.ts mode in a fresh process. */
export function convertBench(argv: readonly string[], o: { services: number; runs: number; out: string; smoke: boolean },
  child: (args: readonly string[]) => Result): void {
  const i = argv.indexOf('--convert-proof');
  const proofSizes = (i >= 0 ? argv[i + 1] : o.smoke ? '2' : '5,10').split(',').map(Number);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'trustmesh-bench-convert-'));
  const write = (services: number): { file: string; legacyObjects: number; objects: number; megabytes: number } => {
    const mesh = generateLegacyMesh(services);
    const file = path.join(work, `legacy-${services}.yaml`);
    fs.writeFileSync(file, mesh.yaml);
    return { file, legacyObjects: mesh.legacyObjects, objects: mesh.objects, megabytes: Number((fs.statSync(file).size / 1e6).toFixed(2)) };
  };
  const input = write(o.services);
  const runs = Array.from({ length: Math.max(1, Math.min(o.runs, 3)) }, () => child(['convert', input.file]));
  const num = (r: Result, k: string): number => Number(r[k]);
  const convertMs = median(runs.map((r) => num(r, 'convertMs')));
  const loadMs = median(runs.map((r) => num(r, 'loadMs')));
  const conversion = {
    services: o.services,
    input: { legacyObjects: input.legacyObjects, objects: input.objects, megabytes: input.megabytes },
    converted: runs[0].converted,
    refusals: runs[0].refusals,
    wallMs: Math.round(median(runs.map((r) => r.ms))),
    convertMs: Math.round(convertMs),
    objectsPerSecond: Math.round(input.legacyObjects / (convertMs / 1000)),
    peakRssMb: median(runs.map((r) => r.peakRssMb)),
    baseline: 'load + validate of the same legacy input, same process',
    loadMs: Math.round(loadMs),
    convertOverLoad: Number((convertMs / loadMs).toFixed(2)),
    samples: runs.map((r) => Math.round(num(r, 'convertMs'))),
  };
  process.stderr.write(`convert S=${o.services}: ${conversion.convertMs} ms for ${input.legacyObjects} legacy objects`
    + ` (${conversion.objectsPerSecond}/s), ${conversion.convertOverLoad}x the load, ${conversion.peakRssMb} MB peak RSS\n`);
  const proof = proofSizes.map((services) => {
    const small = write(services);
    const r = child(['convert', small.file, 'proof']);
    const row = {
      services,
      legacyObjects: small.legacyObjects,
      requests: num(r, 'requests'),
      differences: num(r, 'differences'),
      statusChanges: num(r, 'statusChanges'),
      proofMs: Math.round(num(r, 'proofMs')),
      requestsPerSecond: Math.round(num(r, 'requests') / (num(r, 'proofMs') / 1000)),
      wallMs: Math.round(r.ms),
      loadMs: Math.round(num(r, 'loadMs')),
      proofOverLoad: Number((num(r, 'proofMs') / num(r, 'loadMs')).toFixed(1)),
      peakRssMb: r.peakRssMb,
    };
    process.stderr.write(`proof S=${services}: ${row.requests} requests in ${row.proofMs} ms (${row.requestsPerSecond}/s), ${row.differences} differences\n`);
    return row;
  });
  const machine = { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))) };
  const result = { date: new Date().toISOString(), machine, smoke: o.smoke, conversion, proof };
  const out = o.out.replace(/results\.json$/, 'convert-results.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  fs.rmSync(work, { recursive: true, force: true });
  const rows: [string, string, string][] = [
    [`convert (S=${o.services}, ${input.legacyObjects} legacy objects, ${input.megabytes} MB)`,
      `${conversion.convertMs} ms, ${conversion.objectsPerSecond} objects/s, ${conversion.peakRssMb} MB peak RSS`, `${conversion.convertOverLoad}x the load of the input`],
    ...proof.map((p): [string, string, string] => [`convert proof (S=${p.services})`,
      `${p.requests} requests in ${p.proofMs} ms (${p.requestsPerSecond}/s), ${p.differences} differences`, `${p.proofOverLoad}x the load of the input`]),
  ];
  const w = [0, 1, 2].map((k) => Math.max(...rows.map((row) => row[k].length)));
  process.stdout.write(`${rows.map((row) => row.map((c, k) => c.padEnd(w[k])).join('  ')).join('\n')}\n`);
}
