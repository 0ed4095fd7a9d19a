import { Duration } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { epoch, fixedPki, openssl, T0, writeFiles } from './pki-fixtures';
import { IssuedCertificate } from '../../src/pki/issued-certificate';
import { KeyAlgorithm } from '../../src/pki/key-algorithm';

const AT = epoch(new Date(T0.getTime() + 3600_000));

/** openssl verify -x509_strict at a fixed time, with the root as the only trust anchor. */
function strictVerify(leaf: IssuedCertificate): { code: number | null; out: string } {
  const files = writeFiles({
    'root.pem': leaf.root.pem,
    'untrusted.pem': leaf.issuers.slice(0, -1).map((c) => c.pem).join('') || leaf.root.pem,
    'leaf.pem': leaf.certificate.pem,
  });
  const r = openssl(['verify', '-x509_strict', '-attime', AT, '-CAfile', files['root.pem'], '-untrusted', files['untrusted.pem'], files['leaf.pem']]);
  return { code: r.code, out: r.stdout + r.stderr };
}

function text(c: IssuedCertificate): string {
  return openssl(['x509', '-noout', '-text'], c.certificate.pem).stdout;
}

const PROFILES: ReadonlyArray<{ alg: KeyAlgorithm; keys: string[]; sig: RegExp }> = [
  { alg: KeyAlgorithm.ECDSA_P256, keys: ['p256-1', 'p256-2', 'p256-3', 'p256-4', 'p256-5'], sig: /ecdsa-with-SHA256/ },
  { alg: KeyAlgorithm.ECDSA_P384, keys: ['p384-1', 'p384-2', 'p256-3', 'p256-4', 'p256-5'], sig: /ecdsa-with-SHA384/ },
  { alg: KeyAlgorithm.RSA_2048, keys: ['rsa2048-1', 'rsa2048-2', 'rsa2048-3', 'rsa2048-4', 'rsa2048-5'], sig: /sha256WithRSAEncryption/ },
  { alg: KeyAlgorithm.RSA_3072, keys: ['rsa3072-1', 'rsa2048-2', 'rsa2048-3', 'rsa2048-4', 'rsa2048-5'], sig: /sha256WithRSAEncryption/ },
  { alg: KeyAlgorithm.RSA_4096, keys: ['rsa4096-1', 'rsa4096-2', 'rsa2048-3', 'rsa2048-4', 'rsa2048-5'], sig: /sha256WithRSAEncryption/ },
];

describe.each(PROFILES)('Pki with $alg.name', ({ alg, keys, sig }) => {
  async function hierarchy(): Promise<Record<'root' | 'east' | 'svid' | 'gateway' | 'client', IssuedCertificate>> {
    const pki = fixedPki(keys);
    const root = await pki.createRoot({ algorithm: alg });
    // Intermediates use the root's algorithm unless told; RSA 3072 roots get an RSA 2048 intermediate from the fixtures.
    const east = await pki.createIntermediate(root, { cluster: 'east', algorithm: alg === KeyAlgorithm.RSA_3072 ? KeyAlgorithm.RSA_2048 : undefined });
    const leafAlg = alg.family === 'rsa' ? KeyAlgorithm.RSA_2048 : KeyAlgorithm.ECDSA_P256;
    return {
      root,
      east,
      svid: await pki.issueWorkloadCertificate(east, { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'cart', algorithm: leafAlg }),
      gateway: await pki.issueServerCertificate(east, { hosts: ['juice-shop.example.com'], algorithm: leafAlg }),
      client: await pki.issueClientCertificate(east, { commonName: 'partner', algorithm: leafAlg }),
    };
  }

  it('issues chains that openssl verify -x509_strict accepts (intermediate and every leaf)', async () => {
    const h = await hierarchy();
    for (const c of [h.east, h.svid, h.gateway, h.client]) {
      const r = strictVerify(c);
      expect(r.out).toMatch(/: OK/);
      expect(r.code).toBe(0);
    }
  });

  it('signs with the issuer key algorithm', async () => {
    const h = await hierarchy();
    expect(text(h.east)).toMatch(sig);
    expect(h.root.privateKey.algorithm).toBe(alg);
  });
});

