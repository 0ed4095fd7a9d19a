// Issue 13: on Istio 1.0–1.4 targets a CA-issued gateway credential becomes the Secrets the 1.x
// ingress gateway mounts (istio-ingressgateway-certs, and istio-ingressgateway-ca-certs for
// MUTUAL), in the gateway's namespace, written to the secrets directory and never to dist/. A real
// TLS handshake runs with the certificate, key and CA bundle read back from the written Secrets.
import { beforeAll, describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { edgeMaterial, JUICE_SHOP } from './edge-fixtures';
import { GatewayCredential, GatewayTls, Mesh } from '../../src';
import { CaMaterial } from '../../src/pki/ca-material';
import { Clock } from '../../src/pki/clock';
import { catchTrustmesh, find, readTree, tempApp } from '../helpers';
import { handshake } from '../pki/tls-harness';

const HOUR = 3600_000;

function legacyShop(material: CaMaterial, istioVersion = '1.4', gatewayNamespace?: string) {
  const app = tempApp();
  const mesh = new Mesh(app, 'micro-shake-factory', { istioVersion });
  const ca = mesh.useCertificateAuthority(material, { clock: Clock.fixed(new Date()) });
  if (gatewayNamespace) mesh.addNamespace(gatewayNamespace);
  const gateway = mesh.addIngressGateway('juice-shop', gatewayNamespace ? { namespace: gatewayNamespace } : {});
  return { app, ca, gateway };
}

/** Every object the app wrote under a directory, by file. */
function objects(tree: Record<string, string>): Record<string, any>[] {
  return Object.entries(tree).filter(([f]) => f.endsWith('.yaml'))
    .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>)).filter((o) => o);
}

function decoded(secret: Record<string, any>, key: string): string {
  return Buffer.from(secret.data[key], 'base64').toString('utf8');
}

