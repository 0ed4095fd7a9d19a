// Crash safety of the CA key store, proven on the real CLI: the process is killed (SIGKILL, as by a
// crash or the OOM killer) at every durable step of an update, one run per step, and the next run
// must find the old store or the new one, byte for byte, with the same root. Steps are hit through
// the fault-point hook (works on every machine) and, where strace works, by syscall injection.
import * as fs from 'fs';
import * as path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAIN } from './cli-runner';
import { KeyStore } from '../../src/pki/key-store';
import {
  ChildRun, copyTree, entries, faultEnv, runNode, runNodeKilledBySyscall, scratch, straceUsable, tracePoints, treeHashes,
} from '../private/crash-harness';

const STORE = '.trustmesh/ca';
/** One sweep runs the CLI some 40 times: minutes on a loaded 2-core machine, seconds on an idle one. */
const SWEEP_TIMEOUT = 900_000;
const ABORT = ['ca', 'rotate', 'abort'];

type Tree = Record<string, string>;

interface Template {
  /** A project folder holding the store before the update. */
  readonly dir: string;
  readonly before: Tree;
  readonly rootKey: string;
}

/** Every file of the store as readers see it through `.trustmesh/ca`. */
const view = (cwd: string): Tree | undefined => treeHashes(path.join(cwd, STORE));
const rootKey = (cwd: string): string => fs.readFileSync(path.join(cwd, STORE, 'root-key.pem'), 'utf8');
const cli = (args: readonly string[], cwd: string, env: Record<string, string> = {}): ChildRun => runNode([MAIN, ...args], cwd, env);

/**
 * After recovery the folder holds the link and the one generation it points at (or, for a store of
 * an earlier version that was not rewritten, its plain directory), nothing else.
 */
function expectCleanFolder(cwd: string, label: string): void {
  const names = entries(path.join(cwd, '.trustmesh'));
  if (names.length === 1) {
    expect(names, label).toEqual(['ca']);
    expect(fs.lstatSync(path.join(cwd, STORE)).isDirectory(), label).toBe(true);
    return;
  }
  expect(names, label).toHaveLength(2);
  expect(names[1], label).toBe('ca');
  expect(fs.readlinkSync(path.join(cwd, STORE)), label).toBe(names[0]);
}

/**
 * Kills `ca rotate abort` (deterministic: it generates no key) at step `kill(n)` for n = 1, 2, …
 * until a run completes, and checks each crash; returns which store each next run found.
 */
async function sweep(
  template: Template, after: Tree, kill: (n: number, cwd: string) => ChildRun, next: (cwd: string, label: string) => Promise<void>,
  labels: readonly string[] = [], first = 1,
): Promise<Set<string>> {
  const found = new Set<string>();
  {
    for (let n = first; ; n++) {
      const cwd = scratch('tm-ca-crash-');
      copyTree(template.dir, path.join(cwd, 'p'));
      const project = path.join(cwd, 'p');
      const run = kill(n, project);
      const label = `kill at step ${n}${labels[n - 1] ? ` (${labels[n - 1]})` : ''}`;
      if (!run.killed) {
        expect(run.code, `${label}: ${run.stderr}`).toBe(0);
        expect(view(project), label).toEqual(after);
        return found;
      }
      // What a reader (istiod's tooling, `cat ca/east/ca-cert.pem`) sees right after the crash.
      const raw = view(project);
      if (raw) expect([template.before, after], label).toContainEqual(raw);
      await next(project, label);
      const seen = view(project);
      expect([template.before, after], label).toContainEqual(seen);
      if (raw) expect(seen, `${label}: the next run must keep what was committed`).toEqual(raw);
      expect(rootKey(project), `${label}: the root never changes`).toBe(template.rootKey);
      expectCleanFolder(project, label);
      found.add(JSON.stringify(seen) === JSON.stringify(template.before) ? 'old' : 'new');
    }
  }
}

/** The next run, as a user would do it: `trustmesh ca init --cluster east`. */
async function nextCli(cwd: string, label: string): Promise<void> {
  const r = cli(['ca', 'init', '--cluster', 'east'], cwd);
  expect(r.code, `${label}: ${r.stderr}`).toBe(0);
  expect(r.stdout, label).not.toMatch(/created {2}root CA/);
  expect(r.stderr, label).toMatch(/^recovered from an interrupted command: removed \S+\.ca\.(gen-\d{4}|next-\d+-\w+) /m);
}

