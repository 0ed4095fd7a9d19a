import { describe, expect, test } from 'vitest';
import { edgeDiagnostics } from '../../src/model/edge-checks';
import { EdgesSpec, NO_EDGES } from '../../src/model/edges';
import { GatewayServerSpec, gatewayWorkload, IngressGatewaySpec, routeMatchesOverlap } from '../../src/model/ingress-gateway';
import { MeshModel } from '../../src/model/mesh-model';
import { gatewayHostCovers } from '../../src/semantics/host-match';
import { meshSpec } from '../helpers';

const SERVER: GatewayServerSpec = {
  name: 'https-443',
  port: 443,
  targetPort: 8443,
  protocol: 'HTTPS',
  hosts: ['shop.example.com'],
  httpsRedirect: false,
  tls: { mode: 'SIMPLE', credentialName: 'shop', minProtocolVersion: 'TLSV1_2', subjectAltNames: [] },
};

const GATEWAY: IngressGatewaySpec = {
  name: 'edge',
  namespace: 'istio-system',
  selector: { istio: 'ingressgateway' },
  serviceAccount: 'gw',
  numTrustedProxies: 0,
  servers: [SERVER],
  routes: [],
  intentions: [],
};

function model(edges: Partial<EdgesSpec>): MeshModel {
  return MeshModel.of(meshSpec({
    namespaces: [{ name: 'shop' }],
    services: [{ namespace: 'shop', name: 'web', serviceAccount: 'web', labels: { app: 'web' }, ports: [], inMesh: true }],
    edges: { ...NO_EDGES, ...edges },
  }));
}

function codes(m: MeshModel): string[] {
  return edgeDiagnostics(m, m.spec.edges!).map((d) => `${d.code}${d.upstreamCode ? `/${d.upstreamCode}` : ''}`);
}

describe('edge checks', () => {
  test('a server credential neither emitted nor declared is an error (istioctl IST0101)', () => {
    const m = model({ gateways: [GATEWAY] });
    const found = edgeDiagnostics(m, m.spec.edges!);
    expect(found.map((d) => [d.code, d.upstreamCode, d.severity])).toEqual([['TM_GATEWAY_CREDENTIAL_NOT_FOUND', 'IST0101', 'error']]);
    expect(found[0].message).toMatch(/neither issued by the mesh CA nor declared as existing/);
  });

  test('a credential declared in another namespace does not count: gateways read their own namespace', () => {
    const m = model({ gateways: [GATEWAY], credentials: [{ secretName: 'shop', namespace: 'shop', origin: 'existing', clientCa: false }] });
    expect(edgeDiagnostics(m, m.spec.edges!)[0].message).toMatch(/emitted in namespace shop, but the gateway reads credentials from its own namespace istio-system/);
  });

  test('a declared credential is fine', () => {
    expect(codes(model({ gateways: [GATEWAY], credentials: [{ secretName: 'shop', namespace: 'istio-system', origin: 'existing', clientCa: false }] }))).toEqual([]);
  });

  test('duplicate host and port on one gateway is KIA0301, across gateways on the same pods IST0145', () => {
    const credentials = [{ secretName: 'shop', namespace: 'istio-system', origin: 'existing' as const, clientCa: false }];
    expect(codes(model({ gateways: [{ ...GATEWAY, servers: [SERVER, { ...SERVER, name: 'other' }] }], credentials })))
      .toEqual(['TM_GATEWAY_DUPLICATE_SERVER/KIA0301']);
    expect(codes(model({ gateways: [GATEWAY, { ...GATEWAY, name: 'second' }], credentials }))).toEqual(['TM_GATEWAY_DUPLICATE_SERVER/IST0145']);
    // Other pods, or another port: no conflict.
    expect(codes(model({ gateways: [GATEWAY, { ...GATEWAY, name: 'second', selector: { istio: 'other' } }], credentials }))).toEqual([]);
  });

  test('a route to a service the model does not declare', () => {
    const route = { service: { namespace: 'shop', name: 'ghost' }, kind: 'http' as const, hosts: ['shop.example.com'], servicePort: 80, matches: [] };
    const credentials = [{ secretName: 'shop', namespace: 'istio-system', origin: 'existing' as const, clientCa: false }];
    expect(codes(model({ gateways: [{ ...GATEWAY, routes: [route] }], credentials }))).toEqual(['TM_UNKNOWN_SERVICE']);
  });
});

describe('ingress gateway model helpers', () => {
  test('host coverage: exact (case-insensitive) and *.suffix wildcards', () => {
    expect(gatewayHostCovers('shop.example.com', 'SHOP.example.com')).toBe(true);
    expect(gatewayHostCovers('*.example.com', 'shop.example.com')).toBe(true);
    expect(gatewayHostCovers('*.example.com', 'example.com')).toBe(false);
    expect(gatewayHostCovers('shop.example.com', 'other.example.com')).toBe(false);
  });

  test('route matches overlap when one request could match both', () => {
    expect(routeMatchesOverlap([], [{ kind: 'prefix', path: '/api' }])).toBe(true);
    expect(routeMatchesOverlap([{ kind: 'prefix', path: '/api' }], [{ kind: 'prefix', path: '/api/v1' }])).toBe(true);
    expect(routeMatchesOverlap([{ kind: 'prefix', path: '/api/' }], [{ kind: 'prefix', path: '/static/' }])).toBe(false);
    expect(routeMatchesOverlap([{ kind: 'exact', path: '/' }], [{ kind: 'prefix', path: '/static/' }])).toBe(false);
    expect(routeMatchesOverlap([{ kind: 'exact', path: '/static/x' }], [{ kind: 'prefix', path: '/static/' }])).toBe(true);
  });

  test('the gateway workload: container ports, HTTP where TLS is terminated, TLS where it passes through', () => {
    const workload = gatewayWorkload({
      ...GATEWAY,
      servers: [SERVER, { ...SERVER, name: 'tls', port: 9443, targetPort: 9443, tls: { mode: 'PASSTHROUGH', subjectAltNames: [] } }],
    });
    expect(workload.ports).toEqual([
      { name: 'https-443', port: 443, targetPort: 8443, protocol: 'HTTP' },
      { name: 'tls', port: 9443, targetPort: 9443, protocol: 'TLS' },
    ]);
    expect(workload.labels).toEqual({ istio: 'ingressgateway' });
  });
});