describe('certificate profiles (openssl x509 -text)', () => {
  async function p256(): Promise<Record<'root' | 'east' | 'svid' | 'gateway' | 'client', IssuedCertificate>> {
    const pki = fixedPki(['p256-1', 'p256-2', 'p256-3', 'p256-4', 'p256-5']);
    const root = await pki.createRoot();
    const east = await pki.createIntermediate(root, { cluster: 'east' });
    return {
      root,
      east,
      svid: await pki.issueWorkloadCertificate(east, { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'cart' }),
      gateway: await pki.issueServerCertificate(east, { hosts: ['juice-shop.example.com', '*.juice.example.com'] }),
      client: await pki.issueClientCertificate(east, { commonName: 'partner', uris: ['spiffe://partner.example/ns/a/sa/b'] }),
    };
  }

  it('root: CA:TRUE critical, keyCertSign + cRLSign critical, subject key id, self-signed', async () => {
    const t = text((await p256()).root);
    expect(t).toMatch(/Basic Constraints: critical\s+CA:TRUE\n/);
    expect(t).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
    expect(t).toMatch(/Subject Key Identifier:/);
    expect(t).toMatch(/Issuer: O = trustmesh, CN = Root CA\s+Validity/);
    expect(t).toMatch(/Subject: O = trustmesh, CN = Root CA\n/);
  });

  it('intermediate: pathlen 0, L=<cluster>, DNS SAN istiod.istio-system.svc, cert-chain.pem = intermediate + root', async () => {
    const { root, east } = await p256();
    const t = text(east);
    expect(t).toMatch(/CA:TRUE, pathlen:0/);
    expect(t).toMatch(/Subject: O = trustmesh, L = east, CN = Intermediate CA/);
    expect(t).toMatch(/Subject Alternative Name: \n\s+DNS:istiod.istio-system.svc/);
    expect(east.fullChainPem()).toBe(east.certificate.pem + root.certificate.pem);
  });

  it('workload SVID: empty subject, critical SPIFFE URI SAN, serverAuth + clientAuth, CA:FALSE, 24h', async () => {
    const { svid } = await p256();
    const t = text(svid);
    expect(t).toMatch(/Subject: ?\n/);
    expect(t).toMatch(/Subject Alternative Name: critical\s+URI:spiffe:\/\/cluster.local\/ns\/shop\/sa\/cart/);
    expect(t).toMatch(/Extended Key Usage: ?\s+TLS Web Server Authentication, TLS Web Client Authentication/);
    expect(t).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(t).toMatch(/Key Usage: critical\s+Digital Signature\n/);
    expect(svid.certificate.notAfter.getTime() - T0.getTime()).toBe(24 * 3600_000);
  });

  it('gateway: DNS SANs for every host, CN = first host, serverAuth only', async () => {
    const { gateway } = await p256();
    expect(gateway.certificate.subject).toBe('CN=juice-shop.example.com');
    expect(gateway.certificate.dnsNames).toEqual(['juice-shop.example.com', '*.juice.example.com']);
    expect(gateway.certificate.extendedKeyUsages).toEqual(['serverAuth']);
  });

  it('client: CN, optional URI SAN, clientAuth only', async () => {
    const { client } = await p256();
    expect(client.certificate.subject).toBe('CN=partner');
    expect(client.certificate.uris).toEqual(['spiffe://partner.example/ns/a/sa/b']);
    expect(client.certificate.extendedKeyUsages).toEqual(['clientAuth']);
  });

  it('RSA leaves also get keyEncipherment, as istiod issues them', async () => {
    const pki = fixedPki(['rsa2048-1', 'rsa2048-2', 'rsa2048-3']);
    const root = await pki.createRoot({ algorithm: KeyAlgorithm.RSA_2048 });
    const east = await pki.createIntermediate(root, { cluster: 'east' });
    const svid = await pki.issueWorkloadCertificate(east, { trustDomain: 'cluster.local', namespace: 'a', serviceAccount: 'b' });
    expect(svid.certificate.keyUsages).toEqual(['digitalSignature', 'keyEncipherment']);
  });
});