describe('CA-issued gateway credentials on legacy targets', () => {
  let material: CaMaterial;
  beforeAll(async () => {
    // Issued an hour ago: OpenSSL checks validity against the real clock in the handshake.
    material = await edgeMaterial(new Date(Date.now() - HOUR));
  });

  test('SIMPLE on 1.4: the Secret istio-ingressgateway-certs (tls.crt, tls.key) in the gateway namespace, in the secrets directory only', () => {
    const { app, ca, gateway } = legacyShop(material, '1.4', 'shop-ingress');
    gateway.addHttpsServer({ hosts: [JUICE_SHOP], tls: GatewayTls.simple(GatewayCredential.fromCa(ca, 'juice-shop')) });
    app.synth();
    const dist = readTree(app.outdir);
    const secrets = readTree(app.secretsOutdir);
    for (const [file, text] of Object.entries(dist)) expect(text, file).not.toMatch(/PRIVATE KEY|tls\.key:/);
    expect(objects(dist).filter((o) => o.kind === 'Secret')).toEqual([]);
    const written = objects(secrets).filter((o) => o.kind === 'Secret' && o.metadata.name !== 'cacerts');
    expect(written.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['shop-ingress/istio-ingressgateway-certs']);
    expect(written[0].type).toBe('kubernetes.io/tls');
    expect(Object.keys(written[0].data).sort()).toEqual(['tls.crt', 'tls.key']);
    expect(decoded(written[0], 'tls.key')).toMatch(/PRIVATE KEY/);
    const gw = find(objects(dist), 'Gateway', 'juice-shop-gateway', 'shop-ingress');
    expect(gw.spec.servers.find((s: any) => s.port.number === 443).tls).toMatchObject({
      mode: 'SIMPLE', serverCertificate: '/etc/istio/ingressgateway-certs/tls.crt', privateKey: '/etc/istio/ingressgateway-certs/tls.key',
    });
    expect(Object.values(dist).join('\n')).toMatch(/istio-ingressgateway-certs/); // the CA summary names the emitted Secret
  });

  test('MUTUAL on 1.0: also istio-ingressgateway-ca-certs with ca.crt (the trusted roots); a real handshake with the written Secrets', async () => {
    const { app, ca, gateway } = legacyShop(material, '1.0');
    gateway.addHttpsServer({ hosts: [JUICE_SHOP], tls: GatewayTls.mutual(GatewayCredential.fromCa(ca, 'juice-shop', { verifyClients: true })) });
    app.synth();
    const written = objects(readTree(app.secretsOutdir)).filter((o) => o.kind === 'Secret' && o.metadata.name !== 'cacerts');
    expect(written.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      'istio-system/istio-ingressgateway-ca-certs', 'istio-system/istio-ingressgateway-certs',
    ]);
    const certs = written.find((o) => o.metadata.name === 'istio-ingressgateway-certs')!;
    const caCerts = written.find((o) => o.metadata.name === 'istio-ingressgateway-ca-certs')!;
    expect(Object.keys(certs.data).sort()).toEqual(['tls.crt', 'tls.key']);
    expect(Object.keys(caCerts.data)).toEqual(['ca.crt']);
    expect(caCerts.type).toBe('Opaque');
    const root = material.trustedRoots[0].pem;
    expect(decoded(caCerts, 'ca.crt').trim()).toBe(root.trim());
    for (const text of Object.values(readTree(app.outdir))) expect(text).not.toMatch(/PRIVATE KEY/);

    const server = { key: decoded(certs, 'tls.key'), cert: decoded(certs, 'tls.crt'), ca: decoded(caCerts, 'ca.crt') };
    const client = material.credential('partner-client').credential;
    const ok = await handshake(server, { key: client.privateKey.revealPem(), cert: client.chainPem(), ca: root, servername: JUICE_SHOP });
    expect(ok.clientError).toBeUndefined();
    expect(ok.serverError).toBeUndefined();
    expect(ok.connected).toBe(true);
    const noClientCert = await handshake(server, { ca: root, servername: JUICE_SHOP });
    expect(noClientCert.connected).toBe(false);
    const wrongHost = await handshake(server, { key: client.privateKey.revealPem(), cert: client.chainPem(), ca: root, servername: 'evil.istio-succinctly.io' });
    expect(wrongHost.clientError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  test('an explicit other secretName is refused on a legacy target (TM_GATEWAY_LEGACY_SECRET_NAME); the mounted name is accepted', () => {
    const { gateway, ca } = legacyShop(material);
    const e = catchTrustmesh(() => gateway.addHttpsServer({
      hosts: [JUICE_SHOP], tls: GatewayTls.simple(GatewayCredential.fromCa(ca, 'juice-shop', { secretName: 'juice-shop-credential' })),
    }));
    expect(e.code).toBe('TM_GATEWAY_LEGACY_SECRET_NAME');
    expect(e.message).toMatch(/names Secret "juice-shop-credential", but the Istio 1\.4 ingress gateway reads its certificate from the mounted Secret istio-ingressgateway-certs/);
    expect(e.fix).toMatch(/drop secretName/);
    const other = legacyShop(material);
    other.gateway.addHttpsServer({
      hosts: [JUICE_SHOP], tls: GatewayTls.simple(GatewayCredential.fromCa(other.ca, 'juice-shop', { secretName: 'istio-ingressgateway-certs' })),
    });
    expect(other.app.synthOutput().manifests.filter((m) => m.secret).map((m) => (m.manifest as any).metadata.name)).toContain('istio-ingressgateway-certs');
  });

  test('an existing Secret of another name is refused on a legacy target (the 1.x gateway would never read it); the mounted name is accepted', () => {
    const { gateway } = legacyShop(material);
    const e = catchTrustmesh(() => gateway.addHttpsServer({ hosts: [JUICE_SHOP], tls: GatewayTls.simple(GatewayCredential.fromSecretName('juice-shop-tls')) }));
    expect(e.code).toBe('TM_GATEWAY_LEGACY_SECRET_NAME');
    expect(e.message).toMatch(/Secret "juice-shop-tls" is not what the Istio 1\.4 ingress gateway reads/);
    expect(e.fix).toMatch(/fromSecretName\('istio-ingressgateway-certs'\)/);
    const other = legacyShop(material);
    other.gateway.addHttpsServer({ hosts: [JUICE_SHOP], tls: GatewayTls.simple(GatewayCredential.fromSecretName('istio-ingressgateway-certs')) });
    expect(other.app.synthOutput().manifests.filter((m) => m.manifest.kind === 'Gateway')).toHaveLength(1);
  });

  test('two CA credentials for one legacy gateway namespace are refused (one mounted Secret)', () => {
    const { gateway, ca } = legacyShop(material);
    gateway.addHttpsServer({ hosts: [JUICE_SHOP], tls: GatewayTls.simple(GatewayCredential.fromCa(ca, 'juice-shop')) });
    const e = catchTrustmesh(() => gateway.addHttpsServer({ hosts: ['other.example.com'], port: 8443, tls: GatewayTls.simple(GatewayCredential.fromCa(ca, 'other')) }));
    expect(e.code).toBe('TM_GATEWAY_CREDENTIAL_CONFLICT');
  });

  test('the same credential on 1.30 keeps its own Secret name (credentialName, SDS)', () => {
    const { app, ca, gateway } = legacyShop(material, '1.30');
    gateway.addHttpsServer({ hosts: [JUICE_SHOP], tls: GatewayTls.simple(GatewayCredential.fromCa(ca, 'juice-shop')) });
    const names = app.synthOutput().manifests.filter((m) => m.manifest.kind === 'Secret').map((m) => (m.manifest as any).metadata.name);
    expect(names).toContain('juice-shop');
    expect(names).not.toContain('istio-ingressgateway-certs');
  });
});
