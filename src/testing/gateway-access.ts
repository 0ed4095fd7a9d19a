import { AccessProbe, probeJwt, ProbeToken } from './access';
import type { MeshEvaluators } from './mesh-evaluators';
import { evaluateThroughGateway } from '../analysis/evaluator/through-gateway';
import { IngressGateway } from '../constructs/ingress-gateway';
import { GatewayRouteSpec, GatewayServerSpec, IngressGatewaySpec, routeMatchCovers, serversFor } from '../model/ingress-gateway';
import { AccessRequest } from '../semantics/access-request';
import { gatewayHostCovers } from '../semantics/host-match';

/** Options of {@link AccessCheck.through}. */
export interface ThroughGatewayOptions {
  /** The host the client asks for (`Host` header, and SNI on TLS servers). */
  readonly host: string;
  /**
   * Gateway Service port the client connects to.
   * @default 443 when an HTTPS server serves the host there, else the first port serving it
   */
  readonly port?: number;
}

/** Options of {@link GatewayAccess.from}. */
export interface GatewayClientOptions {
  /** An `X-Forwarded-For` header the client's request carries (proxies in front of the gateway). */
  readonly forwardedFor?: string;
}

/**
 * Probes for requests from outside the mesh through an ingress gateway, evaluated in two hops on
 * the synthesized YAML: the gateway workload's own policies, then the routed service with the
 * gateway as the caller (see `evaluateThroughGateway`). The route is the gateway's declared one for
 * the host (and path).
 *
 * @example
 * expect(access(app).through(gateway, { host: 'shop.example.com' }).from('203.0.113.7').get('/')).toBeAllowed();
 */
export class GatewayAccess {
  /** @internal */
  public constructor(
    private readonly evaluators: MeshEvaluators,
    private readonly gateway: IngressGateway,
    private readonly options: ThroughGatewayOptions,
  ) {}

  /** The client: its address, and optionally the X-Forwarded-For its request carries. */
  public from(clientIp: string, options: GatewayClientOptions = {}): GatewayProbe {
    return new GatewayProbe(this.evaluators, this.gateway, this.options, clientIp, options, undefined);
  }
}

/** A gateway probe with its client; finish it with a request. */
export class GatewayProbe {
  /** @internal */
  public constructor(
    private readonly evaluators: MeshEvaluators,
    private readonly gateway: IngressGateway,
    private readonly target: ThroughGatewayOptions,
    private readonly clientIp: string,
    private readonly client: GatewayClientOptions,
    private readonly token: ProbeToken | undefined,
  ) {}

  /** Sends the requests with a valid end-user token. */
  public withToken(token: ProbeToken): GatewayProbe {
    return new GatewayProbe(this.evaluators, this.gateway, this.target, this.clientIp, this.client, token);
  }

  public get(path = '/'): AccessProbe { return this.request('GET', path); }
  public post(path = '/'): AccessProbe { return this.request('POST', path); }

  /** A request (HTTP where the gateway terminates TLS, a TLS connection where it passes it through). */
  public request(method = 'GET', path = '/'): AccessProbe {
    const spec = this.gateway._resolvedSpec();
    const server = pickServer(spec, this.target);
    const passthrough = server.tls?.mode === 'PASSTHROUGH';
    if (server.httpsRedirect) throw new TypeError(`access(): port ${server.port} of gateway ${spec.name} redirects to https; probe the HTTPS port`);
    const route = pickRoute(spec, this.target.host, passthrough ? undefined : path);
    const service = this.gateway.mesh.service(`${route.service.namespace}/${route.service.name}`);
    const port = service.ports.find((p) => p.port === route.servicePort)!;
    const headers: Record<string, string> = this.client.forwardedFor ? { 'x-forwarded-for': this.client.forwardedFor } : {};
    const request: AccessRequest = passthrough ? {
      protocol: 'TCP',
      source: { principal: null, namespace: null, ip: this.clientIp },
      jwt: null,
      destination: { namespace: spec.namespace, labels: { ...spec.selector }, port: server.targetPort },
      sni: this.target.host,
    } : {
      protocol: 'HTTP',
      source: { principal: null, namespace: null, ip: this.clientIp },
      jwt: probeJwt(this.token),
      destination: { namespace: spec.namespace, labels: { ...spec.selector }, port: server.targetPort },
      host: this.target.host,
      method,
      path,
      headers,
    };
    const description = `${this.clientIp} -> gateway ${spec.name}:${server.port} ${this.target.host} `
      + `${passthrough ? 'TLS' : `${method} ${path}`} -> ${service.namespace}/${service.name}:${port.port}`;
    const evaluators = this.evaluators;
    const { mesh, numTrustedProxies } = this.gateway;
    return new AccessProbe(description, () => evaluateThroughGateway(evaluators.of(mesh, numTrustedProxies), request, {
      destination: { namespace: service.namespace, labels: service.labels, port: port.targetPort },
      gatewayPrincipal: this.gateway.principal,
      gatewayIp: '10.0.0.2',
    }));
  }
}

function pickServer(spec: IngressGatewaySpec, target: ThroughGatewayOptions): GatewayServerSpec {
  const serving = serversFor(spec, target.host);
  const server = target.port !== undefined
    ? serving.find((s) => s.port === target.port)
    : serving.find((s) => s.port === 443 && s.protocol === 'HTTPS') ?? serving[0];
  if (!server) throw new TypeError(`access(): gateway ${spec.name} serves no ${target.host}${target.port !== undefined ? ` on port ${target.port}` : ''}`);
  return server;
}

function pickRoute(spec: IngressGatewaySpec, host: string, path: string | undefined): GatewayRouteSpec {
  const route = spec.routes.find((r) => r.kind === (path === undefined ? 'tls' : 'http') && r.hosts.some((h) => gatewayHostCovers(h, host))
    && (path === undefined || r.matches.length === 0 || r.matches.some((m) => routeMatchCovers(m, path))));
  if (!route) throw new TypeError(`access(): gateway ${spec.name} has no route for ${host}${path ?? ''}`);
  return route;
}
