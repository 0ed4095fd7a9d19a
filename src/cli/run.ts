import { CommanderError } from 'commander';
import { ExitCode, ExitCodeValue } from './exit-codes';
import { userErrorOf } from '../private/foreign-error';

/** Output streams, injectable so commands can be tested in-process as well as as a child process. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
}

/** The process streams. */
export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };

/** Runs a command's action and records its exit code; see {@link commandRunner}. */
export type RunCommand = (action: () => Promise<ExitCodeValue | void>) => Promise<void>;

/** The {@link RunCommand} of a program: {@link runAction} on `io`, then `setExit` with the code. */
export function commandRunner(io: CliIo, setExit: (code: ExitCodeValue) => void): RunCommand {
  return (action) => runAction(io, action).then(setExit);
}

/**
 * Runs a command action and turns its outcome into an exit code. User errors (TrustmeshError,
 * commander usage errors, operating-system errors such as EACCES) print their message without a
 * stack; anything else is a bug and prints the stack.
 */
export async function runAction(io: CliIo, action: () => Promise<ExitCodeValue | void>): Promise<ExitCodeValue> {
  try {
    return (await action()) ?? ExitCode.OK;
  } catch (e) {
    return reportError(io, e);
  }
}

/** Prints an error the way the CLI does and returns the exit code it maps to. */
export function reportError(io: CliIo, e: unknown): ExitCodeValue {
  if (e instanceof CommanderError) {
    // commander already printed its message.
    return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  }
  const error = userErrorOf(e);
  if (error) {
    io.stderr.write(`error ${error.message}\n`);
    return ExitCode.USAGE;
  }
  const stack = e instanceof Error ? e.stack ?? e.message : String(e);
  io.stderr.write(`internal error (this is a bug in trustmesh, please report it):\n${stack}\n`);
  return ExitCode.INTERNAL;
}
