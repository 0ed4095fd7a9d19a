import { IstioManifest, sortedStrings, sortUniqueByJson } from './manifest';
import { istioApiVersion } from '../../model/api-version';
import { EdgeObjectNames } from '../../model/edge-names';
import { GatewayRouteSpec, IngressGatewaySpec, routesByService } from '../../model/ingress-gateway';
import { ServiceRef, serviceKey } from '../../model/intention';
import { MeshModel } from '../../model/mesh-model';
import { maxOf } from '../../private/arrays';
import { canonicalJson } from '../../private/canonical-json';

/**
 * The VirtualService that binds one service to one gateway, in the service's namespace (the team
 * that owns the service owns its routes): `http` routes for servers that terminate TLS, `tls`
 * routes (by SNI, which must be among the VirtualService hosts) for passthrough servers.
 * Destinations are fully qualified, so the object means the same wherever it is read.
 * `undefined` when the service has no route through the gateway.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/ingress-sni-passthrough/
 */
export function renderGatewayRoute(model: MeshModel, gateway: IngressGatewaySpec, service: ServiceRef): IstioManifest | undefined {
  const routes = routesByService(gateway).get(serviceKey(service));
  if (!routes) return undefined;
  const destinationHost = `${service.name}.${service.namespace}.svc.${model.spec.clusterDomain}`;
  const destination = (r: GatewayRouteSpec): Record<string, unknown> => ({ host: destinationHost, port: { number: r.servicePort } });
  const http = routes.filter((r) => r.kind === 'http').map((r) => ({
    ...(r.matches.length > 0 ? {
      match: sortUniqueByJson(r.matches.map((m) => ({ uri: m.kind === 'prefix' ? { prefix: m.path } : { exact: m.path } }))),
    } : {}),
    route: [{ destination: destination(r) }],
  }));
  const tls = routes.filter((r) => r.kind === 'tls').map((r) => ({
    match: [{ port: r.gatewayPort, sniHosts: sortedStrings(r.hosts) }],
    route: [{ destination: destination(r) }],
  }));
  const spec: Record<string, unknown> = {
    hosts: sortedStrings(routes.flatMap((r) => r.hosts)),
    gateways: [`${gateway.namespace}/${EdgeObjectNames.gateway(gateway.name)}`],
  };
  // Istio evaluates http routes in order: the most specific match first, the catch-all last.
  if (http.length > 0) spec.http = sortRoutes(http);
  if (tls.length > 0) spec.tls = sortUniqueByJson(tls);
  return {
    apiVersion: istioApiVersion('VirtualService', model.spec.istioVersion),
    kind: 'VirtualService',
    metadata: { name: EdgeObjectNames.route(service.name, gateway.name), namespace: service.namespace },
    spec,
  };
}

function sortRoutes<T extends { match?: readonly { uri: { prefix?: string; exact?: string } }[] }>(routes: readonly T[]): T[] {
  const specificity = (r: T): number => (r.match ? maxOf(r.match.map((m) => (m.uri.exact ?? m.uri.prefix ?? '').length + (m.uri.exact ? 1 : 0)), -Infinity) : -1);
  return sortUniqueByJson(routes).sort((a, b) => specificity(b) - specificity(a) || (canonicalJson(a) < canonicalJson(b) ? -1 : 1));
}
