// What the key store does with what a crash, an older trustmesh or a person left in its folder:
// recover the committed store, or refuse with a coded error; never create a root beside a root.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { afterEach, describe, expect, it } from 'vitest';
import { counterSerials, fixtureKeys, T0, tempDir } from './pki-fixtures';
import { Clock } from '../../src/pki/clock';
import { KeyStore } from '../../src/pki/key-store';
import { FAULT_ENV, resetFaultPoints } from '../../src/private/fault-point';
import { copyTree, entries, treeHashes } from '../private/crash-harness';

function store(dir: string, ...keys: string[]): KeyStore {
  const names = keys.length > 0 ? keys : ['p256-1', 'p256-2', 'p256-3', 'p256-4'];
  return KeyStore.at(dir, { clock: Clock.fixed(T0), keyGenerator: fixtureKeys(...names), serialNumbers: counterSerials() });
}

async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string; fix?: string }> {
  return p.then(() => { throw new Error('expected a rejection'); }, (e: { code?: string; message: string; fix?: string }) => e);
}

/** A project folder with a committed store `.trustmesh/ca` (root p256-1, cluster east). */
async function project(): Promise<{ folder: string; ca: string; rootKey: string }> {
  const folder = path.join(tempDir('tm-recovery-'), '.trustmesh');
  fs.mkdirSync(folder);
  const ca = path.join(folder, 'ca');
  await store(ca).init({ clusters: ['east'] });
  return { folder, ca, rootKey: fs.readFileSync(path.join(ca, 'root-key.pem'), 'utf8') };
}

/** Every entry of the folder with the hashes of what is in it (to prove that a refusal changed nothing). */
function folderState(folder: string): Record<string, unknown> {
  return Object.fromEntries(entries(folder).map((n) => {
    const p = path.join(folder, n);
    return [n, fs.lstatSync(p).isSymbolicLink() ? `-> ${fs.readlinkSync(p)}` : treeHashes(p) ?? 'missing'];
  }));
}

afterEach(() => {
  delete process.env[FAULT_ENV];
  resetFaultPoints();
});

