import { beforeAll, describe, expect, it } from 'vitest';
import { catchTrustmesh } from '../helpers';
import { fixedPki, openssl, writeFiles, fixtureKey } from './pki-fixtures';
import { Certificate } from '../../src/pki/certificate';
import { IssuedCertificate } from '../../src/pki/issued-certificate';
import { splitPem } from '../../src/pki/pem';
import { PrivateKey } from '../../src/pki/private-key';

describe('Certificate', () => {
  let root: IssuedCertificate;
  let east: IssuedCertificate;

  beforeAll(async () => {
    const pki = fixedPki(['p256-1', 'p256-2']);
    root = await pki.createRoot();
    east = await pki.createIntermediate(root, { cluster: 'east' });
  });

  it('reports the SHA-256 fingerprint exactly as openssl prints it', () => {
    const { cert } = writeFiles({ cert: east.certificate.pem });
    const r = openssl(['x509', '-in', cert, '-noout', '-fingerprint', '-sha256']);
    expect(r.stdout.trim()).toBe(`sha256 Fingerprint=${east.certificate.fingerprintSha256}`);
  });

  it('reads subject, SANs, constraints and usages', () => {
    const c = east.certificate;
    expect(c.subject).toBe('O=trustmesh, L=east, CN=Intermediate CA');
    expect(c.issuer).toBe('O=trustmesh, CN=Root CA');
    expect(c.dnsNames).toEqual(['istiod.istio-system.svc']);
    expect(c.isCa).toBe(true);
    expect(c.pathLength).toBe(0);
    expect(c.keyUsages).toEqual(['digitalSignature', 'keyCertSign', 'cRLSign']);
    expect(c.authorityKeyId).toBe(root.certificate.subjectKeyId);
    expect(c.keyAlgorithm?.name).toBe('ecdsa-p256');
  });

  it('parses a bundle in order and round-trips through PEM', () => {
    const bundle = Certificate.parseBundle(east.fullChainPem());
    expect(bundle.map((c) => c.subject)).toEqual([east.certificate.subject, root.certificate.subject]);
    expect(Certificate.fromPem(east.certificate.pem).equals(east.certificate)).toBe(true);
  });

  it('rejects corrupt PEM with TM_CA_BAD_PEM and the file name', () => {
    const broken = east.certificate.pem.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!');
    const e = catchTrustmesh(() => Certificate.fromPem(broken, 'east/ca-cert.pem'));
    expect(e.code).toBe('TM_CA_BAD_PEM');
    expect(e.message).toMatch(/east\/ca-cert\.pem/);
  });

  it('rejects text without PEM, a key where a certificate belongs, and truncated DER', () => {
    expect(catchTrustmesh(() => Certificate.fromPem('hello')).code).toBe('TM_CA_BAD_PEM');
    expect(catchTrustmesh(() => Certificate.fromPem(fixtureKey('p256-1'))).message).toMatch(/is a "PRIVATE KEY", not a CERTIFICATE/);
    const der = splitPem(root.certificate.pem)[0].der.subarray(0, 60);
    const truncated = `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`;
    expect(catchTrustmesh(() => Certificate.fromPem(truncated)).message).toMatch(/not a valid X.509 certificate/);
  });

  it('rejects two certificates where one is expected', () => {
    expect(catchTrustmesh(() => Certificate.fromPem(east.fullChainPem())).message).toMatch(/expected one certificate, found 2/);
  });
});

describe('PrivateKey', () => {
  it('never shows the key when printed, serialized or inspected', async () => {
    const key = PrivateKey.fromPem(fixtureKey('p256-3'));
    const { inspect } = await import('util');
    for (const shown of [String(key), JSON.stringify({ key }), inspect(key), inspect({ nested: { key } })]) {
      expect(shown).not.toMatch(/PRIVATE KEY|MIG/);
      expect(shown).toMatch(/redacted/);
    }
    expect(key.revealPem().startsWith(pemBegin('PRIVATE KEY'))).toBe(true);
  });

  it('accepts SEC1 and PKCS#1 PEM and normalizes to PKCS#8', () => {
    const { key } = writeFiles({ key: fixtureKey('p256-4') });
    const sec1 = openssl(['ec', '-in', key]).stdout;
    expect(sec1).toContain(pemBegin('EC PRIVATE KEY'));
    expect(PrivateKey.fromPem(sec1).revealPem()).toBe(PrivateKey.fromPem(fixtureKey('p256-4')).revealPem());
  });

  it('rejects garbage with TM_CA_BAD_PEM', () => {
    expect(catchTrustmesh(() => PrivateKey.fromPem(`${pemBegin('PRIVATE KEY')}\nAAAA\n-----END ${'PRIVATE'} KEY-----\n`, 'root-key.pem')).code).toBe('TM_CA_BAD_PEM');
  });

  it('refuses to pair a key with a certificate it does not belong to (TM_CA_KEY_MISMATCH)', async () => {
    const pki = fixedPki(['p256-1']);
    const root = await pki.createRoot();
    const e = catchTrustmesh(() => IssuedCertificate.of(root.certificate, PrivateKey.fromPem(fixtureKey('p256-2'))));
    expect(e.code).toBe('TM_CA_KEY_MISMATCH');
  });
});

/** A PEM BEGIN line, built at run time so that no key-looking text is committed. */
function pemBegin(label: string): string {
  return `-----BEGIN ${label}-----`;
}
