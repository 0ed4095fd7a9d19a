// Empty, duplicated, wrong and hostile inputs through the real CLI (issue 10, sections 4 and 5):
// each answered with a coded error and exit 2, never silently "fine", never a stack trace or a hang.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliRun, MAIN, ROOT, runCli } from './cli-runner';

const HTTPBIN = path.join(ROOT, 'test', 'fixtures', 'analysis', 'httpbin');

const request = (patch: Record<string, unknown> = {}, source: Record<string, unknown> = {}): string => JSON.stringify({
  protocol: 'HTTP',
  source: { principal: 'cluster.local/ns/dev/sa/sleep', ip: '10.0.0.9', ...source },
  jwt: null,
  destination: { namespace: 'foo', labels: { app: 'httpbin' }, port: 8080 },
  method: 'POST',
  path: '/post',
  ...patch,
});

/** Exit 2, one coded error on stderr, no stack trace, nothing on stdout. */
function expectInputError(r: CliRun, code: string): void {
  expect(r.stderr).toMatch(new RegExp(`^error ${code}: `));
  expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
  expect(r.stdout).toBe('');
  expect(r.code).toBe(2);
}

describe('trustmesh check / analyze / matrix / diff on empty, duplicated and wrong input', () => {
  let dir: string;
  const run = (args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}): CliRun => {
    if (!options.env) return runCli(args, { cwd: dir, input: options.input });
    const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: dir, input: options.input, encoding: 'utf8', env: { ...process.env, ...options.env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-inputs-'));
    fs.mkdirSync(path.join(dir, 'emptydir'));
    fs.cpSync(HTTPBIN, path.join(dir, 'dist'), { recursive: true });
    fs.cpSync(HTTPBIN, path.join(dir, 'dist2'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'req.json'), request());
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('`check --policies emptydir` is TM_NO_OBJECTS, not ALLOW for everything; --allow-empty says empty is expected', () => {
    const r = run(['check', '--policies', 'emptydir', '--request', 'req.json']);
    expectInputError(r, 'TM_NO_OBJECTS');
    expect(r.stderr).toContain('found no YAML or JSON manifest file in "emptydir" at emptydir');
    expect(r.stderr).toMatch(/fix: .*--allow-empty/);
    const allowed = run(['check', '--policies', 'emptydir', '--request', 'req.json', '--allow-empty']);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ outcome: 'ALLOW' });
  });

  it('`analyze emptydir` and `matrix emptydir` are TM_NO_OBJECTS, exit 2; with --allow-empty they run', () => {
    expectInputError(run(['analyze', 'emptydir']), 'TM_NO_OBJECTS');
    expectInputError(run(['matrix', 'emptydir']), 'TM_NO_OBJECTS');
    expect(run(['analyze', 'emptydir', '--allow-empty']).stdout).toBe('trustmesh analyze: no findings (0 objects in 0 files)\n');
    expect(run(['matrix', 'emptydir', '--allow-empty']).code).toBe(0);
    expectInputError(run(['diff', 'emptydir', 'dist']), 'TM_NO_OBJECTS');
    expect(run(['diff', 'emptydir', 'dist', '--allow-empty']).code).toBe(0);
  });

  it('`analyze dist dist2` / `matrix dist dist2` report each object defined twice with both file:line:col', () => {
    for (const command of ['analyze', 'matrix']) {
      const r = run([command, 'dist', 'dist2']);
      expectInputError(r, 'TM_DUPLICATE_OBJECT');
      expect(r.stderr).toMatch(/^error TM_DUPLICATE_OBJECT: 4 objects are defined more than once in the input:\n/);
      expect(r.stderr).toContain('TM_DUPLICATE_OBJECT: AuthorizationPolicy foo/httpbin-deny is defined 2 times, also at dist/policies.yaml:41:1 at dist2/policies.yaml:41:1');
    }
  });

  it('`diff git:HEAD dist` (no path: the whole repository) is TM_GIT_SOURCE_INVALID, with the form that works', () => {
    const r = runCli(['diff', 'git:HEAD', path.join(dir, 'dist')]);
    expectInputError(r, 'TM_GIT_SOURCE_INVALID');
    expect(r.stderr).toContain('git source "git:HEAD" names no path in the repository');
    expect(r.stderr).toContain('fix: Name the folder of the manifests, e.g. git:HEAD:dist (git:HEAD:. for the whole tree).');
  });

  it('a request whose principal is "checkout" is TM_REQUEST_INVALID with the principal form', () => {
    fs.writeFileSync(path.join(dir, 'r1.json'), request({}, { principal: 'checkout' }));
    const r = run(['check', '--policies', 'dist', '--request', 'r1.json']);
    expectInputError(r, 'TM_REQUEST_INVALID');
    expect(r.stderr).toContain('source.principal is not a workload principal at r1.json:1 (source.principal)');
    expect(r.stderr).toContain('allowed: "<trust-domain>/ns/<namespace>/sa/<service-account>"');
  });

  it('a request without a required field says it is missing', () => {
    fs.writeFileSync(path.join(dir, 'r2.json'), request({ destination: { labels: { app: 'httpbin' }, port: 8080 } }));
    const r = run(['check', '--policies', 'dist', '--request', 'r2.json']);
    expectInputError(r, 'TM_REQUEST_INVALID');
    expect(r.stderr).toContain('destination.namespace is missing at r2.json:1 (destination.namespace)');
  });

  it('a JSON Lines file reports every bad line, not only the first', () => {
    fs.writeFileSync(path.join(dir, 'r3.jsonl'), [request(), request({ protocol: 'HTP' }), '{bad json', request({}, { ip: '1' })].join('\n'));
    const r = run(['check', '--policies', 'dist', '--request', 'r3.jsonl']);
    expectInputError(r, 'TM_REQUEST_INVALID');
    expect(r.stderr).toMatch(/^error TM_REQUEST_INVALID: 3 of the 4 requests in r3\.jsonl are invalid:\n/);
    expect(r.stderr).toContain('at r3.jsonl:2 (protocol)');
    expect(r.stderr).toContain('TM_REQUEST_PARSE: invalid JSON');
    expect(r.stderr).toContain('at r3.jsonl:3:2');
    expect(r.stderr).toContain('at r3.jsonl:4 (source.ip)');
  });
});

