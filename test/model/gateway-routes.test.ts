import { describe, expect, it } from 'vitest';
import { isPassthroughServer, planGatewayRoutes, routeBackendPort } from '../../src/model/gateway-routes';
import { GatewayServerSpec, IngressGatewaySpec } from '../../src/model/ingress-gateway';
import { ServicePortSpec } from '../../src/model/service-port';
import { catchTrustmesh } from '../helpers';

const https = (name: string, port: number, hosts: string[], mode: 'SIMPLE' | 'PASSTHROUGH' = 'SIMPLE'): GatewayServerSpec => ({
  name,
  port,
  targetPort: port + 8000,
  protocol: 'HTTPS',
  hosts,
  httpsRedirect: false,
  tls: { mode, ...(mode === 'SIMPLE' ? { credentialName: 'cert' } : {}), subjectAltNames: [] },
});
const http = (name: string, port: number, hosts: string[], httpsRedirect = false): GatewayServerSpec => ({
  name, port, targetPort: port + 8000, protocol: 'HTTP', hosts, httpsRedirect,
});

function gateway(servers: GatewayServerSpec[]): IngressGatewaySpec {
  return {
    name: 'shop',
    namespace: 'istio-system',
    selector: { istio: 'ingressgateway' },
    serviceAccount: 'gw',
    numTrustedProxies: 0,
    servers,
    routes: [],
    intentions: [],
  };
}

const port = (n: number, protocol: ServicePortSpec['protocol']): ServicePortSpec => ({ name: `${protocol.toLowerCase()}-${n}`, port: n, targetPort: n, protocol });
const web = { namespace: 'shop', name: 'web', ports: [port(8080, 'HTTP'), port(8443, 'HTTPS')] };

describe('planGatewayRoutes', () => {
  it('routes terminated hosts as one http route with sorted hosts, on the first HTTP port', () => {
    const gw = gateway([https('https', 443, ['b.example.com', 'a.example.com'])]);
    expect(planGatewayRoutes(gw, { service: web, hosts: ['b.example.com', 'a.example.com'], matches: [] })).toEqual([
      { service: { namespace: 'shop', name: 'web' }, kind: 'http', hosts: ['a.example.com', 'b.example.com'], servicePort: 8080, matches: [] },
    ]);
  });

  it('routes passthrough hosts as one tls route per gateway port, ordered by port, on the first HTTPS/TLS port', () => {
    const gw = gateway([https('tls-9443', 9443, ['b.example.com'], 'PASSTHROUGH'), https('tls-443', 443, ['a.example.com'], 'PASSTHROUGH')]);
    expect(planGatewayRoutes(gw, { service: web, hosts: ['b.example.com', 'a.example.com'], matches: [] })).toEqual([
      { service: { namespace: 'shop', name: 'web' }, kind: 'tls', hosts: ['a.example.com'], servicePort: 8443, gatewayPort: 443, matches: [] },
      { service: { namespace: 'shop', name: 'web' }, kind: 'tls', hosts: ['b.example.com'], servicePort: 8443, gatewayPort: 9443, matches: [] },
    ]);
  });

  it('keeps path matches on http routes and a wildcard server covers its subdomains', () => {
    const gw = gateway([https('https', 443, ['*.example.com'])]);
    const matches = [{ kind: 'prefix' as const, path: '/api' }];
    expect(planGatewayRoutes(gw, { service: web, hosts: ['shop.example.com'], matches })[0]).toMatchObject({ kind: 'http', matches });
  });

  it('ignores redirecting HTTP servers beside a terminating one', () => {
    const gw = gateway([http('http', 80, ['a.example.com'], true), https('https', 443, ['a.example.com'])]);
    expect(planGatewayRoutes(gw, { service: web, hosts: ['a.example.com'], matches: [] }).map((r) => r.kind)).toEqual(['http']);
  });

  it.each([
    ['TM_GATEWAY_ROUTE_NO_SERVER', /no server of gateway shop serves host b\.example\.com/, [https('https', 443, ['a.example.com'])], ['b.example.com'], []],
    ['TM_GATEWAY_ROUTE_NO_SERVER', /only served by HTTP servers that redirect/, [http('http', 80, ['a.example.com'], true)], ['a.example.com'], []],
    ['TM_GATEWAY_ROUTE_AMBIGUOUS', /both with terminated and with passthrough TLS/,
      [https('https', 443, ['a.example.com']), https('tls', 9443, ['a.example.com'], 'PASSTHROUGH')], ['a.example.com'], []],
    ['TM_GATEWAY_PASSTHROUGH_MATCH', /cannot match paths/, [https('tls', 443, ['a.example.com'], 'PASSTHROUGH')], ['a.example.com'],
      [{ kind: 'exact' as const, path: '/' }]],
  ])('%s: %s', (code, message, servers, hosts, matches) => {
    const e = catchTrustmesh(() => planGatewayRoutes(gateway(servers), { service: web, hosts, matches }));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });
});

describe('routeBackendPort', () => {
  it('takes the requested port when it fits the route kind', () => {
    expect(routeBackendPort(web, 8443, 'tls')).toBe(8443);
    expect(routeBackendPort(web, 8080, 'http')).toBe(8080);
  });

  it('rejects a port the service lacks, a service without a fitting port, and a port of the wrong protocol', () => {
    expect(catchTrustmesh(() => routeBackendPort(web, 9000, 'http')).code).toBe('TM_UNKNOWN_PORT');
    expect(catchTrustmesh(() => routeBackendPort({ ...web, ports: [port(5432, 'TCP')] }, undefined, 'http')).message).toMatch(/has no port for a http route/);
    const e = catchTrustmesh(() => routeBackendPort(web, 8443, 'http'));
    expect(e.code).toBe('TM_GATEWAY_ROUTE_PORT_PROTOCOL');
    expect(e.message).toMatch(/port 8443 of shop\/web is HTTPS, but a http route needs an HTTP port/);
  });
});

describe('isPassthroughServer', () => {
  it('is true only for PASSTHROUGH TLS', () => {
    expect([https('a', 443, ['a.b'], 'PASSTHROUGH'), https('b', 443, ['a.b']), http('c', 80, ['a.b'])].map(isPassthroughServer)).toEqual([true, false, false]);
  });
});
