/**
 * One measurement, in a fresh process so that wall time and peak RSS belong to it alone. Prints a
 * JSON line. Modes:
 * - `trustmesh <services> <outdir> [manifests.json] [variant] [ingress|egress] [istioVersion [legacy]]`:
 *   declare the generated mesh with the constructs and synthesize it with TrustmeshApp (checks,
 *   schema + CEL validation, atomic write); optionally dump the synthesized objects (after timing
 *   and peak RSS are taken) for the floor (`''` for none); `ingress|egress` mirrors the intentions as
 *   NetworkPolicies (`''` for none); `istioVersion` is the mesh's target (default 1.30), `legacy`
 *   draws only intentions Istio 1.x can express (bench/generate-mesh.ts `legacyShapes`).
 * - `floor <manifests.json> <outdir>`: the very same objects as bare cdk8s ApiObjects, one Chart per
 *   output file, synthesized by a plain cdk8s App (the cdk8s floor).
 * - `check <manifests.json> <requests>`: decisions per second of the evaluator after load.
 * - `matrix <manifests.json>` / `diff <before.json> <after.json>`: access matrix and semantic diff
 *   (after loading, which is reported by `check` as `loadMs`).
 * - `connlist <manifests.json> <out>`: the streamed connection list (`matrix --output connlist`) into a file.
 * - `matrix-layers <manifests.json>` / `check-layers <manifests.json> <requests>`: the same with
 *   NetworkPolicies mirroring the AuthorizationPolicies (bench/generate-network-policies.ts), both
 *   layers decided.
 * - `ca <algorithm> <intermediates> <dir>`: CA bootstrap (root + intermediates) into a key store.
 * - `replay-log <manifests.json> <lines> <log> <inventory>`: writes a generated Istio TEXT access log.
 * - `replay <manifests.json> <log> <inventory>`: `trustmesh replay` in-process on that log (load,
 *   then the streaming replay); lines per second of the replay, peak RSS of the whole process.
 * - `analyze <manifests.yaml>`: `trustmesh analyze` in-process on one large file (load, then every
 *   rule with its findings located), as bench/generate-policies.ts writes it.
 * - `convert <legacy.yaml> [proof]`: `trustmesh convert` in-process on a generated legacy mesh
 *   (bench/generate-legacy-mesh.ts): load and validate (the baseline), convert (objects and the
 *   converted config), and with `proof` the equivalence proof, each timed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { generateMesh } from './generate-mesh';
import { generateNetworkPolicies } from './generate-network-policies';
import { generateRequests } from './generate-requests';
import { writeReplayLog } from './replay-log';
import { createEvaluator, KeyAlgorithm, KeyStore, meshConfig, parseConfigText, TrustmeshApp } from '../lib/src';
import { matrixDestinations } from '../lib/src/analysis/access/destinations';
import { analyze } from '../lib/src/analysis/analyzer/analyzer';
import { assertValidConfig, loadConfig } from '../lib/src/analysis/config/load-config';
import { convertedConfig, convertLegacy } from '../lib/src/analysis/convert/convert-legacy';
import { proveConversion } from '../lib/src/analysis/convert/proof';
import { diffAccess } from '../lib/src/analysis/diff/diff';
import { prepareWorkloads } from '../lib/src/analysis/evaluator/evaluate';
import { writeConnectionList } from '../lib/src/analysis/matrix/connection-list';
import { buildAccessMatrix } from '../lib/src/analysis/matrix/matrix';
import { withNetworkLayer } from '../lib/src/analysis/matrix/network-cells';
import { layeredEvaluator } from '../lib/src/analysis/network/layered-evaluator';
import { NetworkLayer } from '../lib/src/analysis/network/network-layer';
import { OutboundLayer } from '../lib/src/analysis/network/sidecar-egress';
import { Inventory } from '../lib/src/analysis/traffic/inventory';
import { Replay } from '../lib/src/analysis/traffic/replay';
import { readTraffic } from '../lib/src/analysis/traffic/traffic-reader';
import { toYamlStream } from '../lib/src/private/yaml-emitter';

/** Peak resident set size of this process so far, in MB. */
function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

