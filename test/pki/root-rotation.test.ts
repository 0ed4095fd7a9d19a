// Root rotation with overlap. The handshakes run against the real clock, so the store is created
// an hour ago (with fixture keys); nothing here is snapshotted.
import * as fs from 'fs';
import * as path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { counterSerials, fixtureKeys, tempDir } from './pki-fixtures';
import { expectSpiffeId, handshake } from './tls-harness';
import { verifyChain } from '../../src/pki/chain-verifier';
import { Clock } from '../../src/pki/clock';
import { IssuedCertificate } from '../../src/pki/issued-certificate';
import { KeyStore } from '../../src/pki/key-store';
import { Pki } from '../../src/pki/pki';

const CLOCK = Clock.fixed(new Date(Date.now() - 3600_000));
const ID = 'spiffe://cluster.local/ns/shop/sa/cart';
const KEYS = ['p256-1', 'p256-2', 'p256-3', 'p256-4', 'p256-5', 'p256-6', 'p256-7', 'p256-8', 'p256-9', 'p256-10'];

function at(dir: string, keys: string[] = KEYS): KeyStore {
  return KeyStore.at(dir, { clock: CLOCK, keyGenerator: fixtureKeys(...keys), serialNumbers: counterSerials() });
}

async function workload(issuer: IssuedCertificate, key: string): Promise<IssuedCertificate> {
  const pki = new Pki({ clock: CLOCK, keyGenerator: fixtureKeys(key), serialNumbers: counterSerials(200) });
  return pki.issueWorkloadCertificate(issuer, { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'cart' });
}

/** Does a client trusting `bundle` accept a server presenting `leaf`? */
async function accepted(leaf: IssuedCertificate, bundle: string): Promise<boolean> {
  const r = await handshake(
    { key: leaf.privateKey.revealPem(), cert: leaf.chainPem(), ca: bundle },
    { ca: bundle, checkServerIdentity: expectSpiffeId(ID) },
    { requestClientCert: false },
  );
  return r.connected;
}

describe('root rotation with overlap', () => {
  let dir: string;
  const read = (f: string): string => fs.readFileSync(path.join(dir, f), 'utf8');

  beforeAll(async () => {
    dir = tempDir();
    await at(dir).init({ clusters: ['east', 'west'] });
    await at(dir, ['p256-4']).issue({ name: 'gw', kind: 'gateway', cluster: 'east', hosts: ['a.example.com'] });
  });

  it('walks begin → reissue → retire-root, with both roots trusted in between', async () => {
    const oldRoot = read('root-cert.pem');
    const oldEast = read('east/ca-cert.pem');
    const oldMaterial = await at(dir).load();
    const oldLeaf = await workload(oldMaterial.cluster('east').intermediate, 'p256-8');

    // Step 1: new root, trusted beside the old one; intermediates untouched.
    const begin = await at(dir, ['p256-5']).beginRootRotation();
    expect(begin.nextStep).toMatch(/restart istiod.*trustmesh ca rotate reissue/s);
    expect(read('east/ca-cert.pem')).toBe(oldEast);
    expect(read('root-cert.pem')).toBe(oldRoot);
    const newRoot = read('next-root/root-cert.pem');
    expect(read('trust-bundle.pem')).toBe(oldRoot + newRoot);
    expect(read('east/root-cert.pem')).toBe(oldRoot + newRoot);
    expect(read('issued/gw/ca.crt')).toBe(oldRoot + newRoot);
    const step1 = await at(dir).load();
    expect(step1.rotation).toBe('new-root-trusted');
    expect(step1.trustedRoots.map((r) => r.subject)).toEqual(['O=trustmesh, CN=Root CA G1', 'O=trustmesh, CN=Root CA G2']);
    await expect(at(dir).beginRootRotation()).rejects.toMatchObject({ code: 'TM_CA_ROTATION_PHASE' });
    await expect(at(dir).retireRoot()).rejects.toMatchObject({ code: 'TM_CA_ROTATION_PHASE' });

    // Step 2: intermediates and credentials re-issued under the new root; old root still trusted.
    const reissue = await at(dir, ['p256-6', 'p256-7', 'p256-9']).reissueUnderNewRoot();
    expect(reissue.changes.map((c) => `${c.action} ${c.subject}`)).toEqual(['updated signing root', 'reissued cluster east', 'reissued cluster west', 'reissued credential gw']);
    expect(read('root-cert.pem')).toBe(newRoot);
    expect(read('previous-root/root-cert.pem')).toBe(oldRoot);
    expect(fs.existsSync(path.join(dir, 'next-root'))).toBe(false);
    const step2 = await at(dir).load();
    expect(step2.rotation).toBe('intermediates-reissued');
    const bundle = step2.trustBundlePem;
    expect(bundle).toBe(newRoot + oldRoot);
    expect(read('east/cert-chain.pem')).toBe(read('east/ca-cert.pem') + newRoot);
    for (const c of step2.clusters) {
      const v = await verifyChain(c.intermediate.certificate, { roots: [step2.signingRoot], at: CLOCK.now() });
      expect(v.valid).toBe(true);
    }
    expect((await verifyChain(step2.credential('gw').credential.certificate, {
      roots: [step2.signingRoot], intermediates: [step2.cluster('east').intermediate.certificate], at: CLOCK.now(),
    })).valid).toBe(true);

    // During the overlap a client trusting the bundle accepts leaves under either root.
    const newLeaf = await workload(step2.cluster('east').intermediate, 'p256-10');
    expect(await accepted(newLeaf, bundle)).toBe(true);
    expect(await accepted(oldLeaf, bundle)).toBe(true);
    expect((await at(dir).inspect()).problems).toEqual([]);

    // Step 3: the old root leaves the bundle; only leaves under the new root are accepted.
    const retire = await at(dir).retireRoot();
    expect(retire.changes.map((c) => `${c.action} ${c.subject}`)).toEqual(['removed old root CA', 'updated trust bundle']);
    expect(fs.existsSync(path.join(dir, 'previous-root'))).toBe(false);
    const step3 = await at(dir).load();
    expect(step3.rotation).toBe('none');
    expect(step3.trustBundlePem).toBe(newRoot);
    expect(read('west/root-cert.pem')).toBe(newRoot);
    expect(await accepted(newLeaf, step3.trustBundlePem)).toBe(true);
    expect(await accepted(oldLeaf, step3.trustBundlePem)).toBe(false);
  });

  it('can abort after step 1, back to one root', async () => {
    const d = tempDir();
    await at(d).init({ clusters: ['east'] });
    const before = fs.readFileSync(path.join(d, 'east/root-cert.pem'), 'utf8');
    await at(d, ['p256-9']).beginRootRotation();
    await at(d).abortRootRotation();
    expect(fs.readFileSync(path.join(d, 'east/root-cert.pem'), 'utf8')).toBe(before);
    expect(fs.existsSync(path.join(d, 'next-root'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(d, 'trustmesh-ca.json'), 'utf8')).rootGeneration).toBe(1);
  });
});
