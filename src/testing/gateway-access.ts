import { Yaml } from 'cdk8s';
import { AccessProbe, ProbeToken } from './access';
import { createEvaluator, Evaluator } from '../analysis/evaluate';
import { evaluateThroughGateway } from '../analysis/ingress';
import { parseConfigText } from '../analysis/load-config';
import { meshConfig } from '../analysis/mesh-config';
import { IngressGateway } from '../constructs/ingress-gateway';
import { TrustmeshApp } from '../constructs/trustmesh-app';
import { AccessRequest } from '../model/access-request';
import { gatewayHostCovers, GatewayRouteSpec, GatewayServerSpec, IngressGatewaySpec, routeMatchCovers } from '../model/ingress-gateway';

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
  public constructor(private readonly app: TrustmeshApp, private readonly gateway: IngressGateway, private readonly options: ThroughGatewayOptions) {}

  /** The client: its address, and optionally the X-Forwarded-For its request carries. */
  public from(clientIp: string, options: GatewayClientOptions = {}): GatewayProbe {
    return new GatewayProbe(this.app, this.gateway, this.options, clientIp, options, undefined);
  }
}

/** A gateway probe with its client; finish it with a request. */
export class GatewayProbe {
  /** @internal */
  public constructor(
    private readonly app: TrustmeshApp,
    private readonly gateway: IngressGateway,
    private readonly target: ThroughGatewayOptions,
    private readonly clientIp: string,
    private readonly client: GatewayClientOptions,
    private readonly token: ProbeToken | undefined,
  ) {}

  /** Sends the requests with a valid end-user token. */
  public withToken(token: ProbeToken): GatewayProbe {
    return new GatewayProbe(this.app, this.gateway, this.target, this.clientIp, this.client, token);
  }

  public get(path = '/'): AccessProbe { return this.request('GET', path); }
  public post(path = '/'): AccessProbe { return this.request('POST', path); }

  /** A request (HTTP where the gateway terminates TLS, a TLS connection where it passes it through). */
  public request(method = 'GET', path = '/'): AccessProbe {
    const spec = this.gateway.mesh.model.spec.edges?.gateways.find((g) => g.name === this.gateway.gatewayName) ?? this.gateway._toSpec();
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
      jwt: this.token ? {
        status: 'valid',
        claims: { iss: this.token.issuer, sub: 'user', ...this.token.claims },
        ...(this.token.location ? { location: this.token.location } : {}),
      } : null,
      destination: { namespace: spec.namespace, labels: { ...spec.selector }, port: server.targetPort },
      host: this.target.host,
      method,
      path,
      headers,
    };
    const description = `${this.clientIp} -> gateway ${spec.name}:${server.port} ${this.target.host} `
      + `${passthrough ? 'TLS' : `${method} ${path}`} -> ${service.namespace}/${service.name}:${port.port}`;
    return new AccessProbe(description, () => evaluateThroughGateway(evaluatorFor(this.app, this.gateway), request, {
      destination: { namespace: service.namespace, labels: service.labels, port: port.targetPort },
      gatewayPrincipal: this.gateway.principal,
      gatewayIp: '10.0.0.2',
    }));
  }
}

function pickServer(spec: IngressGatewaySpec, target: ThroughGatewayOptions): GatewayServerSpec {
  const serving = spec.servers.filter((s) => s.hosts.some((h) => gatewayHostCovers(h, target.host)));
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

const EVALUATORS = new WeakMap<TrustmeshApp, Map<IngressGateway, Evaluator>>();

/** An evaluator over the gateway's mesh, with the gateway's trusted-proxy count as MeshConfig. */
function evaluatorFor(app: TrustmeshApp, gateway: IngressGateway): Evaluator {
  let perGateway = EVALUATORS.get(app);
  if (!perGateway) {
    perGateway = new Map();
    EVALUATORS.set(app, perGateway);
  }
  let evaluator = perGateway.get(gateway);
  if (!evaluator) {
    const mesh = gateway.mesh;
    const prefix = `${mesh.node.path}/`;
    const records = app.synthOutput().manifests.filter((r) => !r.secret && r.file.startsWith(prefix));
    evaluator = createEvaluator(parseConfigText(Yaml.stringify(...records.map((r) => r.manifest)), `${mesh.meshName}.yaml`), meshConfig({
      rootNamespace: mesh.rootNamespace,
      trustDomain: mesh.trustDomain,
      trustDomainAliases: mesh.trustDomainAliases,
      numTrustedProxies: gateway.numTrustedProxies,
    }));
    perGateway.set(gateway, evaluator);
  }
  return evaluator;
}
