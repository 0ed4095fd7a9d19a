import { beforeAll, describe, expect, test } from 'vitest';
import { edgeMaterial, JUICE_SHOP } from './edge-fixtures';
import {
  Diagnostic, GatewayCredential, GatewayTls, HttpMethod, JwtIssuer, Mesh, MeshService, PathNormalization, Peer, Port, RouteMatch, TlsVersion,
} from '../../src';
import { CaMaterial } from '../../src/pki/ca-material';
import { Clock } from '../../src/pki/clock';
import { access } from '../../src/testing';
import { catchTrustmesh, find, manifestsOf, synthErrors, tempApp } from '../helpers';
import { T0 } from '../pki/pki-fixtures';

const ISSUER = JwtIssuer.of({ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' });
const FORWARDING_ISSUER = JwtIssuer.of({ issuer: 'https://fwd.example.com', jwksUri: 'https://fwd.example.com/jwks.json', forwardOriginalToken: true });
const HOST = 'shop.example.com';
const CREDENTIAL = GatewayCredential.fromSecretName('shop-credential');

function shop(istioVersion = '1.30') {
  const app = tempApp();
  const mesh = new Mesh(app, 'm', { istioVersion });
  const ns = mesh.addNamespace('shop');
  const web = ns.addService('web', { ports: [Port.http(80, { targetPort: 8080 }), Port.https(443, { targetPort: 8443 })] });
  const api = ns.addService('api', { ports: [Port.http(8000)] });
  const gateway = mesh.addIngressGateway('shop');
  return { app, mesh, ns, web, api, gateway };
}

function warnings(app: ReturnType<typeof tempApp>): Diagnostic[] {
  return [...app.synthOutput().warnings];
}

describe('IngressGateway servers', () => {
  test('defaults: the istio: ingressgateway pods in the root namespace, object <name>-gateway', () => {
    const { app, gateway, mesh } = shop();
    gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.simple(CREDENTIAL) });
    const gw = find(manifestsOf(app), 'Gateway', 'shop-gateway', 'istio-system');
    expect(gw.apiVersion).toBe('networking.istio.io/v1');
    expect(gw.spec.selector).toEqual({ istio: 'ingressgateway' });
    expect(gateway.principal).toBe('cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account');
    expect(mesh.ingressGateway('shop')).toBe(gateway);
    expect(catchTrustmesh(() => mesh.ingressGateway('nope')).code).toBe('TM_UNKNOWN_GATEWAY');
  });

  test('every TLS block carries its mode; terminating modes carry minProtocolVersion (TLSV1_2 by default)', () => {
    const { app, gateway } = shop();
    gateway.addHttpsServer({ hosts: ['a.example.com'], tls: GatewayTls.simple(CREDENTIAL) });
    gateway.addHttpsServer({
      hosts: ['b.example.com'],
      port: 8443,
      tls: GatewayTls.mutual(GatewayCredential.fromSecretName('b', { clientCa: true }), {
        minProtocolVersion: TlsVersion.TLS_1_3, subjectAltNames: ['spiffe://partner.example/client'],
      }),
    });
    gateway.addHttpsServer({ hosts: ['c.example.com'], port: 9443, tls: GatewayTls.optionalMutual(GatewayCredential.fromSecretName('c', { clientCa: true }), { maxProtocolVersion: TlsVersion.TLS_1_3 }) });
    gateway.addHttpsServer({ hosts: ['d.example.com'], port: 10443, tls: GatewayTls.passthrough() });
    gateway.addHttpServer({ hosts: ['a.example.com'] });
    const servers = find(manifestsOf(app), 'Gateway', 'shop-gateway').spec.servers;
    expect(servers.map((s: any) => [s.port.number, s.tls])).toEqual([
      [80, undefined],
      [443, { mode: 'SIMPLE', credentialName: 'shop-credential', minProtocolVersion: 'TLSV1_2' }],
      [8443, { mode: 'MUTUAL', credentialName: 'b', minProtocolVersion: 'TLSV1_3', subjectAltNames: ['spiffe://partner.example/client'] }],
      [9443, { mode: 'OPTIONAL_MUTUAL', credentialName: 'c', minProtocolVersion: 'TLSV1_2', maxProtocolVersion: 'TLSV1_3' }],
      [10443, { mode: 'PASSTHROUGH' }],
    ]);
  });

  test('OPTIONAL_MUTUAL needs Istio 1.19', () => {
    const { gateway } = shop('1.18');
    const e = catchTrustmesh(() => gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.optionalMutual(CREDENTIAL) }));
    expect(e.code).toBe('TM_VERSION_UNSUPPORTED_FEATURE');
    expect(e.message).toMatch(/OPTIONAL_MUTUAL needs Istio 1\.19/);
  });

  test('Istio 1.21 gets networking.istio.io/v1beta1', () => {
    const { app, gateway, web } = shop('1.21');
    gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.simple(CREDENTIAL) });
    gateway.route(web);
    const manifests = manifestsOf(app);
    expect(find(manifests, 'Gateway', 'shop-gateway').apiVersion).toBe('networking.istio.io/v1beta1');
    expect(find(manifests, 'VirtualService', 'web-shop-route').apiVersion).toBe('networking.istio.io/v1beta1');
  });

  test.each([
    ['TM_INVALID_HOST', /gateway host/, (g: ReturnType<typeof shop>) => g.gateway.addHttpServer({ hosts: ['*'] })],
    ['TM_INVALID_HOST', /gateway host/, (g: ReturnType<typeof shop>) => g.gateway.addHttpServer({ hosts: ['Bad_Host'] })],
    ['TM_INVALID_HOST', /gateway host/, (g: ReturnType<typeof shop>) => g.gateway.addHttpServer({ hosts: ['ns/shop.example.com'] })],
    ['TM_EMPTY_MATCH_LIST', /at least one host/, (g: ReturnType<typeof shop>) => g.gateway.addHttpServer({ hosts: [] })],
    ['TM_INVALID_PORT', /gateway server port/, (g: ReturnType<typeof shop>) => g.gateway.addHttpServer({ hosts: [HOST], port: 0 })],
    ['TM_GATEWAY_DUPLICATE_SERVER_NAME', /already has a server named "http-80"/, (g: ReturnType<typeof shop>) => {
      g.gateway.addHttpServer({ hosts: [HOST] });
      g.gateway.addHttpServer({ hosts: ['other.example.com'] });
    }],
    ['TM_GATEWAY_PORT_CONFLICT', /mix passthrough and terminated TLS/, (g: ReturnType<typeof shop>) => {
      g.gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.simple(CREDENTIAL) });
      g.gateway.addHttpsServer({ hosts: ['b.example.com'], name: 'https-b', tls: GatewayTls.passthrough() });
    }],
    ['TM_GATEWAY_PORT_CONFLICT', /mix HTTP and HTTPS/, (g: ReturnType<typeof shop>) => {
      g.gateway.addHttpServer({ hosts: [HOST], port: 443 });
      g.gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.simple(CREDENTIAL) });
    }],
    ['TM_INVALID_TLS_VERSION', /older than minProtocolVersion/, () => GatewayTls.simple(CREDENTIAL, { minProtocolVersion: TlsVersion.TLS_1_3, maxProtocolVersion: TlsVersion.TLS_1_2 })],
    ['TM_INVALID_TLS_VERSION', /not supported/, () => GatewayTls.simple(CREDENTIAL, { minProtocolVersion: 'TLSV1_0' as TlsVersion })],
    ['TM_DUPLICATE_GATEWAY', /declared twice/, (g: ReturnType<typeof shop>) => g.mesh.addIngressGateway('shop', { name: 'shop' })],
    ['TM_UNKNOWN_NAMESPACE', /no namespace "istio-ingress"/, (g: ReturnType<typeof shop>) => g.mesh.addIngressGateway('other', { namespace: 'istio-ingress' })],
    ['TM_INVALID_LABEL', /selector is empty/, (g: ReturnType<typeof shop>) => g.mesh.addIngressGateway('other', { selector: {} })],
    ['TM_INVALID_TRUSTED_PROXIES', /numTrustedProxies/, (g: ReturnType<typeof shop>) => g.mesh.addIngressGateway('other', { numTrustedProxies: -1 })],
  ])('%s: %s', (code, message, call) => {
    const e = catchTrustmesh(() => call(shop()));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  test('a gateway in a declared namespace puts its objects into that namespace\'s file', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'm');
    mesh.addNamespace('istio-ingress');
    const gateway = mesh.addIngressGateway('edge', { namespace: 'istio-ingress', selector: { istio: 'ingress' }, serviceAccount: 'istio-ingress' });
    gateway.addHttpServer({ hosts: [HOST] });
    const records = app.synthOutput().manifests.filter((r) => r.manifest.kind === 'Gateway');
    expect(records.map((r) => [r.file, (r.manifest as any).metadata.namespace])).toEqual([['m/istio-ingress.policy.k8s.yaml', 'istio-ingress']]);
  });
});

