import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { TrustmeshError, TrustmeshUsageError } from '../errors';
import { AccessMatchOptions, assertPathPatternsSupported, hostPatterns, toMatchSpec } from './access-options';
import { GatewayTls } from './gateway-tls';
import {
  GatewayAccessOptions, GatewayEndUsersOptions, GatewayRequireJwtOptions, GatewayRouteOptions, HttpServerOptions, HttpsServerOptions,
  IngressGatewayProps,
} from './ingress-gateway-options';
import { JwtIssuer } from './jwt-issuer';
import type { Mesh } from './mesh';
import { MeshService } from './mesh-service';
import { IMeshPeer, Peer, PeerConfig } from './peer';
import { policyConstructId, resolveIntentionInput, resolveJwtRequirement } from './private/intention-input';
import { RouteMatch } from './route-match';
import {
  GatewayJwtRequirementSpec, GatewayRouteSpec, GatewayServerSpec, gatewayWorkload, IngressGatewaySpec, serversFor,
} from '../model/ingress-gateway';
import { IntentionAction, IntentionSpec } from '../model/intention';
import { assertSupports, IstioFeature } from '../model/istio-version';
import { assertDnsLabel, assertDnsSubdomain, assertLabels } from '../model/names';
import { assertPortNumber, isHttpProtocol, PortProtocol } from '../model/service-port';
import { appendAll } from '../private/arrays';
import { located } from '../private/located';
import { chartFor } from './private/edge-objects';
import { ensureIstioApiObject } from './private/istio-api-object';
import { formatPrincipal } from '../semantics/principal';
import { EdgeObjectNames } from '../model/edge-names';
import { renderGateway } from '../render/istio/gateway';
import { renderGatewayPolicy, renderGatewayRequestAuthentication, renderGatewayRequireJwtPolicy } from '../render/istio/gateway-authorization';
import { renderGatewayRoute } from '../render/istio/virtual-service';

const DEFAULT_CONTAINER_PORTS: Readonly<Record<number, number>> = { 80: 8080, 443: 8443 };

/**
 * An ingress gateway: the Gateway with its servers (hosts, ports, TLS mode), the routes to the
 * mesh's services (a VirtualService per service), and the gateway workload's own authorization —
 * end-user tokens, client addresses, hosts. The gateway pods themselves are installed with Istio;
 * this construct configures them.
 *
 * As a peer it is the gateway's workload identity: `juiceShop.allowFrom(gateway)`.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/
 * @example
 * const gateway = mesh.addIngressGateway('juice-shop');
 * gateway.addHttpServer({ hosts: ['juice-shop.example.com'], httpsRedirect: true });
 * gateway.addHttpsServer({ hosts: ['juice-shop.example.com'], tls: GatewayTls.simple(GatewayCredential.fromCa(ca, 'juice-shop')) });
 * gateway.route(juiceShop);
 * juiceShop.allowFrom(gateway);
 */
export class IngressGateway extends Construct implements IMeshPeer {
  /** The mesh. */
  public readonly mesh: Mesh;
  /** Gateway name. */
  public readonly gatewayName: string;
  /** Namespace of the gateway workload. */
  public readonly namespace: string;
  /** Service account of the gateway pods. */
  public readonly serviceAccount: string;
  /** Proxies in front of the gateway trusted for X-Forwarded-For. */
  public readonly numTrustedProxies: number;
  private readonly _selector: Record<string, string>;
  private readonly containerPorts: Readonly<Record<number, number>>;
  private readonly servers: GatewayServerSpec[] = [];
  private readonly routes: GatewayRouteSpec[] = [];
  private readonly intentions: IntentionSpec[] = [];
  private jwtRequirement?: GatewayJwtRequirementSpec;

  public constructor(mesh: Mesh, id: string, props: IngressGatewayProps = {}) {
    const checked = located(mesh, () => checkProps(mesh, id, props));
    super(checked.chart, `IngressGateway-${checked.name}`);
    this.mesh = mesh;
    this.gatewayName = checked.name;
    this.namespace = checked.namespace;
    this.serviceAccount = checked.serviceAccount;
    this.numTrustedProxies = checked.numTrustedProxies;
    this._selector = checked.selector;
    this.containerPorts = { ...DEFAULT_CONTAINER_PORTS, ...(props.containerPorts ?? {}) };
    mesh._edges.addGateway(this.gatewayName, this);
    ensureIstioApiObject(this, 'Gateway', {
      kind: 'Gateway',
      istioVersion: this.mesh.istioVersion,
      metadata: { name: EdgeObjectNames.gateway(this.gatewayName), namespace: this.namespace },
      render: () => renderGateway(this.mesh.model, this._resolvedSpec()),
    });
  }

