// Istio 1.4 with `legacyAuthorization: AUTHORIZATION_POLICY`: ALLOW intentions become
// security.istio.io/v1beta1 AuthorizationPolicies as 1.4 knew them (no action, no negated fields),
// no RBAC; the option is refused before 1.4 and RBAC is refused from 1.5 on.
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { DefaultAccess, HttpMethod, LegacyAuthorization, MtlsMode } from '../../src/constructs/enums';
import { JwtIssuer } from '../../src/constructs/jwt-issuer';
import { Mesh } from '../../src/constructs/mesh';
import { Peer } from '../../src/constructs/peer';
import { Port } from '../../src/constructs/port';
import { CrdSchemaSet } from '../../src/validate/crd-schema';
import { validateManifests } from '../../src/validate/manifest-validator';
import { catchTrustmesh, find, manifestsOf, tempApp } from '../helpers';

const ISSUER = JwtIssuer.of({ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks' });

interface ShopProps {
  defaultAccess?: DefaultAccess;
  legacyAuthorization?: LegacyAuthorization;
  trustDomainAliases?: string[];
}

function shop(istioVersion: string, props: ShopProps = {}) {
  const app = tempApp();
  const mesh = new Mesh(app, 'shop', { istioVersion, mtls: MtlsMode.STRICT, legacyAuthorization: LegacyAuthorization.AUTHORIZATION_POLICY, ...props });
  const ns = mesh.addNamespace('shop');
  const api = ns.addService('api', { ports: [Port.http(80, { targetPort: 8080 }), Port.tcp(5432)] });
  const web = ns.addService('web', { ports: [Port.http(80, { targetPort: 8080 })] });
  return { app, mesh, ns, api, web };
}

describe('Istio 1.4 legacyAuthorization AUTHORIZATION_POLICY', () => {
  it('renders ALLOW intentions as a v1beta1 AuthorizationPolicy without action, an allow-nothing policy per default-deny namespace, and no RBAC', () => {
    const { app, api, web } = shop('1.4', { trustDomainAliases: ['old.example.com'] });
    api.allowFrom(web, { methods: [HttpMethod.GET], paths: ['/items*'] });
    api.allowFrom(Peer.namespace('monitoring'), { ports: [5432] });
    const objects = manifestsOf(app);
    const kinds = new Set(objects.map((m) => m.kind));
    for (const kind of ['ClusterRbacConfig', 'RbacConfig', 'ServiceRole', 'ServiceRoleBinding', 'PeerAuthentication', 'RequestAuthentication']) {
      expect(kinds.has(kind), kind).toBe(false);
    }
    expect(find(objects, 'MeshPolicy', 'default').apiVersion).toBe('authentication.istio.io/v1alpha1');
    const deny = find(objects, 'AuthorizationPolicy', 'default-deny', 'shop');
    expect(deny.apiVersion).toBe('security.istio.io/v1beta1');
    expect(deny.spec ?? {}).toEqual({});
    const allow = find(objects, 'AuthorizationPolicy', 'api-allow', 'shop');
    expect(allow.apiVersion).toBe('security.istio.io/v1beta1');
    expect(allow.spec.action).toBeUndefined();
    expect(allow.spec).toEqual({
      selector: { matchLabels: { app: 'api' } },
      rules: [
        { from: [{ source: { principals: ['cluster.local/ns/shop/sa/web', 'old.example.com/ns/shop/sa/web'] } }], to: [{ operation: { methods: ['GET'], paths: ['/items*'] } }] },
        { from: [{ source: { namespaces: ['monitoring'] } }], to: [{ operation: { ports: ['5432'] } }] },
      ].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
    });
  });

  it('keeps RBAC as the default on 1.4', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'shop', { istioVersion: '1.4' });
    const api = mesh.addNamespace('shop').addService('api', { ports: [Port.http(80)] });
    api.allowFrom(Peer.namespace('shop'));
    expect(mesh.legacyAuthorization).toBe('RBAC');
    const kinds = manifestsOf(app).map((m) => m.kind);
    expect(kinds).toContain('ServiceRole');
    expect(kinds).not.toContain('AuthorizationPolicy');
  });

  it('refuses the option before 1.4, naming 1.4, at the mesh construct path', () => {
    const e = catchTrustmesh(() => shop('1.3'));
    expect(e.code).toBe('TM_VERSION_UNSUPPORTED_FEATURE');
    expect(e.message).toContain('1.4');
    expect(e.message).toMatch(/shop/);
  });

  it('ignores AUTHORIZATION_POLICY from 1.5 on (the only API then) and refuses RBAC there', () => {
    const { app, mesh, api, web } = shop('1.30');
    api.allowFrom(web);
    expect(mesh.legacyAuthorization).toBeUndefined();
    expect(find(manifestsOf(app), 'AuthorizationPolicy', 'api-allow', 'shop').spec.action).toBe('ALLOW');
    const e = catchTrustmesh(() => new Mesh(tempApp(), 'x', { istioVersion: '1.5', legacyAuthorization: LegacyAuthorization.RBAC }));
    expect(e.code).toBe('TM_VERSION_UNSUPPORTED_FEATURE');
    expect(e.message).toContain('1.0–1.4');
  });

  it('refuses negated fields, which 1.4 RBAC has but 1.4 AuthorizationPolicy does not, at the intention', () => {
    const { api, web } = shop('1.4');
    const e = catchTrustmesh(() => api.allowFrom(web, { notPaths: ['/admin'] }));
    expect(e.code).toBe('TM_VERSION_UNSUPPORTED_FEATURE');
    expect(e.message).toContain('notPaths');
    expect(e.message).toContain('1.5');
  });

  it('keeps end users in authentication Policy origins and puts requestPrincipals and claims in the policy', () => {
    const { app, api } = shop('1.4');
    api.requireJwt(ISSUER);
    api.allowFrom(Peer.endUsers(ISSUER, { claims: { role: 'learner' } }), { methods: [HttpMethod.GET] });
    const objects = manifestsOf(app);
    expect(find(objects, 'Policy', 'api-authn', 'shop').spec.principalBinding).toBe('USE_ORIGIN');
    expect(find(objects, 'AuthorizationPolicy', 'api-allow', 'shop').spec.rules).toEqual([{
      from: [{ source: { requestPrincipals: ['https://issuer.example.com/*'] } }],
      to: [{ operation: { methods: ['GET'] } }],
      when: [{ key: 'request.auth.claims[role]', values: ['learner'] }],
    }]);
  });

  it('renders any mesh identity towards a service that accepts plaintext (1.4 v1beta1 "*" needs a principal), which RBAC refuses', () => {
    const { app, api } = shop('1.4', { });
    api.allowFrom(Peer.anyMeshIdentity());
    const permissive = shop('1.4', { legacyAuthorization: LegacyAuthorization.RBAC });
    permissive.mesh.addNamespace('open', { mtls: MtlsMode.PERMISSIVE }).addService('db', { ports: [Port.tcp(5432)] }).allowFrom(Peer.anyMeshIdentity());
    expect(() => manifestsOf(permissive.app)).toThrow(/accepts plaintext/);
    const ap = shop('1.4');
    ap.mesh.addNamespace('open', { mtls: MtlsMode.PERMISSIVE }).addService('db', { ports: [Port.tcp(5432)] }).allowFrom(Peer.anyMeshIdentity());
    expect(find(manifestsOf(ap.app), 'AuthorizationPolicy', 'db-allow', 'open').spec.rules).toEqual([{ from: [{ source: { principals: ['*'] } }] }]);
    expect(find(manifestsOf(app), 'AuthorizationPolicy', 'api-allow', 'shop').spec.rules).toEqual([{ from: [{ source: { principals: ['*'] } }] }]);
  });

  it('validates against the CRD schemas of Istio 1.5.10 (the release closest to 1.4 that ships them), which catch a bad value', () => {
    const { app, api, web } = shop('1.4');
    api.allowFrom(web, { methods: [HttpMethod.GET], paths: ['/items*'] });
    api.allowFrom(Peer.endUsers(ISSUER), { ports: [80] });
    const crds = CrdSchemaSet.fromFile(path.resolve(__dirname, '../../../shared/istio/crd-all-1.5.10.gen.yaml'));
    const objects = manifestsOf(app).filter((m) => /istio\.io\//.test(m.apiVersion));
    expect(objects.filter((m) => m.kind === 'AuthorizationPolicy')).toHaveLength(2);
    expect(validateManifests(objects, { crds }).filter((d) => d.severity === 'error')).toEqual([]);
    const bad = objects.map((m) => (m.kind === 'AuthorizationPolicy' ? { ...m, spec: { ...m.spec, action: 'AUDIT' } } : m));
    expect(validateManifests(bad, { crds }).filter((d) => d.severity === 'error').length).toBeGreaterThan(0);
  });
});
