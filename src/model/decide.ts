/**
 * The intent model's own decision: would a request reach its destination, according to the
 * declared intentions (not to rendered YAML)? The law trustmesh tests is that this equals the
 * offline evaluator's decision on the rendered Istio objects, for every request.
 *
 * The semantics are the intentions' as Istio enforces them: mTLS (STRICT refuses plaintext,
 * DISABLE drops the peer identity), end-user tokens (the workload accepts exactly the issuers its
 * intentions name), then DENY intentions before ALLOW intentions; AUDIT and dry-run intentions
 * never decide. A denied HTTP request gets 403, a denied TCP connection is closed.
 *
 * A request to an ingress gateway's pods is decided by the gateway's own intentions and token
 * requirement; PeerAuthentication does not apply there, and client addresses behind the gateway's
 * `numTrustedProxies` come from X-Forwarded-For.
 *
 * @module
 */
import { gatewayWorkload } from './ingress-gateway';
import { ClaimRequirement, EndUserRequirement, IntentionSpec, JwtRequirementSpec, MatchSpec, PeerSpec, usesHttpOnlyFields } from './intention';
import { IstioFeature, supports } from './istio-version';
import { JwtIssuerSpec } from './jwt-issuer';
import { describePeer, MeshModel } from './mesh-model';
import { ServiceSpec } from './mesh-spec';
import { AccessOutcome, AccessRequest } from '../semantics/access-request';
import { originalClientAddress } from '../semantics/client-address';
import { cidrContains, IpAddress, parseIp } from '../semantics/ip-match';
import {
  ALWAYS_SPACE_DELIMITED_CLAIMS, DEFAULT_TOKEN_LOCATION, isCorsPreflight, readsTokenAt, splitSpaceDelimitedClaims, tokenAudiences, tokenLocations,
} from '../semantics/jwt-token';
import { selectorMatches } from '../semantics/labels';
import { normalizePath, PathNormalization } from '../semantics/path-normalization';
import { matchesPathPattern } from '../semantics/path-pattern';
import { CanonicalPrincipal, parseCanonicalPrincipal } from '../semantics/principal';
import { compileHeaderPattern, matchesIstioHost, matchesIstioString } from '../semantics/string-match';

/** Mesh settings that change what a request looks like to authorization. */
export interface DecideOptions {
  /** @default 'BASE' */
  readonly pathNormalization?: PathNormalization;
  /** @default - the gateway's `numTrustedProxies` for requests to a gateway, else 0 */
  readonly numTrustedProxies?: number;
}

/** The model's answer. */
export interface ModelDecision {
  readonly outcome: AccessOutcome;
  /** One line: why. */
  readonly reason: string;
  /** The destination service, when the request's workload is a declared one. */
  readonly service?: string;
}

interface Attributes {
  readonly http: boolean;
  readonly principal?: string;
  /** The principal's parts when it has the canonical `<td>/ns/<ns>/sa/<sa>` form. */
  readonly identity?: CanonicalPrincipal;
  readonly requestPrincipal?: { iss: string; sub: string };
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly port: number;
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
  readonly headers: Readonly<Record<string, string>>;
  /** `source.ip` and `remote.ip`, parsed once per request (undefined when not an address). */
  readonly sourceIp: IpAddress | undefined;
  readonly remoteIp: IpAddress | undefined;
}