  /** Labels of the gateway pods (a copy). */
  public get selector(): Record<string, string> {
    return { ...this._selector };
  }

  /** `<trust-domain>/ns/<namespace>/sa/<serviceAccount>`: the principal routed services see. */
  public get principal(): string {
    return formatPrincipal(this.mesh.trustDomain, this.namespace, this.serviceAccount);
  }

  /**
   * Serves hosts over TLS on a port (443 unless given), with the TLS mode's credential.
   * @example gateway.addHttpsServer({ hosts: ['shop.example.com'], tls: GatewayTls.mutual(credential) })
   */
  public addHttpsServer(options: HttpsServerOptions): void {
    located(this, () => {
      if (!(options.tls instanceof GatewayTls)) throw new TrustmeshUsageError('addHttpsServer: tls must be created with GatewayTls.simple/mutual/optionalMutual/passthrough');
      const port = options.port ?? 443;
      assertPortNumber(port, 'gateway server port');
      const tls = options.tls;
      if (tls.mode === 'OPTIONAL_MUTUAL') assertSupports(this.mesh.istioVersion, IstioFeature.GATEWAY_OPTIONAL_MUTUAL);
      const credential = tls.credential?._bind(this.namespace);
      if (credential) this.mesh._edges.addCredential(credential);
      this.addServer({
        name: this.serverName(options.name, `https-${port}`),
        port,
        targetPort: this.containerPort(port),
        protocol: 'HTTPS',
        hosts: checkHosts(options.hosts),
        httpsRedirect: false,
        tls: {
          mode: tls.mode,
          ...(credential ? { credentialName: credential.secretName } : {}),
          ...(tls._minProtocolVersion ? { minProtocolVersion: tls._minProtocolVersion } : {}),
          ...(tls._maxProtocolVersion ? { maxProtocolVersion: tls._maxProtocolVersion } : {}),
          subjectAltNames: [...tls._subjectAltNames],
        },
      });
    });
  }

  /**
   * Serves hosts over plain HTTP on a port (80 unless given), or redirects them to https.
   * @example gateway.addHttpServer({ hosts: ['shop.example.com'], httpsRedirect: true })
   */
  public addHttpServer(options: HttpServerOptions): void {
    located(this, () => {
      const port = options.port ?? 80;
      assertPortNumber(port, 'gateway server port');
      this.addServer({
        name: this.serverName(options.name, `http-${port}`),
        port,
        targetPort: this.containerPort(port),
        protocol: 'HTTP',
        hosts: checkHosts(options.hosts),
        httpsRedirect: options.httpsRedirect ?? false,
      });
    });
  }

  /**
   * Routes the gateway's traffic for some hosts (and paths) to a service of the mesh: an `http`
   * route where the gateway terminates TLS, a `tls` route (by SNI) where it passes TLS through.
   * The service must still allow the gateway (`service.allowFrom(gateway)`); a route it would
   * refuse is reported at synth.
   * @example gateway.route(juiceShop, { match: RouteMatch.pathPrefix('/api/juice-shop') })
   */
  public route(service: MeshService, options: GatewayRouteOptions = {}): void {
    located(this, () => {
      if (!(service instanceof MeshService)) throw new TrustmeshUsageError('route: service must be a MeshService of the gateway\'s mesh');
      if (service.mesh !== this.mesh) {
        throw new TrustmeshError('TM_UNKNOWN_SERVICE', `${service.namespace}/${service.name} belongs to mesh "${service.mesh.meshName}", not to "${this.mesh.meshName}"`, {
          fix: 'route to services of the gateway\'s own mesh',
        });
      }
      const hosts = options.hosts ? checkHosts(options.hosts) : [...new Set(this.servers.flatMap((s) => s.hosts))].sort();
      if (hosts.length === 0) {
        throw new TrustmeshError('TM_GATEWAY_ROUTE_NO_SERVER', `gateway ${this.gatewayName} has no server yet, so the route has no host`, {
          fix: 'add the servers (addHttpsServer/addHttpServer) before routing',
        });
      }
      const matches = (options.match === undefined ? [] : Array.isArray(options.match) ? options.match : [options.match]).map((m) => {
        if (!(m instanceof RouteMatch)) throw new TrustmeshUsageError('route: match must be created with RouteMatch.pathPrefix/exactPath');
        return m._toSpec();
      });
      const routes = this.planRoutes(service, hosts, matches, options.port);
      appendAll(this.routes, routes);
      this.mesh._touch();
      ensureIstioApiObject(service, `Route-${this.gatewayName}`, {
        kind: 'VirtualService',
        istioVersion: this.mesh.istioVersion,
        metadata: { name: EdgeObjectNames.route(service.name, this.gatewayName), namespace: service.namespace },
        render: () => renderGatewayRoute(this.mesh.model, this._resolvedSpec(), { namespace: service.namespace, name: service.name }),
      });
    });
  }

