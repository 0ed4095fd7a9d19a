// Snapshots that work on a second machine (issue 10 §6): synthYaml normalizes everything derived
// from the CA, and trustmesh/testing ships a CA for users' tests.
import * as path from 'path';
import { describe, expect, test } from 'vitest';
import { GatewayCredential, GatewayTls, Mesh, Port, TrustmeshApp } from '../../src';
import { CaMaterial } from '../../src/pki/ca-material';
import { KeyStore } from '../../src/pki/key-store';
import { CaRedaction, synthYaml, TEST_CA_ISSUED_AT, testCertificateAuthority } from '../../src/testing';
import { tempApp } from '../helpers';
import { tempDir } from '../pki/pki-fixtures';

const FINGERPRINT = /\b([0-9A-F]{2}:){31}[0-9A-F]{2}\b/;

/** A mesh using the CA material, with a gateway whose credential comes from it. */
function shopWith(material: CaMaterial, credential?: string): TrustmeshApp {
  const app = tempApp();
  const mesh = new Mesh(app, 'shop');
  const ca = mesh.useCertificateAuthority(material);
  const web = mesh.addNamespace('shop').addService('web', { ports: [Port.http(8080)] });
  if (credential) {
    const gateway = mesh.addIngressGateway('shop');
    gateway.addHttpsServer({ hosts: ['shop.example.com'], tls: GatewayTls.simple(GatewayCredential.fromCa(ca, credential)) });
    gateway.route(web);
    web.allowFrom(gateway);
  }
  return app;
}

/** What `trustmesh ca init --cluster shop` creates on a machine of its own. */
async function caInitOnAnotherMachine(): Promise<CaMaterial> {
  const store = KeyStore.at(path.join(tempDir('tm-machine-'), '.trustmesh', 'ca'));
  await store.init({ clusters: ['shop'] });
  return store.load();
}

