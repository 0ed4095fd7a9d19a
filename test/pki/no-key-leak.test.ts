// Key material must never reach reviewable output: not dist/, not a snapshot, not a committed file
// (except the test-only fixture keys in test/fixtures/pki/).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { leaksPrivateKey, tempDir } from './pki-fixtures';
import { TrustmeshApp } from '../../src';
import { bookinfoMesh, fooHttpbinMesh, microShakeFactoryMesh, microShakeFactoryMutualMesh, microShakeFactoryPassthroughMesh } from '../../src/examples';
import { edgeMaterial } from '../constructs/edge-fixtures';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURE_KEYS = 'test/fixtures/pki/';
/** A real PEM private key: a BEGIN line, a base64 body of some length, an END line. */
const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]{100,}-----END [A-Z ]*PRIVATE KEY-----/;

function walk(dir: string, skip: (rel: string) => boolean, rel = ''): string[] {
  const full = path.join(dir, rel);
  if (!fs.existsSync(full)) return [];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (skip(r)) return [];
    return e.isDirectory() ? walk(dir, skip, r) : [r];
  });
}

/** Files git would commit: tracked plus untracked-but-not-ignored. */
function committableFiles(): string[] {
  const r = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status === 0) return r.stdout.split('\0').filter((f) => f !== '' && fs.existsSync(path.join(ROOT, f)));
  return walk(ROOT, (rel) => /^(node_modules|lib|\.git|\.trustmesh|dist)(\/|$)/.test(rel));
}

describe('no private key leaves the secrets directory', () => {
  it('finds no private key in any snapshot', () => {
    const snapshots = walk(path.join(ROOT, 'test'), () => false).filter((f) => f.includes('__snapshots__/'));
    for (const f of snapshots) expect(`${f}: ${leaksPrivateKey(fs.readFileSync(path.join(ROOT, 'test', f), 'utf8'))}`).toBe(`${f}: false`);
  });

  it('finds no private key in the reviewable output of the example meshes (what npm run synth writes to dist/)', async () => {
    // Synthesized here, with CA material, so the check never passes for want of files: dist/ does
    // not exist when the tests run on a fresh clone.
    const dir = tempDir('tm-leak-');
    const [outdir, secretsOutdir] = [path.join(dir, 'dist'), path.join(dir, 'secrets')];
    const ca = await edgeMaterial(new Date());
    const app = new TrustmeshApp({ outdir, secretsOutdir, onWarning: () => undefined });
    microShakeFactoryMesh(app, { ca });
    microShakeFactoryMutualMesh(app, { ca });
    microShakeFactoryPassthroughMesh(app, { ca });
    bookinfoMesh(app);
    fooHttpbinMesh(app);
    app.synth();
    const reviewable = walk(outdir, () => false);
    expect(reviewable.length).toBeGreaterThan(5);
    for (const f of reviewable) expect(`${f}: ${leaksPrivateKey(fs.readFileSync(path.join(outdir, f), 'utf8'))}`).toBe(`${f}: false`);
    // The keys are there, only elsewhere: the scanner would have found them in dist/.
    expect(walk(secretsOutdir, () => false).some((f) => leaksPrivateKey(fs.readFileSync(path.join(secretsOutdir, f), 'utf8')))).toBe(true);
  });

  it('finds no PEM private key in any file git would commit, except the test fixture keys', () => {
    const offenders = committableFiles()
      .filter((f) => !f.startsWith(FIXTURE_KEYS))
      .filter((f) => { const st = fs.lstatSync(path.join(ROOT, f)); return st.isFile() && st.size < 5_000_000; })
      .filter((f) => PEM_KEY.test(fs.readFileSync(path.join(ROOT, f), 'latin1')));
    expect(offenders).toEqual([]);
  });

  it('recognizes a key in plain and base64 form (the scanner itself can fail)', () => {
    const pem = fs.readFileSync(path.join(ROOT, FIXTURE_KEYS, 'keys/p256-1.pem'), 'utf8');
    expect(leaksPrivateKey(`data:\n  ca-key.pem: ${Buffer.from(pem).toString('base64')}\n`)).toBe(true);
    expect(leaksPrivateKey(pem)).toBe(true);
    expect(PEM_KEY.test(pem)).toBe(true);
    expect(leaksPrivateKey('root-cert.pem: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUI4')).toBe(false);
  });
});
