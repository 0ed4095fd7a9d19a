import { formatSynthSummary } from './constructs/synth-summary';
import { TrustmeshApp } from './constructs/trustmesh-app';
import { userErrorOf } from './private/foreign-error';

/** Exit code of a synth program for bad input (as the CLI's `2`). */
const EXIT_USER_ERROR = 2;
/** Exit code for a bug in trustmesh (as the CLI's `70`, EX_SOFTWARE). */
const EXIT_INTERNAL = 70;
// Deep enough to reach the user's code from an error raised inside cdk8s or constructs.
const STACK_FRAMES = 64;

/**
 * Entry point for a synth program (`src/main.ts`, or a user's app): builds the app (the builder may
 * be async, to load CA material first), synthesizes, prints a one-screen summary of what was
 * written to stdout (warnings go to the app's `onWarning`, stderr by default), and reports what went
 * wrong without a stack trace: trustmesh's coded errors, and what the user's program caused — a construct id used twice,
 * an operating-system error, an API misuse, an exception of its own — as coded errors naming the
 * construct path or the line of the user's code (exit code 2). Anything else is a bug in
 * trustmesh: it prints "internal error" with the stack and exits 70.
 */
export function runSynth(build: () => TrustmeshApp | Promise<TrustmeshApp>): Promise<void> {
  Error.stackTraceLimit = Math.max(Error.stackTraceLimit, STACK_FRAMES);
  const report = (e: unknown): void => {
    const error = userErrorOf(e);
    if (error) {
      process.stderr.write(`error ${error.message}\n`);
      process.exitCode = EXIT_USER_ERROR;
      return;
    }
    const stack = e instanceof Error ? e.stack ?? e.message : String(e);
    process.stderr.write(`internal error (this is a bug in trustmesh, please report it):\n${stack}\n`);
    process.exitCode = EXIT_INTERNAL;
  };
  // Key material loads asynchronously before the constructs are built; synth itself is synchronous.
  return Promise.resolve().then(build).then((app) => {
    app.synth();
    if (app.lastOutput) process.stdout.write(formatSynthSummary(app.lastOutput, app));
  }).catch(report);
}
