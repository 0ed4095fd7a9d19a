#!/usr/bin/env node
import { Command } from 'commander';
import * as analyze from './analyze';
import * as ca from './ca';
import * as check from './check';
import * as convert from './convert';
import * as diff from './diff';
import { ExitCode, ExitCodeValue } from './exit-codes';
import * as learn from './learn';
import * as matrix from './matrix';
import * as replay from './replay';
import { CliIo, commandRunner, processIo, reportError, RunCommand } from './run';
import { packageInfo } from '../private/package-info';

/** A command module: adds its sub-command(s) to the program. */
interface CommandModule {
  register(program: Command, io: CliIo, run: RunCommand): void;
}

const COMMANDS: readonly CommandModule[] = [ca, check, matrix, diff, analyze, convert, replay, learn];

/** Builds the `trustmesh` program on the given streams; `setExit` receives each command's exit code. */
function buildProgram(io: CliIo, setExit: (code: ExitCodeValue) => void): Command {
  const program = new Command('trustmesh')
    .description('Mesh policy as code: check, compare and bootstrap what trustmesh (or anyone) wrote for Istio.')
    .version(packageInfo().version)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  const run = commandRunner(io, setExit);
  for (const command of COMMANDS) command.register(program, io, run);
  return program;
}

/** Runs the CLI with the given arguments (without `node` and the script) and resolves to the exit code. */
export async function main(args: readonly string[], io: CliIo = processIo): Promise<ExitCodeValue> {
  let exit: ExitCodeValue = ExitCode.OK;
  const program = buildProgram(io, (code) => { exit = code; });
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (e) {
    return reportError(io, e);
  }
  return exit;
}


if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
