// Positive and negative cases for the x-kubernetes-validations rule families of the Istio 1.30.3
// CRDs that matter for security objects and gateways. Every case runs against the bundled schemas
// and against the CRD file parsed at run time: the verdicts must be the same.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check, istio, SCHEMA_SETS, summary } from './helpers';
import type { Diagnostic } from '../../src/errors';

interface Case {
  readonly name: string;
  readonly object: Record<string, unknown>;
  /** Expected errors as [code, field path, message pattern]; empty: valid. */
  readonly errors: ReadonlyArray<readonly [string, string, RegExp]>;
}

const CEL = 'TM_CEL_RULE_FAILED';
const ONLY_ONE_TARGET = /only one of targetRefs or selector can be set/;

const cases: Case[] = [
  // AuthorizationPolicy: canonical shapes from the Istio docs.
  { name: 'AP allow-nothing (spec: {})', object: istio('AuthorizationPolicy', {}), errors: [] },
  { name: 'AP allow-all (rules: [{}])', object: istio('AuthorizationPolicy', { rules: [{}] }), errors: [] },
  { name: 'AP deny-all', object: istio('AuthorizationPolicy', { action: 'DENY', rules: [{}] }), errors: [] },
  {
    name: 'AP requiring a JWT',
    object: istio('AuthorizationPolicy', { selector: { matchLabels: { app: 'httpbin' } }, action: 'ALLOW', rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }] }),
    errors: [],
  },
  {
    name: 'AP with selector and targetRefs',
    object: istio('AuthorizationPolicy', { selector: { matchLabels: { app: 'a' } }, targetRefs: [{ kind: 'Service', group: '', name: 'a' }] }),
    errors: [[CEL, 'spec', ONLY_ONE_TARGET]],
  },
  {
    name: 'AP with targetRef and targetRefs',
    object: istio('AuthorizationPolicy', { targetRef: { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'g' }, targetRefs: [{ kind: 'Service', name: 'a' }] }),
    errors: [[CEL, 'spec', ONLY_ONE_TARGET]],
  },
  {
    name: 'AP with a cross-namespace targetRef',
    object: istio('AuthorizationPolicy', { targetRefs: [{ kind: 'Service', name: 'a', namespace: 'other' }] }),
    errors: [[CEL, 'spec.targetRefs[0].namespace', /cross namespace referencing is not currently supported/]],
  },
  {
    name: 'AP source with serviceAccounts only',
    object: istio('AuthorizationPolicy', { rules: [{ from: [{ source: { serviceAccounts: ['ns/sa', 'other'] } }] }] }),
    errors: [],
  },
  {
    name: 'AP source with serviceAccounts and namespaces',
    object: istio('AuthorizationPolicy', { rules: [{ from: [{ source: { principals: ['cluster.local/ns/a/sa/b'] } }, { source: { serviceAccounts: ['sa'], namespaces: ['a'] } }] }] }),
    errors: [[CEL, 'spec.rules[0].from[1].source', /Cannot set serviceAccounts with namespaces or principals/]],
  },
  {
    name: 'AP source with notServiceAccounts and notPrincipals',
    object: istio('AuthorizationPolicy', { rules: [{ from: [{ source: { notServiceAccounts: ['sa'], notPrincipals: ['x'] } }] }] }),
    errors: [[CEL, 'spec.rules[0].from[0].source', /Cannot set serviceAccounts with namespaces or principals/]],
  },
  // Selector label rules (shared by AP, RA, PA, DR).
  {
    name: 'selector label key with a wildcard',
    object: istio('AuthorizationPolicy', { selector: { matchLabels: { 'app*': 'a' } } }),
    errors: [[CEL, 'spec.selector.matchLabels', /wildcard not allowed in label key match/]],
  },
  {
    name: 'selector label with an empty key',
    object: istio('RequestAuthentication', { selector: { matchLabels: { '': 'a' } } }),
    errors: [[CEL, 'spec.selector.matchLabels', /key must not be empty/]],
  },
  {
    name: 'selector label value with a wildcard',
    object: istio('PeerAuthentication', { selector: { matchLabels: { app: 'web-*' } } }),
    errors: [[CEL, 'spec.selector.matchLabels[app]', /wildcard not allowed in label value match/]],
  },
  // PeerAuthentication.
  { name: 'PA STRICT namespace-wide', object: istio('PeerAuthentication', { mtls: { mode: 'STRICT' } }), errors: [] },
  {
    name: 'PA portLevelMtls with a selector',
    object: istio('PeerAuthentication', { selector: { matchLabels: { app: 'a' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'DISABLE' } } }),
    errors: [],
  },
  {
    name: 'PA portLevelMtls without a selector',
    object: istio('PeerAuthentication', { mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'DISABLE' } } }),
    errors: [[CEL, 'spec', /portLevelMtls requires selector/]],
  },
  {
    name: 'PA portLevelMtls with an empty selector',
    object: istio('PeerAuthentication', { selector: { matchLabels: {} }, portLevelMtls: { 8080: { mode: 'DISABLE' } } }),
    errors: [[CEL, 'spec', /portLevelMtls requires selector/]],
  },
  {
    name: 'PA portLevelMtls on port 0 and 65536',
    object: istio('PeerAuthentication', { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { 0: { mode: 'DISABLE' } } }),
    errors: [[CEL, 'spec.portLevelMtls', /port must be between 1-65535/]],
  },
  // RequestAuthentication.
  {
    name: 'RA with issuer and https jwksUri (docs example)',
    object: istio('RequestAuthentication', {
      selector: { matchLabels: { app: 'httpbin' } },
      jwtRules: [{ issuer: 'testing@secure.istio.io', jwksUri: 'https://raw.githubusercontent.com/istio/istio/release-1.30/security/tools/jwt/samples/jwks.json', timeout: '5s' }],
    }),
    errors: [],
  },
  {
    name: 'RA with jwks and jwksUri',
    object: istio('RequestAuthentication', { jwtRules: [{ issuer: 'i', jwks: '{"keys":[]}', jwksUri: 'https://x/jwks' }] }),
    errors: [[CEL, 'spec.jwtRules[0]', /only one of jwks or jwksUri can be set/]],
  },
  {
    name: 'RA with jwks_uri and jwks',
    object: istio('RequestAuthentication', { jwtRules: [{ issuer: 'i', jwks: '{"keys":[]}', jwks_uri: 'https://x/jwks' }] }),
    errors: [[CEL, 'spec.jwtRules[0]', /only one of jwks or jwksUri can be set/]],
  },
  {
    name: 'RA with an ftp jwksUri',
    object: istio('RequestAuthentication', { jwtRules: [{ issuer: 'i', jwksUri: 'ftp://x/jwks' }] }),
    errors: [[CEL, 'spec.jwtRules[0].jwksUri', /url must have scheme http:\/\/ or https:\/\//]],
  },
  {
    name: 'RA with a relative jwksUri (url() cannot parse it)',
    object: istio('RequestAuthentication', { jwtRules: [{ issuer: 'i', jwksUri: 'keys.example.com/jwks' }] }),
    errors: [[CEL, 'spec.jwtRules[0].jwksUri', /url must have scheme.*could not be evaluated/]],
  },
  {
    name: 'RA with selector and targetRefs',
    object: istio('RequestAuthentication', { selector: { matchLabels: { app: 'a' } }, targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'g' }] }),
    errors: [[CEL, 'spec', ONLY_ONE_TARGET]],
  },
  // Durations (160 rules in the file share this one).
  {
    name: 'RA jwtRules timeout below 1ms',
    object: istio('RequestAuthentication', { jwtRules: [{ issuer: 'i', timeout: '500us' }] }),
    errors: [[CEL, 'spec.jwtRules[0].timeout', /must be a valid duration greater than 1ms/]],
  },
  {
    name: 'DR connectTimeout that is not a duration',
    object: istio('DestinationRule', { host: 'a.ns.svc.cluster.local', trafficPolicy: { connectionPool: { tcp: { connectTimeout: 'soon' } } } }),
    errors: [[CEL, 'spec.trafficPolicy.connectionPool.tcp.connectTimeout', /must be a valid duration greater than 1ms.*could not be evaluated/]],
  },
  {
    name: 'DR ISTIO_MUTUAL with durations of 1ms and 1h30m',
    object: istio('DestinationRule', {
      host: 'a.ns.svc.cluster.local',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, connectionPool: { tcp: { connectTimeout: '1ms', maxConnections: 100 } }, outlierDetection: { interval: '1h30m' } },
      subsets: [{ name: 'v1', labels: { version: 'v1' } }],
    }),
    errors: [],
  },
  {
    name: 'DR workloadSelector with a wildcard label value',
    object: istio('DestinationRule', { host: 'a', workloadSelector: { matchLabels: { app: '*' } } }),
    errors: [[CEL, 'spec.workloadSelector.matchLabels[app]', /wildcard not allowed in label value match/]],
  },
  // Gateway server TLS.
  {
    name: 'Gateway SIMPLE with credentialName',
    object: istio('Gateway', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*.example.com'], tls: { mode: 'SIMPLE', credentialName: 'example-cert' } }] }),
    errors: [],
  },
  {
    name: 'Gateway with credentialName and credentialNames',
    object: istio('Gateway', { servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['a'], tls: { mode: 'SIMPLE', credentialName: 'a', credentialNames: ['b'] } }] }),
    errors: [[CEL, 'spec.servers[0].tls', /only one of credentialName or credentialNames can be set/]],
  },
  {
    name: 'Gateway with credentialNames and tlsCertificates (two rules fire; upstream messages differ)',
    object: istio('Gateway', { servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['a'], tls: { mode: 'SIMPLE', credentialNames: ['a'], tlsCertificates: [{ serverCertificate: '/c', privateKey: '/k' }] } }] }),
    errors: [
      [CEL, 'spec.servers[0].tls', /only one of credentialNames or tlsCertificates can be set/],
      [CEL, 'spec.servers[0].tls', /only one of credentialName or tlsCertificates can be set/],
    ],
  },
  {
    // Upstream's "credentialName or tlsCertificates" rule actually tests credentialNames; the webhook
    // catches this combination, CEL does not. We mirror the CRD, not the webhook.
    name: 'Gateway with credentialName and tlsCertificates (passes CEL, as upstream)',
    object: istio('Gateway', { servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['a'], tls: { mode: 'SIMPLE', credentialName: 'a', tlsCertificates: [{ serverCertificate: '/c', privateKey: '/k' }] } }] }),
    errors: [],
  },
  {
    name: 'Sidecar ingress TLS with credentialName and credentialNames',
    object: istio('Sidecar', { ingress: [{ port: { number: 8443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', credentialName: 'a', credentialNames: ['b'] } }] }),
    errors: [[CEL, 'spec.ingress[0].tls', /only one of credentialName or credentialNames can be set/]],
  },
  // Sidecar.
  {
    name: 'Sidecar default with REGISTRY_ONLY egress',
    object: istio('Sidecar', { egress: [{ hosts: ['./*', 'istio-system/*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }, undefined, 'default'),
    errors: [],
  },
  {
    name: 'Sidecar workloadSelector with a wildcard label value',
    object: istio('Sidecar', { workloadSelector: { labels: { app: 'web*' } }, egress: [{ hosts: ['./*'] }] }),
    errors: [[CEL, 'spec.workloadSelector.labels[app]', /wildcard is not supported in selector/]],
  },
  // ServiceEntry.
  {
    name: 'SE for an external API over DNS',
    object: istio('ServiceEntry', { hosts: ['api.example.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS', location: 'MESH_EXTERNAL' }),
    errors: [],
  },
  {
    name: 'SE with CIDR addresses and DNS resolution',
    object: istio('ServiceEntry', { hosts: ['db.example.com'], addresses: ['10.0.0.0/24'], ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }], resolution: 'DNS' }),
    errors: [[CEL, 'spec', /CIDR addresses are allowed only for NONE\/STATIC resolution types/]],
  },
  {
    name: 'SE with CIDR addresses and STATIC resolution',
    object: istio('ServiceEntry', { hosts: ['db.example.com'], addresses: ['10.0.0.0/24'], ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }], resolution: 'STATIC', endpoints: [{ address: '10.0.0.7' }] }),
    errors: [],
  },
  {
    name: 'SE with endpoints and (default) NONE resolution',
    object: istio('ServiceEntry', { hosts: ['db.example.com'], ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }], endpoints: [{ address: '10.0.0.7' }] }),
    errors: [[CEL, 'spec', /NONE mode cannot set endpoints/]],
  },
  {
    name: 'SE with a wildcard host, a duplicated port number and an endpoint port out of range',
    object: istio('ServiceEntry', {
      hosts: ['*'],
      ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 80, name: 'http2', protocol: 'HTTP' }],
      resolution: 'STATIC',
      endpoints: [{ address: '10.0.0.7', ports: { http: 70000 } }],
    }),
    errors: [
      [CEL, 'spec.hosts[0]', /hostname cannot be wildcard/],
      [CEL, 'spec.ports', /port number cannot be duplicated/],
      [CEL, 'spec.endpoints[0].ports[http]', /port must be between 1-65535/],
    ],
  },
  {
    name: 'SE endpoint with a relative unix socket and ports',
    object: istio('ServiceEntry', { hosts: ['uds.local'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'STATIC', endpoints: [{ address: 'unix://relative.sock', ports: { http: 80 } }] }),
    errors: [
      [CEL, 'spec.endpoints[0]', /UDS may not include ports/],
      [CEL, 'spec.endpoints[0].address', /UDS must be an absolute path or abstract socket/],
    ],
  },
];

function errorsOf(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

describe.each(SCHEMA_SETS)('Istio CEL rules (%s schemas)', (_name, crds) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_caseName, c) => {
    const errors = errorsOf(check(c.object, crds(), { webhook: false }));
    const lines = summary(errors);
    expect(errors, lines.join('\n')).toHaveLength(c.errors.length);
    for (const [code, path, pattern] of c.errors) {
      const hit = errors.find((d) => d.code === code && d.location?.field === path && pattern.test(d.message));
      expect(hit, `expected ${code} at ${path} matching ${pattern}; got\n${lines.join('\n')}`).toBeDefined();
    }
  });

  it('PeerAuthentication port keys pass exactly when 1 <= port <= 65535', () => {
    fc.assert(fc.property(fc.integer({ min: -5, max: 70_000 }), (port) => {
      const pa = istio('PeerAuthentication', { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { [String(port)]: { mode: 'DISABLE' } } });
      const failed = errorsOf(check(pa, crds(), { webhook: false })).some((d) => /port must be between 1-65535/.test(d.message));
      return failed === !(port >= 1 && port <= 65535);
    }), { numRuns: 200 });
  });

  it('the verdict does not depend on the served version used', () => {
    const spec = { selector: { matchLabels: { app: 'a' } }, targetRefs: [{ kind: 'Service', name: 'a' }] };
    const v1 = summary(errorsOf(check(istio('AuthorizationPolicy', spec, 'security.istio.io/v1'), crds(), { webhook: false })));
    const v1beta1 = summary(errorsOf(check(istio('AuthorizationPolicy', spec, 'security.istio.io/v1beta1'), crds(), { webhook: false })));
    expect(v1).toHaveLength(1);
    expect(v1beta1).toEqual(v1);
  });
});
