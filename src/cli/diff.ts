/**
 * `trustmesh diff`: the semantic change in access between two outputs.
 *
 * ```
 * trustmesh diff OLD NEW [--output markdown|json] [--fail-on widened|any] [--mesh-config mesh.yaml]
 * ```
 *
 * OLD and NEW are files, directories, or `git:<ref>:<path>` (e.g. `git:origin/main:dist`).
 *
 * @module
 */
import { Command, Option } from 'commander';
import { allowEmptyOption, keepGoingOption, meshConfigFrom, meshConfigOption, printInputNotes, printLoadWarnings } from './common';
import { ExitCode, ExitCodeValue } from './exit-codes';
import { CliIo, RunCommand } from './run';
import { loadConfigSources } from '../analysis/config/git-source';
import { DIFF_FORMATS, DiffFormat, formatDiff } from '../analysis/diff/diff-format';
import { diffLayers } from '../analysis/diff/network-diff';
import { readNetworkPolicies } from '../analysis/network/network-policy';
import { TrustmeshError } from '../errors';

interface DiffOptions {
  readonly output: DiffFormat;
  readonly failOn?: 'widened' | 'any';
  readonly meshConfig?: string;
  readonly limit: string;
  readonly allowEmpty?: boolean;
  readonly keepGoing?: boolean;
}

/** Adds `diff` to the program. */
export function register(program: Command, io: CliIo, run: RunCommand): void {
  program
    .command('diff')
    .description('Compare what two versions of the policies allow: added, widened, narrowed and removed access.')
    .argument('<old>', 'the base: a file, a directory, or git:<ref>:<path>')
    .argument('<new>', 'the change: a file, a directory, or git:<ref>:<path>')
    .addOption(new Option('--output <format>', 'output format').choices(DIFF_FORMATS).default('markdown'))
    .addOption(new Option('--fail-on <change>', 'exit 1 when access was widened (or added), or on any change').choices(['widened', 'any']))
    .addOption(meshConfigOption())
    .addOption(allowEmptyOption())
    .addOption(keepGoingOption())
    .option('--limit <rows>', 'markdown: at most this many rows, 0 for all (a PR comment holds 65,536 characters)', '100')
    .addHelpText('after', [
      '',
      'Renaming, reordering, merging or splitting policies with the same meaning shows no change.',
      'Exit codes: 0 printed (and nothing matched --fail-on), 1 --fail-on matched, 2 usage or input error.',
    ].join('\n'))
    .action((oldPath: string, newPath: string, options: DiffOptions) => run(() => runDiff(oldPath, newPath, options, io)));
}

async function runDiff(oldPath: string, newPath: string, options: DiffOptions, io: CliIo): Promise<ExitCodeValue> {
  const allowEmpty = options.allowEmpty ?? false;
  // Documents unchanged between the versions are parsed once (diff10).
  const sharedDocuments = new Map<string, unknown>();
  const before = loadConfigSources(oldPath, { allowEmpty, sharedDocuments });
  const after = loadConfigSources(newPath, { allowEmpty, sharedDocuments });
  printLoadWarnings(io, [...before.diagnostics, ...after.diagnostics]);
  const meshConfig = meshConfigFrom(options.meshConfig);
  if (!/^\d+$/.test(options.limit)) {
    throw new TrustmeshError('TM_OPTION_INVALID', 'option --limit must be a whole number', { value: options.limit, allowed: '0 (all) or a positive number' });
  }
  const allowInvalidConfig = options.keepGoing ?? false;
  printInputNotes(io, before, meshConfig, allowInvalidConfig, readNetworkPolicies(before).diagnostics);
  printInputNotes(io, after, meshConfig, allowInvalidConfig, readNetworkPolicies(after).diagnostics);
  const diff = diffLayers(before, after, { meshConfig, allowInvalidConfig });
  io.stdout.write(formatDiff(diff, options.output, { limit: Number(options.limit) }));
  if (options.failOn === 'any' && diff.changes.length > 0) return ExitCode.FINDINGS;
  if (options.failOn === 'widened' && diff.widens) return ExitCode.FINDINGS;
  return ExitCode.OK;
}
