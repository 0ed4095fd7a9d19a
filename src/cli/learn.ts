/**
 * `trustmesh learn`: a draft declaration from observed traffic.
 *
 * ```
 * trustmesh learn --traffic access.log [--inventory cluster.yaml] [--policies dist] [--min-count N] [--output ts|json]
 * ```
 *
 * @module
 */
import { Command, Option } from 'commander';
import { meshConfigFrom, meshConfigOption, printLoadWarnings } from './common';
import { ExitCode, ExitCodeValue } from './exit-codes';
import { CliIo, RunCommand } from './run';
import { layeredPolicies, loadInventory, readTrafficOptions, strictCheck, TrafficInputOptions } from './traffic-input';
import { loadConfigSources } from '../analysis/config/git-source';
import { Learner } from '../analysis/traffic/learn';
import { edgeLines, renderLearnedDraft } from '../analysis/traffic/learn-draft';
import { readSummary } from '../analysis/traffic/replay-format';
import { readTraffic } from '../analysis/traffic/traffic-reader';
import { TrustmeshError } from '../errors';

interface LearnOptions extends TrafficInputOptions {
  readonly policies?: string;
  readonly minCount: string;
  readonly output: 'ts' | 'json';
  readonly meshConfig?: string;
}

/** Adds `learn` to the program. */
export function register(program: Command, io: CliIo, run: RunCommand): void {
  program
    .command('learn')
    .description('Write a draft trustmesh declaration (TypeScript) from observed traffic: every served call path, with its methods and path patterns.')
    .requiredOption('--traffic <file...>', 'access logs (Istio TEXT or JSON, trustmesh format; kubectl logs --prefix) or a Prometheus query result')
    .option('--inventory <file>', 'kubectl get pods,services -A -o yaml output: maps addresses and pod names to workloads')
    .option('--policies <path>', 'the policies in force: call paths they deny are listed as unexpected')
    .option('--pod <pod>', 'the pod that wrote lines without a --prefix prefix: <namespace>/<pod>')
    .option('--min-count <n>', 'leave out call paths seen fewer times (they are listed)', '1')
    .option('--strict', 'fail (exit 2) when a line cannot be read, instead of reporting it')
    .addOption(new Option('--output <format>', 'ts: the draft; json: the learned edges and findings').choices(['ts', 'json']).default('ts'))
    .addOption(meshConfigOption())
    .addHelpText('after', ['', 'Exit codes: 0 draft written, 2 usage or input error.'].join('\n'))
    .action((options: LearnOptions) => run(() => runLearn(options, io)));
}

async function runLearn(options: LearnOptions, io: CliIo): Promise<ExitCodeValue> {
  if (!/^\d+$/.test(options.minCount) || Number(options.minCount) < 1) {
    throw new TrustmeshError('TM_OPTION_INVALID', 'option --min-count must be a positive whole number', { value: options.minCount, allowed: '1 or more', callerLocation: false });
  }
  const existing = options.policies ? loadConfigSources(options.policies) : undefined;
  if (existing) printLoadWarnings(io, existing.diagnostics);
  const mesh = meshConfigFrom(options.meshConfig);
  const inventory = loadInventory(options.inventory, existing ? [existing] : []);
  const learner = new Learner(inventory, existing ? layeredPolicies(io, existing, mesh) : undefined, mesh.trustDomain);
  const read = await readTraffic(options.traffic, readTrafficOptions(options), learner);
  strictCheck(options, read);
  const result = learner.result(Number(options.minCount));
  if (options.output === 'json') {
    io.stdout.write(`${JSON.stringify({ edges: edgeLines(result), unexpected: result.unexpected, rare: result.rare, skipped: result.skipped, requests: result.requests, read }, null, 2)}\n`);
  } else {
    io.stdout.write(renderLearnedDraft(result, { trustDomain: mesh.trustDomain, files: options.traffic }));
    for (const line of readSummary(read)) io.stderr.write(`${line.replace(/\*\*/g, '')}\n`);
  }
  return ExitCode.OK;
}
