// Shared helpers of the PKI tests: fixture keys, fixed clocks, counter serials, openssl.
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Clock } from '../../src/pki/clock';
import { KeyGenerator } from '../../src/pki/key-generator';
import { Pki, PkiOptions } from '../../src/pki/pki';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'pki');

/** A fixed instant all deterministic PKI tests issue at. */
export const T0 = new Date('2026-01-15T12:00:00Z');

/** PEM of a fixture key, e.g. `p256-1` or `rsa2048-3`. */
export function fixtureKey(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, 'keys', `${name}.pem`), 'utf8');
}

/** A key generator handing out the named fixture keys in order. */
export function fixtureKeys(...names: string[]): KeyGenerator {
  return KeyGenerator.fromPems(names.map(fixtureKey));
}

/** Serial numbers 01, 02, 03, … */
export function counterSerials(start = 1): () => string {
  let next = start;
  return () => (next++).toString(16).padStart(2, '0');
}

/** A Pki at a fixed date with fixture keys and counter serials. */
export function fixedPki(keys: string[], at: Date = T0, options: PkiOptions = {}): Pki {
  return new Pki({ clock: Clock.fixed(at), keyGenerator: fixtureKeys(...keys), serialNumbers: counterSerials(), ...options });
}

/** A fresh temp directory. */
export function tempDir(prefix = 'tm-pki-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes files into a temp directory and returns their paths. */
export function writeFiles(files: Record<string, string>): Record<string, string> {
  const dir = tempDir();
  const out: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    out[name] = path.join(dir, name);
    fs.writeFileSync(out[name], content);
  }
  return out;
}

/** Runs openssl. */
export function openssl(args: readonly string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Seconds since the epoch, for `openssl verify -attime`. */
export function epoch(d: Date): string {
  return String(Math.floor(d.getTime() / 1000));
}

/** Whether text (or any base64 value inside it) contains a PEM private key block. */
export function leaksPrivateKey(text: string): boolean {
  if (/PRIVATE KEY/.test(text)) return true;
  for (const candidate of text.match(/[A-Za-z0-9+/]{40,}={0,2}/g) ?? []) {
    if (/PRIVATE KEY/.test(Buffer.from(candidate, 'base64').toString('latin1'))) return true;
  }
  return false;
}

/** Every file and directory under dir (directories as `name/`): relative path → { sha256, mode, mtime }. */
export function storeSnapshot(dir: string): Record<string, { sha256: string; mode: string; mtimeMs: number }> {
  const out: Record<string, { sha256: string; mode: string; mtimeMs: number }> = {};
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const full = path.join(dir, r);
      const st = fs.statSync(full);
      if (e.isDirectory()) {
        out[`${r}/`] = { sha256: '', mode: (st.mode % 0o1000).toString(8), mtimeMs: 0 };
        walk(r);
      } else {
        out[r] = { sha256: createHash('sha256').update(fs.readFileSync(full)).digest('hex'), mode: (st.mode % 0o1000).toString(8), mtimeMs: st.mtimeMs };
      }
    }
  };
  walk('');
  return out;
}