describe('leftovers of trustmesh 0.x, whose update swapped directories with two renames', () => {
  it('killed between the renames (no ca/, .staging-X.previous and .staging-X): the next init restores the old store, same root', async () => {
    const { folder, ca, rootKey } = await project();
    const old = treeHashes(ca);
    copyTree(fs.realpathSync(ca), path.join(folder, '.ca.staging-Ab12Cd.previous'));
    // The uncommitted new directory of that update, here with another root (an interrupted --force).
    const other = tempDir();
    await store(other, 'p256-7', 'p256-8').init({ clusters: ['east'] });
    copyTree(fs.realpathSync(other), path.join(folder, '.ca.staging-Ab12Cd'));
    for (const n of entries(folder).filter((e) => e === 'ca' || e.startsWith('.ca.gen-'))) fs.rmSync(path.join(folder, n), { recursive: true });

    expect((await store(ca).load()).signingRoot.subject).toMatch(/Root CA G1/);
    const report = await store(ca, 'p256-9').init({ clusters: ['east'] });
    expect(report.recovered).toEqual([
      'renamed .ca.staging-Ab12Cd.previous to ca: the store as it was before an update of an older trustmesh was interrupted',
      expect.stringMatching(/^removed .*\/\.ca\.staging-Ab12Cd \(the new directory of an interrupted update by an older trustmesh\)$/),
    ]);
    expect(report.written).toBe(false);
    expect(fs.readFileSync(path.join(ca, 'root-key.pem'), 'utf8')).toBe(rootKey);
    expect(treeHashes(ca)).toEqual(old);
    expect(entries(folder)).toEqual(['ca']);
  });

  it('after 0.x made a new root over the lost store, a leftover with the old root is TM_CA_STORE_AMBIGUOUS, for readers and writers alike', async () => {
    const { folder, ca } = await project();
    copyTree(fs.realpathSync(ca), path.join(folder, '.ca.staging-Ab12Cd.previous'));
    for (const n of entries(folder)) if (n === 'ca' || n.startsWith('.ca.gen-')) fs.rmSync(path.join(folder, n), { recursive: true });
    // What 0.x's `ca init` did next: a fresh root in a plain ca/ (made elsewhere: ours refuses to).
    const fresh = tempDir();
    await store(fresh, 'p256-5', 'p256-6').init({ clusters: ['east'] });
    copyTree(fs.realpathSync(fresh), ca);
    const before = folderState(folder);
    const e = await rejection(store(ca).init({ clusters: ['east', 'west'] }));
    expect(e.code).toBe('TM_CA_STORE_AMBIGUOUS');
    expect(e.message).toMatch(/\.ca\.staging-Ab12Cd\.previous beside the key store holds a root key that ca does not have/);
    expect(e.fix).toMatch(/openssl x509 -noout -fingerprint -sha256 -in .*\.ca\.staging-Ab12Cd\.previous\/root-cert\.pem/);
    expect((await rejection(store(ca).load())).code).toBe('TM_CA_STORE_AMBIGUOUS');
    expect(folderState(folder)).toEqual(before);
  });

  it('a leftover holding only the store\'s own root (or a half-written copy of its key) is removed without a word of doubt', async () => {
    const { folder, ca, rootKey } = await project();
    const copy = path.join(folder, '.ca.staging-Zz99Yy');
    copyTree(fs.realpathSync(ca), copy);
    fs.writeFileSync(path.join(copy, 'root-key.pem'), rootKey.slice(0, 40));
    const report = await store(ca, 'p256-9').init({ clusters: ['east', 'west'] });
    expect(report.recovered).toEqual([expect.stringMatching(/^removed .*\.ca\.staging-Zz99Yy /)]);
    expect(entries(folder)).toEqual([expect.stringMatching(/^\.ca\.gen-\d{4}$/), 'ca']);
  });
});

describe('no committed store, but key material beside it', () => {
  it('an orphan generation: init and load refuse with TM_CA_STORE_INTERRUPTED, naming it and how to restore it; nothing changes', async () => {
    const { folder, ca } = await project();
    fs.rmSync(ca);
    const before = folderState(folder);
    const e = await rejection(store(ca, 'p256-9').init({ clusters: ['east'] }));
    expect(e.code).toBe('TM_CA_STORE_INTERRUPTED');
    expect(e.message).toMatch(/no committed key store at .*\/ca, but an interrupted command left key material beside it; no new root is created/);
    expect(e.message).toMatch(/\.ca\.gen-0001 \(a generation the store does not point at\)/);
    expect(e.fix).toMatch(/mv .*\.ca\.gen-0001 .*\/ca/);
    expect((await rejection(store(ca).load())).code).toBe('TM_CA_STORE_INTERRUPTED');
    expect(folderState(folder)).toEqual(before);
  });

  it('a link to a generation that was deleted is TM_CA_STORE_CORRUPT, never a new store', async () => {
    const { folder, ca } = await project();
    fs.rmSync(fs.realpathSync(ca), { recursive: true });
    const e = await rejection(store(ca, 'p256-9').init({ clusters: ['east'] }));
    expect(e.code).toBe('TM_CA_STORE_CORRUPT');
    expect(e.message).toMatch(/the key store link points to \.ca\.gen-0001, which does not exist/);
    expect(entries(folder)).toEqual(['ca']);
  });

  it('an interrupted migration (no ca, .ca.gen-0000 and .ca.gen-0001) is finished with the old store', async () => {
    const { folder, ca } = await project();
    const old = treeHashes(ca);
    fs.renameSync(fs.realpathSync(ca), path.join(folder, '.ca.gen-0000'));
    fs.rmSync(ca);
    copyTree(path.join(folder, '.ca.gen-0000'), path.join(folder, '.ca.gen-0001'));
    fs.writeFileSync(path.join(folder, '.ca.gen-0001', 'trust-bundle.pem'), 'new, uncommitted');
    expect(treeHashes(path.join(folder, '.ca.gen-0000'))).toEqual(old);
    const report = await store(ca).init({ clusters: ['east'] });
    expect(report.recovered).toEqual([
      'pointed ca at .ca.gen-0000, the store as it was before an interrupted update',
      expect.stringMatching(/^removed .*\.ca\.gen-0001 \(a generation the store does not point at\)$/),
    ]);
    expect(treeHashes(ca)).toEqual(old);
  });
});

