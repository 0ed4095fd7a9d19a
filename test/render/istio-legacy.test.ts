// The legacy target (Istio 1.0–1.4), through the real constructs: what each release gets, and what
// the declaring verb refuses with the minimum release named at the construct path.
import { describe, expect, it } from 'vitest';
import { DefaultAccess, HttpMethod, MtlsMode } from '../../src/constructs/enums';
import { JwtIssuer } from '../../src/constructs/jwt-issuer';
import { Mesh } from '../../src/constructs/mesh';
import { Peer } from '../../src/constructs/peer';
import { Port } from '../../src/constructs/port';
import { renderIstio } from '../../src/render/istio/render-istio';
import { catchTrustmesh, find, manifestsOf, tempApp } from '../helpers';

const ISSUER = JwtIssuer.of({ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks' });

function shop(istioVersion: string, props: { defaultAccess?: DefaultAccess } = {}) {
  const app = tempApp();
  const mesh = new Mesh(app, 'shop', { istioVersion, mtls: MtlsMode.STRICT, ...props });
  const ns = mesh.addNamespace('shop');
  const api = ns.addService('api', { ports: [Port.http(80, { targetPort: 8080 }), Port.tcp(5432, { mtls: MtlsMode.DISABLE })] });
  const web = ns.addService('web', { ports: [Port.http(80, { targetPort: 8080 })] });
  return { app, mesh, ns, api, web };
}

describe('legacy target rendering', () => {
  it('gives 1.0 the namespaced RbacConfig and 1.1+ the cluster-scoped ClusterRbacConfig', () => {
    const old = shop('1.0');
    old.api.allowFrom(old.web, { methods: [HttpMethod.GET] });
    const kinds = renderIstio(old.mesh.model).map((m) => m.kind);
    expect(kinds).toContain('RbacConfig');
    expect(kinds).not.toContain('ClusterRbacConfig');
    const newer = shop('1.1');
    newer.api.allowFrom(newer.web, { methods: [HttpMethod.GET] });
    const cluster = find(manifestsOf(newer.app), 'ClusterRbacConfig', 'default');
    expect(cluster.metadata.namespace).toBeUndefined();
    expect(cluster.spec).toEqual({ mode: 'ON' });
  });

  it('gives a non-HTTP port of a token-verifying service its own Policy without origins (1.x verifies tokens on HTTP only), same peers and binding', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'shop', { istioVersion: '1.4', mtls: MtlsMode.STRICT });
    const api = mesh.addNamespace('shop').addService('api', { ports: [Port.http(80, { targetPort: 8080 }), Port.tcp(5432)] });
    api.requireJwt(ISSUER);
    const objects = manifestsOf(app);
    expect(find(objects, 'Policy', 'api-authn', 'shop').spec.targets).toEqual([{ name: 'api', ports: [{ number: 80 }] }]);
    expect(find(objects, 'Policy', 'api-authn', 'shop').spec.origins).toHaveLength(1);
    expect(find(objects, 'Policy', 'api-port-5432-authn', 'shop').spec).toEqual({
      targets: [{ name: 'api', ports: [{ number: 5432 }] }],
      peers: [{ mtls: { mode: 'STRICT' } }],
      principalBinding: 'USE_ORIGIN',
    });
  });

  it('renders a port exception as its own Policy, the service Policy targets the other ports, and clients get DISABLE for that port', () => {
    const { app, api } = shop('1.4');
    api.requireJwt(ISSUER, { exceptPaths: ['/healthz', '/static/*'] });
    const objects = manifestsOf(app);
    expect(find(objects, 'Policy', 'api-authn', 'shop').spec).toEqual({
      targets: [{ name: 'api', ports: [{ number: 80 }] }],
      peers: [{ mtls: { mode: 'STRICT' } }],
      origins: [{
        jwt: {
          issuer: 'https://issuer.example.com',
          jwksUri: 'https://issuer.example.com/jwks',
          triggerRules: [{ excludedPaths: [{ exact: '/healthz' }, { prefix: '/static/' }] }],
        },
      }],
      principalBinding: 'USE_ORIGIN',
    });
    expect(find(objects, 'Policy', 'api-port-5432-authn', 'shop').spec.targets).toEqual([{ name: 'api', ports: [{ number: 5432 }] }]);
    expect(find(objects, 'Policy', 'api-port-5432-authn', 'shop').spec.peers).toBeUndefined();
    expect(find(objects, 'DestinationRule', 'api-client-tls', 'shop').spec).toEqual({
      host: 'api.shop.svc.cluster.local',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, portLevelSettings: [{ port: { number: 5432 }, tls: { mode: 'DISABLE' } }] },
    });
    expect(find(objects, 'DestinationRule', 'default', 'istio-system').spec).toEqual({ host: '*.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
    expect(find(objects, 'MeshPolicy', 'default').spec).toEqual({ peers: [{ mtls: { mode: 'STRICT' } }] });
  });

  it('lists the services with intentions in ON_WITH_INCLUSION when the mesh allows by default', () => {
    const { app, api, web } = shop('1.2', { defaultAccess: DefaultAccess.ALLOW });
    api.allowFrom(web, { methods: [HttpMethod.GET], paths: ['/api/*'] });
    api.allowFrom(Peer.endUsers(ISSUER, { claims: { role: ['learner', 'admin'] } }), { methods: [HttpMethod.GET] });
    const objects = manifestsOf(app);
    expect(find(objects, 'ClusterRbacConfig', 'default').spec).toEqual({ mode: 'ON_WITH_INCLUSION', inclusion: { services: ['api.shop.svc.cluster.local'] } });
    const bindings = objects.filter((o) => o.kind === 'ServiceRoleBinding').map((o) => [o.metadata.name, o.spec.subjects]);
    // Roles are ordered by their match (stable whatever the declaration order), each binding lists its subjects.
    expect(bindings).toEqual([
      ['api-allow-2-binding', [
        { properties: { 'request.auth.claims[role]': 'admin', 'request.auth.principal': 'https://issuer.example.com/*' } },
        { properties: { 'request.auth.claims[role]': 'learner', 'request.auth.principal': 'https://issuer.example.com/*' } },
      ]],
      ['api-allow-binding', [{ user: 'cluster.local/ns/shop/sa/web' }]],
    ]);
  });

  it('refuses a DENY intention on 1.4 at the declaring verb, naming Istio 1.5', () => {
    const { api, web } = shop('1.4');
    const e = catchTrustmesh(() => api.denyFrom(web));
    expect(e.code).toBe('TM_VERSION_UNSUPPORTED_FEATURE');
    expect(e.message).toMatch(/AuthorizationPolicy action DENY needs Istio 1\.5 or later, but the mesh targets Istio 1\.4/);
    expect(e.location?.constructPath).toMatch(/api$/);
  });

  it('refuses JWT exception paths on 1.0 (trigger rules arrived in 1.1) and inline JWKS before 1.2', () => {
    const { api } = shop('1.0');
    expect(catchTrustmesh(() => api.requireJwt(ISSUER, { exceptPaths: ['/healthz'] })).message).toMatch(/needs Istio 1\.1 or later/);
    const inline = JwtIssuer.of({ issuer: 'https://inline.example.com', jwks: '{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}' });
    expect(catchTrustmesh(() => shop('1.1').api.requireJwt(inline)).message).toMatch(/inline JWKS .* needs Istio 1\.2 or later/);
  });

  it('writes a field and its not-field as one list (istiod 1.2+ refuses both in one AccessRule), and refuses an intention they leave empty', () => {
    const { app, ns, web } = shop('1.4');
    const multi = ns.addService('multi', { ports: [Port.http(80, { targetPort: 8080 }), Port.http(81, { targetPort: 8081 })] });
    multi.allowFrom(web, { methods: [HttpMethod.GET, HttpMethod.POST], notMethods: [HttpMethod.POST], ports: [80, 81], notPorts: [81] });
    const rule = (find(manifestsOf(app), 'ServiceRole', 'multi-allow').spec as { rules: Record<string, unknown>[] }).rules[0];
    expect(rule).toMatchObject({ methods: ['GET'], ports: [8080] });
    expect(rule).not.toHaveProperty('notMethods');
    expect(rule).not.toHaveProperty('notPorts');
    const empty = shop('1.4');
    const e = catchTrustmesh(() => {
      empty.api.allowFrom(empty.web, { methods: [HttpMethod.POST], notMethods: [HttpMethod.POST] });
      renderIstio(empty.mesh.model);
    });
    expect(e.code).toBe('TM_VERSION_UNSUPPORTED_FEATURE');
    expect(e.message).toMatch(/methods that its notMethods all exclude/);
  });

  it('refuses negated fields before 1.1 and callers without a mesh identity on every legacy release', () => {
    const { ns, api, web } = shop('1.0');
    expect(catchTrustmesh(() => api.allowFrom(web, { notMethods: [HttpMethod.POST] })).message).toMatch(/notMethods.*needs Istio 1\.1/);
    const legacyClient = ns.addService('batch', { ports: [Port.http(80)], inMesh: false, ipBlocks: ['10.0.0.0/8'] });
    expect(catchTrustmesh(() => api.allowFrom(legacyClient)).message).toMatch(/without a mesh identity .* needs Istio 1\.5/);
  });
});