/** The same next run through the library (no Node start-up: the sweeps stay fast). */
async function nextLibrary(cwd: string, label: string): Promise<void> {
  const report = await KeyStore.at(path.join(cwd, STORE)).init({ clusters: ['east'] });
  expect(report.changes.map((c) => `${c.action} ${c.subject}`), label).toContain('kept root CA');
}

describe('the key store survives a kill at any step of an update', () => {
  let generations: Template;
  let legacy: Template;
  let aborted: Tree;

  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
    const dir = scratch('tm-ca-template-');
    for (const args of [['ca', 'init', '--cluster', 'east'], ['ca', 'rotate', 'begin']]) {
      const r = cli(args, dir);
      if (r.code !== 0) throw new Error(r.stderr);
    }
    generations = { dir, before: view(dir)!, rootKey: rootKey(dir) };
    // The layout of earlier trustmesh versions: a plain directory, no generations.
    const old = scratch('tm-ca-legacy-');
    fs.mkdirSync(path.join(old, '.trustmesh'));
    copyTree(fs.realpathSync(path.join(dir, STORE)), path.join(old, STORE));
    legacy = { dir: old, before: view(old)!, rootKey: rootKey(old) };
    expect(legacy.before).toEqual(generations.before);
    const done = scratch('tm-ca-aborted-');
    copyTree(dir, path.join(done, 'p'));
    expect(cli(ABORT, path.join(done, 'p')).code).toBe(0);
    aborted = view(path.join(done, 'p'))!;
    expect(aborted).not.toEqual(generations.before);
  });

  it('at every durable step (fault-point hook): the next run finds the old store or the new one, byte for byte', async () => {
    const steps = tracePoints((env) => {
      const cwd = scratch('tm-ca-trace-');
      copyTree(generations.dir, path.join(cwd, 'p'));
      return cli(ABORT, path.join(cwd, 'p'), env);
    });
    expect(steps.map((s) => s.split(' ')[0])).toEqual(expect.arrayContaining(['write', 'fsync', 'rename', 'symlink', 'mkdir', 'remove', 'link']));
    const found = await sweep(generations, aborted, (n, cwd) => cli(ABORT, cwd, faultEnv({ at: n })), nextLibrary, steps);
    expect([...found].sort()).toEqual(['new', 'old']);
  }, SWEEP_TIMEOUT);

  it('killed just before and just after the commit, the next real `trustmesh ca` run reports what it recovered', async () => {
    const steps = tracePoints((env) => {
      const cwd = scratch('tm-ca-trace-');
      copyTree(generations.dir, path.join(cwd, 'p'));
      return cli(ABORT, path.join(cwd, 'p'), env);
    });
    const commit = steps.findIndex((s) => /^rename .*\.ca\.link-\S+ -> .*\/ca$/.test(s)) + 1;
    for (const [n, expected] of [[commit, generations.before], [commit + 1, aborted]] as const) {
      const cwd = scratch('tm-ca-commit-');
      copyTree(generations.dir, path.join(cwd, 'p'));
      const p = path.join(cwd, 'p');
      expect(cli(ABORT, p, faultEnv({ at: n })).killed).toBe(true);
      const inspect = cli(['ca', 'inspect'], p);
      expect(inspect.code, inspect.stderr).toBe(0);
      expect(inspect.stdout).toMatch(/^warnings:\n(.*\n)*  \S+\.ca\.(gen-\d{4}|next-\d+-\w+) \(.*\): left by an interrupted command/m);
      await nextCli(p, `kill at step ${n}`);
      const again = cli(['ca', 'init', '--cluster', 'east'], p);
      expect(again.stderr).toBe('');
      expect(view(p)).toEqual(expected);
      expectCleanFolder(p, `kill at step ${n}`);
    }
  }, SWEEP_TIMEOUT);

  // The steps before the first rename write the new generation exactly as in the test above.
  it('at every step from the first rename on, while migrating a store of an earlier version (a plain directory)', async () => {
    const steps = tracePoints((env) => {
      const cwd = scratch('tm-ca-trace-');
      copyTree(legacy.dir, path.join(cwd, 'p'));
      return cli(ABORT, path.join(cwd, 'p'), env);
    });
    expect(steps.filter((s) => s.startsWith('rename'))).toEqual([
      expect.stringMatching(/\.ca\.next-\d+-\w+ -> .*\.ca\.gen-0001$/),
      expect.stringMatching(/\/ca -> .*\.ca\.gen-0000$/),
      expect.stringMatching(/\.ca\.link-\d+-\w+ -> .*\/ca$/),
    ]);
    const first = steps.findIndex((s) => s.startsWith('rename')) + 1;
    const found = await sweep(legacy, aborted, (n, cwd) => cli(ABORT, cwd, faultEnv({ at: n })), nextLibrary, steps, first);
    expect([...found].sort()).toEqual(['new', 'old']);
  }, SWEEP_TIMEOUT);

  it('a first `ca init` killed at any step: the next one keeps the root that reached the disk, or refuses; it never makes another', async () => {
    const init = ['ca', 'init', '--cluster', 'east'];
    const steps = tracePoints((env) => cli(init, scratch('tm-ca-trace-'), env));
    const outcomes = new Set<string>();
    for (let n = 1; n <= steps.length; n++) {
      const cwd = scratch('tm-ca-first-');
      const label = `kill at step ${n} (${steps[n - 1]})`;
      expect(cli(init, cwd, faultEnv({ at: n })).killed, label).toBe(true);
      const keysOnDisk = rootKeysUnder(path.join(cwd, '.trustmesh'));
      const material = filesUnder(path.join(cwd, '.trustmesh')).filter((f) => !/(^|\/)\.gitignore$|\.ca\.lock/.test(f));
      const before = filesUnder(path.join(cwd, '.trustmesh')).filter((f) => !f.startsWith('.ca.lock'));
      try {
        await KeyStore.at(path.join(cwd, STORE)).init({ clusters: ['east'] });
      } catch (e) {
        expect((e as { code?: string }).code, label).toBe('TM_CA_STORE_INTERRUPTED');
        expect(material.length, `${label}: refused although no key material was left`).toBeGreaterThan(0);
        // Only the stale lock of the killed process is cleared.
        expect(filesUnder(path.join(cwd, '.trustmesh')).filter((f) => !f.startsWith('.ca.lock')), `${label}: a refusal changes nothing`).toEqual(before);
        outcomes.add('refused');
        continue;
      }
      if (keysOnDisk.length > 0) {
        expect(keysOnDisk, `${label}: the root must be the one on disk`).toContain(rootKey(cwd));
        outcomes.add('kept');
      } else {
        outcomes.add('created');
      }
      expectCleanFolder(cwd, label);
    }
    expect([...outcomes].sort()).toEqual(['created', 'kept', 'refused']);
  }, SWEEP_TIMEOUT);
});

