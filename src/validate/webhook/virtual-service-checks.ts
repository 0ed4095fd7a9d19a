/**
 * The rule families of istiod's `ValidateVirtualService`, one code each (shared by
 * virtual-service.ts and http-route.ts).
 *
 * @module
 */
import { WebhookCheck } from './webhook-types';

/** The VirtualService checks by family. */
export const VS = {
  HOST: {
    code: 'TM_VIRTUAL_SERVICE_HOST_INVALID',
    severity: 'error',
    title: 'a VirtualService host is not a (wildcard) domain name, is "*" for the mesh, or overlaps another host',
    istiod: 'ValidateVirtualService → agent.ValidateWildcardDomain',
  },
  DELEGATE: {
    code: 'TM_VIRTUAL_SERVICE_DELEGATE_INVALID',
    severity: 'error',
    title: 'a delegate VirtualService has gateways or TLS/TCP routes, or a root/delegate HTTP route breaks delegation rules',
    istiod: 'ValidateVirtualService, validateHTTPRouteConflict',
  },
  GATEWAY: {
    code: 'TM_VIRTUAL_SERVICE_GATEWAY_INVALID',
    severity: 'error',
    title: 'a VirtualService gateway is not <namespace>/<name> (or a legacy name)',
    istiod: 'validateGatewayNames',
  },
  ROUTE_MISSING: {
    code: 'TM_VIRTUAL_SERVICE_ROUTE_MISSING',
    severity: 'error',
    title: 'a VirtualService or one of its routes has nothing to route to',
    istiod: 'ValidateVirtualService, validateHTTPRouteConflict, validateTLSRoute, validateTCPRoute',
  },
  CONFLICT: {
    code: 'TM_VIRTUAL_SERVICE_HTTP_ROUTE_CONFLICT',
    severity: 'error',
    title: 'an HTTP route combines route, redirect, directResponse, fault or rewrite (or mirror and mirrors)',
    istiod: 'validateHTTPRouteConflict',
  },
  MATCH: {
    code: 'TM_VIRTUAL_SERVICE_MATCH_INVALID',
    severity: 'error',
    title: 'a route match has an empty prefix, an invalid regex, header, port, label, SNI or subnet, or JWT claims outside a gateway',
    istiod: 'validateHTTPRouteMatchRequest, validateTLSMatch, validateTCPMatch',
  },
  HEADERS: {
    code: 'TM_VIRTUAL_SERVICE_HEADERS_INVALID',
    severity: 'error',
    title: 'a header operation changes a pseudo-header or Host, has an invalid value, or rewrites the authority twice',
    istiod: 'ValidateHTTPHeaderOperationName, ValidateHTTPHeaderValue, validateAuthorityRewrite',
  },
  DESTINATION: {
    code: 'TM_VIRTUAL_SERVICE_DESTINATION_INVALID',
    severity: 'error',
    title: 'a route or mirror destination has an invalid host, subset or port, or the weights are invalid',
    istiod: 'validateDestination, validateHTTPRouteDestinations, validateHTTPMirrors',
  },
  CORS: {
    code: 'TM_VIRTUAL_SERVICE_CORS_INVALID',
    severity: 'error',
    title: 'a corsPolicy has an empty origin, an unsupported method, an invalid header or a sub-second maxAge',
    istiod: 'validateCORSPolicy',
  },
  FAULT: {
    code: 'TM_VIRTUAL_SERVICE_FAULT_INVALID',
    severity: 'error',
    title: 'a fault injection istiod cannot program',
    istiod: 'validateHTTPFaultInjection',
  },
  REDIRECT: {
    code: 'TM_VIRTUAL_SERVICE_REDIRECT_INVALID',
    severity: 'error',
    title: 'a redirect or directResponse istiod refuses',
    istiod: 'validateHTTPRedirect, validateHTTPDirectResponse',
  },
  RETRY: {
    code: 'TM_VIRTUAL_SERVICE_RETRY_INVALID',
    severity: 'error',
    title: 'retries or timeout istiod refuses (negative attempts, unknown retryOn, sub-millisecond durations)',
    istiod: 'validateHTTPRetry, validateHTTPRoute',
  },
  REWRITE: {
    code: 'TM_VIRTUAL_SERVICE_REWRITE_INVALID',
    severity: 'error',
    title: 'a rewrite with nothing, or both uri and uriRegexRewrite, or an invalid regex rewrite',
    istiod: 'validateHTTPRewrite',
  },
  SNI_OUTSIDE_HOSTS: {
    code: 'TM_VIRTUAL_SERVICE_SNI_OUTSIDE_HOSTS',
    severity: 'error',
    title: 'a VirtualService TLS route matches an SNI host outside its hosts',
    istiod: 'validateSniHost',
  },
  TLS_WITHOUT_SNI: {
    code: 'TM_VIRTUAL_SERVICE_TLS_WITHOUT_SNI',
    severity: 'error',
    title: 'a VirtualService TLS match without sniHosts',
    istiod: 'validateTLSMatch',
  },
} as const satisfies Record<string, WebhookCheck>;

/** Every check of the VirtualService modules. */
export const VIRTUAL_SERVICE_CHECKS: readonly WebhookCheck[] = Object.values(VS);