  /**
   * Allows a peer (end users, client addresses, anyone) through the gateway. Once the gateway has
   * an ALLOW intention, requests no ALLOW intention covers are refused at the gateway.
   * @example gateway.allowFrom(Peer.anyone(), { hosts: ['shop.example.com'] })
   */
  public allowFrom(peer: IMeshPeer, options: GatewayAccessOptions = {}): void {
    this.addIntention('ALLOW', peer, options);
  }

  /**
   * Denies a peer at the gateway (before any ALLOW). A DENY with HTTP-only fields is scoped to the
   * ports where the gateway terminates TLS.
   * @example gateway.denyFrom(Peer.anyone(), { paths: ['/admin/*'] })
   */
  public denyFrom(peer: IMeshPeer, options: GatewayAccessOptions = {}): void {
    this.addIntention('DENY', peer, options);
  }

  /** Marks matching requests for auditing at the gateway (AUDIT action); never changes a decision. */
  public auditFrom(peer: IMeshPeer, options: GatewayAccessOptions = {}): void {
    this.addIntention('AUDIT', peer, options);
  }

  /**
   * Allows end users of an issuer (optionally with claims) through the gateway.
   * @example gateway.allowEndUsers(issuer, { claims: { role: 'learner' }, hosts: ['fruits.example.com'] })
   */
  public allowEndUsers(issuer: JwtIssuer, options: GatewayEndUsersOptions = {}): void {
    const { claims, nestedClaims, subjects, ...access } = options;
    this.addIntention('ALLOW', Peer.endUsers(issuer, { claims, nestedClaims, subjects }), access);
  }

  /**
   * Allows clients by address: `remoteIpBlocks` (the original client behind `numTrustedProxies`
   * proxies) when the gateway trusts proxies, `ipBlocks` (the connection's address) otherwise.
   * @example gateway.allowClientAddresses(['203.0.113.0/24'], { hosts: ['admin.example.com'] })
   */
  public allowClientAddresses(blocks: string[], options: GatewayAccessOptions = {}): void {
    this.addIntention('ALLOW', this.clientAddresses(blocks), options);
  }

  /** Denies clients by address (see {@link allowClientAddresses}). */
  public denyClientAddresses(blocks: string[], options: GatewayAccessOptions = {}): void {
    this.addIntention('DENY', this.clientAddresses(blocks), options);
  }