// perf6: CPU time (user + system) of this process since `since` (a process.cpuUsage() reading), in
// ms: next to wall time, a figure that another job's load on the machine inflates much less.
function cpuMsSince(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/** Prints the result line; `peakRssMb` is taken now unless the mode took it earlier. */
function report(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...result, peakRssMb: result.peakRssMb ?? peakRssMb() })}\n`);
}

async function main(args: string[]): Promise<void> {
  const [mode, ...rest] = args;
  switch (mode) {
    case 'trustmesh': {
      const [services, outdir, dumpFile, variant, networkPolicies, istioVersion, shapes] = rest;
      const cpu0 = process.cpuUsage(); // perf6
      const start = performance.now();
      const app = new TrustmeshApp({ outdir, secretsOutdir: path.join(outdir, '..', 'secrets'), onWarning: () => undefined });
      const generated = generateMesh(app, {
        services: Number(services),
        variant: variant ? Number(variant) : 0,
        ...(networkPolicies === 'ingress' || networkPolicies === 'egress' ? { networkPolicies } : {}),
        ...(istioVersion ? { istioVersion } : {}),
        ...(shapes === 'legacy' ? { legacyShapes: true } : {}),
      });
      app.synth();
      const ms = performance.now() - start;
      const cpuMs = cpuMsSince(cpu0); // perf6
      const rss = peakRssMb();
      // One manifest per ApiObject: counting them is cheap, where synthOutput() would synthesize and
      // validate everything a second time.
      const objects = app.node.findAll().filter((c) => ApiObject.isApiObject(c)).length;
      if (dumpFile) {
        const byFile: Record<string, unknown[]> = {};
        for (const r of app.synthOutput().manifests) (byFile[r.file] ??= []).push(r.manifest);
        fs.writeFileSync(dumpFile, JSON.stringify(byFile));
      }
      report({ ms, cpuMs, objects, intentions: generated.intentions, peakRssMb: rss });
      return;
    }
    case 'floor': {
      const [dumpFile, outdir] = rest;
      const byFile = JSON.parse(fs.readFileSync(dumpFile, 'utf8')) as Record<string, Record<string, unknown>[]>;
      const cpu0 = process.cpuUsage(); // perf6
      const start = performance.now();
      const app = new App({ outdir });
      for (const [file, docs] of Object.entries(byFile)) {
        const chart = new Chart(app, file.replace(/\.k8s\.yaml$/, '').replace(/\//g, '-'), { disableResourceNameHashes: true });
        docs.forEach((doc, i) => new ApiObject(chart, `o${i}`, doc as never));
      }
      app.synth();
      report({ ms: performance.now() - start, cpuMs: cpuMsSince(cpu0), objects: Object.values(byFile).reduce((n, d) => n + d.length, 0) });
      return;
    }
    case 'check': {
      const [dumpFile, count] = rest;
      const byFile = JSON.parse(fs.readFileSync(dumpFile, 'utf8')) as Record<string, unknown[]>;
      const yaml = toYamlStream(Object.values(byFile).flat());
      const loadStart = performance.now();
      // perf5: rules compiled at load, as `trustmesh check` does (load is reported apart, as loadMs);
      // check10: and, as it does, the declared workloads (the matrix's destinations) prepared.
      const loadCpu0 = process.cpuUsage();
      const evaluator = createEvaluator(parseConfigText(yaml, 'bench.yaml'), meshConfig(), { compileNow: true });
      const prepareCpu0 = process.cpuUsage();
      const prepared = prepareWorkloads(evaluator.context, matrixDestinations(evaluator.context));
      const prepareCpuMs = cpuMsSince(prepareCpu0); // check10
      const loadMs = performance.now() - loadStart;
      const loadCpuMs = cpuMsSince(loadCpu0); // check10
      const requests = generateRequests(Object.values(byFile).flat() as Record<string, unknown>[], Number(count));
      for (let i = 0; i < Math.min(2000, requests.length); i++) evaluator.evaluate(requests[i]); // warm-up
      const cpu0 = process.cpuUsage(); // perf8
      const start = performance.now();
      const outcomes: Record<string, number> = {};
      for (const r of requests) {
        const o = evaluator.evaluate(r).outcome;
        outcomes[o] = (outcomes[o] ?? 0) + 1;
      }
      const ms = performance.now() - start;
      // perf8: CPU time of the loop too (wall time under other jobs' load is 2-4x it).
      const cpuMs = cpuMsSince(cpu0);
      report({
        ms,
        cpuMs,
        loadMs,
        loadCpuMs,
        prepared,
        prepareCpuMs,
        decisions: requests.length,
        perSecond: Math.round(requests.length / (ms / 1000)),
        perCpuSecond: Math.round(requests.length / (cpuMs / 1000)),
        outcomes,
      });
      return;
    }
    case 'replay-log': {
      const [dumpFile, lines, logFile, inventoryFile] = rest;
      const byFile = JSON.parse(fs.readFileSync(dumpFile, 'utf8')) as Record<string, Record<string, unknown>[]>;
      const start = performance.now();
      const distinct = await writeReplayLog(Object.values(byFile).flat(), Number(lines), logFile, inventoryFile);
      report({ ms: performance.now() - start, distinct, bytes: fs.statSync(logFile).size });
      return;
    }
    case 'replay': {
      const [dumpFile, logFile, inventoryFile] = rest;
      const config = loadDump(dumpFile);
      const loadStart = performance.now();
      const evaluator = createEvaluator(config, meshConfig());
      const inventory = Inventory.of([loadConfig([inventoryFile]), config]);
      const loadMs = performance.now() - loadStart;
      const replay = new Replay([evaluator], inventory);
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      const read = await readTraffic([logFile], {}, replay); // replay: the reader feeds the shape store
      const ms = performance.now() - start;
      const cpu = process.cpuUsage(cpuStart);
      // On a shared machine wall time measures the neighbours too: CPU time is reported alongside.
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const result = replay.result();
      report({
        ms,
        cpuMs,
        loadMs,
        lines: read.lines,
        perSecond: Math.round(read.lines / (ms / 1000)),
        perCpuSecond: Math.round(read.lines / (cpuMs / 1000)),
        malformed: read.malformedCount,
        totals: result.totals,
        groups: result.groups.length,
      });
      return;
    }
    case 'matrix': {
      const [dumpFile] = rest;
      const config = loadDump(dumpFile);
      const cpu0 = process.cpuUsage(); // perf7
      const start = performance.now();
      const matrix = buildAccessMatrix(config);
      report({ ms: performance.now() - start, cpuMs: cpuMsSince(cpu0), rows: matrix.sources.length, columns: matrix.destinations.length }); // perf7: cpuMs
      return;
    }
    case 'connlist': {
      // The streamed connection list (`matrix --output connlist`) written to a file, as the CLI writes it.
      const [dumpFile, outFile] = rest;
      const config = loadDump(dumpFile);
      const cpu0 = process.cpuUsage(); // perf7
      const start = performance.now();
      const fd = fs.openSync(outFile, 'w');
      const stats = writeConnectionList(config, {}, undefined, (text) => fs.writeSync(fd, text));
      fs.closeSync(fd);
      report({ ms: performance.now() - start, cpuMs: cpuMsSince(cpu0), rows: stats.sources, columns: stats.destinations, lines: stats.lines }); // perf7: cpuMs
      return;
    }
    case 'matrix-layers': {
      const [dumpFile] = rest;
      const config = loadDumpWithNetworkPolicies(dumpFile);
      const start = performance.now();
      const network = NetworkLayer.fromConfig(config);
      const matrix = withNetworkLayer(buildAccessMatrix(config), config, network, OutboundLayer.fromConfig(config, meshConfig()));
      const ms = performance.now() - start;
      report({ ms, rows: matrix.sources.length, columns: matrix.destinations.length, networkPolicies: network.policies.length });
      return;
    }
    case 'check-layers': {
      const [dumpFile, count] = rest;
      const objects = Object.values(JSON.parse(fs.readFileSync(dumpFile, 'utf8')) as Record<string, unknown[]>).flat() as Record<string, unknown>[];
      const config = loadDumpWithNetworkPolicies(dumpFile);
      const loadStart = performance.now();
      const evaluator = layeredEvaluator(createEvaluator(config, meshConfig()));
      const loadMs = performance.now() - loadStart;
      const requests = generateRequests(objects, Number(count));
      for (let i = 0; i < Math.min(2000, requests.length); i++) evaluator.evaluate(requests[i]); // warm-up
      const start = performance.now();
      const outcomes: Record<string, number> = {};
      for (const r of requests) {
        const o = evaluator.evaluate(r).outcome;
        outcomes[o] = (outcomes[o] ?? 0) + 1;
      }
      const ms = performance.now() - start;
      report({ ms, loadMs, decisions: requests.length, perSecond: Math.round(requests.length / (ms / 1000)), outcomes });
      return;
    }
    case 'diff': {
      const [before, after] = rest;
      const a = loadDump(before);
      const b = loadDump(after);
      const cpu0 = process.cpuUsage(); // perf7
      const start = performance.now();
      const diff = diffAccess(a, b);
      report({ ms: performance.now() - start, cpuMs: cpuMsSince(cpu0), changes: diff.changes.length }); // perf7: cpuMs
      return;
    }
    case 'ca': {
      const [algorithm, intermediates, dir] = rest;
      const start = performance.now();
      await KeyStore.at(dir).init({
        algorithm: KeyAlgorithm.parse(algorithm),
        clusters: Array.from({ length: Number(intermediates) }, (_, i) => `cluster-${i}`),
      });
      report({ ms: performance.now() - start });
      return;
    }
    case 'analyze': {
      const [file] = rest;
      const cpu0 = process.cpuUsage(); // perf6
      const start = performance.now();
      const config = loadConfig(file);
      const loadMs = performance.now() - start;
      const findings = analyze(config);
      report({ ms: performance.now() - start, cpuMs: cpuMsSince(cpu0), loadMs, objects: config.objects.length, findings: findings.length });
      return;
    }
    case 'convert': {
      const [file, withProof] = rest;
      const start = performance.now();
      const config = loadConfig(file);
      assertValidConfig(config);
      const loadMs = performance.now() - start;
      const legacy = config.legacy.authn.length + config.legacy.rbacConfigs.length + config.legacy.roles.length + config.legacy.bindings.length;
      const convertStart = performance.now();
      const conversion = convertLegacy(config, { apiVersion: 'security.istio.io/v1' });
      const converted = convertedConfig(config, conversion);
      const convertMs = performance.now() - convertStart;
      const proofStart = performance.now();
      const proof = withProof === 'proof' ? proveConversion(config, converted) : undefined;
      const proofMs = performance.now() - proofStart;
      report({
        ms: performance.now() - start,
        loadMs,
        convertMs,
        ...(proof ? { proofMs, requests: proof.requests, differences: proof.differences.length, statusChanges: proof.statusChanges } : {}),
        objects: config.objects.length,
        legacyObjects: legacy,
        converted: conversion.objects.length,
        refusals: conversion.refusals.length,
      });
      return;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

function loadDump(file: string): ReturnType<typeof parseConfigText> {
  const byFile = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown[]>;
  return parseConfigText(toYamlStream(Object.values(byFile).flat()), file);
}

/** The dump plus NetworkPolicies mirroring its AuthorizationPolicies. */
function loadDumpWithNetworkPolicies(file: string): ReturnType<typeof parseConfigText> {
  const objects = Object.values(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown[]>).flat() as Record<string, unknown>[];
  return parseConfigText(toYamlStream([...objects, ...generateNetworkPolicies(objects)]), file);
}

void main(process.argv.slice(2));
