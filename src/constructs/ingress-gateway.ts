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
import { DeclaredList, DeclaredValue } from './private/declarations';
import { declaring, ensureDeclaredObjects, IstioObjectOwner } from './private/declared-objects';
import { checkGatewayHosts, checkGatewayProps } from './private/ingress-gateway-checks';
import { resolveIntentionInput, resolveJwtRequirement } from './private/intention-input';
import { RouteMatch } from './route-match';
import { isPassthroughServer, planGatewayRoutes } from '../model/gateway-routes';
import {
  GatewayJwtRequirementSpec, GatewayRouteSpec, GatewayServerSpec, gatewayWorkload, IngressGatewaySpec, routesByService,
} from '../model/ingress-gateway';
import { IntentionAction, IntentionSpec } from '../model/intention';
import { assertSupports, IstioFeature } from '../model/istio-version';
import { MeshModel } from '../model/mesh-model';
import { assertDnsLabel } from '../model/names';
import { assertPortNumber } from '../model/service-port';
import { located } from '../private/located';
import { ISTIO_OBJECTS } from '../render/istio/istio-objects';
import { formatPrincipal } from '../semantics/principal';

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
export class IngressGateway extends Construct implements IMeshPeer, IstioObjectOwner {
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
  private readonly servers: DeclaredList<GatewayServerSpec>;
  private readonly routes: DeclaredList<GatewayRouteSpec>;
  private readonly intentions: DeclaredList<IntentionSpec>;
  private readonly jwtRequirement: DeclaredValue<GatewayJwtRequirementSpec>;

