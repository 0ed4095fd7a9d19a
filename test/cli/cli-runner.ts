// Runs the compiled `trustmesh` CLI as a real child process, as users and CI do.
import { spawnSync } from 'child_process';
import * as path from 'path';

/** The repository root. */
export const ROOT = path.join(__dirname, '..', '..');
/** The compiled CLI (`npm test` compiles before vitest runs). */
export const MAIN = path.join(ROOT, 'lib', 'src', 'cli', 'main.js');

/** Exit code and output of one run. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `trustmesh <args>` in `cwd` (default: the repository root), with `input` on stdin. */
export function runCli(args: readonly string[], options: { readonly cwd?: string; readonly input?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [MAIN, ...args], { input: options.input, encoding: 'utf8', cwd: options.cwd ?? ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