  /**
   * Requires a valid token from one of the issuers on requests through the gateway (for some
   * hosts, except some paths): a RequestAuthentication plus the DENY policy Istio needs. The
   * gateway removes a verified token before forwarding unless the issuer sets
   * `forwardOriginalToken`, so backends that check the token themselves need that.
   * @example gateway.requireJwt(issuer, { hosts: ['api.example.com'], exceptPaths: ['/healthz'] })
   */
  public requireJwt(issuers: JwtIssuer | JwtIssuer[], options: GatewayRequireJwtOptions = {}): void {
    located(this, () => {
      if (this.jwtRequirement) {
        throw new TrustmeshError('TM_JWT_ALREADY_REQUIRED', `requireJwt was already called on gateway ${this.gatewayName}`, {
          fix: 'pass every accepted issuer in one call: requireJwt([issuerA, issuerB], { hosts, exceptPaths })',
        });
      }
      const { issuers: list, enforcement } = resolveJwtRequirement(issuers, options, this.mesh.istioVersion);
      this.assertTerminates('requireJwt');
      const exceptPaths = [...(options.exceptPaths ?? [])];
      assertPathPatternsSupported(exceptPaths, this.mesh.istioVersion);
      // Same host validation and `<host>:*` widening as intention hosts.
      const hosts = hostPatterns('hosts', options.hosts) ?? [];
      for (const issuer of list) this.mesh._registerIssuer(issuer._toSpec());
      this.jwtRequirement = { issuers: list.map((i) => i.issuer), exceptPaths, enforcement, hosts: [...hosts] };
      this.mesh._touch();
      ensureIstioApiObject(this, 'RequireJwt', {
        kind: 'AuthorizationPolicy',
        istioVersion: this.mesh.istioVersion,
        metadata: { name: EdgeObjectNames.gatewayRequireJwt(this.gatewayName), namespace: this.namespace },
        dryRun: enforcement === 'DRY_RUN',
        render: () => renderGatewayRequireJwtPolicy(this.mesh.model, this._resolvedSpec()),
      });
      this.ensureRequestAuthentication();
    });
  }

  /** @internal the gateway's workload identity as a peer. */
  public _toPeerConfig(): PeerConfig {
    return {
      peer: { kind: 'service', namespace: this.namespace, name: this.gatewayName, serviceAccount: this.serviceAccount, inMesh: true },
      issuers: [],
    };
  }

  /** @internal the gateway as plain model data. */
  public _toSpec(): IngressGatewaySpec {
    return {
      name: this.gatewayName,
      namespace: this.namespace,
      selector: { ...this._selector },
      serviceAccount: this.serviceAccount,
      numTrustedProxies: this.numTrustedProxies,
      servers: [...this.servers],
      routes: [...this.routes],
      intentions: [...this.intentions],
      ...(this.jwtRequirement ? { jwtRequirement: this.jwtRequirement } : {}),
    };
  }

  /** @internal the gateway as the synthesized model sees it (for render producers and test probes). */
  public _resolvedSpec(): IngressGatewaySpec {
    return this.mesh.model.spec.edges?.gateways.find((g) => g.name === this.gatewayName) ?? this._toSpec();
  }

  private addServer(server: GatewayServerSpec): void {
    const mixed = this.servers.find((s) => s.port === server.port && isPassthrough(s) !== isPassthrough(server) && s.protocol === 'HTTPS' && server.protocol === 'HTTPS');
    if (mixed || this.servers.some((s) => s.port === server.port && s.protocol !== server.protocol)) {
      throw new TrustmeshError('TM_GATEWAY_PORT_CONFLICT',
        `gateway ${this.gatewayName} port ${server.port} would mix ${mixed ? 'passthrough and terminated TLS' : 'HTTP and HTTPS'} servers`, {
          fix: 'use one port per protocol and TLS handling (e.g. passthrough hosts on their own port)',
        });
    }
    this.servers.push(server);
    this.mesh._touch();
  }

  private planRoutes(service: MeshService, hosts: readonly string[], matches: GatewayRouteSpec['matches'], port: number | undefined): GatewayRouteSpec[] {
    const ref = { namespace: service.namespace, name: service.name };
    const gateway = this._toSpec();
    const http: string[] = [];
    const passthrough = new Map<number, string[]>();
    for (const host of hosts) {
      const servers = serversFor(gateway, host);
      if (servers.length === 0) {
        throw new TrustmeshError('TM_GATEWAY_ROUTE_NO_SERVER', `no server of gateway ${this.gatewayName} serves host ${host}`, {
          value: host,
          allowed: [...new Set(this.servers.flatMap((s) => s.hosts))].sort().join(', ') || 'no servers yet',
          fix: 'add a server for the host first, or route only hosts the gateway serves',
        });
      }
      const terminating = servers.filter((s) => !isPassthrough(s) && !s.httpsRedirect);
      const through = servers.filter(isPassthrough);
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
      out.push({ service: ref, kind: 'http', hosts: http.sort(), servicePort: this.backendPort(service, port, 'http'), matches });
    }
    if (passthrough.size > 0) {
      if (matches.length > 0) {
        throw new TrustmeshError('TM_GATEWAY_PASSTHROUGH_MATCH', 'a passthrough route cannot match paths: the gateway never sees the HTTP request', {
          fix: 'drop match, or terminate TLS at the gateway (GatewayTls.simple)',
        });
      }
      const servicePort = this.backendPort(service, port, 'tls');
      for (const [gatewayPort, list] of [...passthrough].sort(([a], [b]) => a - b)) {
        out.push({ service: ref, kind: 'tls', hosts: [...list].sort(), servicePort, gatewayPort, matches: [] });
      }
    }
    return out;
  }