describe('validity', () => {
  it('backdates notBefore by 2 minutes (istiod ClockSkewGracePeriod) and applies the default TTLs', async () => {
    const pki = fixedPki(['p256-1', 'p256-2']);
    const root = await pki.createRoot();
    const east = await pki.createIntermediate(root, { cluster: 'east' });
    expect(root.certificate.notBefore.toISOString()).toBe('2026-01-15T11:58:00.000Z');
    expect(root.certificate.notAfter.toISOString()).toBe(new Date(T0.getTime() + 3650 * 86400_000).toISOString());
    expect(east.certificate.notAfter.toISOString()).toBe(new Date(T0.getTime() + 1825 * 86400_000).toISOString());
  });

  it('never lets a certificate outlive its issuer', async () => {
    const pki = fixedPki(['p256-1', 'p256-2']);
    const root = await pki.createRoot({ ttl: Duration.days(30) });
    const east = await pki.createIntermediate(root, { cluster: 'east', ttl: Duration.days(365) });
    expect(east.certificate.notAfter).toEqual(root.certificate.notAfter);
  });

  it('refuses to issue under an expired CA (TM_CA_EXPIRED)', async () => {
    const root = await fixedPki(['p256-1']).createRoot({ ttl: Duration.days(1) });
    const later = fixedPki(['p256-2'], new Date(T0.getTime() + 2 * 86400_000));
    const e = await later.createIntermediate(root, { cluster: 'east' }).then(() => undefined, (x: unknown) => x);
    expect(e).toMatchObject({ code: 'TM_CA_EXPIRED' });
  });
});

describe('issuing rules', () => {
  it('refuses an intermediate under an intermediate (pathlen 0) and a certificate under a leaf', async () => {
    const pki = fixedPki(['p256-1', 'p256-2', 'p256-3']);
    const root = await pki.createRoot();
    const east = await pki.createIntermediate(root, { cluster: 'east' });
    await expect(pki.createIntermediate(east, { cluster: 'west' })).rejects.toMatchObject({ code: 'TM_CA_NOT_A_CA' });
    const gateway = await pki.issueServerCertificate(east, { hosts: ['a.example.com'] });
    await expect(pki.issueServerCertificate(gateway, { hosts: ['b.example.com'] })).rejects.toMatchObject({ code: 'TM_CA_NOT_A_CA' });
  });

  it('validates names before generating anything', async () => {
    // One injected key: a generation attempt after the root would fail with "no injected key left".
    const pki = fixedPki(['p256-1']);
    const root = await pki.createRoot();
    await expect(pki.createIntermediate(root, { cluster: 'East' })).rejects.toMatchObject({ code: 'TM_CA_INVALID_CLUSTER_NAME' });
    await expect(pki.issueServerCertificate(root, { hosts: [] })).rejects.toMatchObject({ code: 'TM_CA_INVALID_HOST' });
    await expect(pki.issueWorkloadCertificate(root, { trustDomain: 'cluster.local', namespace: 'Bad', serviceAccount: 'x' }))
      .rejects.toMatchObject({ code: 'TM_INVALID_NAME' });
    for (const commonName of ['', '   ', 'x'.repeat(65)]) {
      await expect(pki.issueClientCertificate(root, { commonName })).rejects.toMatchObject({ code: 'TM_CA_INVALID_SUBJECT' });
    }
  });

  it('is deterministic with injected RSA keys, a fixed clock and counter serials: byte-identical certificates', async () => {
    const issue = async (): Promise<string> => {
      const pki = fixedPki(['rsa2048-1', 'rsa2048-2', 'rsa2048-3']);
      const root = await pki.createRoot({ algorithm: KeyAlgorithm.RSA_2048 });
      const east = await pki.createIntermediate(root, { cluster: 'east' });
      const svid = await pki.issueWorkloadCertificate(east, { trustDomain: 'cluster.local', namespace: 'a', serviceAccount: 'b' });
      return svid.fullChainPem();
    };
    expect(await issue()).toBe(await issue());
  });

  it('uses random positive 128-bit serials by default', async () => {
    const { Pki } = await import('../../src/pki/pki');
    const { fixtureKeys } = await import('./pki-fixtures');
    const pki = new Pki({ keyGenerator: fixtureKeys('p256-1', 'p256-2') });
    const a = await pki.createRoot();
    const b = await pki.createRoot();
    expect(a.certificate.serialNumber).toMatch(/^[0-7][0-9a-f]{31}$/);
    expect(a.certificate.serialNumber).not.toBe(b.certificate.serialNumber);
  });
});
