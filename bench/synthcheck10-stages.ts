/**
 * synthcheck10 (issue 17): the stages of one synth, each timed apart with a forced GC between them,
 * in the way TrustmeshApp.synthOutput() runs them. Run against a compiled tree:
 *   node --expose-gc --import tsx bench/synthcheck10-stages.ts <tree> <services> [stage-to-profile]
 * where <tree> holds lib/ and bench/generate-mesh.ts (this worktree, or /work/wt/base for `before`).
 * Prints one JSON line: CPU ms and live heap after each stage, peak RSS, and sha256 of the findings.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as inspector from 'inspector';
import * as path from 'path';

type AnyFn = (...args: any[]) => any;

async function main(): Promise<void> {
  const [tree, services, profile] = process.argv.slice(2);
  const lib = (p: string): Promise<Record<string, AnyFn | any>> => import(path.resolve(tree, 'lib/src', p));
  const { TrustmeshApp } = await lib('index.js');
  const { generateMesh } = await import(path.resolve(tree, 'bench/generate-mesh.ts'));
  const { layOutObjects } = await lib('constructs/output-layout.js');
  const { toYamlStream } = await lib('private/yaml-emitter.js');
  const { validateManifests } = await lib('validate/manifest-validator.js');
  const { CrdSchemaSet } = await lib('validate/crd-schema.js');
  const { WebhookResults } = await lib('validate/webhook/validate-webhook.js');
  const { analyzeOutput, meshConfigsByFolder, istioVersionsByFolder } = await lib('constructs/output-analysis.js');

  const gc = (globalThis as { gc?: () => void }).gc!;
  const heapMb = (): number => Math.round(process.memoryUsage().heapUsed / 1048576);
  const stages: Record<string, { cpuMs: number; heapMb: number; maxRssMb: number }> = {};
  let session: inspector.Session | undefined;
  const stage = async <T>(name: string, fn: () => T): Promise<T> => {
    gc();
    if (profile === name) {
      session = new inspector.Session();
      session.connect();
      await new Promise((r) => session!.post('Profiler.enable', r));
      await new Promise((r) => session!.post('Profiler.start', r));
    }
    const c0 = process.cpuUsage();
    const out = fn();
    const d = process.cpuUsage(c0);
    if (profile === name) {
      const p = await new Promise<any>((r) => session!.post('Profiler.stop', (_e: unknown, res: any) => r(res.profile)));
      fs.writeFileSync(`/tmp/synthcheck10-${path.basename(tree)}-${name}.cpuprofile`, JSON.stringify(p));
    }
    gc();
    // maxRssMb: the peak RSS of the process so far (the stage that raised it is the peak's).
    stages[name] = { cpuMs: Math.round((d.user + d.system) / 1000), heapMb: heapMb(), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
    return out;
  };

  const app = new TrustmeshApp({ outdir: '/tmp/synthcheck10-unused', onWarning: () => undefined });
  await stage('declare', () => generateMesh(app, { services: Number(services) }));
  const constructs = app.node.findAll();
  const documents: any[] = await stage('toJson', () => layOutObjects(constructs, (o: any, file: string, secret: boolean) => ({
    manifest: o.toJson(), file, constructPath: o.node.path, secret,
  })));
  const manifests = documents.flatMap((d) => d.items);
  const reviewable: any[] = [];
  await stage('yaml', () => {
    for (const d of documents) {
      const content = toYamlStream(d.items.map((r: any) => r.manifest));
      if (!d.secret) reviewable.push({ path: d.path, content, objects: d.items });
    }
  });
  const webhookResults = new WebhookResults();
  const problems: any[] = await stage('validate', () => validateManifests(manifests.map((r: any) => r.manifest), {
    crds: CrdSchemaSet.bundledWithLegacy(),
    sources: (i: number) => ({ file: manifests[i].file, constructPath: manifests[i].constructPath }),
    webhookResults,
  }));
  const findings: any[] = await stage('analyze', () => analyzeOutput(reviewable, {
    webhookResults,
    meshConfigOf: meshConfigsByFolder(constructs),
    istioVersionOf: istioVersionsByFolder(constructs),
    displayPath: (file: string) => `dist/${file}`,
  }));
  const sha = (v: unknown): string => crypto.createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);
  process.stdout.write(`${JSON.stringify({
    tree,
    services: Number(services),
    objects: manifests.length,
    stages,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    problems: problems.length,
    problemsSha: sha(problems),
    findings: findings.length,
    findingsSha: sha(findings),
    load: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  })}\n`);
}

void main();
