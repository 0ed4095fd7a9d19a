// Requests arriving through an ingress gateway: the gateway workload's own policies (no
// PeerAuthentication there), client addresses from X-Forwarded-For, and the second hop to the
// backend with the gateway's identity and the token forwarded or removed.
import { describe, expect, it } from 'vitest';
import { config } from './evaluate-helpers';
import { meshConfig } from '../../../src/analysis/config/mesh-config';
import { createEvaluator } from '../../../src/analysis/evaluator/evaluate';
import { evaluateThroughGateway } from '../../../src/analysis/evaluator/through-gateway';
import { AccessRequest } from '../../../src/semantics/access-request';

const GATEWAY_LABELS = { istio: 'ingressgateway' };
const GATEWAY_PRINCIPAL = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';
const ISSUER = 'https://issuer.example.com';

const MESH_STRICT = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`;

const GATEWAY = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop-gateway, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https-443, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credentialName: shop, minProtocolVersion: TLSV1_2}
`;

const BACKEND_ALLOWS_GATEWAY = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web-allow, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  action: ALLOW
  rules:
  - from: [{source: {serviceAccounts: [istio-system/istio-ingressgateway-service-account]}}]
`;

function jwtRules(forward: boolean): string {
  return `
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: shop-gateway-jwt, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  jwtRules:
  - issuer: ${ISSUER}
    jwksUri: ${ISSUER}/jwks.json${forward ? '\n    forwardOriginalToken: true' : ''}
`;
}

const BACKEND_REQUIRES_TOKEN = `
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: web-jwt, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  jwtRules: [{issuer: ${ISSUER}, jwksUri: ${ISSUER}/jwks.json}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web-require-jwt, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  action: DENY
  rules: [{from: [{source: {notRequestPrincipals: ['${ISSUER}/*']}}]}]
`;

function clientRequest(over: Partial<AccessRequest> = {}): AccessRequest {
  return {
    protocol: 'HTTP',
    source: { principal: null, namespace: null, ip: '10.0.0.9' },
    jwt: null,
    destination: { namespace: 'istio-system', labels: GATEWAY_LABELS, port: 8443, ip: '10.0.0.2' },
    host: 'shop.example.com',
    method: 'GET',
    path: '/',
    headers: {},
    ...over,
  };
}

const BACKEND = { destination: { namespace: 'shop', labels: { app: 'web' }, port: 8080 }, gatewayPrincipal: GATEWAY_PRINCIPAL };

describe('the gateway workload', () => {
  it('is not subject to PeerAuthentication: a plaintext client reaches it under mesh-wide STRICT, and the explanation says why', () => {
    const evaluator = createEvaluator(config([MESH_STRICT, GATEWAY].join('---\n')));
    const d = evaluator.evaluate(clientRequest());
    expect(d.outcome).toBe('ALLOW');
    expect(d.explanation).toMatch(/the workload is a gateway \(selected by Gateway istio-system\/shop-gateway\), so PeerAuthentication STRICT does not apply/);
  });

  it('without a Gateway selecting the pods, the same workload is a sidecar and STRICT refuses plaintext', () => {
    const evaluator = createEvaluator(config(MESH_STRICT));
    expect(evaluator.evaluate(clientRequest()).outcome).toBe('DENY_CONN');
  });

  it('applies the gateway\'s own AuthorizationPolicies: remoteIpBlocks from X-Forwarded-For with numTrustedProxies', () => {
    const policy = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: shop-gateway-allow, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: ALLOW
  rules: [{from: [{source: {remoteIpBlocks: [203.0.113.0/24]}}]}]
`;
    const cfg = config([MESH_STRICT, GATEWAY, policy].join('---\n'));
    const behindOneProxy = createEvaluator(cfg, meshConfig({ numTrustedProxies: 1 }));
    expect(behindOneProxy.evaluate(clientRequest({ headers: { 'x-forwarded-for': '203.0.113.5' } })).outcome).toBe('ALLOW');
    expect(behindOneProxy.evaluate(clientRequest({ headers: { 'x-forwarded-for': '203.0.113.5, 198.51.100.1' } })).outcome).toBe('DENY_403');
    // With no trusted proxy the header is ignored: remote.ip is the connection's address.
    const direct = createEvaluator(cfg);
    expect(direct.evaluate(clientRequest({ headers: { 'x-forwarded-for': '203.0.113.5' } })).outcome).toBe('DENY_403');
  });
});

