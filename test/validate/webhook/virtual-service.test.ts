// istiod's ValidateVirtualService (pkg/config/validation/validation.go) and validateHTTPRoute
// (virtualservice.go) with its helpers: validateGatewayNames, validateHTTPRouteMatchRequest,
// validateStringRegexp, header operations, validateCORSPolicy, validateHTTPFaultInjection,
// validateHTTPRedirect, validateHTTPRetry, validateHTTPRewrite, validateDestination,
// validateTLSRoute / validateSniHost, validateTCPRoute.
import { describe, it } from 'vitest';
import { expectFindings, expectValid, run } from './helpers';

const VS = 'VirtualService';
const dest = (host = 'reviews', extra: Record<string, unknown> = {}): Record<string, unknown> => ({ destination: { host, ...extra } });
const http = (route: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ hosts: ['reviews'], http: [{ route: [dest()], ...route }], ...extra });

describe('ValidateVirtualService', () => {
  it('admits the documented shapes', () => {
    expectValid(run(VS, {
      hosts: ['reviews.prod.svc.cluster.local'],
      http: [{
        name: 'v2',
        match: [{ uri: { prefix: '/wpcatalog' }, headers: { 'end-user': { exact: 'jason' } } }],
        rewrite: { uri: '/newcatalog' },
        route: [dest('reviews.prod.svc.cluster.local', { subset: 'v2' })],
      },
      {
        route: [{ ...dest('reviews.prod.svc.cluster.local', { subset: 'v1' }), weight: 75 }, { ...dest('reviews.prod.svc.cluster.local', { subset: 'v3' }), weight: 25 }],
        retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error,connect-failure,503' },
        timeout: '10s',
      }],
    }));
    expectValid(run(VS, { hosts: ['shop.example.com'], gateways: ['istio-system/ingress'], http: [{ match: [{ headers: { '@request.auth.claims.group': { exact: 'admin' } } }], route: [dest()] }] }));
    expectValid(run(VS, { hosts: ['*.example.com'], gateways: ['istio-system/gw'], tls: [{ match: [{ port: 443, sniHosts: ['login.example.com'] }], route: [dest('login.prod.svc.cluster.local')] }] }));
    expectValid(run(VS, { hosts: ['mongo.prod.svc.cluster.local'], tcp: [{ match: [{ port: 27017, destinationSubnets: ['10.0.0.0/8'] }], route: [dest('mongo.backup.svc.cluster.local', { port: { number: 5555 } })] }] }));
    expectValid(run(VS, { http: [{ match: [{ uri: { prefix: '/a' } }], route: [dest()] }] }));
  });

  it('rejects delegate VirtualServices with gateways, tls or tcp routes, and root/delegate route conflicts', () => {
    expectFindings(run(VS, { gateways: ['ns/gw'], http: [{ delegate: { name: 'd' }, route: [dest()] }] }), [
      ['error TM_VIRTUAL_SERVICE_DELEGATE_INVALID spec.gateways', /delegate virtual service must have no gateways/],
      ['error TM_VIRTUAL_SERVICE_DELEGATE_INVALID spec.http[0].delegate', /delegate HTTP route cannot contain delegate/],
    ]);
    expectFindings(run(VS, { hosts: ['r'], http: [{ delegate: { name: 'd' }, route: [dest()], redirect: { uri: '/x' } }] }), [
      ['error TM_VIRTUAL_SERVICE_DELEGATE_INVALID spec.http[0].redirect', /root HTTP route  must not specify redirect/],
      ['error TM_VIRTUAL_SERVICE_DELEGATE_INVALID spec.http[0].route', /must not specify route/],
    ]);
  });

  it('rejects hosts: syntax, "*" for the mesh, overlapping hosts', () => {
    expectFindings(run(VS, { hosts: ['*'], http: [{ route: [dest()] }] }), [['error TM_VIRTUAL_SERVICE_HOST_INVALID spec.hosts[0]', /wildcard host \* is not allowed .* mesh gateway/]]);
    expectFindings(run(VS, { hosts: ['a.*.com'], http: [{ route: [dest()] }] }), [['error TM_VIRTUAL_SERVICE_HOST_INVALID spec.hosts[0]']]);
    expectFindings(run(VS, { hosts: ['*.example.com', 'a.example.com'], http: [{ route: [dest()] }] }), [
      ['error TM_VIRTUAL_SERVICE_HOST_INVALID spec.hosts[1]', /duplicate hosts in virtual service: \*\.example\.com & a\.example\.com/],
    ]);
    // An IP address is accepted as a host; "*" with a gateway too.
    expectValid(run(VS, { hosts: ['10.0.0.1'], http: [{ route: [dest()] }] }));
    expectValid(run(VS, { hosts: ['*'], gateways: ['ns/gw'], http: [{ route: [dest()] }] }));
    // "*" covers every other host, so it overlaps them all.
    expectFindings(run(VS, { hosts: ['10.0.0.1', '*'], gateways: ['ns/gw'], http: [{ route: [dest()] }] }), [['error TM_VIRTUAL_SERVICE_HOST_INVALID spec.hosts[1]', /10\.0\.0\.1 & \*/]]);
  });

  it('rejects gateway names that are not <namespace>/<name>, and warns about the legacy form', () => {
    expectFindings(run(VS, http({}, { gateways: ['ns/Bad_Gw', '/gw'] })), [
      ['error TM_VIRTUAL_SERVICE_GATEWAY_INVALID spec.gateways[0]', /invalid value for gateway name: "Bad_Gw"/],
      ['error TM_VIRTUAL_SERVICE_GATEWAY_INVALID spec.gateways[1]', /cannot be empty/],
      ['error TM_VIRTUAL_SERVICE_GATEWAY_INVALID spec.gateways[1]', /invalid value for namespace: ""/],
    ]);
    expectFindings(run(VS, http({}, { gateways: ['gw.ns'] })), [['warning TM_VIRTUAL_SERVICE_GATEWAY_INVALID spec.gateways[0]', /prefer the <namespace>\/<name> format: "ns\/gw"/]]);
  });

  it('rejects JWT claim routing without a gateway', () => {
    expectFindings(run(VS, http({ match: [{ headers: { '@request.auth.claims[group]': { exact: 'a' } } }] })), [
      ['error TM_VIRTUAL_SERVICE_MATCH_INVALID spec.http[0].match[0].headers[@request.auth.claims[group]]', /only supported for gateway/],
    ]);
  });

  it('rejects a VirtualService without routes, and routes with nothing to route to', () => {
    expectFindings(run(VS, { hosts: ['r'] }), [['error TM_VIRTUAL_SERVICE_ROUTE_MISSING spec', /http, tcp or tls must be provided/]]);
    expectFindings(run(VS, { hosts: ['r'], http: [{ match: [{ uri: { exact: '/' } }] }], tcp: [{ match: [{ port: 80 }] }] }), [
      ['error TM_VIRTUAL_SERVICE_ROUTE_MISSING spec.http[0]', /HTTP route, redirect or direct_response is required/],
      ['error TM_VIRTUAL_SERVICE_ROUTE_MISSING spec.tcp[0]', /TCP route is required/],
    ]);
  });

  it('rejects conflicting HTTP route actions (validateHTTPRouteConflict)', () => {
    expectFindings(run(VS, http({ redirect: { uri: '/x' }, fault: { abort: { httpStatus: 500 } }, mirror: { host: 'm' }, mirrors: [dest('n')] })), [
      ['error TM_VIRTUAL_SERVICE_HTTP_ROUTE_CONFLICT spec.http[0].route', /both route and redirect/],
      ['error TM_VIRTUAL_SERVICE_HTTP_ROUTE_CONFLICT spec.http[0].fault', /both fault and redirect/],
      ['error TM_VIRTUAL_SERVICE_HTTP_ROUTE_CONFLICT spec.http[0].mirror', /both mirror and mirrors/],
    ]);
  });

  it('rejects matches istiod refuses: empty prefix, RE2-invalid regex, header names, ports, source namespaces', () => {
    expectFindings(run(VS, http({
      match: [{
        uri: { regex: '(?=a)b' },
        method: { prefix: '' },
        headers: { 'x y': { exact: 'a' } },
        withoutHeaders: { 'x-a': { regex: '*' } },
        queryParams: { q: { regex: '[' } },
        port: 70000,
        sourceNamespace: 'Bad_Ns',
      }],
    })), [
      ['error TM_VIRTUAL_SERVICE_MATCH_INVALID spec.http[0].match[0].headers[x y]', /header name x y is not a valid header name/],
      ['error TM_VIRTUAL_SERVICE_MATCH_INVALID spec.http[0].match[0].uri', /invalid or unsupported Perl syntax.*RE2/],
      ['error TM_VIRTUAL_SERVICE_MATCH_INVALID spec.http[0].match[0].method', /prefix string match should not be empty/],
      ['error TM_VIRTUAL_SERVICE_MATCH_INVALID spec.http[0].match[0].queryParams.q', /missing closing \]/],
      ['error TM_VIRTUAL_SERVICE_MATCH_INVALID spec.http[0].match[0].port', /1\.\.65535/],
      ['error TM_VIRTUAL_SERVICE_MATCH_INVALID spec.http[0].match[0].sourceNamespace', /sourceNamespace match Bad_Ns is invalid/],
    ]);
    // An empty uri prefix is allowed (Envoy matches everything).
    expectValid(run(VS, http({ match: [{ uri: { prefix: '' } }] })));
  });

  it('rejects header operations on pseudo-headers and Host, bad values, and the authority rewritten twice', () => {
    expectFindings(run(VS, http({ headers: { request: { set: { ':path': '/x', 'x-a': '100%' }, remove: ['host'] }, response: { add: { 'x-b': '%START_TIME%' } } }, rewrite: { authority: 'a' } })), [
      ['error TM_VIRTUAL_SERVICE_HEADERS_INVALID spec.http[0].headers.request.set[:path]', /header cannot have ":" prefix/],
      ['error TM_VIRTUAL_SERVICE_HEADERS_INVALID spec.http[0].headers.request.set[x-a]', /Un-escaped %/],
      ['error TM_VIRTUAL_SERVICE_HEADERS_INVALID spec.http[0].headers.request.remove[0]', /cannot set Host header/],
    ]);
    expectFindings(run(VS, http({ headers: { request: { set: { ':authority': 'b' } } }, rewrite: { authority: 'a' } })), [
      ['error TM_VIRTUAL_SERVICE_HEADERS_INVALID spec.http[0].headers.request.set[:authority]', /authority header cannot be set multiple times/],
    ]);
  });

  it('rejects destinations, weights and mirrors istiod refuses', () => {
    expectFindings(run(VS, {
      hosts: ['r'],
      http: [{
        route: [{ ...dest('*'), weight: 0 }, { ...dest('r', { subset: 'v_1', port: { number: 0 } }), weight: 0 }],
        mirrorPercentage: { value: 101 },
      }],
    }), [
      ['error TM_VIRTUAL_SERVICE_DESTINATION_INVALID spec.http[0].mirrorPercentage.value', /between 0 and 100/],
      ['error TM_VIRTUAL_SERVICE_DESTINATION_INVALID spec.http[0].route[0].destination.host', /invalid destination host \*/],
      ['error TM_VIRTUAL_SERVICE_DESTINATION_INVALID spec.http[0].route[1].destination.subset', /subset name is invalid: v_1/],
      ['error TM_VIRTUAL_SERVICE_DESTINATION_INVALID spec.http[0].route[1].destination.port', /1\.\.65535/],
      ['error TM_VIRTUAL_SERVICE_DESTINATION_INVALID spec.http[0].route', /total destination weight = 0/],
    ]);
    expectFindings(run(VS, http({ mirrorPercent: 50 })), [['warning TM_VIRTUAL_SERVICE_DESTINATION_INVALID spec.http[0].mirrorPercent', /deprecated/]]);
  });

  it('rejects CORS, fault, redirect, direct response, retry and rewrite settings istiod refuses', () => {
    expectFindings(run(VS, http({ corsPolicy: { allowOrigins: [{ exact: '' }], allowMethods: ['get'], allowHeaders: ['x y'], maxAge: '1500ms' } })), [
      ['error TM_VIRTUAL_SERVICE_CORS_INVALID spec.http[0].corsPolicy.allowOrigins[0]', /not a valid match type for CORS allow origins/],
      ['error TM_VIRTUAL_SERVICE_CORS_INVALID spec.http[0].corsPolicy.allowMethods[0]', /"get" is not a supported HTTP method/],
      ['error TM_VIRTUAL_SERVICE_CORS_INVALID spec.http[0].corsPolicy.allowHeaders[0]', /not a valid header name/],
      ['error TM_VIRTUAL_SERVICE_CORS_INVALID spec.http[0].corsPolicy.maxAge', /seconds precision/],
    ]);
    expectFindings(run(VS, http({ fault: { abort: { grpcStatus: 'NOPE', percentage: { value: 0.00001 } }, delay: { exponentialDelay: '1s' } } })), [
      ['error TM_VIRTUAL_SERVICE_FAULT_INVALID spec.http[0].fault.abort.percentage.value', /neither 0\.0, nor in range/],
      ['error TM_VIRTUAL_SERVICE_FAULT_INVALID spec.http[0].fault.abort.grpcStatus', /gRPC status "NOPE" is not supported/],
      ['error TM_VIRTUAL_SERVICE_FAULT_INVALID spec.http[0].fault.delay.exponentialDelay', /not supported yet/],
    ]);
    expectFindings(run(VS, http({ fault: { abort: {} } })), [['warning TM_VIRTUAL_SERVICE_FAULT_INVALID spec.http[0].fault.abort', /error type not set/]]);
    expectFindings(run(VS, { hosts: ['r'], http: [{ redirect: { redirectCode: 200 } }, { redirect: { uri: '/a', redirectCode: 200 } }, { directResponse: { status: 100 } }] }), [
      ['error TM_VIRTUAL_SERVICE_REDIRECT_INVALID spec.http[0].redirect', /must specify URI, authority, scheme, or port/],
      ['error TM_VIRTUAL_SERVICE_REDIRECT_INVALID spec.http[1].redirect.redirectCode', /200 is not a valid redirect code/],
      ['error TM_VIRTUAL_SERVICE_REDIRECT_INVALID spec.http[2].directResponse.status', /HTTP status 100/],
    ]);
    expectFindings(run(VS, http({ retries: { attempts: 0, retryOn: '5xx, reset' }, timeout: '1.5ms', rewrite: { uri: '/a', uriRegexRewrite: { match: 'a', rewrite: 'b' } } })), [
      ['error TM_VIRTUAL_SERVICE_RETRY_INVALID spec.http[0].retries', /attempts are set to 0/],
      ['error TM_VIRTUAL_SERVICE_RETRY_INVALID spec.http[0].retries.retryOn', /" reset" is not a valid retryOn policy/],
      ['error TM_VIRTUAL_SERVICE_REWRITE_INVALID spec.http[0].rewrite', /only contain one of URI or UriRegexRewrite/],
      ['error TM_VIRTUAL_SERVICE_RETRY_INVALID spec.http[0].timeout', /ms precision/],
    ]);
  });

  it('rejects TLS routes without sniHosts or with SNI hosts outside the hosts, warns about an IP SNI', () => {
    expectFindings(run(VS, { hosts: ['shop.example.com'], gateways: ['ns/gw'], tls: [{ match: [{ sniHosts: ['admin.example.com', '10.0.0.1'] }, { port: 443, sniHosts: [] }], route: [dest()] }] }), [
      ['error TM_VIRTUAL_SERVICE_SNI_OUTSIDE_HOSTS spec.tls[0].match[0].sniHosts[0]', /not a compatible subset/],
      ['warning TM_VIRTUAL_SERVICE_MATCH_INVALID spec.tls[0].match[0].sniHosts[1]', /goes against SNI spec/],
      ['error TM_VIRTUAL_SERVICE_TLS_WITHOUT_SNI spec.tls[0].match[1]', /at least one SNI host/],
    ]);
    expectFindings(run(VS, { hosts: ['a.example.com'], tls: [{ match: [], route: [dest()] }] }), [['error TM_VIRTUAL_SERVICE_ROUTE_MISSING spec.tls[0].match', /at least one match condition/]]);
  });
});
