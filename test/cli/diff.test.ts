// `trustmesh diff` run as a real child process from the compiled output (npm test compiles first;
// by hand: `npx tsc --build`), on directories and on git revisions.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliRun, MAIN, ROOT, runCli } from './cli-runner';


const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'diff');
const BASE = path.join(FIXTURES, 'base');
const RENAMED = path.join(FIXTURES, 'renamed');
const WIDENED = path.join(FIXTURES, 'widened');

const trustmesh = (args: readonly string[], cwd = ROOT): CliRun => runCli(args, { cwd });

describe('trustmesh diff', () => {
  let dir: string;
  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-diff-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shows no change for renamed, reordered and split policies, and --fail-on any exits 0', () => {
    const r = trustmesh(['diff', BASE, RENAMED, '--fail-on', 'any']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('### Access changes\n\nNo change in who may access what.\n');
  });

  it('lists widened access first in a markdown table, and --fail-on widened exits 1', () => {
    const r = trustmesh(['diff', BASE, WIDENED, '--fail-on', 'widened']);
    expect(r.code).toBe(1);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| |'));
    expect(rows).toEqual([
      '| ⚠️ | widened | bookinfo/bookinfo-productpage | bookinfo/details | now also POST on any port |',
      '|  | removed | bookinfo/bookinfo-reviews-v3 | bookinfo/ratings | no longer allowed (was: GET /ratings/\\* on any port) |',
    ]);
  });

  it('exits 0 without --fail-on, and 1 with --fail-on any when only narrowing happened', () => {
    expect(trustmesh(['diff', BASE, WIDENED]).code).toBe(0);
    const narrowed = trustmesh(['diff', WIDENED, BASE, '--fail-on', 'widened']);
    // Going back removes POST (narrowed) and gives reviews-v3 its access back (added, so widened).
    expect(narrowed.code).toBe(1);
    const onlyNarrowed = path.join(dir, 'narrowed.yaml');
    fs.writeFileSync(onlyNarrowed, fs.readFileSync(path.join(BASE, 'bookinfo.yaml'), 'utf8').replace('              - bookinfo/bookinfo-reviews-v3\n', ''));
    expect(trustmesh(['diff', BASE, onlyNarrowed, '--fail-on', 'widened']).code).toBe(0);
    expect(trustmesh(['diff', BASE, onlyNarrowed, '--fail-on', 'any']).code).toBe(1);
  });

  it('prints JSON with counts and each change\'s sentence', () => {
    const r = trustmesh(['diff', BASE, WIDENED, '--output', 'json']);
    const json = JSON.parse(r.stdout) as { widens: boolean; counts: Record<string, number>; changes: { text: string }[] };
    expect(json.widens).toBe(true);
    expect(json.counts).toEqual({ added: 0, widened: 1, changed: 0, narrowed: 0, removed: 1 });
    expect(json.changes.map((c) => c.text)).toEqual([
      'bookinfo/bookinfo-productpage → bookinfo/details: now also POST on any port',
      'bookinfo/bookinfo-reviews-v3 → bookinfo/ratings: no longer allowed (was: GET /ratings/* on any port)',
    ]);
  });

  it('reads git:<ref>:<path> from the repository (ls-tree, cat-file), so CI can diff the base branch against the pull request', () => {
    const repo = path.join(dir, 'repo');
    fs.mkdirSync(path.join(repo, 'out'), { recursive: true });
    const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, encoding: 'utf8' });
    git('init', '-q');
    fs.copyFileSync(path.join(BASE, 'bookinfo.yaml'), path.join(repo, 'out', 'bookinfo.yaml'));
    git('add', '.');
    git('commit', '-qm', 'base');
    fs.copyFileSync(path.join(WIDENED, 'bookinfo.yaml'), path.join(repo, 'out', 'bookinfo.yaml'));
    const r = trustmesh(['diff', 'git:HEAD:out', 'out', '--fail-on', 'widened'], repo);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('| ⚠️ | widened | bookinfo/bookinfo-productpage | bookinfo/details | now also POST on any port |');
    expect(trustmesh(['diff', 'git:HEAD:out', 'git:HEAD:out'], repo).stdout).toContain('No change');
    const unknown = trustmesh(['diff', 'git:no-such-ref:out', 'out'], repo);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/TM_GIT_FAILED.*no-such-ref/);
    const nothing = trustmesh(['diff', 'git:HEAD:elsewhere', 'out'], repo);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/TM_FILE_NOT_FOUND/);
  });

  it('refuses a malformed git source and a malformed --limit with their codes and exit 2, before reading anything', () => {
    for (const spec of ['git:', 'git::dist', 'git:--upload-pack=x:dist']) {
      const r = trustmesh(['diff', spec, BASE]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/TM_GIT_SOURCE_INVALID: not a valid git source/);
      expect(r.stderr).toContain('git:<ref>:<path>, e.g. git:origin/main:dist');
    }
    const limit = trustmesh(['diff', BASE, WIDENED, '--limit', 'ten']);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toMatch(/TM_OPTION_INVALID: option --limit must be a whole number/);
    expect(limit.stderr).toContain('"ten"');
    expect(limit.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 for a missing argument', () => {
    expect(trustmesh(['diff', BASE]).code).toBe(2);
  });
});
