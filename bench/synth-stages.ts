/**
 * synth10: the stages of a TrustmeshApp synth on the generated mesh, each timed (CPU) with the live
 * heap after a forced GC, for any checkout's compiled library (so that before and after run the very
 * same script): declare the mesh → whole-graph checks → toJson (layout) → YAML → the rest of
 * `synthOutput()` (validation + analyzer pass, run through the real method on a second app when
 * `full` is given).
 *
 * Usage: node --expose-gc --import tsx bench/synth-stages.ts <checkout root> <services> [full] [hash]
 * Prints one JSON line. `hash` adds the sha256 of the YAML of every document.
 */
import { createHash } from 'crypto';
import * as path from 'path';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function heapMb(): number {
  gc();
  return Math.round(process.memoryUsage().heapUsed / 1048576);
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return Math.round((d.user + d.system) / 1000);
}

async function main(): Promise<void> {
  const [root, services, ...flags] = process.argv.slice(2);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const lib = require(path.join(root, 'lib/src')) as typeof import('../lib/src');
  const { generateMesh } = require(path.join(root, 'bench/generate-mesh.ts')) as typeof import('./generate-mesh');
  const { layOutObjects } = require(path.join(root, 'lib/src/constructs/output-layout')) as typeof import('../lib/src/constructs/output-layout');
  const { toYamlStream } = require(path.join(root, 'lib/src/private/yaml-emitter')) as typeof import('../lib/src/private/yaml-emitter');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const out: Record<string, unknown> = { loadedHeapMb: heapMb(), loadedRssMb: Math.round(process.memoryUsage().rss / 1048576) };

  let t = process.cpuUsage();
  const app = new lib.TrustmeshApp({ outdir: '/tmp/synth10-stages/dist', onWarning: () => undefined });
  generateMesh(app, { services: Number(services) });
  out.declareMs = cpuMs(t);
  out.declareHeapMb = heapMb();

  t = process.cpuUsage();
  const constructs = app.node.findAll();
  (app as unknown as { runChecks(c: unknown): unknown }).runChecks(constructs);
  out.checksMs = cpuMs(t);

  t = process.cpuUsage();
  const documents = layOutObjects(constructs, (o, file) => ({ manifest: o.toJson() as Record<string, unknown>, file }));
  out.toJsonMs = cpuMs(t);
  out.toJsonHeapMb = heapMb();

  t = process.cpuUsage();
  const yaml = documents.map((d) => toYamlStream(d.items.map((r) => r.manifest)));
  out.yamlMs = cpuMs(t);
  out.yamlHeapMb = heapMb();
  out.objects = documents.reduce((n, d) => n + d.items.length, 0);
  if (flags.includes('hash')) {
    const h = createHash('sha256');
    documents.forEach((d, i) => h.update(`${d.path}\n${yaml[i]}`));
    out.sha256 = h.digest('hex');
  }
  if (flags.includes('full')) {
    t = process.cpuUsage();
    app.synthOutput();
    out.synthOutputMs = cpuMs(t);
  }
  out.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

void main();
