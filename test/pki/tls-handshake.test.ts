// Real TLS handshakes (Node's tls, OpenSSL underneath) with the certificates trustmesh issues.
// OpenSSL checks validity against the real clock, so these tests issue relative to "now" (with
// injected keys); nothing here is snapshotted.
import { Duration } from 'cdk8s';
import { beforeAll, describe, expect, it } from 'vitest';
import { counterSerials, fixtureKeys } from './pki-fixtures';
import { expectSpiffeId, handshake, TlsCredentials } from './tls-harness';
import { Clock } from '../../src/pki/clock';
import { IssuedCertificate } from '../../src/pki/issued-certificate';
import { Pki } from '../../src/pki/pki';

const NOW = Date.now();
const DAY = 86400_000;
const SERVER_ID = 'spiffe://cluster.local/ns/shop/sa/cart';
const CLIENT_ID = 'spiffe://cluster.local/ns/shop/sa/checkout';

function credentials(leaf: IssuedCertificate, trust: string): TlsCredentials {
  return { key: leaf.privateKey.revealPem(), cert: leaf.chainPem(), ca: trust };
}

/** A client presenting `leaf` that expects the server's SPIFFE ID, as Envoy does. */
function asClient(leaf: IssuedCertificate, trust: string): TlsCredentials & { checkServerIdentity: ReturnType<typeof expectSpiffeId> } {
  return { ...credentials(leaf, trust), checkServerIdentity: expectSpiffeId(SERVER_ID) };
}

describe('mTLS handshakes with issued certificates', () => {
  let root: IssuedCertificate;
  let east: IssuedCertificate;
  let west: IssuedCertificate;
  let server: IssuedCertificate;
  let client: IssuedCertificate;
  let foreignClient: IssuedCertificate;
  let expiredClient: IssuedCertificate;
  let gateway: IssuedCertificate;

  beforeAll(async () => {
    // Everything is issued four days ago (so an expired workload certificate can exist), with fixture keys.
    const past = new Pki({
      clock: Clock.fixed(new Date(NOW - 4 * DAY)), keyGenerator: fixtureKeys('p256-1', 'p256-2', 'p256-3', 'p256-4', 'p256-5'), serialNumbers: counterSerials(),
    });
    root = await past.createRoot();
    east = await past.createIntermediate(root, { cluster: 'east' });
    west = await past.createIntermediate(root, { cluster: 'west' });
    expiredClient = await past.issueWorkloadCertificate(west, { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'checkout' });
    const foreignRoot = await past.createRoot();
    const now = new Pki({
      clock: Clock.fixed(new Date(NOW - 60_000)), keyGenerator: fixtureKeys('p256-6', 'p256-7', 'p256-8', 'p256-9', 'p256-10'), serialNumbers: counterSerials(16),
    });
    const foreignEast = await now.createIntermediate(foreignRoot, { cluster: 'east' });
    server = await now.issueWorkloadCertificate(east, { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'cart' });
    client = await now.issueWorkloadCertificate(west, { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'checkout' });
    foreignClient = await now.issueWorkloadCertificate(foreignEast, { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'checkout' });
    gateway = await now.issueServerCertificate(east, { hosts: ['juice-shop.istio-succinctly.io'], ttl: Duration.days(90) });
  });

  it('connects a server and a client issued under two cluster intermediates of one root; each reads the other\'s SPIFFE ID', async () => {
    const r = await handshake(credentials(server, root.certificate.pem), asClient(client, root.certificate.pem));
    expect(r.serverError).toBeUndefined();
    expect(r.clientError).toBeUndefined();
    expect(r.connected).toBe(true);
    expect(r.clientIdSeenByServer).toBe(`URI:${CLIENT_ID}`);
    expect(r.serverIdSeenByClient).toBe(`URI:${SERVER_ID}`);
  });

  it('refuses a client whose certificate comes from a foreign root with the same names', async () => {
    const r = await handshake(credentials(server, root.certificate.pem), asClient(foreignClient, root.certificate.pem));
    expect(r.connected).toBe(false);
    expect(r.serverError).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('refuses an expired client certificate', async () => {
    expect(expiredClient.certificate.notAfter.getTime()).toBeLessThan(NOW);
    const r = await handshake(credentials(server, root.certificate.pem), asClient(expiredClient, root.certificate.pem));
    expect(r.connected).toBe(false);
    expect(r.serverError).toBe('CERT_HAS_EXPIRED');
  });

  it('refuses to connect when the client does not trust the server\'s root', async () => {
    const r = await handshake(credentials(server, root.certificate.pem), { ...credentials(client, foreignClient.root.pem) });
    expect(r.connected).toBe(false);
    expect(r.clientError).toMatch(/UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });

  it('accepts a gateway certificate for its host name and rejects it for another', async () => {
    const ok = await handshake(credentials(gateway, root.certificate.pem), { ca: root.certificate.pem, servername: 'juice-shop.istio-succinctly.io' }, { requestClientCert: false });
    expect(ok.clientError).toBeUndefined();
    expect(ok.connected).toBe(true);
    const wrong = await handshake(credentials(gateway, root.certificate.pem), { ca: root.certificate.pem, servername: 'evil.istio-succinctly.io' }, { requestClientCert: false });
    expect(wrong.connected).toBe(false);
    expect(wrong.clientError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});