describe.skipIf(!straceUsable())('the key store survives a kill at every rename, link, fsync and mkdir (strace syscall injection)', () => {
  let template: Template;
  let aborted: Tree;

  beforeAll(() => {
    const dir = scratch('tm-ca-strace-');
    for (const args of [['ca', 'init', '--cluster', 'east'], ['ca', 'rotate', 'begin']]) expect(cli(args, dir).code).toBe(0);
    template = { dir, before: view(dir)!, rootKey: rootKey(dir) };
    const done = scratch('tm-ca-strace-done-');
    copyTree(dir, path.join(done, 'p'));
    expect(cli(ABORT, path.join(done, 'p')).code).toBe(0);
    aborted = view(path.join(done, 'p'))!;
  });

  // On entry, so a killed call never happens: killed at the commit rename, the old store stands.
  it.each(['rename', 'symlink', 'link', 'mkdir', 'fsync'])('%s: killed at each call, the next run sees the old or the new store', async (syscall) => {
    const found = await sweep(template, aborted, (n, cwd) => runNodeKilledBySyscall(syscall, n, [MAIN, ...ABORT], cwd), nextLibrary);
    expect([...found]).toContain('old');
    if (syscall === 'fsync') expect([...found]).toContain('new');
  }, SWEEP_TIMEOUT);

  it('the reproduction of issue 10: `ca init` killed at its second rename, then `ca init` again, keeps the root', () => {
    const cwd = scratch('tm-ca-issue10-');
    copyTree(template.dir, path.join(cwd, 'p'));
    const p = path.join(cwd, 'p');
    const args = [MAIN, 'ca', 'init', '--cluster', 'east', '--cluster', 'west'];
    expect(runNodeKilledBySyscall('rename,renameat,renameat2', 2, args, p).killed).toBe(true);
    const again = cli(['ca', 'init', '--cluster', 'east', '--cluster', 'west'], p);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/created {2}root CA/);
    expect(rootKey(p)).toBe(template.rootKey);
  });
});

/** Contents of every root-key.pem under dir (links not followed, so each file counts once). */
function rootKeysUnder(dir: string): string[] {
  return filesUnder(dir).filter((f) => f.endsWith('root-key.pem')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

/** Relative paths of the regular files under dir, links not followed, sorted. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out.push(r);
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out.sort();
}