describe('key material that cannot be read is an error, never a fresh root', () => {
  it.each([
    ['metadata that is not JSON', 'trustmesh-ca.json', '{"format": "trustmesh-ca/v1", ', 'TM_CA_STORE_CORRUPT'],
    ['a root key cut short', 'root-key.pem', '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n', 'TM_CA_BAD_PEM'],
    ['an empty root certificate', 'root-cert.pem', '', 'TM_CA_BAD_PEM'],
  ])('%s: init refuses (%s) and changes nothing', async (_what, file, content, code) => {
    const { folder, ca } = await project();
    fs.writeFileSync(path.join(ca, file), content);
    const before = folderState(folder);
    expect((await rejection(store(ca, 'p256-9').init({ clusters: ['east'] }))).code).toBe(code);
    expect(folderState(folder)).toEqual(before);
  });

  it('key files without metadata (a half-copied store) are TM_CA_STORE_CORRUPT', async () => {
    const dir = path.join(tempDir(), 'ca');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'root-key.pem'), '-----BEGIN PRIVATE KEY-----\n');
    expect((await rejection(store(dir).init())).code).toBe('TM_CA_STORE_CORRUPT');
  });

  it('a FIFO in the store is TM_CA_STORE_UNREADABLE at once, not a hang', async () => {
    const { ca } = await project();
    const made = spawnSync('mkfifo', [path.join(ca, 'east', 'pipe')]);
    expect(made.status).toBe(0);
    const e = await rejection(store(ca).init({ clusters: ['east'] }));
    expect(e.code).toBe('TM_CA_STORE_UNREADABLE');
    expect(e.message).toMatch(/east\/pipe in the key store is not a regular file/);
  });
});

