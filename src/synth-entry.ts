import { TrustmeshApp } from './constructs/trustmesh-app';
import { TrustmeshError } from './errors';

/**
 * Entry point for a synth program (`src/main.ts`, or a user's app): builds the app, synthesizes,
 * and reports user errors as coded messages without a stack trace (exit code 2); anything else is
 * a bug and keeps its stack.
 */
export function runSynth(build: () => TrustmeshApp): void {
  try {
    build().synth();
  } catch (e) {
    if (TrustmeshError.isTrustmeshError(e)) {
      process.stderr.write(`error ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}