  private backendPort(service: MeshService, requested: number | undefined, kind: 'http' | 'tls'): number {
    const fits = (protocol: PortProtocol): boolean => (kind === 'http' ? isHttpProtocol(protocol) : protocol === 'HTTPS' || protocol === 'TLS');
    const ports = service.ports;
    const chosen = requested === undefined ? ports.find((p) => fits(p.protocol)) : ports.find((p) => p.port === requested);
    const wanted = kind === 'http' ? 'an HTTP port (Port.http/http2/grpc)' : 'an HTTPS or TLS port (Port.https/Port.tls)';
    if (!chosen) {
      throw new TrustmeshError('TM_UNKNOWN_PORT', requested === undefined
        ? `${service.namespace}/${service.name} has no port for a ${kind} route`
        : `port ${requested} is not a port of service ${service.namespace}/${service.name}`, {
        value: requested, allowed: wanted, fix: 'declare the port on the service, or pass port',
      });
    }
    if (!fits(chosen.protocol)) {
      throw new TrustmeshError('TM_GATEWAY_ROUTE_PORT_PROTOCOL', `port ${chosen.port} of ${service.namespace}/${service.name} is ${chosen.protocol}, but a ${kind} route needs ${wanted}`, {
        value: chosen.port,
      });
    }
    return chosen.port;
  }

  private addIntention(action: IntentionAction, peer: IMeshPeer, options: GatewayAccessOptions): void {
    located(this, () => {
      const { enforcement: enforcementOption, onBehalfOf: onBehalfOfOption, ...match } = options;
      if ((match as AccessMatchOptions).ports !== undefined || (match as AccessMatchOptions).notPorts !== undefined) {
        throw new TrustmeshUsageError('gateway intentions match hosts, not ports');
      }
      const version = this.mesh.istioVersion;
      const input = resolveIntentionInput(action, peer, { onBehalfOf: onBehalfOfOption, enforcement: enforcementOption }, version);
      const { enforcement, endUser } = input;
      const httpOnly = endUser !== undefined || Object.values(match).some((v) => v !== undefined);
      if (httpOnly) this.assertTerminates(`${action.toLowerCase()} with HTTP attributes (hosts, paths, methods, headers, end users)`);
      const spec = toMatchSpec(match, gatewayWorkload(this._toSpec()), version, endUser !== undefined);
      for (const issuer of input.issuers) this.mesh._registerIssuer(issuer);
      this.intentions.push({
        destination: { namespace: this.namespace, name: this.gatewayName },
        action,
        enforcement,
        peer: input.peer,
        ...(endUser ? { endUser } : {}),
        match: spec,
      });
      this.mesh._touch();
      ensureIstioApiObject(this, policyConstructId(action, enforcement), {
        kind: 'AuthorizationPolicy',
        istioVersion: this.mesh.istioVersion,
        metadata: { name: EdgeObjectNames.gatewayPolicy(this.gatewayName, action, enforcement), namespace: this.namespace },
        dryRun: enforcement === 'DRY_RUN',
        render: () => renderGatewayPolicy(this.mesh.model, this._resolvedSpec(), action, enforcement),
      });
      if (endUser) this.ensureRequestAuthentication();
    });
  }

  private clientAddresses(blocks: string[]): IMeshPeer {
    if (this.numTrustedProxies > 0) {
      assertSupports(this.mesh.istioVersion, IstioFeature.REMOTE_IP_BLOCKS);
      return Peer.remoteIpBlocks(blocks);
    }
    return Peer.ipBlocks(blocks);
  }

  private assertTerminates(verb: string): void {
    if (!this.servers.some((s) => !isPassthrough(s))) {
      throw new TrustmeshError('TM_GATEWAY_HTTP_MATCH_WITHOUT_TERMINATION',
        `${verb} needs HTTP requests, but gateway ${this.gatewayName} has no server that terminates TLS or serves HTTP`, {
          fix: 'add the servers first; passthrough servers only see the TLS connection (SNI)',
        });
    }
  }

