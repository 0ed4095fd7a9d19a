import { Duration } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { fixedPki, fixtureKey, T0 } from './pki-fixtures';
import { Certificate } from '../../src/pki/certificate';
import { verifyChain } from '../../src/pki/chain-verifier';
import { x509, x509Crypto } from '../../src/pki/crypto-provider';
import { IssuedCertificate } from '../../src/pki/issued-certificate';
import { PrivateKey } from '../../src/pki/private-key';

const SOON = new Date(T0.getTime() + 3600_000);

async function hierarchy() {
  const pki = fixedPki(['p256-1', 'p256-2', 'p256-3', 'p256-4', 'p256-5', 'p256-6']);
  const root = await pki.createRoot();
  const east = await pki.createIntermediate(root, { cluster: 'east' });
  const svid = await pki.issueWorkloadCertificate(east, { trustDomain: 'cluster.local', namespace: 'a', serviceAccount: 'b' });
  // A second root with the same name as the first: only key identifiers tell them apart.
  const impostor = await pki.createRoot();
  const impostorEast = await pki.createIntermediate(impostor, { cluster: 'east' });
  const foreign = await pki.issueWorkloadCertificate(impostorEast, { trustDomain: 'cluster.local', namespace: 'a', serviceAccount: 'b' });
  return { root, east, svid, impostor, impostorEast, foreign };
}

describe('verifyChain', () => {
  it('builds leaf → intermediate → root and accepts it', async () => {
    const h = await hierarchy();
    const r = await verifyChain(h.svid.certificate, { roots: [h.root.certificate], intermediates: [h.east.certificate], at: SOON, purpose: 'clientAuth' });
    expect(r.problems).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.path.map((c) => c.subject)).toEqual(['', 'O=trustmesh, L=east, CN=Intermediate CA', 'O=trustmesh, CN=Root CA']);
  });

  it('tells same-named roots apart by key identifier', async () => {
    const h = await hierarchy();
    expect(h.impostor.certificate.subject).toBe(h.root.certificate.subject);
    const r = await verifyChain(h.foreign.certificate, {
      roots: [h.root.certificate], intermediates: [h.east.certificate, h.impostorEast.certificate], at: SOON,
    });
    expect(r.valid).toBe(false);
    expect(r.problems.map((p) => p.code)).toEqual(['untrusted']);
  });

  it('reports a missing intermediate as untrusted', async () => {
    const h = await hierarchy();
    const r = await verifyChain(h.svid.certificate, { roots: [h.root.certificate], at: SOON });
    expect(r.valid).toBe(false);
    expect(r.problems[0]).toMatchObject({ code: 'untrusted' });
    expect(r.problems[0].message).toMatch(/issuer "O=trustmesh, L=east, CN=Intermediate CA"/);
  });

  it('reports expiry and not-yet-valid at the given instant', async () => {
    const h = await hierarchy();
    const later = new Date(T0.getTime() + 2 * 86400_000);
    const r = await verifyChain(h.svid.certificate, { roots: [h.root.certificate], intermediates: [h.east.certificate], at: later });
    expect(r.problems.map((p) => p.code)).toEqual(['expired']);
    const before = new Date(T0.getTime() - 86400_000);
    const early = await verifyChain(h.svid.certificate, { roots: [h.root.certificate], intermediates: [h.east.certificate], at: before });
    expect(early.problems.map((p) => p.code)).toEqual(['not-yet-valid', 'not-yet-valid', 'not-yet-valid']);
  });

  it('rejects a forged signature', async () => {
    const h = await hierarchy();
    // Same issuer name and key id as east, but signed by another key: swap the signature bytes.
    const der = h.east.certificate.toDer();
    der[der.length - 5] ^= 0xff; // eslint-disable-line no-bitwise
    const tampered = Certificate.fromPem(`-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`);
    const r = await verifyChain(tampered, { roots: [h.root.certificate], at: SOON });
    expect(r.problems.map((p) => p.code)).toEqual(['bad-signature']);
  });

  it('enforces pathlen and CA:TRUE on issuers, even for certificates trustmesh would never issue', async () => {
    const pki = fixedPki(['p256-1', 'p256-2', 'p256-3', 'p256-4', 'p256-5']);
    const root = await pki.createRoot();
    const east = await pki.createIntermediate(root, { cluster: 'east' });
    const gateway = await pki.issueServerCertificate(east, { hosts: ['a.example.com'] });
    const lib = x509();
    const forge = async (issuer: IssuedCertificate, subject: string, ca: boolean, keyName: string): Promise<Certificate> => {
      const subjectKeys = await PrivateKey.fromPem(fixtureKey(keyName)).toCryptoKeyPair();
      const signer = await issuer.privateKey.toCryptoKeyPair();
      const cert = await lib.X509CertificateGenerator.create({
        serialNumber: '7f',
        subject,
        issuer: issuer.certificate.toX509().subjectName,
        notBefore: T0,
        notAfter: new Date(T0.getTime() + 86400_000),
        publicKey: subjectKeys.publicKey as never,
        signingKey: signer.privateKey as never,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as never,
        extensions: [
          new lib.BasicConstraintsExtension(ca, undefined, true),
          new lib.KeyUsagesExtension(ca ? 32 + 64 : 1, true),
          await lib.AuthorityKeyIdentifierExtension.create(signer.publicKey as never, false, x509Crypto()),
          await lib.SubjectKeyIdentifierExtension.create(subjectKeys.publicKey as never, false, x509Crypto()),
        ],
      }, x509Crypto());
      return Certificate.fromPem(cert.toString('pem'));
    };
    // east has pathlen:0, so a CA under it may exist but must not issue anything.
    const subCa = await forge(east, 'CN=sub CA', true, 'p256-4');
    const subCaKeyed = IssuedCertificate.of(subCa, PrivateKey.fromPem(fixtureKey('p256-4')), [east.certificate, root.certificate]);
    const tooDeep = await forge(subCaKeyed, 'CN=too deep', false, 'p256-6');
    const r1 = await verifyChain(tooDeep, { roots: [root.certificate], intermediates: [east.certificate, subCa], at: SOON });
    expect(r1.problems.map((p) => p.code)).toEqual(['path-length-exceeded']);
    expect(r1.problems[0].certificate.equals(east.certificate)).toBe(true);
    const underLeaf = await forge(gateway, 'CN=evil', false, 'p256-5');
    const r2 = await verifyChain(underLeaf, { roots: [root.certificate], intermediates: [east.certificate, gateway.certificate], at: SOON });
    expect(r2.problems.map((p) => p.code)).toEqual(['issuer-not-ca', 'path-length-exceeded']);
  });

  it('checks the leaf purpose', async () => {
    const pki = fixedPki(['p256-1', 'p256-2', 'p256-3']);
    const root = await pki.createRoot();
    const east = await pki.createIntermediate(root, { cluster: 'east' });
    const gateway = await pki.issueServerCertificate(east, { hosts: ['a.example.com'], ttl: Duration.days(1) });
    const r = await verifyChain(gateway.certificate, { roots: [root.certificate], intermediates: [east.certificate], at: SOON, purpose: 'clientAuth' });
    expect(r.problems.map((p) => p.code)).toEqual(['wrong-purpose']);
  });
});