/** Decides a request against the model. */
export function decide(model: MeshModel, request: AccessRequest, options: DecideOptions = {}): ModelDecision {
  const { namespace, labels, port } = request.destination;
  const declared = model.servicesIn(namespace).find((s) => selectorMatches(s.labels, labels));
  // An ingress gateway is a workload too: its own policies apply to requests arriving through it.
  const gateway = declared ? undefined
    : (model.spec.edges?.gateways ?? []).find((g) => g.namespace === namespace && selectorMatches(g.selector, labels));
  const service = declared ?? (gateway ? gatewayWorkload(gateway) : undefined);
  const declaredNamespace = model.namespace(namespace) !== undefined;
  if (service && !service.inMesh) {
    return { outcome: 'ALLOW', reason: `${namespace}/${service.name} runs without a sidecar: nothing enforces policy`, service: service.name };
  }
  const tag = service ? { service: service.name } : {};

  // 1. Peer authentication. It does not apply to gateways: their servers' TLS settings decide
  // what a client presents, and external clients have no mesh identity.
  const mtls = gateway ? 'PERMISSIVE' : service ? model.effectiveMtls(service, port) : (model.namespace(namespace)?.mtls ?? model.spec.mtls);
  if (mtls === 'STRICT' && request.source.principal === null) {
    return { outcome: 'DENY_CONN', reason: `STRICT mTLS on port ${port} refuses the plaintext client`, ...tag };
  }
  const principal = mtls === 'DISABLE' || request.source.principal === null ? undefined : request.source.principal;

  // 2. End-user tokens: a workload accepts the issuers its intentions name.
  const issuers = gateway ? model.gatewayIssuers(gateway) : service ? model.issuersFor(service) : [];
  const jwt = service && request.protocol === 'HTTP' ? verifyToken(issuers, request) : { kind: 'none' as const };
  if (jwt.kind === 'reject') return { outcome: jwt.outcome, reason: jwt.reason, ...tag };
  const claims = jwt.kind === 'verified' ? jwt.claims : undefined;

  const headers = request.headers ?? {};
  const http = request.protocol === 'HTTP';
  const identity = principal === undefined ? undefined : parseCanonicalPrincipal(principal);
  const attrs: Attributes = {
    http,
    ...(principal !== undefined ? { principal } : {}),
    ...(identity ? { identity } : {}),
    ...(claims ? { claims, requestPrincipal: { iss: String(claims.iss ?? ''), sub: String(claims.sub ?? '') } } : {}),
    port,
    ...(http ? { method: request.method ?? 'GET', path: normalizePath(request.path ?? '/', options.pathNormalization ?? 'BASE') } : {}),
    ...(http && request.host !== undefined ? { host: request.host } : {}),
    headers: http ? headers : {},
    sourceIp: parseIp(request.source.ip),
    remoteIp: parseIp(originalClientAddress(request, headers, options.numTrustedProxies ?? gateway?.numTrustedProxies ?? 0)),
  };
  const denied: AccessOutcome = http ? 'DENY_403' : 'DENY_CONN';

  // 3. Authorization: DENY, then ALLOW.
  const intentions = (gateway ? gateway.intentions : service ? model.intentionsFor(service) : []).filter((i) => i.enforcement === 'ENFORCE');
  const requirement = gateway ? gateway.jwtRequirement : service?.jwtRequirement;
  if (service && requirement && requirement.enforcement === 'ENFORCE'
    && violatesJwtRequirement(model, service, requirement, gateway?.jwtRequirement?.hosts ?? [], attrs)) {
    return { outcome: denied, reason: `a token from ${requirement.issuers.join(' or ')} is required`, ...tag };
  }
  const deny = intentions.find((i) => i.action === 'DENY' && matches(model, service!, i, attrs));
  if (deny) return { outcome: denied, reason: `denied: DENY intention from ${describePeer(deny.peer)} matched`, ...tag };

  const allows = intentions.filter((i) => i.action === 'ALLOW');
  const defaultDeny = declaredNamespace && model.effectiveAccess(namespace) === 'DENY';
  if (allows.length === 0 && !defaultDeny) return { outcome: 'ALLOW', reason: 'allowed: no DENY matched and no ALLOW intention applies', ...tag };
  const allow = allows.find((i) => matches(model, service!, i, attrs));
  if (allow) return { outcome: 'ALLOW', reason: `allowed: ALLOW intention from ${describePeer(allow.peer)} matched`, ...tag };
  return { outcome: denied, reason: defaultDeny && allows.length === 0 ? 'denied: default deny, no ALLOW intention' : 'denied: no ALLOW intention matched', ...tag };
}

type TokenResult =
  | { kind: 'none' }
  | { kind: 'verified'; claims: Readonly<Record<string, unknown>> }
  | { kind: 'reject'; outcome: 'DENY_401' | 'DENY_403'; reason: string };

function verifyToken(issuers: readonly JwtIssuerSpec[], request: AccessRequest): TokenResult {
  if (issuers.length === 0 || !request.jwt) return { kind: 'none' };
  if (isCorsPreflight(request)) return { kind: 'none' }; // no token checks
  const location = request.jwt.location ?? DEFAULT_TOKEN_LOCATION;
  const reading = issuers.filter((i) => readsTokenAt(tokenLocations(i), location));
  if (reading.length === 0) return { kind: 'none' }; // not extracted
  if (request.jwt.status === 'invalid') return { kind: 'reject', outcome: 'DENY_401', reason: `the token is ${request.jwt.reason}` };
  const claims = request.jwt.claims;
  const accepted = reading.filter((i) => i.issuer === claims.iss);
  if (accepted.length === 0) return { kind: 'reject', outcome: 'DENY_401', reason: `issuer ${String(claims.iss)} is not accepted` };
  const audiences = tokenAudiences(claims);
  if (!accepted.some((i) => i.audiences.length === 0 || i.audiences.some((a) => audiences.includes(a)))) {
    return { kind: 'reject', outcome: 'DENY_403', reason: 'the token audience is not accepted' };
  }
  // The rendered jwtRules name no spaceDelimitedClaims: only Istio's fixed ones are split.
  return { kind: 'verified', claims: splitSpaceDelimitedClaims(claims, ALWAYS_SPACE_DELIMITED_CLAIMS) };
}