describe('trustmesh on hostile input: no stack, no hang, bounded memory', () => {
  let dir: string;
  const run = (args: readonly string[], env: Record<string, string> = {}, input?: string): CliRun => {
    const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: dir, input, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-hostile-'));
    fs.cpSync(HTTPBIN, path.join(dir, 'dist'), { recursive: true });
    const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: bomb', '  namespace: foo', 'data:', '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    'bcdefghi'.split('').forEach((name, i) => lines.push(`  ${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`));
    fs.writeFileSync(path.join(dir, 'bomb.yaml'), `${lines.join('\n')}\n`);
    fs.writeFileSync(path.join(dir, 'deep.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    execFileSync('mkfifo', [path.join(dir, 'fifo.yaml')]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a "billion laughs" alias bomb is TM_YAML_TOO_MANY_ALIASES, exit 2, for analyze and matrix alike', () => {
    for (const command of ['analyze', 'matrix']) {
      const r = run([command, 'bomb.yaml']);
      expectInputError(r, 'TM_YAML_TOO_MANY_ALIASES');
      expect(r.stderr).toContain('at bomb.yaml:1:1');
    }
  });

  it('100,000 levels of nesting are TM_YAML_TOO_DEEP at their position, with a fix about nesting (not "fix the indentation")', () => {
    const r = run(['analyze', 'deep.yaml']);
    expectInputError(r, 'TM_YAML_TOO_DEEP');
    expect(r.stderr).toMatch(/at deep\.yaml:5:\d+\n/);
    expect(r.stderr).toContain('fix: Look for runaway brackets');
  });

  it('a FIFO is refused at once (TM_INPUT_NOT_A_FILE), not waited on', () => {
    expectInputError(run(['analyze', 'fifo.yaml']), 'TM_INPUT_NOT_A_FILE');
    expectInputError(run(['check', '--policies', 'dist', '--request', 'fifo.yaml']), 'TM_INPUT_NOT_A_FILE');
  });

  it('/dev/zero is refused at once (a character device), as policies and as requests', () => {
    const r = run(['check', '--policies', 'dist', '--request', '/dev/zero']);
    expectInputError(r, 'TM_INPUT_NOT_A_FILE');
    expect(r.stderr).toContain('cannot read the request file: it is a character device, not a regular file at /dev/zero');
    expectInputError(run(['analyze', '/dev/zero']), 'TM_INPUT_NOT_A_FILE');
  });

  it('a file or stdin over the size limit is TM_FILE_TOO_LARGE, and TRUSTMESH_MAX_FILE_SIZE raises the limit', () => {
    const small = { TRUSTMESH_MAX_FILE_SIZE: '1K' };
    const r = run(['analyze', 'dist'], small);
    expectInputError(r, 'TM_FILE_TOO_LARGE');
    expect(r.stderr).toContain('fix: Split the input into several files, or raise the limit with the environment variable TRUSTMESH_MAX_FILE_SIZE');
    expect(run(['analyze', 'dist'], { TRUSTMESH_MAX_FILE_SIZE: '1M' }).code).toBe(0);
    const stdin = run(['check', '--policies', 'dist', '--request', '-'], { TRUSTMESH_MAX_FILE_SIZE: '2K' }, ' '.repeat(4096));
    expectInputError(stdin, 'TM_FILE_TOO_LARGE');
    expect(stdin.stderr).toContain('at <stdin>');
  });
});
