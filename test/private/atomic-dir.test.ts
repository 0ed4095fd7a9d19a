// Replacing two output directories all or nothing: every step of the protocol is hit with a
// system error (in process) and with SIGKILL (a real child process), and the pair must always be
// the old outputs or the new ones, never one of each once the next run has recovered.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyTree, entries, faultEnv, runNode, scratch, tracePoints, treeHashes } from './crash-harness';
import { DirectoryWriteError, recoverDirectories, replaceDirectories } from '../../src/private/atomic-dir';
import { StagedFile } from '../../src/private/durable-fs';
import { FAULT_ENV, resetFaultPoints } from '../../src/private/fault-point';

const LIB = path.join(__dirname, '..', '..', 'lib', 'src', 'private', 'atomic-dir.js');

function outputs(version: string): { dist: StagedFile[]; secrets: StagedFile[] } {
  return {
    dist: [{ path: 'shop/orders.k8s.yaml', content: `kind: AuthorizationPolicy # ${version}\n` }, { path: 'shop/summary.md', content: `# ${version}\n` }],
    secrets: [{ path: '.gitignore', content: '*\n', mode: 0o600 }, { path: 'shop/cacerts.k8s.yaml', content: `kind: Secret # ${version}\n`, mode: 0o600 }],
  };
}

function write(root: string, version: string): string[] {
  const o = outputs(version);
  return replaceDirectories([
    { dir: path.join(root, 'dist'), files: o.dist },
    { dir: path.join(root, 'secrets'), files: o.secrets, options: { dirMode: 0o700, fileMode: 0o600 } },
  ]);
}

type Pair = [Record<string, string> | undefined, Record<string, string> | undefined];
const pair = (root: string): Pair => [treeHashes(path.join(root, 'dist')), treeHashes(path.join(root, 'secrets'))];

/** A folder holding the outputs of version v1. */
function withV1(): string {
  const root = scratch('tm-atomic-');
  write(root, 'v1');
  return root;
}

let v1: Pair;
let v2: Pair;

beforeAll(() => {
  v1 = pair(withV1());
  const r = withV1();
  write(r, 'v2');
  v2 = pair(r);
  expect(v2).not.toEqual(v1);
});

afterEach(() => {
  delete process.env[FAULT_ENV];
  resetFaultPoints();
});

describe('replaceDirectories', () => {
  it('writes both directories with exactly the files, modes as asked, and leaves nothing beside them', () => {
    const root = withV1();
    write(root, 'v2');
    expect(pair(root)).toEqual(v2);
    expect(v2[1]!['shop/cacerts.k8s.yaml']).toMatch(/ 600$/);
    expect((fs.statSync(path.join(root, 'secrets')).mode % 0o1000).toString(8)).toBe('700');
    expect(entries(root)).toEqual(['dist', 'secrets']);
  });

  it('a system error at any step leaves both old outputs (or, after the commit, both new ones), and nothing the next run cannot clear', () => {
    const steps = tracePoints((env) => {
      const root = withV1();
      process.env[FAULT_ENV] = env[FAULT_ENV];
      write(root, 'v2');
      delete process.env[FAULT_ENV];
    });
    expect(steps.filter((s) => s.startsWith('rename'))).toHaveLength(5);
    const seen = new Set<string>();
    for (let n = 1; n <= steps.length; n++) {
      const root = withV1();
      resetFaultPoints();
      process.env[FAULT_ENV] = JSON.stringify({ at: n, error: 'EIO' });
      let error: unknown;
      try {
        write(root, 'v2');
      } catch (e) {
        error = e;
      }
      delete process.env[FAULT_ENV];
      const label = `EIO at step ${n} (${steps[n - 1]})`;
      const after = pair(root);
      if (error) {
        expect(error, label).toBeInstanceOf(DirectoryWriteError);
        expect((error as DirectoryWriteError).code, label).toBe('EIO');
        expect(after, `${label}: an error before the end restores the old outputs`).toEqual(v1);
        expect(entries(root), label).toEqual(['dist', 'secrets']);
        seen.add('old');
      } else {
        expect(after, label).toEqual(v2);
        seen.add('new');
      }
      recoverDirectories([path.join(root, 'dist'), path.join(root, 'secrets')]);
      expect(entries(root), label).toEqual(['dist', 'secrets']);
    }
    expect([...seen].sort()).toEqual(['new', 'old']);
  });

  it('killed at any step, the next run finds both old outputs or both new ones, never one of each', () => {
    const script = path.join(scratch('tm-atomic-script-'), 'write.js');
    fs.writeFileSync(script, [
      `const { replaceDirectories } = require(${JSON.stringify(LIB)});`,
      `const o = ${JSON.stringify(outputs('v2'))};`,
      'replaceDirectories([{ dir: "dist", files: o.dist }, { dir: "secrets", files: o.secrets, options: { dirMode: 0o700, fileMode: 0o600 } }]);',
    ].join('\n'));
    const steps = tracePoints((env) => runNode([script], withV1(), env));
    const seen = new Set<string>();
    let mixed = 0;
    for (let n = 1; n <= steps.length; n++) {
      const root = withV1();
      const label = `kill at step ${n} (${steps[n - 1]})`;
      expect(runNode([script], root, faultEnv({ at: n })).killed, label).toBe(true);
      const raw = pair(root);
      if (JSON.stringify(raw) !== JSON.stringify(v1) && JSON.stringify(raw) !== JSON.stringify(v2)) mixed++;
      const notes = recoverDirectories([path.join(root, 'dist'), path.join(root, 'secrets')]);
      const after = pair(root);
      expect([v1, v2], label).toContainEqual(after);
      expect(entries(root), label).toEqual(['dist', 'secrets']);
      if (JSON.stringify(after) === JSON.stringify(v2) && JSON.stringify(raw) !== JSON.stringify(v2)) {
        expect(notes.join('\n'), label).toMatch(/completed the interrupted write of .*dist and .*secrets/);
      }
      seen.add(JSON.stringify(after) === JSON.stringify(v1) ? 'old' : 'new');
    }
    expect([...seen].sort()).toEqual(['new', 'old']);
    // Between the moves the pair is mixed for an instant; the journal makes the next run finish it.
    expect(mixed).toBeGreaterThan(0);
  }, 600_000);
});

describe('recoverDirectories', () => {
  it('restores the previous directory that trustmesh 0.x left when it was killed between its two renames', () => {
    const root = withV1();
    fs.renameSync(path.join(root, 'dist'), path.join(root, '.dist.staging-Ab12Cd.previous'));
    copyTree(path.join(root, '.dist.staging-Ab12Cd.previous'), path.join(root, '.dist.staging-Ab12Cd'));
    const notes = recoverDirectories([path.join(root, 'dist'), path.join(root, 'secrets')]);
    expect(notes).toEqual([expect.stringMatching(/^removed .*\.dist\.staging-Ab12Cd, left by an interrupted write$/), expect.stringMatching(/^restored .*dist from .*\.dist\.staging-Ab12Cd\.previous/)]);
    expect(pair(root)).toEqual(v1);
  });

  it('leaves alone what another process that still runs is writing', () => {
    const root = withV1();
    const writer = spawn('sleep', ['30']);
    try {
      const theirs = path.join(root, `.dist.next-${writer.pid}-0badcafe`);
      fs.mkdirSync(theirs);
      expect(recoverDirectories([path.join(root, 'dist')])).toEqual([]);
      expect(fs.existsSync(theirs)).toBe(true);
    } finally {
      writer.kill('SIGKILL');
    }
  });
});
