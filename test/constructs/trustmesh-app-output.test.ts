// A synth writes dist/ and the secrets directory both or neither: unwritable directories, a full
// disk and a rename that fails change nothing and are TM_OUTPUT_UNWRITABLE (exit 2 through
// runSynth); a synth killed between the two commits is completed by the next one.
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Diagnostic, Mesh, OutputFile, Port, SecretChart, TrustmeshApp } from '../../src';
import { FAULT_ENV, resetFaultPoints } from '../../src/private/fault-point';
import { catchTrustmesh } from '../helpers';
import {
  entries, faultEnv, runNode, runNodeWithSyscallError, scratch, straceUsable, tracePoints, treeHashes,
} from '../private/crash-harness';

const ROOT = path.join(__dirname, '..', '..');

/** The app of these tests: one mesh, and a Secret whose content is the version. */
function build(app: TrustmeshApp, version: string): TrustmeshApp {
  new Mesh(app, 'shop').addNamespace('orders').addService('api', { ports: [Port.http(8080)] });
  new OutputFile(app, 'version', { path: 'shop/version.txt', content: () => `${version}\n` });
  new ApiObject(new SecretChart(app, 'keys'), 's', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'orders' }, stringData: { version } });
  return app;
}

function synth(root: string, version: string, dirs: { outdir?: string; secretsOutdir?: string } = {}): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  const app = new TrustmeshApp({
    outdir: dirs.outdir ?? path.join(root, 'dist'), secretsOutdir: dirs.secretsOutdir ?? path.join(root, 'secrets'), onWarning: (d) => warnings.push(d),
  });
  build(app, version).synth();
  return warnings;
}

type Pair = [Record<string, string> | undefined, Record<string, string> | undefined];
const pair = (root: string): Pair => [treeHashes(path.join(root, 'dist')), treeHashes(path.join(root, 'secrets'))];

let v1: Pair;
let v2: Pair;

function withV1(): string {
  const root = scratch('tm-synth-out-');
  synth(root, 'v1');
  return root;
}

beforeAll(() => {
  v1 = pair(withV1());
  const r = withV1();
  synth(r, 'v2');
  v2 = pair(r);
  expect(v2[0]!['shop/version.txt']).not.toBe(v1[0]!['shop/version.txt']);
  expect(v2[1]!['keys.k8s.yaml']).not.toBe(v1[1]!['keys.k8s.yaml']);
});

afterEach(() => {
  delete process.env[FAULT_ENV];
  resetFaultPoints();
});

describe('TrustmeshApp writes both outputs or neither', () => {
  it('a secrets directory that cannot be created (its parent is a file) is TM_OUTPUT_UNWRITABLE; dist/ stays as it was', () => {
    const root = withV1();
    fs.writeFileSync(path.join(root, 'blocker'), '');
    const secretsOutdir = path.join(root, 'blocker', 'secrets');
    const e = catchTrustmesh(() => synth(root, 'v2', { secretsOutdir }));
    expect(e.code).toBe('TM_OUTPUT_UNWRITABLE');
    expect(e.summary).toBe(`cannot write the secrets directory ${secretsOutdir} (ENOTDIR); nothing was changed`);
    expect(e.location?.file).toMatch(/blocker\/\.secrets\.next-\d+-\w+$/);
    expect(e.value).toBe('ENOTDIR');
    expect(e.fix).toMatch(/is a file where a directory is needed: move that file away, or set secretsOutdir to a directory you can write/);
    expect(pair(root)).toEqual(v1);
    expect(entries(root)).toEqual(['blocker', 'dist', 'secrets']);
  });

  it('an outdir that cannot be created is TM_OUTPUT_UNWRITABLE naming outdir; the secrets stay as they were', () => {
    const root = withV1();
    fs.writeFileSync(path.join(root, 'blocker'), '');
    const e = catchTrustmesh(() => synth(root, 'v2', { outdir: path.join(root, 'blocker', 'dist') }));
    expect(e.code).toBe('TM_OUTPUT_UNWRITABLE');
    expect(e.summary).toMatch(/^cannot write the output directory .*blocker\/dist \(ENOTDIR\); nothing was changed$/);
    expect(e.fix).toMatch(/or set outdir to a directory you can write/);
    expect(pair(root)).toEqual(v1);
  });

  it.each([
    ['a full disk while staging the secrets', { kind: 'write', match: '.secrets.next-', at: 1, error: 'ENOSPC' }, /free space on the file system of .*secrets/],
    ['a full disk at the fsync of the journal', { kind: 'fsync', match: '.commit-', at: 1, error: 'ENOSPC' }, /free space on the file system of .*dist/],
    ['a rename refused after dist/ was moved in', { kind: 'rename', match: '/secrets ->', at: 1, error: 'EBUSY' }, /check .*secrets and its parent directory/],
    ['a read-only file system under dist/', { kind: 'mkdir', match: '.dist.next-', at: 1, error: 'EROFS' }, /dist is on a read-only file system/],
    ['permission denied', { kind: 'write', match: '.dist.next-', at: 2, error: 'EACCES' }, /give this user write permission on/],
  ])('%s: TM_OUTPUT_UNWRITABLE with the error and a fix; neither output changes', (_what, fault, fix) => {
    const root = withV1();
    process.env[FAULT_ENV] = JSON.stringify(fault);
    const e = catchTrustmesh(() => synth(root, 'v2'));
    expect(e.code).toBe('TM_OUTPUT_UNWRITABLE');
    expect(e.value).toBe(fault.error);
    expect(e.fix).toMatch(fix);
    expect(pair(root)).toEqual(v1);
    expect(entries(root)).toEqual(['dist', 'secrets']);
  });
});

