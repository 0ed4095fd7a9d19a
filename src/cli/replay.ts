/**
 * `trustmesh replay`: would this policy break production? Decides recorded traffic against the
 * policies and reports what changes.
 *
 * ```
 * trustmesh replay --policies dist --traffic access.log [--inventory cluster.yaml] [--output markdown|json] [--fail-on newly-denied]
 * trustmesh replay --policies git:origin/main:dist --policies dist --traffic access.log
 * ```
 *
 * @module
 */
import { Command, Option } from 'commander';
import { allowEmptyOption, meshConfigFrom, meshConfigOption, printLoadWarnings } from './common';
import { ExitCode, ExitCodeValue } from './exit-codes';
import { CliIo, RunCommand } from './run';
import { layeredPolicies, loadInventory, readTrafficOptions, strictCheck, TrafficInputOptions } from './traffic-input';
import { loadConfigSources } from '../analysis/config/git-source';
import { IstioConfig } from '../analysis/config/istio-config';
import { Replay } from '../analysis/traffic/replay';
import { formatReplay, REPLAY_FORMATS, ReplayFormat } from '../analysis/traffic/replay-format';
import { readTraffic } from '../analysis/traffic/traffic-reader';
import { TrustmeshError } from '../errors';

interface ReplayOptions extends TrafficInputOptions {
  readonly policies: string[];
  readonly output: ReplayFormat;
  readonly failOn?: 'newly-denied';
  readonly meshConfig?: string;
  readonly limit: string;
  readonly allowEmpty?: boolean;
}

/** Adds `replay` to the program. */
export function register(program: Command, io: CliIo, run: RunCommand): void {
  program
    .command('replay')
    .description('Replay recorded traffic (Envoy access logs, Istio metrics) against policies: what was served then and would be denied now.')
    .requiredOption('--policies <path>', 'policies: a file, a directory or git:<ref>:<path>; twice to compare two versions on the same traffic', collect, [])
    .requiredOption('--traffic <file...>', 'access logs (Istio TEXT or JSON, trustmesh format; kubectl logs --prefix) or a Prometheus query result')
    .option('--inventory <file>', 'kubectl get pods,services -A -o yaml output: maps addresses and pod names to workloads')
    .option('--pod <pod>', 'the pod that wrote lines without a --prefix prefix: <namespace>/<pod>')
    .option('--strict', 'fail (exit 2) when a line cannot be read, instead of reporting it')
    .addOption(new Option('--output <format>', 'output format').choices(REPLAY_FORMATS).default('markdown'))
    .addOption(new Option('--fail-on <change>', 'exit 1 when a request served then would be denied now').choices(['newly-denied']))
    .addOption(meshConfigOption())
    .addOption(allowEmptyOption())
    .option('--limit <rows>', 'markdown: at most this many call paths per table, 0 for all', '100')
    .addHelpText('after', [
      '',
      'Exit codes: 0 replayed (and nothing matched --fail-on), 1 --fail-on matched, 2 usage or input error.',
    ].join('\n'))
    .action((options: ReplayOptions) => run(() => runReplay(options, io)));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function runReplay(options: ReplayOptions, io: CliIo): Promise<ExitCodeValue> {
  if (options.policies.length > 2) {
    throw new TrustmeshError('TM_OPTION_INVALID', 'option --policies is given more than twice', {
      value: options.policies.join(', '),
      allowed: 'one version (compared with the log) or two (old, then new)',
      fix: 'Give one --policies per version; a version with several folders is a directory that holds them.',
      callerLocation: false,
    });
  }
  if (!/^\d+$/.test(options.limit)) {
    throw new TrustmeshError('TM_OPTION_INVALID', 'option --limit must be a whole number', { value: options.limit, allowed: '0 (all) or a positive number', callerLocation: false });
  }
  const allowEmpty = options.allowEmpty ?? false;
  const versions: IstioConfig[] = options.policies.map((p) => loadConfigSources(p, { allowEmpty }));
  printLoadWarnings(io, versions.flatMap((v) => v.diagnostics));
  const mesh = meshConfigFrom(options.meshConfig);
  const evaluators = versions.map((v) => layeredPolicies(io, v, mesh));
  const inventory = loadInventory(options.inventory, versions);
  const replay = new Replay(evaluators, inventory, mesh.trustDomain);
  const read = await readTraffic(options.traffic, readTrafficOptions(options), replay);
  strictCheck(options, read);
  const result = replay.result();
  io.stdout.write(formatReplay(result, read, options.output, Number(options.limit)));
  if (options.failOn === 'newly-denied' && result.totals['newly-denied'] > 0) return ExitCode.FINDINGS;
  return ExitCode.OK;
}
