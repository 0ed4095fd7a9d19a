// `trustmesh ca` run as a real child process from the compiled output (npm test compiles first;
// by hand: `npx tsc --build`).
import * as fs from 'fs';
import * as path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CliRun as Run, MAIN, runCli } from './cli-runner';
import { Clock } from '../../src/pki/clock';
import { KeyStore } from '../../src/pki/key-store';
import { parseTtl } from '../../src/pki/ttl';
import { counterSerials, fixtureKeys, openssl, storeSnapshot, tempDir } from '../pki/pki-fixtures';
import { runNodeUnderStrace, straceUsable } from '../private/crash-harness';

const trustmesh = (args: readonly string[], cwd: string): Run => runCli(args, { cwd });

/** A usage error: exit 2, the coded message on stderr, no stack trace. */
function expectCodedError(r: Run, code: string): void {
  expect(r.stderr).toMatch(new RegExp(`^error ${code}: `));
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.code).toBe(2);
}

describe('trustmesh ca', () => {
  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
  });

  it('init creates the root and two cluster intermediates in .trustmesh/ca (0700/0600, git-ignored)', () => {
    const cwd = tempDir('tm-cli-ca-');
    const r = trustmesh(['ca', 'init', '--cluster', 'east', '--cluster', 'west'], cwd);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^created {2}root CA: O=trustmesh, CN=Root CA G1, not after \d{4}-\d\d-\d\d \(ecdsa-p256\)$/m);
    expect(r.stdout).toMatch(/^created {2}cluster east: O=trustmesh, L=east, CN=Intermediate CA/m);
    expect(r.stdout).toMatch(/^wrote \.trustmesh\/ca \(directory 0700, files 0600, git-ignored\)$/m);
    const files = storeSnapshot(path.join(cwd, '.trustmesh/ca'));
    for (const [name, info] of Object.entries(files)) expect(`${name} ${info.mode}`).toBe(`${name} ${name.endsWith('/') ? '700' : '600'}`);
    expect(Object.keys(files)).toContain('west/cert-chain.pem');
    const v = openssl(['verify', '-x509_strict', '-CAfile', path.join(cwd, '.trustmesh/ca/east/root-cert.pem'), path.join(cwd, '.trustmesh/ca/east/ca-cert.pem')]);
    expect(v.stdout).toMatch(/: OK/);
  });

  it('init twice keeps the material byte-identical and says so in one line', () => {
    const cwd = tempDir('tm-cli-ca-');
    trustmesh(['ca', 'init', '--cluster', 'east', '--cluster', 'west'], cwd);
    const before = storeSnapshot(path.join(cwd, '.trustmesh/ca'));
    const r = trustmesh(['ca', 'init', '--cluster', 'west', '--cluster', 'east'], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('kept existing CA in .trustmesh/ca: root CA, clusters east, west (nothing to do)\n');
    expect(r.stderr).toBe('');
    expect(storeSnapshot(path.join(cwd, '.trustmesh/ca'))).toEqual(before);
    const added = trustmesh(['ca', 'init', '--cluster', 'north'], cwd);
    expect(added.stdout).toMatch(/^kept {5}root CA/m);
    expect(added.stdout).toMatch(/^created {2}cluster north/m);
  });

  it.each([
    [['ca', 'init', '--algorithm', 'dsa'], 'TM_CA_UNKNOWN_ALGORITHM'],
    [['ca', 'init', '--cluster', 'East_1'], 'TM_CA_INVALID_CLUSTER_NAME'],
    [['ca', 'init', '--trust-domain', 'https://example.com'], 'TM_CA_INVALID_TRUST_DOMAIN'],
    [['ca', 'init', '--root-ttl', '10y'], 'TM_CA_INVALID_TTL'],
    [['ca', 'inspect'], 'TM_CA_STORE_MISSING'],
    [['ca', 'rotate', 'reissue'], 'TM_CA_STORE_MISSING'],
  ])('%j is a usage error with %s and no stack trace', (args, code) => {
    const cwd = tempDir('tm-cli-ca-');
    expectCodedError(trustmesh(args, cwd), code);
    expect(fs.existsSync(path.join(cwd, '.trustmesh'))).toBe(false);
  });

  it('reports an unreadable store directory and corrupt PEM with coded errors', () => {
    const cwd = tempDir('tm-cli-ca-');
    fs.writeFileSync(path.join(cwd, 'not-a-dir'), 'x');
    expectCodedError(trustmesh(['ca', 'init', '--dir', 'not-a-dir'], cwd), 'TM_CA_STORE_UNREADABLE');
    trustmesh(['ca', 'init', '--cluster', 'east'], cwd);
    fs.writeFileSync(path.join(cwd, '.trustmesh/ca/east/ca-cert.pem'), '-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n');
    const r = trustmesh(['ca', 'inspect'], cwd);
    expectCodedError(r, 'TM_CA_BAD_PEM');
    expect(r.stderr).toMatch(/east\/ca-cert\.pem/);
  });

  it('refuses to replace material without --force, and says what --force replaced', () => {
    const cwd = tempDir('tm-cli-ca-');
    trustmesh(['ca', 'init', '--cluster', 'east'], cwd);
    expectCodedError(trustmesh(['ca', 'init', '--trust-domain', 'prod.example.com'], cwd), 'TM_CA_MISMATCH');
    const forced = trustmesh(['ca', 'init', '--cluster', 'east', '--trust-domain', 'prod.example.com', '--force'], cwd);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/^replaced key store: --force: every file in \.trustmesh\/ca is replaced by new material$/m);
  });

  it('inspect prints the chain check and an expiry table, or JSON', () => {
    const cwd = tempDir('tm-cli-ca-');
    trustmesh(['ca', 'init', '--cluster', 'east', '--cluster', 'west'], cwd);
    const text = trustmesh(['ca', 'inspect'], cwd);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^CERTIFICATE +ROLE +SUBJECT +NOT AFTER +DAYS +EXPIRY +CHAIN$/m);
    expect(text.stdout).toMatch(/^east +intermediate +O=trustmesh, L=east, CN=Intermediate CA +\S+ +18\d\d +ok +ok \(via Root CA G1\)$/m);
    expect(text.stdout).toMatch(/^problems: none$/m);
    const json = JSON.parse(trustmesh(['ca', 'inspect', '--output', 'json'], cwd).stdout);
    expect(json).toMatchObject({ valid: true, trustDomain: 'cluster.local', rotation: 'none', problems: [] });
    expect(json.certificates.map((c: { name: string }) => c.name)).toEqual(['root', 'east', 'west']);
    expect(json.certificates[1].certificate.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(JSON.stringify(json)).not.toMatch(/PRIVATE KEY/);
  });

  it('inspect exits 1 when a certificate has expired', async () => {
    const cwd = tempDir('tm-cli-ca-');
    const dir = path.join(cwd, 'old-ca');
    await KeyStore.at(dir, { clock: Clock.fixed('2020-01-01T00:00:00Z'), keyGenerator: fixtureKeys('p256-1', 'p256-2'), serialNumbers: counterSerials() })
      .init({ clusters: ['east'], intermediateTtl: parseTtl('365d') });
    const r = trustmesh(['ca', 'inspect', '--dir', 'old-ca', '--output', 'json'], cwd);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.valid).toBe(false);
    expect(json.problems).toEqual([expect.stringMatching(/^east\/ca-cert.pem: .* expired at 2020-12-31T00:00:00.000Z$/)]);
  });

  it('issue gateway writes tls.crt/tls.key/ca.crt that openssl accepts for the host', () => {
    const cwd = tempDir('tm-cli-ca-');
    trustmesh(['ca', 'init', '--cluster', 'east'], cwd);
    expectCodedError(trustmesh(['ca', 'issue', 'gateway', '--name', 'juice-shop'], cwd), 'TM_CA_INVALID_HOST');
    const r = trustmesh(['ca', 'issue', 'gateway', '--name', 'juice-shop', '--host', 'juice-shop.istio-succinctly.io'], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^created {2}credential juice-shop: CN=juice-shop.istio-succinctly.io/m);
    const d = path.join(cwd, '.trustmesh/ca/issued/juice-shop');
    const v = openssl(['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_hostname', 'juice-shop.istio-succinctly.io',
      '-CAfile', path.join(d, 'ca.crt'), '-untrusted', path.join(d, 'tls.crt'), path.join(d, 'tls.crt')]);
    expect(v.stdout).toMatch(/: OK/);
    const wrongHost = openssl(['verify', '-verify_hostname', 'other.example.com', '-CAfile', path.join(d, 'ca.crt'), '-untrusted', path.join(d, 'tls.crt'), path.join(d, 'tls.crt')]);
    expect(wrongHost.code).not.toBe(0);
    expect((fs.statSync(path.join(d, 'tls.key')).mode % 0o1000).toString(8)).toBe('600');
    const client = trustmesh(['ca', 'issue', 'client', '--name', 'partner', '--common-name', 'partner.example.com'], cwd);
    expect(client.code).toBe(0);
    expect(trustmesh(['ca', 'inspect'], cwd).stdout).toMatch(/^issued\/partner +client +CN=partner.example.com/m);
  });

  it('rotates the root in three steps, each saying what to restart next', () => {
    const cwd = tempDir('tm-cli-ca-');
    trustmesh(['ca', 'init', '--cluster', 'east'], cwd);
    expectCodedError(trustmesh(['ca', 'retire-root'], cwd), 'TM_CA_ROTATION_PHASE');
    const begin = trustmesh(['ca', 'rotate', 'begin'], cwd);
    expect(begin.code).toBe(0);
    expect(begin.stdout).toMatch(/^created {2}new root CA: O=trustmesh, CN=Root CA G2/m);
    expect(begin.stdout).toMatch(/^next: step 1 of 3 done: .*restart istiod.*`trustmesh ca rotate reissue`/m);
    const bundle = fs.readFileSync(path.join(cwd, '.trustmesh/ca/east/root-cert.pem'), 'utf8');
    expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    const reissue = trustmesh(['ca', 'rotate', 'reissue'], cwd);
    expect(reissue.stdout).toMatch(/^reissued cluster east/m);
    expect(trustmesh(['ca', 'inspect'], cwd).stdout).toMatch(/root rotation: intermediates-reissued \(the next step is `trustmesh ca retire-root`\)/);
    const retire = trustmesh(['ca', 'retire-root'], cwd);
    expect(retire.code).toBe(0);
    expect(retire.stdout).toMatch(/^removed {2}old root CA: O=trustmesh, CN=Root CA G1/m);
    expect(fs.readFileSync(path.join(cwd, '.trustmesh/ca/east/root-cert.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
  });

  it('shows progress on stderr while generating large RSA keys', () => {
    const cwd = tempDir('tm-cli-ca-');
    const r = trustmesh(['ca', 'init', '--algorithm', 'rsa-3072'], cwd);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^generating rsa-3072 key for root CA \(large RSA keys take a while\)…$/m);
    expect(r.stderr).toMatch(/^ {2}rsa-3072 key for root CA ready in \d+\.\ds$/m);
    expect(r.stdout).toMatch(/no cluster intermediates yet/);
  });
});

// Root reads any file whatever its mode, so the EACCES a user would get is injected with strace.
describe.skipIf(!straceUsable())('trustmesh ca on key material it cannot read', () => {
  it('init refuses with TM_CA_STORE_UNREADABLE (EACCES) and never makes a new root', () => {
    const cwd = tempDir('tm-cli-ca-');
    trustmesh(['ca', 'init', '--cluster', 'east'], cwd);
    const key = path.join(fs.realpathSync(path.join(cwd, '.trustmesh/ca')), 'root-key.pem');
    const before = storeSnapshot(path.join(cwd, '.trustmesh/ca'));
    const r = runNodeUnderStrace(['-P', key, '-e', 'trace=openat', '-e', 'inject=openat:error=EACCES'], [MAIN, 'ca', 'init', '--cluster', 'east', '--cluster', 'west'], cwd);
    expectCodedError(r, 'TM_CA_STORE_UNREADABLE');
    expect(r.stderr).toMatch(/cannot read the key store \(EACCES\)/);
    expect(storeSnapshot(path.join(cwd, '.trustmesh/ca'))).toEqual(before);
    expect(fs.readdirSync(path.join(cwd, '.trustmesh')).sort()).toEqual(['.ca.gen-0001', 'ca']);
  });
});
