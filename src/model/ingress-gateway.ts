/**
 * Ingress gateways as plain model data: the gateway workload (selector, identity, container
 * ports), its servers (hosts, ports, TLS), the routes to declared services, and the gateway's own
 * authorization intentions (end users, client addresses, hosts).
 *
 * A gateway is "just a workload" to Istio authorization: its AuthorizationPolicies and
 * RequestAuthentications select its pods like any other workload's. Two things differ from a
 * sidecar: PeerAuthentication does not apply (the Gateway's server TLS settings decide what the
 * client must present), and HTTP attributes are visible only on servers that terminate TLS.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/
 * @module
 */
import { IntentionSpec, JwtRequirementSpec, ServiceRef, serviceKey } from './intention';
import { ServiceSpec } from './mesh-spec';
import { PortProtocol, ServicePortSpec } from './service-port';
import { gatewayHostCovers } from '../semantics/host-match';

/**
 * Gateway server TLS modes trustmesh emits. `ISTIO_MUTUAL` and `AUTO_PASSTHROUGH` (mesh-internal
 * gateways) are not offered for ingress.
 */
export type GatewayTlsMode = 'SIMPLE' | 'MUTUAL' | 'OPTIONAL_MUTUAL' | 'PASSTHROUGH';

/** TLS protocol versions offered for `minProtocolVersion` / `maxProtocolVersion`. */
export type TlsProtocolVersion = 'TLSV1_2' | 'TLSV1_3';

/** Where a gateway credential (a `kubernetes.io/tls` Secret) comes from. */
export type GatewayCredentialOrigin = 'ca' | 'existing';

/** A credential Secret a gateway server names in `credentialName`. */
export interface GatewayCredentialSpec {
  /** Secret name. */
  readonly secretName: string;
  /** Secret namespace: Istio reads gateway credentials from the gateway workload's namespace. */
  readonly namespace: string;
  /** `ca`: issued by the mesh CA and emitted into the secrets output; `existing`: managed elsewhere. */
  readonly origin: GatewayCredentialOrigin;
  /** Whether the Secret carries `ca.crt` (the bundle MUTUAL gateways verify client certificates with). */
  readonly clientCa: boolean;
  /** DNS names of the certificate, when trustmesh issued it. */
  readonly dnsNames?: readonly string[];
}

/** Server-side TLS of one gateway server. */
export interface GatewayTlsSpec {
  readonly mode: GatewayTlsMode;
  /** The Secret with the server certificate; absent for PASSTHROUGH. */
  readonly credentialName?: string;
  /** Absent for PASSTHROUGH (the gateway does not take part in the handshake). */
  readonly minProtocolVersion?: TlsProtocolVersion;
  readonly maxProtocolVersion?: TlsProtocolVersion;
  /** Client certificate SANs a MUTUAL/OPTIONAL_MUTUAL server accepts (empty: any the CA issued). */
  readonly subjectAltNames: readonly string[];
}

/** One `servers[]` entry of a Gateway. */
export interface GatewayServerSpec {
  /** `port.name`, unique within the gateway. */
  readonly name: string;
  /** `port.number`: the gateway Service port clients connect to. */
  readonly port: number;
  /** The gateway container port behind it: what AuthorizationPolicy `ports` compare. */
  readonly targetPort: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  /** Host names (exact or `*.` wildcard), sorted. */
  readonly hosts: readonly string[];
  /** HTTP servers only: answer every request with a 301 to https. */
  readonly httpsRedirect: boolean;
  /** HTTPS servers only. */
  readonly tls?: GatewayTlsSpec;
}

/** A path match of an HTTP route. */
export interface RouteMatchSpec {
  readonly kind: 'prefix' | 'exact';
  readonly path: string;
}

/**
 * A route from the gateway to a declared service. `http` routes are for servers that terminate TLS
 * (or plain HTTP); `tls` routes forward a passthrough connection by SNI.
 */
export interface GatewayRouteSpec {
  readonly service: ServiceRef;
  readonly kind: 'http' | 'tls';
  /** Hosts the route serves (VirtualService `hosts`; for `tls` routes also the `sniHosts`), sorted. */
  readonly hosts: readonly string[];
  /** Service port of the destination. */
  readonly servicePort: number;
  /** `tls` routes: the gateway port of the passthrough server. */
  readonly gatewayPort?: number;
  /** `http` routes: path matches (OR); empty means every path. */
  readonly matches: readonly RouteMatchSpec[];
}

