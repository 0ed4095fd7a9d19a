import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { counterSerials, epoch, fixtureKeys, openssl, storeSnapshot, T0, tempDir } from './pki-fixtures';
import { Clock } from '../../src/pki/clock';
import { KeyAlgorithm } from '../../src/pki/key-algorithm';
import { KeyStore, KeyStoreOptions } from '../../src/pki/key-store';

const P256 = ['p256-1', 'p256-2', 'p256-3', 'p256-4', 'p256-5', 'p256-6', 'p256-7', 'p256-8', 'p256-9', 'p256-10'];

function store(dir: string, options: KeyStoreOptions = {}): KeyStore {
  return KeyStore.at(dir, { clock: Clock.fixed(T0), keyGenerator: fixtureKeys(...P256), serialNumbers: counterSerials(), ...options });
}

async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  return p.then(() => { throw new Error('expected a rejection'); }, (e: { code?: string; message: string }) => e);
}

describe('KeyStore.init', () => {
  it('writes the tools/certs layout: 0700 directories, 0600 files, a .gitignore of *', async () => {
    const dir = path.join(tempDir(), 'ca');
    const report = await store(dir).init({ clusters: ['west', 'east'] });
    expect(report.written).toBe(true);
    expect(report.changes.map((c) => `${c.action} ${c.subject}`)).toEqual(['created root CA', 'created cluster east', 'created cluster west']);
    const files = storeSnapshot(dir);
    expect(Object.keys(files).sort()).toEqual([
      '.gitignore', 'east/', 'east/ca-cert.pem', 'east/ca-key.pem', 'east/cert-chain.pem', 'east/root-cert.pem',
      'root-cert.pem', 'root-key.pem', 'trust-bundle.pem', 'trustmesh-ca.json',
      'west/', 'west/ca-cert.pem', 'west/ca-key.pem', 'west/cert-chain.pem', 'west/root-cert.pem',
    ]);
    for (const [name, f] of Object.entries(files)) expect(`${name} ${f.mode}`).toBe(`${name} ${name.endsWith('/') ? '700' : '600'}`);
    expect((fs.statSync(dir).mode % 0o1000).toString(8)).toBe('700');
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });

  it('writes files Istio and openssl accept: cert-chain.pem = ca-cert.pem + root-cert.pem, verified -x509_strict', async () => {
    const dir = tempDir();
    await store(dir).init({ clusters: ['east'] });
    const read = (f: string): string => fs.readFileSync(path.join(dir, f), 'utf8');
    expect(read('east/cert-chain.pem')).toBe(read('east/ca-cert.pem') + read('root-cert.pem'));
    expect(read('east/root-cert.pem')).toBe(read('root-cert.pem'));
    const r = openssl(['verify', '-x509_strict', '-attime', epoch(T0), '-CAfile', path.join(dir, 'east/root-cert.pem'), path.join(dir, 'east/ca-cert.pem')]);
    expect(r.stdout).toMatch(/ca-cert.pem: OK/);
    const meta = JSON.parse(read('trustmesh-ca.json'));
    expect(meta).toMatchObject({ format: 'trustmesh-ca/v1', trustDomain: 'cluster.local', algorithm: 'ecdsa-p256', clusters: ['east'], rotation: { phase: 'none' } });
  });

  it('run twice leaves the material byte-identical and untouched (no rewrite)', async () => {
    const dir = tempDir();
    await store(dir).init({ clusters: ['east', 'west'] });
    const before = storeSnapshot(dir);
    await new Promise((r) => setTimeout(r, 20));
    const again = await store(dir, { keyGenerator: fixtureKeys() }).init({ clusters: ['east', 'west'] });
    expect(again.written).toBe(false);
    expect(again.changes.every((c) => c.action === 'kept')).toBe(true);
    expect(storeSnapshot(dir)).toEqual(before);
  });

  it('reports every cluster the store has afterwards, created or kept, sorted', async () => {
    const dir = tempDir();
    expect((await store(dir).init()).clusters).toEqual([]);
    expect((await store(dir).init({ clusters: ['west'] })).clusters).toEqual(['west']);
    expect((await store(dir, { keyGenerator: fixtureKeys('p256-9') }).init({ clusters: ['east'] })).clusters).toEqual(['east', 'west']);
  });

  it('adds only what is missing: a new cluster, under the existing root', async () => {
    const dir = tempDir();
    await store(dir).init({ clusters: ['east'] });
    const before = storeSnapshot(dir);
    const report = await store(dir, { keyGenerator: fixtureKeys('p256-9') }).init({ clusters: ['east', 'west'] });
    expect(report.changes.map((c) => `${c.action} ${c.subject}`)).toEqual(['kept root CA', 'kept cluster east', 'created cluster west']);
    const after = storeSnapshot(dir);
    for (const f of ['root-cert.pem', 'root-key.pem', 'east/ca-cert.pem', 'east/ca-key.pem', 'east/cert-chain.pem']) expect(after[f].sha256).toBe(before[f].sha256);
    const material = await store(dir).load();
    expect(material.clusterNames).toEqual(['east', 'west']);
    expect(material.cluster('west').intermediate.root.equals(material.signingRoot)).toBe(true);
  });

  it('refuses another trust domain or algorithm for an existing store (TM_CA_MISMATCH) unless forced', async () => {
    const dir = tempDir();
    await store(dir).init({ clusters: ['east'] });
    expect(await rejection(store(dir).init({ trustDomain: 'prod.example.com' }))).toMatchObject({ code: 'TM_CA_MISMATCH' });
    expect(await rejection(store(dir).init({ algorithm: KeyAlgorithm.ECDSA_P384 }))).toMatchObject({ code: 'TM_CA_MISMATCH' });
    const oldRoot = fs.readFileSync(path.join(dir, 'root-cert.pem'), 'utf8');
    const forced = await store(dir, { keyGenerator: fixtureKeys('p256-9', 'p256-10') }).init({ clusters: ['east'], trustDomain: 'prod.example.com', force: true });
    expect(forced.changes[0]).toMatchObject({ action: 'replaced', subject: 'key store' });
    expect(fs.readFileSync(path.join(dir, 'root-cert.pem'), 'utf8')).not.toBe(oldRoot);
    expect((await store(dir).load()).trustDomain).toBe('prod.example.com');
  });

  it('rejects bad cluster names, including the layout\'s own folder names', async () => {
    const dir = tempDir();
    expect(await rejection(store(dir).init({ clusters: ['East_1'] }))).toMatchObject({ code: 'TM_CA_INVALID_CLUSTER_NAME' });
    expect(await rejection(store(dir).init({ clusters: ['issued'] }))).toMatchObject({ code: 'TM_CA_INVALID_CLUSTER_NAME' });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('keeps files it does not manage', async () => {
    const dir = tempDir();
    await store(dir).init({ clusters: ['east'] });
    fs.writeFileSync(path.join(dir, 'NOTES.md'), 'ours');
    await store(dir, { keyGenerator: fixtureKeys('p256-9') }).init({ clusters: ['east', 'west'] });
    expect(fs.readFileSync(path.join(dir, 'NOTES.md'), 'utf8')).toBe('ours');
  });
});

describe('KeyStore.load', () => {
  it('returns material without the root key', async () => {
    const dir = tempDir();
    await store(dir).init({ clusters: ['east', 'west'] });
    const m = await store(dir).load();
    expect(m.trustDomain).toBe('cluster.local');
    expect(m.trustedRoots).toHaveLength(1);
    expect(m.rotation).toBe('none');
    expect(JSON.stringify(m)).not.toMatch(/PRIVATE KEY/);
    expect(Object.keys(m)).not.toContain('rootKey');
  });

  it('reports a missing store, a file in place of the directory, and corrupt files with coded errors', async () => {
    const dir = tempDir();
    expect(await rejection(store(path.join(dir, 'nope')).load())).toMatchObject({ code: 'TM_CA_STORE_MISSING' });
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    expect(await rejection(store(path.join(dir, 'file')).load())).toMatchObject({ code: 'TM_CA_STORE_UNREADABLE' });

    const ca = path.join(dir, 'ca');
    await store(ca).init({ clusters: ['east', 'west'] });
    const cert = path.join(ca, 'east/ca-cert.pem');
    const good = fs.readFileSync(cert, 'utf8');
    fs.writeFileSync(cert, good.replace(/\n[A-Za-z0-9+/]{12}/, '\n%%%%%%%%%%%%'));
    const bad = await rejection(store(ca).load());
    expect(bad.code).toBe('TM_CA_BAD_PEM');
    expect(bad.message).toMatch(/east\/ca-cert\.pem/);
    fs.writeFileSync(cert, good);

    fs.copyFileSync(path.join(ca, 'west/ca-key.pem'), path.join(ca, 'east/ca-key.pem'));
    expect(await rejection(store(ca).load())).toMatchObject({ code: 'TM_CA_KEY_MISMATCH' });

    fs.writeFileSync(path.join(ca, 'trustmesh-ca.json'), '{ not json');
    expect(await rejection(store(ca).load())).toMatchObject({ code: 'TM_CA_STORE_CORRUPT' });
    fs.rmSync(path.join(ca, 'trustmesh-ca.json'));
    expect(await rejection(store(ca).load())).toMatchObject({ code: 'TM_CA_STORE_CORRUPT' });
  });

  it('reports a store path that is a file with TM_CA_STORE_UNREADABLE (also when running as root)', async () => {
    const file = path.join(tempDir(), 'ca');
    fs.writeFileSync(file, 'not a store');
    const e = await rejection(store(file).load());
    expect(e).toMatchObject({ code: 'TM_CA_STORE_UNREADABLE' });
    expect(e.message).toMatch(/the key store path is not a directory/);
  });

  // Root reads a 0000 directory anyway, so this one runs only as an ordinary user.
  it.skipIf(process.getuid?.() === 0)('reports an unreadable directory with TM_CA_STORE_UNREADABLE', async () => {
    const dir = tempDir();
    await store(dir).init({ clusters: ['east'] });
    fs.chmodSync(dir, 0o000);
    try {
      expect(await rejection(store(dir).load())).toMatchObject({ code: 'TM_CA_STORE_UNREADABLE' });
    } finally {
      fs.chmodSync(dir, 0o700);
    }
  });

  it('rejects an intermediate that does not chain to the store\'s root (TM_CA_STORE_CORRUPT)', async () => {
    const a = tempDir();
    const b = tempDir();
    await store(a).init({ clusters: ['east'] });
    await store(b, { keyGenerator: fixtureKeys('p256-5', 'p256-6') }).init({ clusters: ['east'] });
    for (const f of ['east/ca-cert.pem', 'east/ca-key.pem']) fs.copyFileSync(path.join(b, f), path.join(a, f));
    const e = await rejection(store(a).load());
    expect(e.code).toBe('TM_CA_STORE_CORRUPT');
    expect(e.message).toMatch(/does not chain to the store's root/);
  });
});

describe('KeyStore.issue and renew', () => {
  it('issues a gateway credential under the cluster intermediate, keeps it on re-run, refuses other parameters without force', async () => {
    const dir = tempDir();
    await store(dir).init({ clusters: ['east'] });
    const first = await store(dir, { keyGenerator: fixtureKeys('p256-5') }).issue({ name: 'juice-shop', kind: 'gateway', hosts: ['juice-shop.example.com'] });
    expect(first.changes[0]).toMatchObject({ action: 'created', subject: 'credential juice-shop' });
    const files = storeSnapshot(dir);
    expect(files['issued/juice-shop/tls.key'].mode).toBe('600');
    expect(fs.readFileSync(path.join(dir, 'issued/juice-shop/ca.crt'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'root-cert.pem'), 'utf8'));

    const again = await store(dir, { keyGenerator: fixtureKeys() }).issue({ name: 'juice-shop', kind: 'gateway', hosts: ['juice-shop.example.com'] });
    expect(again.written).toBe(false);
    expect(storeSnapshot(dir)).toEqual(files);

    const other = await rejection(store(dir).issue({ name: 'juice-shop', kind: 'gateway', hosts: ['other.example.com'] }));
    expect(other.code).toBe('TM_CA_CREDENTIAL_EXISTS');
    const forced = await store(dir, { keyGenerator: fixtureKeys('p256-6') }).issue({ name: 'juice-shop', kind: 'gateway', hosts: ['other.example.com'], force: true });
    expect(forced.changes[0].action).toBe('replaced');
    const m = await store(dir).load();
    expect(m.credential('juice-shop').credential.certificate.dnsNames).toEqual(['other.example.com']);
    expect(m.credential('juice-shop').credential.issuers[0].equals(m.cluster('east').intermediate.certificate)).toBe(true);
  });

  it('asks which cluster signs when there are several (TM_CA_CLUSTER_REQUIRED)', async () => {
    const dir = tempDir();
    await store(dir).init({ clusters: ['east', 'west'] });
    expect(await rejection(store(dir).issue({ name: 'c', kind: 'client' }))).toMatchObject({ code: 'TM_CA_CLUSTER_REQUIRED' });
    expect(await rejection(store(dir).issue({ name: 'c', kind: 'client', cluster: 'north' }))).toMatchObject({ code: 'TM_CA_UNKNOWN_CLUSTER' });
    const r = await store(dir, { keyGenerator: fixtureKeys('p256-8') }).issue({ name: 'partner', kind: 'client', cluster: 'west', commonName: 'partner.example.com' });
    expect(r.written).toBe(true);
    expect((await store(dir).load()).credential('partner').credential.certificate.subject).toBe('CN=partner.example.com');
  });

  it('renews a cluster intermediate with a new key and re-issues that cluster\'s credentials', async () => {
    const dir = tempDir();
    await store(dir).init({ clusters: ['east', 'west'] });
    await store(dir, { keyGenerator: fixtureKeys('p256-5') }).issue({ name: 'gw', kind: 'gateway', cluster: 'east', hosts: ['a.example.com'] });
    const before = storeSnapshot(dir);
    const r = await store(dir, { keyGenerator: fixtureKeys('p256-6', 'p256-7'), clock: Clock.fixed(new Date(T0.getTime() + 86400_000)) }).renew({ clusters: ['east'] });
    expect(r.changes.map((c) => `${c.action} ${c.subject}`)).toEqual(['reissued cluster east', 'reissued credential gw']);
    const after = storeSnapshot(dir);
    expect(after['east/ca-key.pem'].sha256).not.toBe(before['east/ca-key.pem'].sha256);
    expect(after['west/ca-cert.pem'].sha256).toBe(before['west/ca-cert.pem'].sha256);
    const m = await store(dir).load();
    expect(m.credential('gw').credential.issuers[0].equals(m.cluster('east').intermediate.certificate)).toBe(true);
  });
});

describe('KeyStore refusals', () => {
  it('renew with neither a cluster nor a credential fails with TM_CA_NOTHING_TO_DO and changes nothing', async () => {
    const dir = tempDir();
    await store(dir).init({ clusters: ['east'] });
    const before = storeSnapshot(dir);
    const e = await rejection(store(dir).renew({}));
    expect(e).toMatchObject({ code: 'TM_CA_NOTHING_TO_DO', fix: expect.stringMatching(/--cluster <name> and\/or --credential <name>/) });
    expect(storeSnapshot(dir)).toEqual(before);
  });

  it('a store that cannot be written fails with TM_CA_STORE_UNWRITABLE naming the system error', async () => {
    // A regular file where the store's parent directory should be: ENOTDIR even for root.
    const blocker = path.join(tempDir(), 'not-a-directory');
    fs.writeFileSync(blocker, '');
    const e = await rejection(store(path.join(blocker, 'ca')).init({ clusters: ['east'] }));
    expect(e.code).toBe('TM_CA_STORE_UNWRITABLE');
    expect(e.message).toMatch(/cannot write the key store \((ENOTDIR|EEXIST)\); nothing was changed/);
    expect(fs.readFileSync(blocker, 'utf8')).toBe('');
  });
});

describe('KeyStore.inspect', () => {
  it('finds nothing wrong with fresh material', async () => {
    const dir = tempDir();
    await store(dir).init({ clusters: ['east'] });
    const i = await store(dir).inspect();
    expect(i.problems).toEqual([]);
    expect(i.certificates.map((c) => `${c.name} ${c.role} ${c.expiry} ${c.chain.valid}`)).toEqual(['root root ok true', 'east intermediate ok true']);
  });

  it('reports expiring and expired certificates, loose file modes and hand-edited derived files', async () => {
    const dir = tempDir();
    await store(dir).init({ clusters: ['east'], intermediateTtl: Duration.days(100) });
    const in20 = await store(dir, { clock: Clock.fixed(new Date(T0.getTime() + 20 * 86400_000)) }).inspect();
    expect(in20.warnings).toEqual([expect.stringMatching(/^east\/ca-cert.pem: .* expires on .*, in 80 days$/)]);
    expect(in20.problems).toEqual([]);
    const in101 = await store(dir, { clock: Clock.fixed(new Date(T0.getTime() + 101 * 86400_000)) }).inspect();
    expect(in101.problems).toEqual([expect.stringMatching(/^east\/ca-cert.pem: .* expired at /)]);

    fs.chmodSync(path.join(dir, 'east/ca-key.pem'), 0o644);
    fs.appendFileSync(path.join(dir, 'east/cert-chain.pem'), '\n');
    const messy = await store(dir).inspect();
    expect(messy.problems).toEqual([
      expect.stringMatching(/^east\/ca-key.pem: mode 0644 lets others read it/),
      expect.stringMatching(/^east\/cert-chain.pem: differs from what the certificates and keys imply/),
    ]);
    const repaired = await store(dir, { keyGenerator: fixtureKeys() }).init({ clusters: ['east'] });
    expect(repaired.written).toBe(true);
    expect((await store(dir).inspect()).problems).toEqual([]);
  });
});