describe('synthYaml normalizes CA-derived material', () => {
  test('two machines\' own `ca init` give the same snapshot', async () => {
    const [a, b] = [await caInitOnAnotherMachine(), await caInitOnAnotherMachine()];
    expect(a.trustedRoots[0].fingerprintSha256).not.toBe(b.trustedRoots[0].fingerprintSha256);
    expect(synthYaml(shopWith(a))).toBe(synthYaml(shopWith(b)));
  });

  test('the trust bundle and the CA summary show numbered stand-ins; no certificate, fingerprint or date is left', async () => {
    const material = await caInitOnAnotherMachine();
    const yaml = synthYaml(shopWith(material));
    expect(yaml).toMatch(/# shop\/istio-system\.policy\.k8s\.yaml\n[\s\S]*root-cert\.pem: \|\n\s+<certificate 1: O=trustmesh, CN=Root CA[^>]*>\n/);
    expect(yaml).toContain('# shop/ca-summary.md');
    expect(yaml).toMatch(/\| signing root \| O=trustmesh, CN=Root CA[^|]*\| `<sha256 of certificate 1>` \| <not before> \| <not after> \|/);
    expect(yaml).toMatch(/\| shop \| [^|]+ \| [^|]+ \| `<sha256 of certificate 2>` \|/);
    expect(yaml).not.toMatch(/BEGIN CERTIFICATE/);
    expect(yaml).not.toMatch(FINGERPRINT);
    const root = material.trustedRoots[0];
    for (const value of [root.serialNumber, root.notAfter.toISOString().replace('.000Z', 'Z')]) expect(yaml).not.toContain(value);
    expect(yaml).toMatch(/# secrets: shop\/CertificateAuthority\/shop-secrets\.k8s\.yaml\n[\s\S]*ca-key\.pem: <redacted>/);
  });

  test('normalizeCaMaterial: false keeps the real material (secrets stay redacted)', async () => {
    const material = await caInitOnAnotherMachine();
    const yaml = synthYaml(shopWith(material), { normalizeCaMaterial: false });
    expect(yaml).toContain(material.trustedRoots[0].fingerprintSha256);
    expect(yaml).toContain('ca-key.pem: <redacted>');
  });

  test('a gateway credential from the CA: its Secret is redacted, its certificate numbered where it shows', async () => {
    const material = await testCertificateAuthority({ clusters: ['shop'], gatewayCredentials: [{ name: 'shop', cluster: 'shop', hosts: ['shop.example.com'] }] });
    const yaml = synthYaml(shopWith(material, 'shop'));
    expect(yaml).toMatch(/\| istio-system\/shop \| gateway \| shop \| CN=shop\.example\.com \| DNS:shop\.example\.com \| `<sha256 of certificate 3>` \| <not after> \|/);
    expect(yaml).toMatch(/tls\.key: <redacted>/);
  });

  test('CaRedaction: certificates inside base64 Secret data count; other PEM blocks are redacted by label', async () => {
    const material = await testCertificateAuthority({ clusters: ['shop'] });
    const pem = material.trustedRoots[0].pem;
    const redaction = CaRedaction.of([{ kind: 'Secret', data: { 'ca.crt': Buffer.from(pem).toString('base64') } }]);
    expect(redaction.certificateCount).toBe(1);
    expect(redaction.redactText(`x\n${pem}y`)).toBe('x\n<certificate 1: O=trustmesh, CN=Test Root CA>\ny');
    const key = ['-----BEGIN', 'EC PRIVATE KEY-----\nAAAA\n-----END', 'EC PRIVATE KEY-----\n'].join(' ');
    expect(redaction.redactText(key)).toBe('<redacted EC PRIVATE KEY>\n');
  });
});

describe('testCertificateAuthority (trustmesh/testing)', () => {
  test('fixed dates and serial numbers, fresh in-memory keys, the requested clusters and credentials', async () => {
    const options = {
      clusters: ['east', 'west'],
      gatewayCredentials: [{ name: 'shop', cluster: 'east', hosts: ['shop.example.com'] }],
      clientCredentials: [{ name: 'partner', cluster: 'west', commonName: 'partner.example.com' }],
    };
    const [a, b] = [await testCertificateAuthority(options), await testCertificateAuthority(options)];
    const root = a.trustedRoots[0];
    expect(root.subject).toBe('O=trustmesh, CN=Test Root CA');
    expect(root.notBefore.getTime()).toBeLessThanOrEqual(TEST_CA_ISSUED_AT.getTime());
    expect(root.notAfter.getUTCFullYear()).toBe(2124);
    expect([root, a.cluster('east').intermediate.certificate, a.cluster('west').intermediate.certificate,
      a.credential('shop').credential.certificate, a.credential('partner').credential.certificate].map((c) => c.serialNumber))
      .toEqual(['01', '02', '03', '04', '05']);
    expect(a.credential('shop').credential.certificate.dnsNames).toEqual(['shop.example.com']);
    expect(b.trustedRoots[0].notBefore).toEqual(root.notBefore);
    expect(b.trustedRoots[0].fingerprintSha256).not.toBe(root.fingerprintSha256);
    expect(a.source).toBe('testCertificateAuthority (in memory)');
  });

  test('two calls give the same snapshot, with no CA warning at synth', async () => {
    const build = async (): Promise<string> => {
      const warnings: string[] = [];
      const app = tempApp({ onWarning: (d) => warnings.push(d.code) });
      new Mesh(app, 'shop').useCertificateAuthority(await testCertificateAuthority({ clusters: ['shop'] }));
      const yaml = synthYaml(app);
      expect(warnings).toEqual([]);
      return yaml;
    };
    expect(await build()).toBe(await build());
  });

  test('a credential for an unknown cluster is API misuse', async () => {
    await expect(testCertificateAuthority({ clusters: ['east'], gatewayCredentials: [{ name: 'g', cluster: 'west', hosts: ['a.example.com'] }] }))
      .rejects.toThrow(/names cluster "west", which is not in clusters \[east\]/);
  });
});