function violatesJwtRequirement(model: MeshModel, service: ServiceSpec, requirement: JwtRequirementSpec, hosts: readonly string[],
  a: Attributes): boolean {
  if (!model.httpTargetPorts(service).includes(a.port)) return false;
  // On TCP the HTTP-only parts of the DENY are ignored: the port alone decides.
  if (!a.http) return true;
  if (hosts.length > 0 && !hosts.some((h) => matchesIstioHost(h, a.host))) return false;
  if (requirement.exceptPaths.some((p) => matchesPathPattern(p, a.path))) return false;
  return !(a.requestPrincipal && requirement.issuers.includes(a.requestPrincipal.iss));
}

function matches(model: MeshModel, service: ServiceSpec, intention: IntentionSpec, a: Attributes): boolean {
  const httpOnly = usesHttpOnlyFields(intention);
  if (!a.http && httpOnly && intention.action === 'ALLOW') return false; // Istio drops such ALLOW rules on TCP.
  const ignoreHttp = !a.http; // DENY/AUDIT on TCP: the HTTP-only fields are ignored.
  if (!matchesPorts(model, service, intention, a.port)) return false;
  if (!matchesPeer(model, intention.peer, a)) return false;
  if (ignoreHttp) return true;
  return matchesEndUser(intention.endUser, a) && matchesHttp(intention.match, a);
}

function matchesPorts(model: MeshModel, service: ServiceSpec, intention: IntentionSpec, port: number): boolean {
  const m = intention.match;
  let ports = m.ports && m.ports.length > 0 ? model.targetPorts(service, m.ports) : undefined;
  if (!ports && intention.action !== 'ALLOW' && usesHttpOnlyFields(intention)) ports = model.httpTargetPorts(service);
  if (ports && !ports.includes(port)) return false;
  if (m.notPorts && m.notPorts.length > 0 && model.targetPorts(service, m.notPorts).includes(port)) return false;
  return true;
}

function matchesPeer(model: MeshModel, peer: PeerSpec, a: Attributes): boolean {
  const within = (blocks: readonly string[], ip: IpAddress | undefined): boolean => blocks.some((b) => {
    const block = model.ipBlock(b); // throws for an invalid block, whatever the request
    return ip !== undefined && cidrContains(block, ip);
  });
  const identity = a.identity;
  switch (peer.kind) {
    case 'anyone':
      return true;
    case 'anyMeshIdentity':
      return a.principal !== undefined && a.principal !== '';
    case 'namespace':
      return a.principal !== undefined && a.principal.includes(`/ns/${peer.namespace}/`);
    case 'ipBlocks':
      return within(peer.blocks, peer.remote ? a.remoteIp : a.sourceIp);
    case 'service':
      if (!peer.inMesh) {
        return a.principal === undefined && (!peer.ipBlocks || within(peer.ipBlocks, a.sourceIp));
      }
      if (!identity || identity.namespace !== peer.namespace || identity.serviceAccount !== peer.serviceAccount) return false;
      // serviceAccounts (1.25+) match the identity in any trust domain; principals match the
      // mesh trust domain and its aliases.
      return supports(model.spec.istioVersion, IstioFeature.SERVICE_ACCOUNTS)
        || identity.trustDomain === model.spec.trustDomain || model.spec.trustDomainAliases.includes(identity.trustDomain);
  }
}

function matchesEndUser(endUser: EndUserRequirement | undefined, a: Attributes): boolean {
  if (!endUser) return true;
  const rp = a.requestPrincipal;
  if (!rp || rp.iss !== endUser.issuer) return false;
  if (endUser.subjects.length > 0 && !endUser.subjects.includes(rp.sub)) return false;
  return endUser.claims.every((c) => matchesClaim(c, a.claims));
}

function matchesClaim(requirement: ClaimRequirement, claims: Readonly<Record<string, unknown>> | undefined): boolean {
  let value: unknown = claims;
  for (const key of requirement.claim) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    value = (value as Record<string, unknown>)[key];
  }
  // Envoy matches a list claim by its string elements and ignores the others.
  const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  return values.some((v) => requirement.values.some((p) => matchesIstioString(p, v)));
}

function matchesHttp(m: MatchSpec, a: Attributes): boolean {
  if (m.methods && !m.methods.includes(a.method!)) return false;
  if (m.notMethods && m.notMethods.includes(a.method!)) return false;
  if (m.paths && !m.paths.some((p) => matchesPathPattern(p, a.path))) return false;
  if (m.notPaths && m.notPaths.some((p) => matchesPathPattern(p, a.path))) return false;
  if (m.hosts && !m.hosts.some((h) => matchesIstioHost(h, a.host))) return false;
  if (m.notHosts && m.notHosts.some((h) => matchesIstioHost(h, a.host))) return false;
  for (const h of m.headers ?? []) {
    const value = a.headers[h.name];
    // Header conditions are Envoy header matchers: "*" is a presence match (empty values count).
    if (h.values && (value === undefined || !h.values.some((p) => compileHeaderPattern(p).test(value)))) return false;
    if (h.notValues && value !== undefined && h.notValues.some((p) => compileHeaderPattern(p).test(value))) return false;
  }
  return true;
}
