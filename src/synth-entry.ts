import { formatSynthSummary } from './constructs/synth-summary';
import { TrustmeshApp } from './constructs/trustmesh-app';
import { TrustmeshError } from './errors';

/**
 * Entry point for a synth program (`src/main.ts`, or a user's app): builds the app (the builder may
 * be async, to load CA material first), synthesizes, prints a one-screen summary of what was
 * written to stdout (warnings go to the app's `onWarning`, stderr by default), and reports user
 * errors as coded messages without a stack trace (exit code 2); anything else is a bug and keeps
 * its stack.
 */
export function runSynth(build: () => TrustmeshApp | Promise<TrustmeshApp>): Promise<void> {
  const report = (e: unknown): void => {
    if (TrustmeshError.isTrustmeshError(e)) {
      process.stderr.write(`error ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  };
  // Key material loads asynchronously before the constructs are built; synth itself is synchronous.
  return Promise.resolve().then(build).then((app) => {
    app.synth();
    if (app.lastOutput) process.stdout.write(formatSynthSummary(app.lastOutput, app));
  }).catch(report);
}
