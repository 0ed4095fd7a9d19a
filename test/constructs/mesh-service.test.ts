import { describe, expect, test } from 'vitest';
import {
  DefaultAccess, Enforcement, HttpMethod, JwtIssuer, Mesh, MeshService, MtlsMode, Peer, Port,
} from '../../src';
import { catchTrustmesh, find, manifestsOf, tempApp } from '../helpers';

const ISSUER = JwtIssuer.of({ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' });

function fixture(props: { istioVersion?: string; defaultAccess?: DefaultAccess } = {}) {
  const app = tempApp();
  const mesh = new Mesh(app, 'shop', props);
  const ns = mesh.addNamespace('shop');
  const frontend = ns.addService('frontend', { ports: [Port.http(8080)] });
  const orders = ns.addService('orders', { serviceAccount: 'orders-sa', ports: [Port.http(80, { targetPort: 8080 }), Port.tcp(5432)] });
  return { app, mesh, ns, frontend, orders };
}

describe('MeshService verbs', () => {
  test('allowFrom a service renders serviceAccounts on Istio >= 1.25, mapping service ports to workload ports', () => {
    const { app, frontend, orders } = fixture();
    orders.allowFrom(frontend, { ports: [80], methods: [HttpMethod.POST], paths: ['/orders'] });
    const policy = find(manifestsOf(app), 'AuthorizationPolicy', 'orders-allow', 'shop');
    expect(policy.spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'orders' } },
      rules: [{
        from: [{ source: { serviceAccounts: ['shop/frontend'] } }],
        to: [{ operation: { methods: ['POST'], paths: ['/orders'], ports: ['8080'] } }],
      }],
    });
  });

  test('allowFrom renders principals with the trust domain before Istio 1.25', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'm', { istioVersion: '1.24', trustDomain: 'example.org' });
    const ns = mesh.addNamespace('a');
    const x = ns.addService('x', { ports: [Port.http(80)] });
    const y = ns.addService('y');
    x.allowFrom(y);
    const policy = find(manifestsOf(app), 'AuthorizationPolicy', 'x-allow');
    expect(policy.spec.rules).toEqual([{ from: [{ source: { principals: ['example.org/ns/a/sa/y'] } }] }]);
  });

  test('intentions with the same match share one rule with sorted, merged sources', () => {
    const { app, ns, orders } = fixture();
    const zeta = ns.addService('zeta');
    const alpha = ns.addService('alpha');
    orders.allowFrom(zeta, { methods: [HttpMethod.GET] });
    orders.allowFrom(alpha, { methods: [HttpMethod.GET] });
    orders.allowFrom(Peer.namespace('ops'), { methods: [HttpMethod.GET] });
    const rules = find(manifestsOf(app), 'AuthorizationPolicy', 'orders-allow').spec.rules;
    expect(rules).toEqual([{
      from: [{ source: { namespaces: ['ops'] } }, { source: { serviceAccounts: ['shop/alpha', 'shop/zeta'] } }],
      to: [{ operation: { methods: ['GET'] } }],
    }]);
  });

  test('a DENY with HTTP-only fields is scoped to the HTTP ports (Istio widens it to all TCP traffic otherwise)', () => {
    const { app, orders } = fixture();
    orders.denyFrom(Peer.namespace('dev'), { methods: [HttpMethod.POST] });
    const deny = find(manifestsOf(app), 'AuthorizationPolicy', 'orders-deny');
    expect(deny.spec.action).toBe('DENY');
    expect(deny.spec.rules[0].to).toEqual([{ operation: { methods: ['POST'], ports: ['8080'] } }]);
  });

  test('a DENY on ports only stays unscoped (no HTTP-only fields)', () => {
    const { app, orders } = fixture();
    orders.denyFrom(Peer.namespace('dev'), { ports: [5432] });
    expect(find(manifestsOf(app), 'AuthorizationPolicy', 'orders-deny').spec.rules[0].to).toEqual([{ operation: { ports: ['5432'] } }]);
  });

  test('auditFrom renders an AUDIT policy and is refused before Istio 1.8', () => {
    const { app, frontend, orders } = fixture();
    orders.auditFrom(frontend, { paths: ['/refunds/*'] });
    expect(find(manifestsOf(app), 'AuthorizationPolicy', 'orders-audit').spec.action).toBe('AUDIT');

    const old = fixture({ istioVersion: '1.7' });
    const e = catchTrustmesh(() => old.orders.auditFrom(old.frontend));
    expect(e.code).toBe('TM_VERSION_UNSUPPORTED_FEATURE');
    expect(e.message).toMatch(/needs Istio 1\.8/);
    expect(e.location?.constructPath).toBe('shop/shop/orders');
  });

  test('dry-run intentions go to their own annotated policy and need Istio 1.10', () => {
    const { app, frontend, orders } = fixture();
    orders.allowFrom(frontend, { enforcement: Enforcement.DRY_RUN });
    const p = find(manifestsOf(app), 'AuthorizationPolicy', 'orders-allow-dry-run');
    expect(p.metadata.annotations).toEqual({ 'istio.io/dry-run': 'true' });
    const old = fixture({ istioVersion: '1.9' });
    expect(catchTrustmesh(() => old.orders.allowFrom(old.frontend, { enforcement: Enforcement.DRY_RUN })).code).toBe('TM_VERSION_UNSUPPORTED_FEATURE');
  });

  test('requireJwt emits the RequestAuthentication and DENY pair, with exempt paths, on HTTP ports only', () => {
    const { app, orders } = fixture();
    orders.requireJwt(ISSUER, { exceptPaths: ['/healthz'] });
    const all = manifestsOf(app);
    expect(find(all, 'RequestAuthentication', 'orders-jwt').spec).toEqual({
      selector: { matchLabels: { app: 'orders' } },
      jwtRules: [{ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' }],
    });
    expect(find(all, 'AuthorizationPolicy', 'orders-require-jwt').spec).toEqual({
      selector: { matchLabels: { app: 'orders' } },
      action: 'DENY',
      rules: [{
        from: [{ source: { notRequestPrincipals: ['https://issuer.example.com/*'] } }],
        to: [{ operation: { notPaths: ['/healthz'], ports: ['8080'] } }],
      }],
    });
  });

  test('allowEndUsers requires the issuer and the claims; the RequestAuthentication merges issuers', () => {
    const { app, orders } = fixture();
    const other = JwtIssuer.of({ issuer: 'accounts.example.org', jwks: '{"keys":[{"kty":"EC","crv":"P-256","x":"_qnJmNt5SCL86koTDnAl51lyG3GQD4wnBqArEa-b7vM","y":"BOqTGmxejNojeDFgAkWvlMz9vx4DDvttBq_0g0aHPNI"}]}', fromHeaders: [{ name: 'x-jwt' }] });
    orders.allowEndUsers(ISSUER, { claims: { role: ['admin', 'ops'] }, nestedClaims: [{ claim: ['realm', 'roles'], values: ['orders'] }], methods: [HttpMethod.GET] });
    orders.allowEndUsers(other, { subjects: ['alice'] });
    const all = manifestsOf(app);
    const rules = find(all, 'AuthorizationPolicy', 'orders-allow').spec.rules;
    expect(rules).toContainEqual({
      from: [{ source: { requestPrincipals: ['https://issuer.example.com/*'] } }],
      to: [{ operation: { methods: ['GET'] } }],
      when: [
        { key: 'request.auth.claims[realm][roles]', values: ['orders'] },
        { key: 'request.auth.claims[role]', values: ['admin', 'ops'] },
      ],
    });
    expect(rules).toContainEqual({ from: [{ source: { requestPrincipals: ['accounts.example.org/alice'] } }] });
    expect(find(all, 'RequestAuthentication', 'orders-jwt').spec.jwtRules.map((r: any) => r.issuer)).toEqual(['accounts.example.org', 'https://issuer.example.com']);
  });

  test('onBehalfOf combines a calling service with an end user', () => {
    const { app, frontend, orders } = fixture();
    orders.allowFrom(frontend, { onBehalfOf: Peer.endUsers(ISSUER, { claims: { role: 'admin' } }), methods: [HttpMethod.DELETE] });
    const rule = find(manifestsOf(app), 'AuthorizationPolicy', 'orders-allow').spec.rules[0];
    expect(rule.from).toEqual([{ source: { requestPrincipals: ['https://issuer.example.com/*'], serviceAccounts: ['shop/frontend'] } }]);
    expect(rule.when).toEqual([{ key: 'request.auth.claims[role]', values: ['admin'] }]);
  });

  test('an exact host without a port also matches it on any port (Istio compares the Host header as sent)', () => {
    const { app, frontend, orders } = fixture();
    orders.denyFrom(frontend, { hosts: ['orders.example.com', '*.internal', 'api.example.com:8443'] });
    expect(find(manifestsOf(app), 'AuthorizationPolicy', 'orders-deny').spec.rules[0].to[0].operation.hosts)
      .toEqual(['*.internal', 'api.example.com:8443', 'orders.example.com', 'orders.example.com:*']);
  });

  test('headers become request.headers conditions', () => {
    const { app, frontend, orders } = fixture();
    orders.allowFrom(frontend, { headers: { 'X-Tenant': ['acme', 'globex'] }, notHeaders: { 'x-debug': '*' } });
    expect(find(manifestsOf(app), 'AuthorizationPolicy', 'orders-allow').spec.rules[0].when).toEqual([
      { key: 'request.headers[x-debug]', notValues: ['*'] },
      { key: 'request.headers[x-tenant]', values: ['acme', 'globex'] },
    ]);
  });

  test('mTLS overrides per service and per port (portLevelMtls keyed by workload port)', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'm');
    const ns = mesh.addNamespace('a', { mtls: MtlsMode.PERMISSIVE });
    ns.addService('db', { mtls: MtlsMode.STRICT, ports: [Port.tcp(5432, { targetPort: 15432, mtls: MtlsMode.DISABLE })] });
    const all = manifestsOf(app);
    expect(find(all, 'PeerAuthentication', 'default', 'istio-system').spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(find(all, 'PeerAuthentication', 'default', 'a').spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
    expect(find(all, 'PeerAuthentication', 'db-mtls', 'a').spec).toEqual({
      selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 15432: { mode: 'DISABLE' } },
    });
  });

  test('a service outside the mesh gets an explicit DISABLE DestinationRule and is recognized as a plaintext caller', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'm', { mtls: MtlsMode.PERMISSIVE });
    const ns = mesh.addNamespace('a');
    const legacy = ns.addService('legacy', { inMesh: false, ipBlocks: ['10.9.0.0/16'], ports: [Port.http(80)] });
    const api = ns.addService('api', { ports: [Port.http(80)] });
    api.allowFrom(legacy);
    const all = manifestsOf(app);
    expect(find(all, 'DestinationRule', 'legacy-plaintext').spec).toEqual({
      host: 'legacy.a.svc.cluster.local', trafficPolicy: { tls: { mode: 'DISABLE' } },
    });
    expect(find(all, 'AuthorizationPolicy', 'api-allow').spec.rules).toEqual([
      { from: [{ source: { ipBlocks: ['10.9.0.0/16'], notPrincipals: ['*'] } }] },
    ]);
  });

  test('default access DENY adds allow-nothing per namespace; ALLOW does not', () => {
    const { app } = fixture();
    expect(find(manifestsOf(app), 'AuthorizationPolicy', 'default-deny', 'shop').spec).toEqual({});
    const open = tempApp();
    new Mesh(open, 'm', { defaultAccess: DefaultAccess.ALLOW }).addNamespace('a');
    expect(manifestsOf(open).filter((m) => m.kind === 'AuthorizationPolicy')).toEqual([]);
  });

  test('Istio 1.21 gets v1beta1 API versions', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'm', { istioVersion: '1.21' });
    const ns = mesh.addNamespace('a');
    const x = ns.addService('x', { ports: [Port.http(80)] });
    ns.addService('legacy', { inMesh: false });
    x.allowFrom(Peer.anyMeshIdentity());
    const versions = new Set(manifestsOf(app).map((m) => `${m.kind}:${m.apiVersion}`));
    expect(versions).toEqual(new Set([
      'PeerAuthentication:security.istio.io/v1beta1',
      'AuthorizationPolicy:security.istio.io/v1beta1',
      'DestinationRule:networking.istio.io/v1beta1',
    ]));
  });

  test('services declared elsewhere are referenced with fromAttributes', () => {
    const { app, mesh, orders } = fixture();
    const gw = MeshService.fromAttributes(mesh, 'Gateway', { namespace: 'istio-system', name: 'gw', serviceAccount: 'gw-sa' });
    orders.allowFrom(gw);
    expect(find(manifestsOf(app), 'AuthorizationPolicy', 'orders-allow').spec.rules[0].from).toEqual([{ source: { serviceAccounts: ['istio-system/gw-sa'] } }]);
    expect(mesh.service('shop/orders')).toBe(orders);
  });

  test('repeating an intention is idempotent', () => {
    const { app, frontend, orders } = fixture();
    orders.allowFrom(frontend);
    orders.allowFrom(frontend);
    expect(find(manifestsOf(app), 'AuthorizationPolicy', 'orders-allow').spec.rules).toHaveLength(1);
  });
});