describe('IngressGateway.route', () => {
  test('routes of several services through one host: one VirtualService per service, in the service\'s namespace, most specific path first', () => {
    const { app, gateway, web, api } = shop();
    gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.simple(CREDENTIAL) });
    gateway.route(api, { match: [RouteMatch.pathPrefix('/api/'), RouteMatch.exactPath('/api')] });
    gateway.route(web, { match: RouteMatch.pathPrefix('/static/') });
    gateway.route(web, { match: RouteMatch.exactPath('/') });
    const manifests = manifestsOf(app);
    expect(find(manifests, 'VirtualService', 'api-shop-route', 'shop').spec.http).toEqual([{
      match: [{ uri: { exact: '/api' } }, { uri: { prefix: '/api/' } }],
      route: [{ destination: { host: 'api.shop.svc.cluster.local', port: { number: 8000 } } }],
    }]);
    expect(find(manifests, 'VirtualService', 'web-shop-route', 'shop').spec.http.map((r: any) => r.match)).toEqual([
      [{ uri: { prefix: '/static/' } }],
      [{ uri: { exact: '/' } }],
    ]);
  });

  test('two services catching the same host and paths conflict (istiod merges them in an unspecified order)', () => {
    const { app, gateway, web, api } = shop();
    gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.simple(CREDENTIAL) });
    gateway.route(web);
    gateway.route(api, { match: RouteMatch.pathPrefix('/api/') });
    web.allowFrom(gateway);
    api.allowFrom(gateway);
    const found = synthErrors(app).filter((e) => e.code === 'TM_GATEWAY_ROUTE_CONFLICT');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/shop\/web and shop\/api both match host shop\.example\.com and overlapping paths/);
  });

  test('a route the destination would refuse (default deny, no intention for the gateway) is a warning', () => {
    const { app, gateway, web } = shop();
    gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.simple(CREDENTIAL) });
    gateway.route(web);
    const found = warnings(app).filter((w) => w.code === 'TM_GATEWAY_ROUTE_NOT_ALLOWED');
    expect(found.map((w) => w.message)).toEqual([expect.stringMatching(/no ALLOW intention of shop\/web names the gateway's identity/)]);
    web.allowFrom(gateway);
    expect(warnings(app).filter((w) => w.code === 'TM_GATEWAY_ROUTE_NOT_ALLOWED')).toEqual([]);
  });

  test.each([
    ['TM_GATEWAY_ROUTE_NO_SERVER', /has no server yet/, (g: ReturnType<typeof shop>) => g.gateway.route(g.web)],
    ['TM_GATEWAY_ROUTE_NO_SERVER', /no server of gateway shop serves host other\.example\.com/, (g: ReturnType<typeof shop>) => {
      g.gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.simple(CREDENTIAL) });
      g.gateway.route(g.web, { hosts: ['other.example.com'] });
    }],
    ['TM_GATEWAY_ROUTE_NO_SERVER', /only served by HTTP servers that redirect/, (g: ReturnType<typeof shop>) => {
      g.gateway.addHttpServer({ hosts: [HOST], httpsRedirect: true });
      g.gateway.route(g.web);
    }],
    ['TM_GATEWAY_PASSTHROUGH_MATCH', /cannot match paths/, (g: ReturnType<typeof shop>) => {
      g.gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.passthrough() });
      g.gateway.route(g.web, { match: RouteMatch.pathPrefix('/a') });
    }],
    ['TM_GATEWAY_ROUTE_AMBIGUOUS', /both with terminated and with passthrough TLS/, (g: ReturnType<typeof shop>) => {
      g.gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.simple(CREDENTIAL) });
      g.gateway.addHttpsServer({ hosts: [HOST], port: 8443, tls: GatewayTls.passthrough() });
      g.gateway.route(g.web);
    }],
    ['TM_UNKNOWN_PORT', /port 9000 is not a port of service shop\/web/, (g: ReturnType<typeof shop>) => {
      g.gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.simple(CREDENTIAL) });
      g.gateway.route(g.web, { port: 9000 });
    }],
    ['TM_GATEWAY_ROUTE_PORT_PROTOCOL', /port 443 of shop\/web is HTTPS, but a http route needs an HTTP port/, (g: ReturnType<typeof shop>) => {
      g.gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.simple(CREDENTIAL) });
      g.gateway.route(g.web, { port: 443 });
    }],
    ['TM_UNKNOWN_PORT', /shop\/api has no port for a tls route/, (g: ReturnType<typeof shop>) => {
      g.gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.passthrough() });
      g.gateway.route(g.api);
    }],
    ['TM_INVALID_PATH', /route path/, () => RouteMatch.pathPrefix('api')],
    ['TM_UNKNOWN_SERVICE', /belongs to mesh "other"/, (g: ReturnType<typeof shop>) => {
      g.gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.simple(CREDENTIAL) });
      const other = new Mesh(tempApp(), 'other').addNamespace('x').addService('y', { ports: [Port.http(80)] });
      g.gateway.route(other);
    }],
  ])('%s: %s', (code, message, call) => {
    const e = catchTrustmesh(() => call(shop()));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.location?.constructPath ?? '').not.toBe(undefined);
  });
});

