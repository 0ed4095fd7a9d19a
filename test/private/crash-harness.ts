// Helpers of the crash tests: run a real Node.js process and kill it at the Nth durable step
// (the fault-point hook, which works everywhere, or strace syscall injection, where strace works),
// and compare directory trees byte for byte.
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FAULT_ENV } from '../../src/private/fault-point';

/** How a child process ended. */
export interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Killed by SIGKILL (directly, or re-raised by strace as exit 137). */
  readonly killed: boolean;
}

/** Runs `node <args>` in `cwd` with extra environment variables. */
export function runNode(args: readonly string[], cwd: string, env: Record<string, string> = {}): ChildRun {
  return finished(spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } }));
}

/** The environment that kills the process at its `at`th durable step (or only counts them, with `trace`). */
export function faultEnv(spec: { at?: number; kind?: string; match?: string; error?: string; trace?: string }): Record<string, string> {
  return { [FAULT_ENV]: JSON.stringify(spec) };
}

/** The durable steps a run goes through, as `<kind> <path>` lines, from a traced run. */
export function tracePoints(run: (env: Record<string, string>) => ChildRun | void): string[] {
  const trace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tm-trace-')), 'trace.txt');
  const r = run(faultEnv({ trace }));
  if (r && r.code !== 0) throw new Error(`traced run failed (${r.code}): ${r.stderr}`);
  return fs.existsSync(trace) ? fs.readFileSync(trace, 'utf8').trim().split('\n').map((l) => l.replace(/^\d+ /, '')) : [];
}

let strace: boolean | undefined;

/**
 * Whether strace can trace and inject here (it is missing, or ptrace is forbidden, in some
 * containers); says once on stderr when it cannot, since the tests that need it are then skipped.
 */
export function straceUsable(): boolean {
  if (strace === undefined) {
    const r = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=rename', '-e', 'inject=rename:error=EPERM', 'true'], { encoding: 'utf8' });
    strace = r.status === 0;
    if (!strace) {
      process.stderr.write(`strace cannot run here (${r.error?.message ?? r.stderr.trim()}): the strace crash tests are skipped; the fault-point crash tests still run. `
        + 'Install it with `apt-get install -y strace` (.ci/run does).\n');
    }
  }
  return strace;
}

/** Runs `node <args>` under strace with the given options (e.g. `-P <path> -e inject=openat:error=EACCES`). */
export function runNodeUnderStrace(options: readonly string[], args: readonly string[], cwd: string): ChildRun {
  return finished(spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', ...options, process.execPath, ...args], { cwd, encoding: 'utf8' }));
}

/** Runs `node <args>` under strace, killing it at the `when`th call of `syscall` (SIGKILL on entry: the call does not happen). */
export function runNodeKilledBySyscall(syscall: string, when: number, args: readonly string[], cwd: string): ChildRun {
  const injected = `inject=${syscall}:signal=KILL:when=${when}`;
  return finished(spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-e', `trace=${syscall}`, '-e', injected, process.execPath, ...args], { cwd, encoding: 'utf8' }));
}

/** Runs `node <args>` under strace, failing the `when`th call of `syscall` with `errno`. */
export function runNodeWithSyscallError(
  syscall: string, errno: string, when: number, args: readonly string[], cwd: string, env: Record<string, string> = {},
): ChildRun {
  const injected = `inject=${syscall}:error=${errno}:when=${when}`;
  return finished(spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-e', `trace=${syscall}`, '-e', injected, process.execPath, ...args],
    { cwd, encoding: 'utf8', env: { ...process.env, ...env } }));
}

/**
 * Every file reachable under `dir` (following `dir` itself when it is a link): relative path →
 * SHA-256 of the content and mode. `undefined` when `dir` does not exist.
 */
export function treeHashes(dir: string): Record<string, string> | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const full = path.join(dir, r);
      if (e.isDirectory()) {
        walk(r);
      } else {
        const mode = (fs.statSync(full).mode % 0o1000).toString(8);
        out[r] = `${createHash('sha256').update(fs.readFileSync(full)).digest('hex')} ${mode}`;
      }
    }
  };
  walk('');
  return out;
}

/** Entry names in a directory, sorted (links and hidden entries included). */
export function entries(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** Copies a directory tree exactly (links as links, modes kept). */
export function copyTree(from: string, to: string): void {
  const r = spawnSync('cp', ['-a', from, to], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cp -a ${from} ${to}: ${r.stderr}`);
}

/** A fresh temp directory. */
export function scratch(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function finished(r: ReturnType<typeof spawnSync>): ChildRun {
  const killed = r.signal === 'SIGKILL' || r.status === 137;
  return { code: r.status, signal: r.signal, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), killed };
}