/** "Requests through this gateway need a token", optionally only for some hosts, except some paths. */
export interface GatewayJwtRequirementSpec extends JwtRequirementSpec {
  /** Hosts the requirement covers; empty means every host. */
  readonly hosts: readonly string[];
}

/** An ingress gateway. */
export interface IngressGatewaySpec {
  /** Gateway name (the Gateway object is `<name>-gateway`). */
  readonly name: string;
  /** Namespace of the gateway workload: its Gateway, policies and credentials live there. */
  readonly namespace: string;
  /** Labels of the gateway pods (Gateway `selector`, policy `matchLabels`). */
  readonly selector: Readonly<Record<string, string>>;
  /** Service account of the gateway pods: the principal backends see. */
  readonly serviceAccount: string;
  /**
   * Proxies in front of the gateway that append to X-Forwarded-For (MeshConfig
   * `defaultConfig.gatewayTopology.numTrustedProxies`): with N > 0, client-address rules use
   * `remoteIpBlocks` (the Nth address from the right); with 0 they use `ipBlocks`.
   */
  readonly numTrustedProxies: number;
  readonly servers: readonly GatewayServerSpec[];
  readonly routes: readonly GatewayRouteSpec[];
  /** The gateway's own authorization intentions; `destination` is `<namespace>/<name>`. */
  readonly intentions: readonly IntentionSpec[];
  readonly jwtRequirement?: GatewayJwtRequirementSpec;
}

/** Server protocol per gateway container port: HTTP where TLS is terminated, TLS where it passes through. */
function portProtocol(servers: readonly GatewayServerSpec[]): PortProtocol {
  return servers.some((s) => s.tls?.mode === 'PASSTHROUGH') ? 'TLS' : 'HTTP';
}

/**
 * The gateway workload as a {@link ServiceSpec}: what its AuthorizationPolicies select and which
 * ports carry HTTP. Ports are the gateway's container ports; servers sharing a port share an entry.
 */
export function gatewayWorkload(gateway: IngressGatewaySpec): ServiceSpec {
  const byPort = new Map<number, GatewayServerSpec[]>();
  for (const s of gateway.servers) byPort.set(s.port, [...(byPort.get(s.port) ?? []), s]);
  const ports: ServicePortSpec[] = [...byPort].sort(([a], [b]) => a - b).map(([port, servers]) => ({
    name: servers[0].name,
    port,
    targetPort: servers[0].targetPort,
    protocol: portProtocol(servers),
  }));
  return {
    namespace: gateway.namespace,
    name: gateway.name,
    serviceAccount: gateway.serviceAccount,
    labels: { ...gateway.selector },
    ports,
    inMesh: true,
  };
}

const routeIndexes = new WeakMap<IngressGatewaySpec, ReadonlyMap<string, readonly GatewayRouteSpec[]>>();

/**
 * A gateway's routes grouped by destination ({@link serviceKey}), in declaration order; the
 * services in the order of their first route. Built once per (immutable) gateway spec.
 */
export function routesByService(gateway: IngressGatewaySpec): ReadonlyMap<string, readonly GatewayRouteSpec[]> {
  let index = routeIndexes.get(gateway);
  if (!index) {
    const byService = new Map<string, GatewayRouteSpec[]>();
    for (const r of gateway.routes) {
      const key = serviceKey(r.service);
      const list = byService.get(key);
      if (list) list.push(r);
      else byService.set(key, [r]);
    }
    index = byService;
    routeIndexes.set(gateway, index);
  }
  return index;
}

/** The servers of a gateway whose hosts cover `host`. */
export function serversFor(gateway: IngressGatewaySpec, host: string): GatewayServerSpec[] {
  return gateway.servers.filter((s) => s.hosts.some((h) => gatewayHostCovers(h, host)));
}

/** Whether an HTTP route match covers a (normalized) request path. */
export function routeMatchCovers(match: RouteMatchSpec, path: string): boolean {
  const p = path.split('?')[0];
  return match.kind === 'exact' ? p === match.path : p.startsWith(match.path);
}

/** Whether two route matches can both match one request (so their order would decide). */
export function routeMatchesOverlap(a: readonly RouteMatchSpec[], b: readonly RouteMatchSpec[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.some((x) => b.some((y) => {
    if (x.kind === 'exact' && y.kind === 'exact') return x.path === y.path;
    if (x.kind === 'exact') return x.path.startsWith(y.path);
    if (y.kind === 'exact') return y.path.startsWith(x.path);
    return x.path.startsWith(y.path) || y.path.startsWith(x.path);
  }));
}