  private ensureRequestAuthentication(): void {
    ensureIstioApiObject(this, 'RequestAuthentication', {
      kind: 'RequestAuthentication',
      istioVersion: this.mesh.istioVersion,
      metadata: { name: EdgeObjectNames.gatewayRequestAuthentication(this.gatewayName), namespace: this.namespace },
      render: () => renderGatewayRequestAuthentication(this.mesh.model, this._resolvedSpec()),
    });
  }

  private serverName(requested: string | undefined, fallback: string): string {
    const name = requested ?? fallback;
    assertDnsLabel(name, 'gateway server name');
    if (this.servers.some((s) => s.name === name)) {
      throw new TrustmeshError('TM_GATEWAY_DUPLICATE_SERVER_NAME', `gateway ${this.gatewayName} already has a server named "${name}"`, {
        fix: 'give the server a name of its own (Istio requires unique port names per Gateway)',
      });
    }
    return name;
  }

  private containerPort(port: number): number {
    const mapped = this.containerPorts[port] ?? port;
    assertPortNumber(mapped, 'gateway container port');
    return mapped;
  }
}

function isPassthrough(server: GatewayServerSpec): boolean {
  return server.tls?.mode === 'PASSTHROUGH';
}

function checkHosts(hosts: readonly string[]): string[] {
  if (!Array.isArray(hosts) || hosts.length === 0) {
    throw new TrustmeshError('TM_EMPTY_MATCH_LIST', 'a gateway server needs at least one host', {
      value: hosts, allowed: 'host names such as "shop.example.com" or "*.example.com"',
    });
  }
  for (const h of hosts) {
    const name = typeof h === 'string' && h.startsWith('*.') ? h.slice(2) : h;
    if (typeof h !== 'string' || h === '*' || h.includes('/')) {
      throw new TrustmeshError('TM_INVALID_HOST', 'gateway host is not a host name or "*.domain" wildcard', {
        value: h, allowed: 'e.g. "shop.example.com" or "*.example.com" (namespace/ prefixes and a bare "*" are not offered)',
      });
    }
    try {
      assertDnsSubdomain(name, 'gateway host');
    } catch (e) {
      throw new TrustmeshError('TM_INVALID_HOST', 'gateway host is not a host name or "*.domain" wildcard', {
        value: h, allowed: 'lower-case DNS names such as "shop.example.com" or "*.example.com"', cause: e,
      });
    }
  }
  return [...new Set(hosts)].sort();
}

function checkProps(mesh: Mesh, id: string, props: IngressGatewayProps): {
  name: string; namespace: string; selector: Record<string, string>; serviceAccount: string; numTrustedProxies: number; chart: Chart;
} {
  const name = props.name ?? id;
  assertDnsLabel(name, 'gateway name');
  // Checked before the construct exists, so a duplicate gets a coded error, not a constructs one.
  if (mesh._edges.hasGateway(name)) {
    throw new TrustmeshError('TM_DUPLICATE_GATEWAY', `gateway "${name}" is declared twice in mesh "${mesh.meshName}"`, {
      fix: 'declare it once and look it up with mesh.ingressGateway(name)',
    });
  }
  const namespace = props.namespace ?? mesh.rootNamespace;
  assertDnsLabel(namespace, 'gateway namespace');
  const chart = chartFor(mesh, namespace);
  const selector = { ...(props.selector ?? { istio: 'ingressgateway' }) };
  if (Object.keys(selector).length === 0) {
    throw new TrustmeshError('TM_INVALID_LABEL', 'the gateway selector is empty: the Gateway would configure every proxy', {
      fix: 'select the gateway pods, e.g. { istio: "ingressgateway" }',
    });
  }
  assertLabels(selector, 'gateway selector');
  const serviceAccount = props.serviceAccount ?? 'istio-ingressgateway-service-account';
  assertDnsSubdomain(serviceAccount, 'gateway service account');
  const numTrustedProxies = props.numTrustedProxies ?? 0;
  if (!Number.isInteger(numTrustedProxies) || numTrustedProxies < 0) {
    throw new TrustmeshError('TM_INVALID_TRUSTED_PROXIES', 'numTrustedProxies is not a non-negative integer', { value: numTrustedProxies });
  }
  return { name, namespace, selector, serviceAccount, numTrustedProxies, chart };
}