describe('evaluateThroughGateway (two hops)', () => {
  it('the backend sees the gateway as the caller (its mTLS principal), and the client address appended to X-Forwarded-For', () => {
    const evaluator = createEvaluator(config([MESH_STRICT, GATEWAY, BACKEND_ALLOWS_GATEWAY].join('---\n')));
    const d = evaluateThroughGateway(evaluator, clientRequest({ headers: { 'x-forwarded-for': '203.0.113.5' } }), BACKEND);
    expect(d.outcome).toBe('ALLOW');
    expect(d.forwarded?.source).toEqual({ principal: GATEWAY_PRINCIPAL, namespace: 'istio-system', ip: '10.0.0.2' });
    expect(d.forwarded?.headers?.['x-forwarded-for']).toBe('203.0.113.5, 10.0.0.9');
    expect(d.backend?.decidedBy).toEqual([{ kind: 'AuthorizationPolicy', namespace: 'shop', name: 'web-allow', action: 'ALLOW', rule: 0 }]);
  });

  it('a denial at the gateway is final: no second hop', () => {
    const deny = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: shop-gateway-deny, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: DENY
  rules: [{to: [{operation: {paths: [/admin/*]}}]}]
`;
    const evaluator = createEvaluator(config([GATEWAY, deny, BACKEND_ALLOWS_GATEWAY].join('---\n')));
    const d = evaluateThroughGateway(evaluator, clientRequest({ path: '/admin/users' }), BACKEND);
    expect(d.outcome).toBe('DENY_403');
    expect(d.backend).toBeUndefined();
    expect(d.explanation).toMatch(/^at the gateway: denied by istio-system\/shop-gateway-deny rule 0/);
  });

  it('a token the gateway verified is removed unless forwardOriginalToken: a backend requiring it then denies', () => {
    const token = { status: 'valid' as const, claims: { iss: ISSUER, sub: 'alice' } };
    for (const [forward, outcome] of [[false, 'DENY_403'], [true, 'ALLOW']] as const) {
      const evaluator = createEvaluator(config([GATEWAY, jwtRules(forward), BACKEND_ALLOWS_GATEWAY, BACKEND_REQUIRES_TOKEN].join('---\n')));
      const d = evaluateThroughGateway(evaluator, clientRequest({ jwt: token, headers: { authorization: 'Bearer x' } }), BACKEND);
      expect(d.gateway.outcome).toBe('ALLOW');
      expect(d.outcome).toBe(outcome);
      expect(d.forwarded?.jwt === null).toBe(!forward);
      expect('authorization' in (d.forwarded?.headers ?? {})).toBe(forward);
    }
  });

  it('a token no gateway rule reads passes through untouched', () => {
    const evaluator = createEvaluator(config([GATEWAY, BACKEND_ALLOWS_GATEWAY, BACKEND_REQUIRES_TOKEN].join('---\n')));
    const d = evaluateThroughGateway(evaluator, clientRequest({ jwt: { status: 'valid', claims: { iss: ISSUER, sub: 'alice' } } }), BACKEND);
    expect(d.outcome).toBe('ALLOW');
    expect(d.forwarded?.jwt).not.toBeNull();
  });

  it('a passthrough connection stays TCP on both hops, with its SNI', () => {
    const evaluator = createEvaluator(config([MESH_STRICT, GATEWAY, BACKEND_ALLOWS_GATEWAY].join('---\n')));
    const d = evaluateThroughGateway(evaluator, {
      protocol: 'TCP',
      source: { principal: null, namespace: null, ip: '10.0.0.9' },
      jwt: null,
      destination: { namespace: 'istio-system', labels: GATEWAY_LABELS, port: 8443 },
      sni: 'shop.example.com',
    }, { ...BACKEND, destination: { ...BACKEND.destination, port: 8443 } });
    expect(d.outcome).toBe('ALLOW');
    expect(d.forwarded).toEqual({
      protocol: 'TCP',
      source: { principal: GATEWAY_PRINCIPAL, namespace: 'istio-system', ip: '0.0.0.0' },
      jwt: null,
      destination: { namespace: 'shop', labels: { app: 'web' }, port: 8443 },
      sni: 'shop.example.com',
    });
  });
});