describe('gateway credentials', () => {
  let material: CaMaterial;
  const clock = Clock.fixed(new Date(T0.getTime() + 86400_000));
  beforeAll(async () => {
    material = await edgeMaterial(T0);
  });

  function withCa() {
    const app = tempApp();
    const mesh = new Mesh(app, 'micro-shake-factory');
    const ca = mesh.useCertificateAuthority(material, { clock });
    const gateway = mesh.addIngressGateway('juice-shop');
    return { app, mesh, ca, gateway };
  }

  test('a CA credential used by two servers is emitted once, into the gateway\'s namespace, in the secrets output', () => {
    const { app, ca, gateway } = withCa();
    const credential = GatewayCredential.fromCa(ca, 'juice-shop', { secretName: 'juice-shop-credential' });
    gateway.addHttpsServer({ hosts: [JUICE_SHOP], tls: GatewayTls.simple(credential) });
    gateway.addHttpsServer({ hosts: [JUICE_SHOP], port: 8443, tls: GatewayTls.simple(credential) });
    const secrets = app.synthOutput().manifests.filter((r) => r.manifest.kind === 'Secret' && (r.manifest as any).metadata.name === 'juice-shop-credential');
    expect(secrets).toHaveLength(1);
    expect(secrets[0].secret).toBe(true);
    expect((secrets[0].manifest as any).metadata.namespace).toBe('istio-system');
  });

  test('the same key-store credential as two GatewayCredential values is refused (create it once and share it)', () => {
    const { ca, gateway } = withCa();
    gateway.addHttpsServer({ hosts: [JUICE_SHOP], tls: GatewayTls.simple(GatewayCredential.fromCa(ca, 'juice-shop')) });
    const e = catchTrustmesh(() => gateway.addHttpsServer({ hosts: [JUICE_SHOP], port: 8443, tls: GatewayTls.simple(GatewayCredential.fromCa(ca, 'juice-shop')) }));
    expect(e.code).toBe('TM_CA_DUPLICATE');
  });

  test.each([
    ['TM_CA_UNKNOWN_CREDENTIAL', /no issued credential "nope"/, 'nope'],
    ['TM_GATEWAY_CREDENTIAL_KIND', /"partner-client" is a client certificate, not a gateway certificate/, 'partner-client'],
    ['TM_GATEWAY_CREDENTIAL_WRONG_CLUSTER', /issued under cluster micro-shake-factory-mutual, but this CA emits cluster micro-shake-factory/, 'juice-shop-mutual'],
  ])('%s', (code, message, name) => {
    const { ca } = withCa();
    const e = catchTrustmesh(() => GatewayCredential.fromCa(ca, name));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  test('a certificate for other hosts fails the synth (TM_GATEWAY_CREDENTIAL_HOST_MISMATCH)', () => {
    const { app, ca, gateway } = withCa();
    gateway.addHttpsServer({ hosts: [JUICE_SHOP], tls: GatewayTls.simple(GatewayCredential.fromCa(ca, 'other')) });
    expect(synthErrors(app).map((e) => e.code)).toContain('TM_GATEWAY_CREDENTIAL_HOST_MISMATCH');
  });

  test('MUTUAL with a credential without a client CA fails the synth, for CA and existing credentials', () => {
    const { app, ca, gateway } = withCa();
    gateway.addHttpsServer({ hosts: [JUICE_SHOP], tls: GatewayTls.mutual(GatewayCredential.fromCa(ca, 'juice-shop')) });
    gateway.addHttpsServer({ hosts: ['x.example.com'], port: 8443, tls: GatewayTls.mutual(GatewayCredential.fromSecretName('x')) });
    const found = synthErrors(app).filter((e) => e.code === 'TM_GATEWAY_MUTUAL_WITHOUT_CLIENT_CA');
    expect(found.map((e) => e.message)).toEqual([
      expect.stringMatching(/verifyClients: true/),
      expect.stringMatching(/clientCa: true/),
    ]);
  });

  test('one Secret name for two different credentials is refused at once', () => {
    const { ca, gateway } = withCa();
    gateway.addHttpsServer({ hosts: [JUICE_SHOP], tls: GatewayTls.simple(GatewayCredential.fromSecretName('juice-shop')) });
    const e = catchTrustmesh(() => gateway.addHttpsServer({ hosts: [JUICE_SHOP], port: 8443, tls: GatewayTls.simple(GatewayCredential.fromCa(ca, 'juice-shop')) }));
    expect(e.code).toBe('TM_GATEWAY_CREDENTIAL_CONFLICT');
  });

  test('two gateways on the same pods serving one host and port fail the synth (IST0145)', () => {
    const { app, mesh, gateway } = withCa();
    gateway.addHttpServer({ hosts: [JUICE_SHOP] });
    mesh.addIngressGateway('second').addHttpServer({ hosts: [JUICE_SHOP] });
    const found = synthErrors(app).filter((e) => e.code === 'TM_GATEWAY_DUPLICATE_SERVER');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/juice-shop-gateway|gateway istio-system\/second server http-80 and gateway istio-system\/juice-shop server http-80 both serve host/);
  });
});

describe('gateway authorization', () => {
  function published(numTrustedProxies = 0, pathNormalization: PathNormalization = 'BASE') {
    const app = tempApp();
    const mesh = new Mesh(app, 'm', { pathNormalization });
    const ns = mesh.addNamespace('shop');
    const web = ns.addService('web', { ports: [Port.http(80, { targetPort: 8080 })] });
    const admin = ns.addService('admin', { ports: [Port.http(80, { targetPort: 8080 })] });
    const gateway = mesh.addIngressGateway('shop', { numTrustedProxies });
    gateway.addHttpsServer({ hosts: [HOST, 'admin.example.com'], tls: GatewayTls.simple(CREDENTIAL) });
    gateway.addHttpsServer({ hosts: ['tls.example.com'], port: 9443, tls: GatewayTls.passthrough() });
    gateway.route(web, { hosts: [HOST] });
    gateway.route(admin, { hosts: ['admin.example.com'] });
    web.allowFrom(gateway);
    admin.allowFrom(gateway);
    return { app, mesh, web, admin, gateway };
  }

  test('requireJwt: a RequestAuthentication and a DENY for requests without a token, per host, on the terminating ports only', () => {
    const { app, gateway } = published();
    gateway.requireJwt(ISSUER, { hosts: ['admin.example.com'], exceptPaths: ['/healthz'] });
    const manifests = manifestsOf(app);
    expect(find(manifests, 'RequestAuthentication', 'shop-gateway-jwt', 'istio-system').spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway' } },
      jwtRules: [{ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' }],
    });
    expect(find(manifests, 'AuthorizationPolicy', 'shop-gateway-require-jwt', 'istio-system').spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway' } },
      action: 'DENY',
      rules: [{
        from: [{ source: { notRequestPrincipals: ['https://issuer.example.com/*'] } }],
        to: [{ operation: { ports: ['8443'], hosts: ['admin.example.com', 'admin.example.com:*'], notPaths: ['/healthz'] } }],
      }],
    });
  });

  test('client addresses: ipBlocks without trusted proxies, remoteIpBlocks (X-Forwarded-For) with them', () => {
    const direct = published(0);
    direct.gateway.denyClientAddresses(['198.51.100.0/24']);
    expect(find(manifestsOf(direct.app), 'AuthorizationPolicy', 'shop-gateway-deny').spec.rules[0].from).toEqual([{ source: { ipBlocks: ['198.51.100.0/24'] } }]);
    const proxied = published(1);
    proxied.gateway.allowClientAddresses(['203.0.113.0/24'], { hosts: ['admin.example.com'] });
    expect(find(manifestsOf(proxied.app), 'AuthorizationPolicy', 'shop-gateway-allow').spec.rules).toEqual([{
      from: [{ source: { remoteIpBlocks: ['203.0.113.0/24'] } }],
      to: [{ operation: { hosts: ['admin.example.com', 'admin.example.com:*'] } }],
    }]);
  });

  test('a DENY on paths is scoped to the ports where the gateway terminates TLS (not the passthrough port)', () => {
    // Under BASE path normalization "//internal/x" would slip past it (TM_PATH_NORMALIZATION_BYPASS).
    const { app, gateway } = published(0, 'MERGE_SLASHES');
    gateway.denyFrom(Peer.anyone(), { paths: ['/internal/*'] });
    expect(find(manifestsOf(app), 'AuthorizationPolicy', 'shop-gateway-deny').spec.rules).toEqual([{ to: [{ operation: { paths: ['/internal/*'], ports: ['8443'] } }] }]);
  });

  test('access(app): admin only from the office (behind one proxy), web from anywhere, tokens at the gateway', () => {
    const { app, gateway, web } = published(1);
    gateway.allowClientAddresses(['203.0.113.0/24'], { hosts: ['admin.example.com'] });
    gateway.allowFrom(Peer.anyone(), { hosts: [HOST] });
    gateway.requireJwt(ISSUER, { hosts: [HOST], exceptPaths: ['/healthz'] });
    const shopSite = access(app).through(gateway, { host: HOST });
    const adminSite = access(app).through(gateway, { host: 'admin.example.com' });
    const lb = '10.0.0.9';
    expect(adminSite.from(lb, { forwardedFor: '203.0.113.50' }).get('/')).toBeAllowed();
    expect(adminSite.from(lb, { forwardedFor: '198.51.100.1' }).get('/')).toBeDenied('DENY_403');
    // The gateway trusts one proxy: the client cannot spoof its address with an extra entry.
    expect(adminSite.from(lb, { forwardedFor: '203.0.113.50, 198.51.100.1' }).get('/')).toBeDenied('DENY_403');
    expect(shopSite.from(lb).get('/healthz')).toBeAllowed();
    expect(shopSite.from(lb).get('/cart')).toBeDenied('DENY_403');
    expect(shopSite.from(lb).withToken({ issuer: 'https://issuer.example.com' }).get('/cart')).toBeAllowed();
    expect(shopSite.from(lb).withToken({ issuer: 'https://other.example.com' }).get('/cart')).toBeDenied('DENY_401');
    // The model's own decision agrees at the gateway hop.
    expect(web.mesh.ingressGateway('shop').principal).toBe('cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account');
  });

  test('a verified token is removed at the gateway unless the issuer forwards it: a backend that also needs it denies', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'm');
    const ns = mesh.addNamespace('shop');
    const strict = ns.addService('strict', { ports: [Port.http(80, { targetPort: 8080 })] });
    const gateway = mesh.addIngressGateway('shop');
    gateway.addHttpsServer({ hosts: ['a.example.com', 'b.example.com'], tls: GatewayTls.simple(CREDENTIAL) });
    gateway.route(strict);
    strict.allowFrom(gateway);
    gateway.requireJwt([ISSUER, FORWARDING_ISSUER]);
    strict.requireJwt([ISSUER, FORWARDING_ISSUER]);
    const probe = (issuer: string) => access(app).through(gateway, { host: 'a.example.com' }).from('203.0.113.7').withToken({ issuer }).get('/');
    const stripped = probe('https://issuer.example.com');
    expect(stripped).toBeDenied('DENY_403');
    expect(stripped.decision.explanation).toMatch(/at the backend after the gateway allowed it/);
    expect(probe('https://fwd.example.com')).toBeAllowed();
  });

  test.each([
    ['TM_GATEWAY_HTTP_MATCH_WITHOUT_TERMINATION', /no server that terminates TLS/, (g: ReturnType<typeof shop>) => {
      g.gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.passthrough() });
      g.gateway.denyFrom(Peer.anyone(), { paths: ['/a'] });
    }],
    ['TM_GATEWAY_HTTP_MATCH_WITHOUT_TERMINATION', /requireJwt/, (g: ReturnType<typeof shop>) => g.gateway.requireJwt(ISSUER)],
    ['TM_JWT_ALREADY_REQUIRED', /already called/, (g: ReturnType<typeof shop>) => {
      g.gateway.addHttpServer({ hosts: [HOST] });
      g.gateway.requireJwt(ISSUER);
      g.gateway.requireJwt(ISSUER);
    }],
    ['TM_DRY_RUN_AUDIT', /cannot be dry-run/, (g: ReturnType<typeof shop>) => g.gateway.auditFrom(Peer.anyone(), { enforcement: 'DRY_RUN' as never })],
    ['TM_VERSION_UNSUPPORTED_FEATURE', /AUDIT needs Istio 1\.8/, () => {
      const m = new Mesh(tempApp(), 'm', { istioVersion: '1.7' });
      m.addIngressGateway('g').auditFrom(Peer.anyone());
    }],
  ])('%s: %s', (code, message, call) => {
    const e = catchTrustmesh(() => call(shop()));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  test('requireJwt checks, in order: issuers, enforcement, TLS termination, exempt paths, hosts', () => {
    const templated = { exceptPaths: ['/users/{*}'], hosts: [] as string[] };
    const g = shop('1.21');
    expect(catchTrustmesh(() => g.gateway.requireJwt([], { enforcement: 'DRY_RUN' as never })).code).toBe('TM_EMPTY_MATCH_LIST');
    expect(catchTrustmesh(() => g.gateway.requireJwt(ISSUER, templated)).code).toBe('TM_GATEWAY_HTTP_MATCH_WITHOUT_TERMINATION');
    g.gateway.addHttpServer({ hosts: [HOST] });
    expect(catchTrustmesh(() => g.gateway.requireJwt(ISSUER, templated)).message).toMatch(/PATH_TEMPLATES|1\.22/);
    expect(catchTrustmesh(() => g.gateway.requireJwt(ISSUER, { hosts: [] })).message).toMatch(/"hosts" is an empty list/);
    expect(catchTrustmesh(() => g.gateway.requireJwt(ISSUER, { hosts: ['a b'] })).code).toBe('TM_INVALID_HOST');
  });

  test('gateway intentions match hosts, not ports (API misuse is a TypeError)', () => {
    const { gateway } = published();
    expect(() => gateway.allowFrom(Peer.anyone(), { ports: [443] } as never)).toThrow(TypeError);
  });

  test('dry-run and AUDIT at the gateway: annotated and separate policies', () => {
    const { app, gateway } = published();
    gateway.denyFrom(Peer.anyone(), { methods: [HttpMethod.DELETE], enforcement: 'DRY_RUN' as never });
    gateway.auditFrom(Peer.anyone(), { paths: ['/checkout'] });
    gateway.allowEndUsers(ISSUER, { claims: { role: 'admin' }, hosts: ['admin.example.com'] });
    const manifests = manifestsOf(app);
    expect(find(manifests, 'AuthorizationPolicy', 'shop-gateway-deny-dry-run').metadata.annotations).toEqual({ 'istio.io/dry-run': 'true' });
    expect(find(manifests, 'AuthorizationPolicy', 'shop-gateway-audit').spec.action).toBe('AUDIT');
    expect(find(manifests, 'AuthorizationPolicy', 'shop-gateway-allow').spec.rules[0].when).toEqual([{ key: 'request.auth.claims[role]', values: ['admin'] }]);
    find(manifests, 'RequestAuthentication', 'shop-gateway-jwt');
  });
});

describe('the gateway as a peer', () => {
  test('allowFrom(gateway) names the gateway service account, like MeshService.fromAttributes did', () => {
    const { app, gateway, web, mesh } = shop();
    gateway.addHttpServer({ hosts: [HOST] }); // istiod rejects a Gateway without servers
    const viaAttributes = MeshService.fromAttributes(mesh, 'Ingress', {
      namespace: 'istio-system', name: 'istio-ingressgateway', serviceAccount: 'istio-ingressgateway-service-account',
    });
    web.allowFrom(gateway);
    web.allowFrom(viaAttributes);
    expect(find(manifestsOf(app), 'AuthorizationPolicy', 'web-allow').spec.rules).toEqual([
      { from: [{ source: { serviceAccounts: ['istio-system/istio-ingressgateway-service-account'] } }] },
    ]);
  });
});