  public constructor(mesh: Mesh, id: string, props: IngressGatewayProps = {}) {
    const checked = located(mesh, () => checkGatewayProps(mesh, id, props));
    super(checked.chart, `IngressGateway-${checked.name}`);
    this.mesh = mesh;
    this.gatewayName = checked.name;
    this.namespace = checked.namespace;
    this.serviceAccount = checked.serviceAccount;
    this.numTrustedProxies = checked.numTrustedProxies;
    this._selector = checked.selector;
    this.containerPorts = { ...DEFAULT_CONTAINER_PORTS, ...(props.containerPorts ?? {}) };
    this.servers = mesh._declarations.list();
    this.routes = mesh._declarations.list();
    this.intentions = mesh._declarations.list();
    this.jwtRequirement = mesh._declarations.value();
    mesh._edges.addGateway(this.gatewayName, this);
    this._ensureObjects();
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
    declaring(this, () => {
      if (!(options.tls instanceof GatewayTls)) throw new TrustmeshUsageError('addHttpsServer: tls must be created with GatewayTls.simple/mutual/optionalMutual/passthrough');
      const port = options.port ?? 443;
      assertPortNumber(port, 'gateway server port');
      const tls = options.tls;
      if (tls.mode === 'OPTIONAL_MUTUAL') assertSupports(this.mesh.istioVersion, IstioFeature.GATEWAY_OPTIONAL_MUTUAL);
      const credential = tls.credential?._bind(this.namespace, this.mesh.istioVersion);
      if (credential) this.mesh._edges.addCredential(credential);
      this.addServer({
        name: this.serverName(options.name, `https-${port}`),
        port,
        targetPort: this.containerPort(port),
        protocol: 'HTTPS',
        hosts: checkGatewayHosts(options.hosts),
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
    declaring(this, () => {
      const port = options.port ?? 80;
      assertPortNumber(port, 'gateway server port');
      this.addServer({
        name: this.serverName(options.name, `http-${port}`),
        port,
        targetPort: this.containerPort(port),
        protocol: 'HTTP',
        hosts: checkGatewayHosts(options.hosts),
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
    declaring(this, () => {
      if (!(service instanceof MeshService)) throw new TrustmeshUsageError('route: service must be a MeshService of the gateway\'s mesh');
      if (service.mesh !== this.mesh) {
        throw new TrustmeshError('TM_UNKNOWN_SERVICE', `${service.namespace}/${service.name} belongs to mesh "${service.mesh.meshName}", not to "${this.mesh.meshName}"`, {
          fix: 'route to services of the gateway\'s own mesh',
        });
      }
      const hosts = options.hosts ? checkGatewayHosts(options.hosts) : [...new Set(this.servers.items.flatMap((s) => s.hosts))].sort();
      if (hosts.length === 0) {
        throw new TrustmeshError('TM_GATEWAY_ROUTE_NO_SERVER', `gateway ${this.gatewayName} has no server yet, so the route has no host`, {
          fix: 'add the servers (addHttpsServer/addHttpServer) before routing',
        });
      }
      const matches = (options.match === undefined ? [] : Array.isArray(options.match) ? options.match : [options.match]).map((m) => {
        if (!(m instanceof RouteMatch)) throw new TrustmeshUsageError('route: match must be created with RouteMatch.pathPrefix/exactPath');
        return m._toSpec();
      });
      const routes = planGatewayRoutes(this._toSpec(), { service: service._toSpec(), hosts, matches, port: options.port });
      this.routes.push(...routes);
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
    declaring(this, () => {
      if (this.jwtRequirement.value) {
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
      this.jwtRequirement.set({ issuers: list.map((i) => i.issuer), exceptPaths, enforcement, hosts: [...hosts] });
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
      servers: [...this.servers.items],
      routes: [...this.routes.items],
      intentions: [...this.intentions.items],
      ...(this.jwtRequirement.value ? { jwtRequirement: this.jwtRequirement.value } : {}),
    };
  }

  /** @internal creates the Gateway, the gateway's policies and its routes' VirtualServices (in each service's namespace). */
  public _ensureObjects(): void {
    const spec = this._toSpec();
    const resolve = (model: MeshModel): IngressGatewaySpec | undefined => model.spec.edges?.gateways.find((g) => g.name === this.gatewayName);
    ensureDeclaredObjects(this.mesh, ISTIO_OBJECTS.gateway, spec, resolve, () => this);
    for (const routes of routesByService(spec).values()) {
      const service = routes[0].service;
      ensureDeclaredObjects(this.mesh, ISTIO_OBJECTS.gatewayRoute, { gateway: spec, service },
        (model) => {
          const gateway = resolve(model);
          return gateway && { gateway, service };
        },
        () => this.mesh.service(`${service.namespace}/${service.name}`));
    }
  }

  /** @internal the gateway as the synthesized model sees it (for render producers and test probes). */
  public _resolvedSpec(): IngressGatewaySpec {
    return this.mesh.model.spec.edges?.gateways.find((g) => g.name === this.gatewayName) ?? this._toSpec();
  }

  private addServer(server: GatewayServerSpec): void {
    const mixed = this.servers.items.find((s) => s.port === server.port && isPassthroughServer(s) !== isPassthroughServer(server) && s.protocol === 'HTTPS' && server.protocol === 'HTTPS');
    if (mixed || this.servers.items.some((s) => s.port === server.port && s.protocol !== server.protocol)) {
      throw new TrustmeshError('TM_GATEWAY_PORT_CONFLICT',
        `gateway ${this.gatewayName} port ${server.port} would mix ${mixed ? 'passthrough and terminated TLS' : 'HTTP and HTTPS'} servers`, {
          fix: 'use one port per protocol and TLS handling (e.g. passthrough hosts on their own port)',
        });
    }
    this.servers.push(server);
  }

  private addIntention(action: IntentionAction, peer: IMeshPeer, options: GatewayAccessOptions): void {
    declaring(this, () => {
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
    if (!this.servers.items.some((s) => !isPassthroughServer(s))) {
      throw new TrustmeshError('TM_GATEWAY_HTTP_MATCH_WITHOUT_TERMINATION',
        `${verb} needs HTTP requests, but gateway ${this.gatewayName} has no server that terminates TLS or serves HTTP`, {
          fix: 'add the servers first; passthrough servers only see the TLS connection (SNI)',
        });
    }
  }

  private serverName(requested: string | undefined, fallback: string): string {
    const name = requested ?? fallback;
    assertDnsLabel(name, 'gateway server name');
    if (this.servers.items.some((s) => s.name === name)) {
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
