/**
 * Requests arriving through an ingress gateway, decided in two hops as Istio processes them:
 *
 * 1. At the gateway workload (the pods a Gateway selects): its RequestAuthentications and
 *    AuthorizationPolicies, with the external client as the source. PeerAuthentication does not
 *    apply there (see {@link createEvaluator}).
 * 2. At the routed backend, if the gateway let the request through: the source is now the gateway
 *    (its mTLS principal, its pod address), `X-Forwarded-For` carries the client address, and the
 *    end-user token is forwarded only if no gateway jwtRule verified it or a verifying rule sets
 *    `forwardOriginalToken` (Envoy's jwt_authn removes a verified token otherwise).
 *
 * Passthrough (TCP) requests keep their protocol on both hops.
 *
 * @see https://istio.io/latest/docs/reference/config/security/request_authentication/#JWTRule (forwardOriginalToken)
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/network-topologies/
 * @module
 */
import { Evaluator } from './evaluate';
import { AccessDecision, AccessRequest, AccessRequestDestination } from '../../semantics/access-request';
import { acceptsIssuer, DEFAULT_TOKEN_LOCATION, readsTokenAt } from '../../semantics/jwt-token';
import { principalNamespace } from '../../semantics/principal';

/** The second hop: the workload the gateway routes the request to. */
export interface IngressBackend {
  /** The routed workload (namespace, pod labels, container port). */
  readonly destination: AccessRequestDestination;
  /** The gateway pods' identity as the backend sees it: `<trust-domain>/ns/<ns>/sa/<sa>`. */
  readonly gatewayPrincipal: string;
  /**
   * Address of the gateway pod (the backend's `source.ip`).
   * @default - the gateway request's `destination.ip`, else `0.0.0.0`
   */
  readonly gatewayIp?: string;
}

/** The decision for a request through a gateway: the combined outcome and each hop's decision. */
export interface IngressDecision extends AccessDecision {
  /** The decision at the gateway workload. */
  readonly gateway: AccessDecision;
  /** The decision at the backend; absent when the gateway refused the request. */
  readonly backend?: AccessDecision;
  /** The request the backend received (absent when the gateway refused it). */
  readonly forwarded?: AccessRequest;
}

/**
 * Decides a request sent to a gateway (`request.destination` is the gateway workload) and, if the
 * gateway allows it, the request the gateway forwards to `backend`.
 * @example
 * evaluateThroughGateway(evaluator,
 *   { protocol: 'HTTP', source: { principal: null, namespace: null, ip: '203.0.113.7' }, jwt: null,
 *     destination: { namespace: 'istio-system', labels: { istio: 'ingressgateway' }, port: 8443 }, host: 'shop.example.com', path: '/' },
 *   { destination: { namespace: 'shop', labels: { app: 'web' }, port: 8080 }, gatewayPrincipal: 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account' });
 */
export function evaluateThroughGateway(evaluator: Evaluator, request: AccessRequest, backend: IngressBackend): IngressDecision {
  const gateway = evaluator.evaluate(request);
  if (!gateway.allowed) {
    return { ...gateway, explanation: `at the gateway: ${gateway.explanation}`, gateway };
  }
  const forwarded = forwardedRequest(evaluator, request, backend);
  const decision = evaluator.evaluate(forwarded);
  return {
    ...decision,
    explanation: `${decision.allowed ? 'allowed' : 'denied'} at the backend after the gateway allowed it: ${decision.explanation}`,
    gateway,
    backend: decision,
    forwarded,
  };
}

/** What the backend receives from the gateway. */
export function forwardedRequest(evaluator: Evaluator, request: AccessRequest, backend: IngressBackend): AccessRequest {
  const principal = backend.gatewayPrincipal;
  const namespace = principalNamespace(principal) ?? null;
  const source = { principal, namespace, ip: backend.gatewayIp ?? request.destination.ip ?? '0.0.0.0' };
  if (request.protocol === 'TCP') {
    return { protocol: 'TCP', source, jwt: null, destination: backend.destination, ...(request.sni !== undefined ? { sni: request.sni } : {}) };
  }
  const headers: Record<string, string> = { ...(request.headers ?? {}) };
  // The gateway (use_remote_address) appends the address of its downstream connection.
  const xff = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = xff ? `${xff}, ${request.source.ip}` : request.source.ip;
  let jwt = request.jwt;
  if (jwt && jwt.status === 'valid' && stripsToken(evaluator, request)) {
    const location = jwt.location ?? DEFAULT_TOKEN_LOCATION;
    if (location.startsWith('header:')) delete headers[location.slice('header:'.length).toLowerCase()];
    jwt = null;
  }
  return {
    protocol: 'HTTP',
    source,
    jwt,
    destination: backend.destination,
    ...(request.host !== undefined ? { host: request.host } : {}),
    ...(request.method !== undefined ? { method: request.method } : {}),
    ...(request.path !== undefined ? { path: request.path } : {}),
    headers,
    ...(request.sni !== undefined ? { sni: request.sni } : {}),
  };
}

/**
 * Whether the gateway's JWT filter verifies the request's token and removes it: some jwtRule of the
 * gateway reads the token's location and accepts its issuer, and none of those sets
 * `forwardOriginalToken`.
 */
function stripsToken(evaluator: Evaluator, request: AccessRequest): boolean {
  const jwt = request.jwt;
  if (!jwt || jwt.status !== 'valid') return false;
  const location = jwt.location ?? DEFAULT_TOKEN_LOCATION;
  const rules = evaluator.policiesFor(request.destination.namespace, request.destination.labels).jwtRules;
  const verifying = rules.filter((r) => readsTokenAt(r.locations, location) && acceptsIssuer(r.rule.issuer, jwt.claims.iss));
  return verifying.length > 0 && !verifying.some((r) => r.rule.forwardOriginalToken === true);
}
