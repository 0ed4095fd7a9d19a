/**
 * `trustmesh matrix`: who may talk to whom, and how, from Istio security YAML.
 *
 * ```
 * trustmesh matrix PATH... [--output markdown|json|csv|mermaid|connlist] [--mesh-config mesh.yaml]
 * ```
 *
 * PATH is a file, a directory, or `git:<ref>:<path>`.
 *
 * @module
 */
import { Command, Option } from 'commander';
import { allowEmptyOption, keepGoingOption, meshConfigFrom, meshConfigOption, printInputNotes, printLoadWarnings, writePieces } from './common';
import { ExitCode, ExitCodeValue } from './exit-codes';
import { CliIo, RunCommand } from './run';
import { loadConfigSources } from '../analysis/config/git-source';
import { modernConfig } from '../analysis/convert/convert-legacy';
import { connectionListChunks } from '../analysis/matrix/connection-list';
import { buildAccessMatrix } from '../analysis/matrix/matrix';
import { MATRIX_FORMATS, MatrixFormat, matrixPieces } from '../analysis/matrix/matrix-format';
import { withNetworkLayer } from '../analysis/matrix/network-cells';
import { NetworkLayer } from '../analysis/network/network-layer';
import { OutboundLayer } from '../analysis/network/sidecar-egress';

interface MatrixOptions {
  readonly output: MatrixFormat;
  readonly meshConfig?: string;
  readonly allowEmpty?: boolean;
  readonly keepGoing?: boolean;
}

/** Adds `matrix` to the program. */
export function register(program: Command, io: CliIo, run: RunCommand): void {
  program
    .command('matrix')
    .description('Print the access matrix: source identities × destination workloads, with what each may do.')
    .argument('<path...>', 'YAML/JSON files, directories, or git:<ref>:<path>')
    .addOption(new Option('--output <format>', 'output format').choices(MATRIX_FORMATS).default('markdown'))
    .addOption(meshConfigOption())
    .addOption(allowEmptyOption())
    .addOption(keepGoingOption())
    .addHelpText('after', [
      '',
      'Cells: allowed (every request on every port), partial (what is allowed is listed), denied.',
      'Rows: service accounts of workloads and policies, "<ns>/*" (any other identity in a namespace a policy names),',
      '      plaintext, and "*" (any other mesh identity). Columns: workloads, else Services, else policy selectors.',
      'connlist: one line per allowed source => destination : port/protocol and layer (istio, L4), written as each',
      '      destination is analyzed (memory bounded); destinations by id, then sources in row order, then ports.',
      'Output is written piece by piece (a row or a column at a time) at the pace of the reader.',
      'Exit codes: 0 printed, or the reader closed the pipe early (e.g. | head: the rest is not written, quietly);',
      '      2 usage or input error, or the output could not be written (TM_SYSTEM_ERROR).',
    ].join('\n'))
    .action((paths: string[], options: MatrixOptions) => run(() => runMatrix(paths, options, io)));
}

async function runMatrix(paths: readonly string[], options: MatrixOptions, io: CliIo): Promise<ExitCodeValue> {
  const config = loadConfigSources(paths, { allowEmpty: options.allowEmpty ?? false });
  const meshConfig = meshConfigFrom(options.meshConfig);
  // Legacy (pre-1.6) objects are analysed through their conversion; its refusals are warnings too.
  printLoadWarnings(io, modernConfig(config, meshConfig.rootNamespace).diagnostics);
  const allowInvalidConfig = options.keepGoing ?? false;
  const network = NetworkLayer.fromConfig(config, { allowInvalidConfig });
  printInputNotes(io, config, meshConfig, allowInvalidConfig, network.diagnostics);
  if (options.output === 'connlist') {
    // Streamed: each destination's lines are written as it is analyzed, at the reader's pace; the matrix is never held.
    await writePieces(io.stdout, connectionListChunks(config, { meshConfig, allowInvalidConfig }, network));
    return ExitCode.OK;
  }
  const matrix = withNetworkLayer(buildAccessMatrix(config, { meshConfig, allowInvalidConfig }), config, network,
    OutboundLayer.fromConfig(config, meshConfig));
  // Piece by piece: at S=8,000 the whole text would pass V8's string limit.
  await writePieces(io.stdout, matrixPieces(matrix, options.output));
  return ExitCode.OK;
}
