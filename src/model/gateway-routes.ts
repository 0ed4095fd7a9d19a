/**
 * How a gateway routes to a service: which of the requested hosts become an `http` route (servers
 * that terminate TLS or serve HTTP) and which a `tls` route per passthrough port (forwarded by
 * SNI), and which service port each route targets. Pure functions of the gateway and the service.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/ingress-sni-passthrough/
 * @module
 */
import { TrustmeshError } from '../errors';
import { GatewayRouteSpec, GatewayServerSpec, IngressGatewaySpec, RouteMatchSpec, serversFor } from './ingress-gateway';
import { ServiceSpec } from './mesh-spec';
import { isHttpProtocol, PortProtocol } from './service-port';

/** The kind of route: `http` where the gateway sees requests, `tls` where it forwards a connection. */
export type GatewayRouteKind = GatewayRouteSpec['kind'];

/** A route the user asked for: a service of the mesh, the hosts (already checked) and path matches. */
export interface GatewayRouteRequest {
  /** The destination: its namespace, name and ports. */
  readonly service: Pick<ServiceSpec, 'namespace' | 'name' | 'ports'>;
  /** Host names to route, each served by a server of the gateway. */
  readonly hosts: readonly string[];
  /** `http` routes only: path matches (OR); empty means every path. */
  readonly matches: readonly RouteMatchSpec[];
  /**
   * The service port to route to.
   * @default - the service's first port that fits the route kind
   */
  readonly port?: number;
}

/** Whether a server forwards TLS connections untouched (by SNI) instead of terminating them. */
export function isPassthroughServer(server: GatewayServerSpec): boolean {
  return server.tls?.mode === 'PASSTHROUGH';
}

/**
 * The routes a request becomes: one `http` route for the hosts the gateway terminates (or serves
 * as HTTP), one `tls` route per passthrough port for the hosts it passes through. Hosts are sorted
 * within each route.
 * @throws TrustmeshError `TM_GATEWAY_ROUTE_NO_SERVER`, `TM_GATEWAY_ROUTE_AMBIGUOUS`,
 *   `TM_GATEWAY_PASSTHROUGH_MATCH`, `TM_UNKNOWN_PORT`, `TM_GATEWAY_ROUTE_PORT_PROTOCOL`
 */
export function planGatewayRoutes(gateway: IngressGatewaySpec, request: GatewayRouteRequest): GatewayRouteSpec[] {
  const { service, matches } = request;
  const ref = { namespace: service.namespace, name: service.name };
  const http: string[] = [];
  const passthrough = new Map<number, string[]>();
  for (const host of request.hosts) {
    const servers = serversFor(gateway, host);
    if (servers.length === 0) {
      throw new TrustmeshError('TM_GATEWAY_ROUTE_NO_SERVER', `no server of gateway ${gateway.name} serves host ${host}`, {
        value: host,
        allowed: [...new Set(gateway.servers.flatMap((s) => s.hosts))].sort().join(', ') || 'no servers yet',
        fix: 'add a server for the host first, or route only hosts the gateway serves',
      });
    }
    const terminating = servers.filter((s) => !isPassthroughServer(s) && !s.httpsRedirect);
    const through = servers.filter(isPassthroughServer);
    if (terminating.length > 0 && through.length > 0) {
      throw new TrustmeshError('TM_GATEWAY_ROUTE_AMBIGUOUS', `host ${host} is served both with terminated and with passthrough TLS`, {
        fix: 'serve the host one way, or route the two hosts separately',
      });
    }
    if (terminating.length > 0) http.push(host);
    for (const s of through) passthrough.set(s.port, [...(passthrough.get(s.port) ?? []), host]);
    if (terminating.length === 0 && through.length === 0) {
      throw new TrustmeshError('TM_GATEWAY_ROUTE_NO_SERVER', `host ${host} is only served by HTTP servers that redirect to https`, {
        fix: 'add an HTTPS server for the host',
      });
    }
  }
  const out: GatewayRouteSpec[] = [];
  if (http.length > 0) {
    out.push({ service: ref, kind: 'http', hosts: http.sort(), servicePort: routeBackendPort(service, request.port, 'http'), matches });
  }
  if (passthrough.size > 0) {
    if (matches.length > 0) {
      throw new TrustmeshError('TM_GATEWAY_PASSTHROUGH_MATCH', 'a passthrough route cannot match paths: the gateway never sees the HTTP request', {
        fix: 'drop match, or terminate TLS at the gateway (GatewayTls.simple)',
      });
    }
    const servicePort = routeBackendPort(service, request.port, 'tls');
    for (const [gatewayPort, list] of [...passthrough].sort(([a], [b]) => a - b)) {
      out.push({ service: ref, kind: 'tls', hosts: [...list].sort(), servicePort, gatewayPort, matches: [] });
    }
  }
  return out;
}

/**
 * The service port a route of `kind` targets: the requested one, or the first that fits (HTTP
 * protocols for `http` routes, HTTPS or TLS for `tls` routes).
 * @throws TrustmeshError `TM_UNKNOWN_PORT` when there is none, `TM_GATEWAY_ROUTE_PORT_PROTOCOL` when the requested one does not fit
 */
export function routeBackendPort(service: Pick<ServiceSpec, 'namespace' | 'name' | 'ports'>, requested: number | undefined,
  kind: GatewayRouteKind): number {
  const fits = (protocol: PortProtocol): boolean => (kind === 'http' ? isHttpProtocol(protocol) : protocol === 'HTTPS' || protocol === 'TLS');
  const chosen = requested === undefined ? service.ports.find((p) => fits(p.protocol)) : service.ports.find((p) => p.port === requested);
  const wanted = kind === 'http' ? 'an HTTP port (Port.http/http2/grpc)' : 'an HTTPS or TLS port (Port.https/Port.tls)';
  if (!chosen) {
    throw new TrustmeshError('TM_UNKNOWN_PORT', requested === undefined
      ? `${service.namespace}/${service.name} has no port for a ${kind} route`
      : `port ${requested} is not a port of service ${service.namespace}/${service.name}`, {
      value: requested, allowed: wanted, fix: 'declare the port on the service, or pass port',
    });
  }
  if (!fits(chosen.protocol)) {
    throw new TrustmeshError('TM_GATEWAY_ROUTE_PORT_PROTOCOL',
      `port ${chosen.port} of ${service.namespace}/${service.name} is ${chosen.protocol}, but a ${kind} route needs ${wanted}`, {
        value: chosen.port,
      });
  }
  return chosen.port;
}
