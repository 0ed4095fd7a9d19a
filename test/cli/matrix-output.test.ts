// matrixout10: `trustmesh matrix` written to pipes, as a real child process (compiled CLI): a reader
// that closes early ends the command quietly (exit 0, nothing on stderr); a slow reader holds the
// writer back ('drain') and still receives every byte, the same as a file.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN } from './cli-runner';
import { generateMesh } from '../../bench/generate-mesh';
import { tempApp } from '../helpers';

interface PipedRun {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs the CLI with stdout into a pipe the test reads only after `pauseMs` (a reader that does not keep up). */
function slowReader(args: readonly string[], pauseMs: number): Promise<PipedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.pause();
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    setTimeout(() => child.stdout.resume(), pauseMs);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
  });
}

/** Runs the CLI with stdout into a pipe the test closes after the first chunk. */
function earlyClose(args: readonly string[]): Promise<{ code: number | null; stderr: string; received: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let received = 0;
    child.stdout.once('data', (b: Buffer) => {
      received = b.length;
      child.stdout.destroy();
    });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr: err, received }));
  });
}

describe('trustmesh matrix into pipes', () => {
  let dir: string;
  let mesh: string;
  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-matrix-out-'));
    // A mesh whose outputs are megabytes: far more than a pipe holds.
    const app = tempApp();
    generateMesh(app, { services: 300, namespaces: 10, seed: 7 });
    mesh = path.join(dir, 'mesh.yaml');
    fs.writeFileSync(mesh, app.synthOutput().files.filter((f) => /\.ya?ml$/.test(f.path)).map((f) => f.content).join('\n---\n'));
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The output written to a file (no pipe, no backpressure). */
  const toFile = (format: string): Buffer => {
    const file = path.join(dir, `out.${format}`);
    const fd = fs.openSync(file, 'w');
    try {
      const r = spawnSync(process.execPath, [MAIN, 'matrix', mesh, '--output', format], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      fs.closeSync(fd);
    }
    return fs.readFileSync(file);
  };

  for (const format of ['connlist', 'markdown']) {
    it(`ends quietly with exit 0 when the reader closes early (${format}, child reader)`, async () => {
      const r = await earlyClose(['matrix', mesh, '--output', format]);
      expect(r.received).toBeGreaterThan(0);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }, 120_000);

    it(`gives a slow reader the full output, identical to the file (${format})`, async () => {
      const file = toFile(format);
      expect(file.length).toBeGreaterThan(1_000_000);
      const r = await slowReader(['matrix', mesh, '--output', format], 1500);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.equals(file)).toBe(true);
    }, 120_000);
  }

  it('ends quietly with exit 0 under `| head -c 100` (connlist)', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${MAIN}" matrix "${mesh}" --output connlist | head -c 100 >/dev/null; echo "exit=\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('exit=0\n');
  }, 120_000);

  it.skipIf(!fs.existsSync('/dev/full'))('reports any other write error as TM_SYSTEM_ERROR, exit 2, without a stack (ENOSPC on /dev/full)', () => {
    const fd = fs.openSync('/dev/full', 'w');
    try {
      for (const format of ['connlist', 'json']) {
        const r = spawnSync(process.execPath, [MAIN, 'matrix', mesh, '--output', format], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
        expect(r.stderr, format).toMatch(/^error TM_SYSTEM_ERROR: the operating system refused write: ENOSPC\n/);
        expect(r.stderr, format).not.toMatch(/\n\s+at /);
        expect(r.status, format).toBe(2);
      }
    } finally {
      fs.closeSync(fd);
    }
  }, 120_000);
});