describe('the synth program (runSynth in a real process)', () => {
  let app: string;
  beforeAll(() => {
    const lib = path.join(ROOT, 'lib', 'src', 'index.js');
    if (!fs.existsSync(lib)) throw new Error(`${lib} is missing: compile first (npx tsc --build)`);
    app = path.join(scratch('tm-synth-app-'), 'app.js');
    fs.writeFileSync(app, [
      `const { TrustmeshApp, SecretChart, OutputFile, Mesh, Port, runSynth } = require(${JSON.stringify(lib)});`,
      `const { ApiObject } = require(require.resolve('cdk8s', { paths: [${JSON.stringify(ROOT)}] }));`,
      'void runSynth(() => {',
      '  const version = process.env.APP_VERSION;',
      '  const app = new TrustmeshApp({ outdir: "dist", secretsOutdir: process.env.SECRETS || "secrets" });',
      '  new Mesh(app, "shop").addNamespace("orders").addService("api", { ports: [Port.http(8080)] });',
      '  new OutputFile(app, "version", { path: "shop/version.txt", content: () => `${version}\\n` });',
      '  new ApiObject(new SecretChart(app, "keys"), "s", { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "orders" }, stringData: { version } });',
      '  if (version === "bad") app.node.addValidation({ validate: () => ["this version is broken on purpose"] });',
      '  return app;',
      '});',
    ].join('\n'));
  });

  const run = (cwd: string, version: string, env: Record<string, string> = {}) => runNode([app], cwd, { APP_VERSION: version, ...env });

  it('an unwritable secrets directory exits 2 with the coded error and no stack trace; dist/ is untouched', () => {
    const root = withV1();
    fs.writeFileSync(path.join(root, 'blocker'), '');
    const r = run(root, 'v2', { SECRETS: 'blocker/secrets' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error TM_OUTPUT_UNWRITABLE: cannot write the secrets directory blocker\/secrets \(ENOTDIR\); nothing was changed at /);
    expect(r.stderr).toMatch(/^ {2}fix: /m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(pair(root)).toEqual(v1);
  });

  it.skipIf(!straceUsable())('a real ENOSPC from fsync while staging the secrets (strace) exits 2; neither output changes', () => {
    const root = withV1();
    const steps = tracePoints((env) => run(withV1(), 'v2', env));
    const firstSecretsFsync = steps.filter((s) => s.startsWith('fsync')).findIndex((s) => s.includes('.secrets.next-')) + 1;
    expect(firstSecretsFsync).toBeGreaterThan(1);
    const r = runNodeWithSyscallError('fsync', 'ENOSPC', firstSecretsFsync, [app], root, { APP_VERSION: 'v2' });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error TM_OUTPUT_UNWRITABLE: cannot write the secrets directory secrets \(ENOSPC\); nothing was changed/);
    expect(pair(root)).toEqual(v1);
    expect(entries(root)).toEqual(['dist', 'secrets']);
  }, 600_000);

  it('killed between the two commits (dist/ new, secrets old), the next synth completes the write, even when it fails itself', () => {
    const steps = tracePoints((env) => run(withV1(), 'v2', env));
    const secretsCommit = steps.findIndex((s) => /^rename \S+\/secrets -> /.test(s)) + 1;
    const journal = steps.findIndex((s) => /^rename \S+\.commit-\S+\.json\.tmp -> /.test(s)) + 1;
    expect(secretsCommit).toBeGreaterThan(journal);

    const root = withV1();
    expect(run(root, 'v2', faultEnv({ at: secretsCommit })).killed).toBe(true);
    const [dist, secrets] = pair(root);
    expect(dist).toEqual(v2[0]);
    expect(secrets).toEqual(v1[1]);
    expect(entries(root)).toEqual(expect.arrayContaining([expect.stringMatching(/^\.dist\.commit-\d+-\w+\.json$/)]));

    const next = run(root, 'bad');
    expect(next.code).toBe(2);
    expect(next.stderr).toMatch(/warning TM_OUTPUT_RECOVERED: an earlier synth was interrupted: completed the interrupted write of .*dist and .*secrets/);
    expect(next.stderr).toMatch(/^error TM_SYNTH_FAILED: /m);
    expect(pair(root)).toEqual(v2);
    expect(entries(root)).toEqual(['dist', 'secrets']);
  }, 600_000);

  it('killed just before the commit, the next synth clears the staged outputs and both old ones stand', () => {
    const steps = tracePoints((env) => run(withV1(), 'v2', env));
    const journal = steps.findIndex((s) => /^rename \S+\.commit-\S+\.json\.tmp -> /.test(s)) + 1;
    const root = withV1();
    expect(run(root, 'v2', faultEnv({ at: journal })).killed).toBe(true);
    expect(pair(root)).toEqual(v1);
    const next = run(root, 'bad');
    expect(next.code).toBe(2);
    expect(next.stderr).toMatch(/warning TM_OUTPUT_RECOVERED: an earlier synth was interrupted: removed .*\.dist\.next-/);
    expect(pair(root)).toEqual(v1);
    expect(entries(root)).toEqual(['dist', 'secrets']);
  }, 600_000);
});
