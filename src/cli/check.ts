/**
 * `trustmesh check`: decides access requests against Istio security YAML, offline.
 *
 * ```
 * trustmesh check --policies dist/ --request requests.jsonl [--mesh-config mesh.yaml] [--output json|text]
 * ```
 *
 * @module
 */
import { Command, Option } from 'commander';
import { allowEmptyOption, keepGoingOption, meshConfigFrom, meshConfigOption, printInputNotes, printLoadWarnings } from './common';
import { ExitCode, ExitCodeValue } from './exit-codes';
import { CliIo, RunCommand } from './run';
import { matrixDestinations } from '../analysis/access/destinations';
import { loadConfig } from '../analysis/config/load-config';
import { createEvaluator, prepareWorkloads } from '../analysis/evaluator/evaluate';
import { parseAccessRequestDocument } from '../analysis/evaluator/request-document';
import { layeredEvaluator } from '../analysis/network/layered-evaluator';
import { NetworkLayer } from '../analysis/network/network-layer';
import { OutboundLayer } from '../analysis/network/sidecar-egress';
import { readTextFile, readTextStream } from '../private/fs-read';
import { AccessDecision, AccessRequest } from '../semantics/access-request';

interface CheckOptions {
  readonly policies: string[];
  readonly request: string;
  readonly meshConfig?: string;
  readonly output: 'json' | 'text';
  readonly allowEmpty?: boolean;
  readonly keepGoing?: boolean;
}

/** Adds `check` to the program. */
export function register(program: Command, io: CliIo, run: RunCommand): void {
  program
    .command('check')
    .description('Decide access requests against Istio security policy (ours or hand-written), the way the destination sidecar would.')
    .requiredOption('--policies <path...>', 'YAML/JSON files or directories of Istio and Kubernetes manifests')
    .requiredOption('--request <file>', 'request document: one JSON object, or JSON Lines (one request per line); "-" reads stdin')
    .addOption(meshConfigOption())
    .addOption(new Option('--output <format>', 'output format').choices(['json', 'text']).default('json'))
    .addOption(allowEmptyOption())
    .addOption(keepGoingOption())
    .addHelpText('after', [
      '',
      'Exit codes: 0 every request was evaluated (whatever the outcomes), 2 usage or input error.',
      'Outcomes: ALLOW, DENY_403 (HTTP authorization denial or JWT audience), DENY_401 (JWT rejected),',
      '          DENY_CONN (plaintext to STRICT mTLS, or a TCP authorization denial).',
    ].join('\n'))
    .action((options: CheckOptions) => run(() => runCheck(options, io)));
}

async function runCheck(options: CheckOptions, io: CliIo): Promise<ExitCodeValue> {
  const config = loadConfig(options.policies, { allowEmpty: options.allowEmpty ?? false });
  printLoadWarnings(io, config.diagnostics);
  const mesh = meshConfigFrom(options.meshConfig);
  const allowInvalidConfig = options.keepGoing ?? false;
  const network = NetworkLayer.fromConfig(config, { allowInvalidConfig });
  printInputNotes(io, config, mesh, allowInvalidConfig, network.diagnostics);
  // perf5: the rules are compiled at load; every request is then decided by the compiled rules.
  const istio = createEvaluator(config, mesh, { allowInvalidConfig, compileNow: true });
  // issue 17: the workloads the config declares (the access matrix's destinations: its workloads,
  // else its Services, else its policies' selectors) are resolved and planned at load too, so that
  // a request to one of them finds its plan ready; any other workload is resolved on first use.
  prepareWorkloads(istio.context, matrixDestinations(istio.context));
  const evaluator = layeredEvaluator(istio, network, OutboundLayer.fromConfig(config, mesh));
  const file = options.request === '-' ? '<stdin>' : options.request;
  const text = options.request === '-'
    ? await readTextStream(io.stdin, file)
    : readTextFile(options.request, 'cannot read the request file', 'Pass a JSON or JSON Lines file, or "-" to read the requests from stdin.');
  const { format, requests } = parseAccessRequestDocument(text, file);
  const decisions = requests.map((r) => evaluator.evaluate(r));
  if (options.output === 'text') {
    decisions.forEach((d, i) => io.stdout.write(`${textLine(i + 1, requests[i], d)}\n`));
  } else if (format === 'jsonl') {
    for (const d of decisions) io.stdout.write(`${JSON.stringify(d)}\n`);
  } else {
    io.stdout.write(`${JSON.stringify(decisions.length === 1 && !text.trim().startsWith('[') ? decisions[0] : decisions, null, 2)}\n`);
  }
  return ExitCode.OK;
}

function textLine(n: number, r: AccessRequest, d: AccessDecision): string {
  const from = r.source.principal ?? `plaintext ${r.source.ip}`;
  const labels = Object.entries(r.destination.labels).map(([k, v]) => `${k}=${v}`).join(',');
  const to = `${r.destination.namespace}{${labels}}:${r.destination.port}`;
  const what = r.protocol === 'HTTP' ? `${r.method ?? 'GET'} ${r.path ?? '/'}` : 'TCP';
  return `${n}: ${d.outcome} ${what} from ${from} to ${to}: ${d.explanation}`;
}
