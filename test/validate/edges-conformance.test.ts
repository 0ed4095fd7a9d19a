// Conformance of the edge objects: the new example outputs (the micro-shake-factory gateway in its
// MUTUAL and PASSTHROUGH variants) and a mesh using every edge verb, in Istio 1.30 (v1 APIs) and
// 1.21 (networking v1beta1, telemetry v1alpha1), validate against the Istio 1.30.3 CRD schemas and
// their CEL rules with no error or warning.
import { describe, expect, it } from 'vitest';
import { SCHEMA_SETS, summary } from './helpers';
import {
  AccessLogFilter, ClientCredential, EgressPort, EgressTls, GatewayCredential, GatewayTls, JwtIssuer, KubernetesApiServer, Mesh, Peer, Port,
  RouteMatch,
} from '../../src';
import type { TrustmeshApp } from '../../src/constructs/trustmesh-app';
import { microShakeFactoryMesh, microShakeFactoryMutualMesh, microShakeFactoryPassthroughMesh } from '../../src/examples';
import { validateManifests } from '../../src/validate/manifest-validator';
import { tempApp } from '../helpers';

const ISSUER = JwtIssuer.of({ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' });

function everyEdge(version: string): (app: TrustmeshApp) => unknown {
  return (app) => {
    const mesh = new Mesh(app, `edges-${version.replace('.', '-')}`, { istioVersion: version, pathNormalization: 'MERGE_SLASHES' });
    const shop = mesh.addNamespace('shop');
    const legacy = mesh.addNamespace('legacy');
    const web = shop.addService('web', { ports: [Port.http(80, { targetPort: 8080 }), Port.https(443, { targetPort: 8443 })] });
    const api = shop.addService('api', { ports: [Port.http(8000)] });
    const gateway = mesh.addIngressGateway('shop', { numTrustedProxies: 1 });
    gateway.addHttpServer({ hosts: ['shop.example.com'], httpsRedirect: true });
    gateway.addHttpsServer({ hosts: ['shop.example.com'], tls: GatewayTls.simple(GatewayCredential.fromSecretName('shop-credential')) });
    gateway.addHttpsServer({ hosts: ['partners.example.com'], port: 8443, tls: GatewayTls.mutual(GatewayCredential.fromSecretName('partners', { clientCa: true })) });
    gateway.addHttpsServer({ hosts: ['tls.example.com'], port: 9443, tls: GatewayTls.passthrough() });
    gateway.route(web, { hosts: ['shop.example.com'], match: RouteMatch.pathPrefix('/') });
    gateway.route(api, { hosts: ['partners.example.com'], match: [RouteMatch.pathPrefix('/api/'), RouteMatch.exactPath('/api')] });
    gateway.route(web, { hosts: ['tls.example.com'] });
    web.allowFrom(gateway);
    api.allowFrom(gateway);
    gateway.requireJwt(ISSUER, { hosts: ['shop.example.com'], exceptPaths: ['/healthz'] });
    gateway.allowClientAddresses(['203.0.113.0/24'], { hosts: ['partners.example.com'] });
    gateway.allowFrom(Peer.anyone(), { hosts: ['shop.example.com'] });
    gateway.denyFrom(Peer.anyone(), { paths: ['/admin/*'] });
    gateway.auditFrom(Peer.anyone(), { paths: ['/checkout'] });
    mesh.lockDownEgress({ except: [legacy] });
    mesh.allowEgressTo('api.example.com', { ports: [EgressPort.http(80), EgressPort.https(443)], tls: EgressTls.simple() });
    mesh.allowEgressTo('partner.example.com', {
      ports: [EgressPort.http(80)], namespace: shop, tls: EgressTls.mutual(ClientCredential.fromSecretName('partner-client'), { clients: [api] }),
    });
    mesh.allowEgressTo('db.example.com', { ports: [EgressPort.tcp(5432)], namespace: legacy });
    mesh.plaintextTo(KubernetesApiServer.inCluster());
    mesh.enableAccessLogging({ filter: AccessLogFilter.errors() });
    mesh.enableAccessLogging({ namespaces: [shop] });
  };
}

const OUTPUTS: ReadonlyArray<[string, (app: TrustmeshApp) => unknown]> = [
  ['micro-shake-factory', microShakeFactoryMesh],
  ['micro-shake-factory-mutual', microShakeFactoryMutualMesh],
  ['micro-shake-factory-passthrough', microShakeFactoryPassthroughMesh],
  ['every edge verb, Istio 1.30', everyEdge('1.30')],
  ['every edge verb, Istio 1.21', everyEdge('1.21')],
];

describe.each(OUTPUTS)('%s', (_name, define) => {
  const app = tempApp({ validator: () => [] });
  define(app);
  const records = app.synthOutput().manifests;

  it.each(SCHEMA_SETS)('validates against the %s 1.30.3 schemas with no error or warning', (_setName, crds) => {
    const diagnostics = validateManifests(records.map((r) => r.manifest), {
      crds: crds(),
      sources: (i) => ({ file: records[i].file, constructPath: records[i].constructPath }),
    });
    expect(summary(diagnostics)).toEqual([]);
  });

  it('contains Gateway and VirtualService objects, so their schemas were exercised', () => {
    const kinds = new Set(records.map((r) => String(r.manifest.kind)));
    expect(kinds.has('Gateway') && kinds.has('VirtualService')).toBe(true);
  });
});

describe('every edge verb', () => {
  it('emits each edge kind', () => {
    const app = tempApp({ validator: () => [] });
    everyEdge('1.21')(app);
    const kinds = new Set(app.synthOutput().manifests.map((r) => `${String(r.manifest.apiVersion)} ${String(r.manifest.kind)}`));
    for (const k of ['networking.istio.io/v1beta1 Gateway', 'networking.istio.io/v1beta1 VirtualService', 'networking.istio.io/v1beta1 Sidecar',
      'networking.istio.io/v1beta1 ServiceEntry', 'networking.istio.io/v1beta1 DestinationRule', 'telemetry.istio.io/v1alpha1 Telemetry']) {
      expect(kinds, k).toContain(k);
    }
  });
});
