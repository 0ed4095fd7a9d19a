import { AccessMatchOptions } from './access-options';
import { Enforcement } from './enums';
import { GatewayTls } from './gateway-tls';
import { EndUsers, EndUsersOptions } from './peer';
import { RouteMatch } from './route-match';

/** Props of {@link IngressGateway}. */
export interface IngressGatewayProps {
  /**
   * Gateway name: the Gateway object is `<name>-gateway`, its policies `<name>-gateway-…`.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the gateway workload (pods, Service): its Gateway, policies and credential
   * Secrets go there. Either the mesh's root namespace or a declared namespace.
   * @default - the mesh's root namespace (`istio-system`)
   */
  readonly namespace?: string;
  /**
   * Labels of the gateway pods (the Gateway's `selector` and the policies' `matchLabels`).
   * @default { istio: 'ingressgateway' } - the default ingress gateway of `istioctl install`
   */
  readonly selector?: Record<string, string>;
  /**
   * Service account of the gateway pods: the identity routed services see and name in `allowFrom`.
   * @default 'istio-ingressgateway-service-account'
   */
  readonly serviceAccount?: string;
  /**
   * Gateway Service port to gateway container port, for the ports servers use. Authorization
   * policies on the gateway compare the container port.
   * @default { 80: 8080, 443: 8443 } - the istio-ingressgateway Service of `istioctl install`; other ports map to themselves
   */
  readonly containerPorts?: Readonly<Record<number, number>>;
  /**
   * Proxies (load balancers) in front of the gateway that append the client address to
   * X-Forwarded-For. trustmesh does not deploy the gateway: set the same number as MeshConfig
   * `defaultConfig.gatewayTopology.numTrustedProxies` (or the gateway pods'
   * `proxy.istio.io/config` annotation). With N > 0, client-address rules use `remoteIpBlocks`
   * (the Nth address from the right of X-Forwarded-For); with 0 they use `ipBlocks` (the address
   * of the connection).
   * @default 0
   * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
   */
  readonly numTrustedProxies?: number;
}

/** Options of {@link IngressGateway.addHttpsServer}. */
export interface HttpsServerOptions {
  /** Host names served (exact, or `*.example.com`). */
  readonly hosts: string[];
  /** How TLS is handled: {@link GatewayTls.simple}, `.mutual`, `.optionalMutual`, `.passthrough`. */
  readonly tls: GatewayTls;
  /** @default 443 */
  readonly port?: number;
  /**
   * `port.name`, unique within the gateway.
   * @default - `https-<port>`
   */
  readonly name?: string;
}

/** Options of {@link IngressGateway.addHttpServer}. */
export interface HttpServerOptions {
  /** Host names served. */
  readonly hosts: string[];
  /** @default 80 */
  readonly port?: number;
  /**
   * Answer every request with a 301 redirect to https (`tls.httpsRedirect`).
   * @default false - serve plain HTTP
   */
  readonly httpsRedirect?: boolean;
  /** @default - `http-<port>` */
  readonly name?: string;
}

/** Options of {@link IngressGateway.route}. */
export interface GatewayRouteOptions {
  /**
   * Hosts of the gateway this route serves.
   * @default - every host of the gateway's servers
   */
  readonly hosts?: string[];
  /**
   * Path matches (HTTP routes only).
   * @default - every path
   */
  readonly match?: RouteMatch | RouteMatch[];
  /**
   * Service port of the destination.
   * @default - its first HTTP port (terminated TLS), or its first HTTPS/TLS port (passthrough)
   */
  readonly port?: number;
}

/** What part of the traffic through the gateway a gateway intention covers. */
export type GatewayAccessMatchOptions = Omit<AccessMatchOptions, 'ports' | 'notPorts'>;

/** Options of the gateway's authorization verbs. */
export interface GatewayAccessOptions extends GatewayAccessMatchOptions {
  /**
   * Also require an end user (a valid token from this issuer, with these claims).
   * @default - no end-user requirement
   */
  readonly onBehalfOf?: EndUsers;
  /** @default Enforcement.ENFORCE */
  readonly enforcement?: Enforcement;
}

/** Options of {@link IngressGateway.allowEndUsers}. */
export interface GatewayEndUsersOptions extends GatewayAccessMatchOptions, EndUsersOptions {
  /** @default Enforcement.ENFORCE */
  readonly enforcement?: Enforcement;
}

/** Options of {@link IngressGateway.requireJwt}. */
export interface GatewayRequireJwtOptions {
  /**
   * Hosts the requirement covers.
   * @default - every host through the gateway
   */
  readonly hosts?: string[];
  /**
   * Paths reachable without a token.
   * @default - none
   */
  readonly exceptPaths?: string[];
  /** @default Enforcement.ENFORCE */
  readonly enforcement?: Enforcement;
}

