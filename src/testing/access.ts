import { GatewayAccess, ThroughGatewayOptions } from './gateway-access';
import { MeshEvaluators } from './mesh-evaluators';
import type { IngressGateway } from '../constructs/ingress-gateway';
import type { Mesh } from '../constructs/mesh';
import { MeshService } from '../constructs/mesh-service';
import { TrustmeshApp } from '../constructs/trustmesh-app';
import { isHttpProtocol } from '../model/service-port';
import { AccessDecision, AccessRequest, JwtLocation } from '../semantics/access-request';
import { formatPrincipal } from '../semantics/principal';

/** A caller for {@link access}: a declared service, an identity, or a plaintext client. */
export type AccessSource =
  | MeshService
  | { readonly namespace: string; readonly serviceAccount: string; readonly trustDomain?: string }
  | 'plaintext';

/** An end-user token for a probe. */
export interface ProbeToken {
  /** The `iss` claim. */
  readonly issuer: string;
  /** Other claims (`sub` defaults to `user`). */
  readonly claims?: Record<string, unknown>;
  /** @default 'header:Authorization' */
  readonly location?: JwtLocation;
}

/** Options of a request probe. */
export interface ProbeRequest {
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
  readonly headers?: Record<string, string>;
}

/**
 * Access assertions evaluated on the synthesized YAML (the offline evaluator, Istio semantics),
 * so tests pin intended behaviour rather than bytes.
 *
 * @example
 * expect(access(app).from(frontend).to(payments).post('/charge')).toBeAllowed();
 * expect(access(app).from('plaintext').to(payments).get('/')).toBeDenied();
 */
export function access(app: TrustmeshApp): AccessCheck {
  return new AccessCheck(app);
}

/** The entry of a fluent access probe (a value builder; nothing is mutated in the app). */
export class AccessCheck {
  private readonly evaluators: MeshEvaluators;

  /** @internal */
  public constructor(app: TrustmeshApp) {
    this.evaluators = new MeshEvaluators(app);
  }

  /** The caller. */
  public from(source: AccessSource): AccessFrom {
    return new AccessFrom(this, source);
  }

  /**
   * Requests from outside the mesh through an ingress gateway, to the service it routes the host
   * (and path) to: the gateway's own policies, then the service's, with the gateway as the caller.
   * @example expect(access(app).through(gateway, { host: 'shop.example.com' }).from('203.0.113.7').get('/')).toBeAllowed();
   */
  public through(gateway: IngressGateway, options: ThroughGatewayOptions): GatewayAccess {
    return new GatewayAccess(this.evaluators, gateway, options);
  }

  /** @internal evaluates a request against the mesh's synthesized objects. */
  public _evaluate(mesh: Mesh, request: AccessRequest): AccessDecision {
    return this.evaluators.of(mesh).evaluate(request);
  }
}

/** A probe with its caller chosen. */
export class AccessFrom {
  /** @internal */
  public constructor(private readonly check: AccessCheck, private readonly source: AccessSource) {}

  /**
   * The destination service, optionally on one of its Service ports.
   * @param port a Service port of the destination; defaults to its first HTTP port, else its first port
   */
  public to(destination: MeshService, port?: number): AccessTo {
    return new AccessTo(this.check, this.source, destination, port);
  }
}

/** A probe with caller and destination; finish it with a request. */
export class AccessTo {
  private token?: ProbeToken;

  /** @internal */
  public constructor(private readonly check: AccessCheck, private readonly source: AccessSource,
    private readonly destination: MeshService, private readonly port: number | undefined) {}

  /** Sends the requests with a valid end-user token. */
  public withToken(token: ProbeToken): AccessTo {
    const next = new AccessTo(this.check, this.source, this.destination, this.port);
    next.token = token;
    return next;
  }

  public get(path = '/', request: Omit<ProbeRequest, 'method' | 'path'> = {}): AccessProbe { return this.request({ ...request, method: 'GET', path }); }
  public post(path = '/', request: Omit<ProbeRequest, 'method' | 'path'> = {}): AccessProbe { return this.request({ ...request, method: 'POST', path }); }
  public put(path = '/', request: Omit<ProbeRequest, 'method' | 'path'> = {}): AccessProbe { return this.request({ ...request, method: 'PUT', path }); }
  public delete(path = '/', request: Omit<ProbeRequest, 'method' | 'path'> = {}): AccessProbe { return this.request({ ...request, method: 'DELETE', path }); }

  /** An HTTP request (on an HTTP port) or a TCP connection (on another port). */
  public request(request: ProbeRequest = {}): AccessProbe {
    const servicePort = this.port === undefined
      ? this.destination.ports.find((p) => isHttpProtocol(p.protocol)) ?? this.destination.ports[0]
      : this.destination.ports.find((p) => p.port === this.port);
    if (!servicePort) {
      throw new TypeError(`access(): ${this.destination.namespace}/${this.destination.name} has no ${this.port === undefined ? 'ports' : `port ${this.port}`}`);
    }
    const http = isHttpProtocol(servicePort.protocol);
    const principal = this.principal();
    const accessRequest: AccessRequest = {
      protocol: http ? 'HTTP' : 'TCP',
      source: { principal, namespace: principal === null ? null : principal.split('/')[2], ip: '10.0.0.1' },
      jwt: http ? probeJwt(this.token) : null,
      destination: { namespace: this.destination.namespace, labels: this.destination.labels, port: servicePort.targetPort },
      ...(http ? {
        method: request.method ?? 'GET',
        path: request.path ?? '/',
        ...(request.host ? { host: request.host } : {}),
        headers: Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
      } : {}),
    };
    const describe = `${this.describeSource()} -> ${this.destination.namespace}/${this.destination.name}:${servicePort.port} `
      + (http ? `${accessRequest.method} ${accessRequest.path}` : 'TCP');
    return new AccessProbe(describe, () => this.check._evaluate(this.destination.mesh, accessRequest));
  }

  private principal(): string | null {
    const s = this.source;
    if (s === 'plaintext') return null;
    if (s instanceof MeshService) return s.inMesh ? s.principal : null;
    return formatPrincipal(s.trustDomain ?? this.destination.mesh.trustDomain, s.namespace, s.serviceAccount);
  }

  private describeSource(): string {
    const s = this.source;
    if (s === 'plaintext') return 'plaintext client';
    if (s instanceof MeshService) return `${s.namespace}/${s.name}`;
    return `${s.namespace}/sa/${s.serviceAccount}`;
  }
}

/** @internal the valid token a probe's request carries, if any. */
export function probeJwt(token: ProbeToken | undefined): AccessRequest['jwt'] {
  return token ? {
    status: 'valid',
    claims: { iss: token.issuer, sub: 'user', ...token.claims },
    ...(token.location ? { location: token.location } : {}),
  } : null;
}

/** A request whose decision is computed on demand. */
export class AccessProbe {
  private cached?: AccessDecision;

  /** @internal */
  public constructor(public readonly description: string, private readonly run: () => AccessDecision) {}

  /** The evaluator's decision. */
  public get decision(): AccessDecision {
    this.cached ??= this.run();
    return this.cached;
  }
}