describe('one writer at a time', () => {
  it('a lock held by a running process is TM_CA_STORE_BUSY with its process id', async () => {
    const { folder, ca } = await project();
    const holder = spawn('sleep', ['30']);
    try {
      fs.writeFileSync(path.join(folder, '.ca.lock'), `${holder.pid}\n`);
      const e = await rejection(store(ca, 'p256-9').init({ clusters: ['west'] }));
      expect(e.code).toBe('TM_CA_STORE_BUSY');
      expect(e.message).toMatch(new RegExp(`another trustmesh command \\(process ${holder.pid}\\) is updating the key store`));
      expect(e.fix).toMatch(/delete .*\.ca\.lock/);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a lock left by a killed process is taken over', async () => {
    const { folder, ca } = await project();
    const gone = spawnSync('true');
    expect(gone.pid).toBeGreaterThan(0);
    fs.writeFileSync(path.join(folder, '.ca.lock'), `${gone.pid}\n`);
    fs.writeFileSync(path.join(folder, `.ca.lock-${gone.pid}-0badcafe`), `${gone.pid}\n`);
    const report = await store(ca, 'p256-9').init({ clusters: ['east', 'west'] });
    expect(report.written).toBe(true);
    expect(entries(folder)).toEqual(['.ca.gen-0002', 'ca']);
  });
});

describe('a system error while writing (not a crash) leaves the store as it was, and no leftovers', () => {
  it.each([
    ['ENOSPC at the fsync of a new file', { kind: 'fsync', match: 'west/ca-key.pem', at: 1, error: 'ENOSPC' }],
    ['EIO at the rename of the new generation', { kind: 'rename', match: '.ca.next-', at: 1, error: 'EIO' }],
    ['EPERM at the link switch', { kind: 'rename', match: '.ca.link-', at: 1, error: 'EPERM' }],
  ])('%s: TM_CA_STORE_UNWRITABLE naming the error', async (_what, fault) => {
    const { folder, ca } = await project();
    const before = folderState(folder);
    process.env[FAULT_ENV] = JSON.stringify(fault);
    const e = await rejection(store(ca, 'p256-9').init({ clusters: ['east', 'west'] }));
    expect(e.code).toBe('TM_CA_STORE_UNWRITABLE');
    expect(e.message).toMatch(new RegExp(`cannot write the key store \\(${fault.error}\\); nothing was changed`));
    expect(folderState(folder)).toEqual(before);
  });

  it('a failed migration puts the plain directory of an earlier version back', async () => {
    const dir = path.join(tempDir('tm-recovery-'), 'ca');
    fs.mkdirSync(dir);
    await store(dir).init({ clusters: ['east'] });
    const folder = path.dirname(dir);
    fs.rmSync(dir);
    fs.renameSync(path.join(folder, '.ca.gen-0001'), dir);
    const before = folderState(folder);
    process.env[FAULT_ENV] = JSON.stringify({ kind: 'rename', match: '.ca.link-', at: 1, error: 'EIO' });
    expect((await rejection(store(dir, 'p256-9').init({ clusters: ['east', 'west'] }))).code).toBe('TM_CA_STORE_UNWRITABLE');
    expect(folderState(folder)).toEqual(before);
    expect(fs.lstatSync(dir).isDirectory()).toBe(true);
  });

  it('on a read-only folder (EROFS at the lock) a no-op init still works, and a write is TM_CA_STORE_UNWRITABLE', async () => {
    const { folder, ca } = await project();
    const before = folderState(folder);
    process.env[FAULT_ENV] = JSON.stringify({ kind: 'write', match: '.ca.lock-', error: 'EROFS', at: 1 });
    expect((await store(ca).init({ clusters: ['east'] })).written).toBe(false);
    resetFaultPoints();
    const e = await rejection(store(ca, 'p256-9').init({ clusters: ['west'] }));
    expect(e.code).toBe('TM_CA_STORE_UNWRITABLE');
    expect(e.message).toMatch(/\(EROFS\)/);
    expect(folderState(folder)).toEqual(before);
  });
});

describe('the layout readers rely on', () => {
  it('ca is a link to the committed generation; <dir>/<cluster>/ca-cert.pem and friends read through it', async () => {
    const { folder, ca } = await project();
    expect(fs.readlinkSync(ca)).toBe('.ca.gen-0001');
    expect(fs.readFileSync(path.join(ca, 'east', 'cert-chain.pem'), 'utf8')).toMatch(/BEGIN CERTIFICATE/);
    await store(ca, 'p256-9').init({ clusters: ['east', 'west'] });
    expect(fs.readlinkSync(ca)).toBe('.ca.gen-0002');
    expect(entries(folder)).toEqual(['.ca.gen-0002', 'ca']);
    expect(fs.readFileSync(path.join(ca, 'west', 'ca-cert.pem'), 'utf8')).toMatch(/BEGIN CERTIFICATE/);
  });

  it('a link of the user\'s own (ca -> /elsewhere/ca) stays; the store is updated where it points', async () => {
    const elsewhere = path.join(tempDir('tm-elsewhere-'), 'ca');
    await store(elsewhere).init({ clusters: ['east'] });
    const folder = tempDir('tm-linked-');
    fs.symlinkSync(elsewhere, path.join(folder, 'ca'));
    await store(path.join(folder, 'ca'), 'p256-9').init({ clusters: ['east', 'west'] });
    expect(fs.readlinkSync(path.join(folder, 'ca'))).toBe(elsewhere);
    expect(fs.readlinkSync(elsewhere)).toBe('.ca.gen-0002');
    expect((await store(path.join(folder, 'ca')).load()).clusterNames).toEqual(['east', 'west']);
  });
});
