// trustmesh convert on real YAML: the seeds convert with an equivalence proof; what v1beta1 cannot
// express is refused at its file:line; a change of meaning shows up in the proof.
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfigText } from '../../../src/analysis/config/load-config';
import { convertedConfig, convertLegacy } from '../../../src/analysis/convert/convert-legacy';
import { proveConversion } from '../../../src/analysis/convert/proof';

const FIXTURES = path.join(__dirname, '../../fixtures/legacy');
const V1 = { apiVersion: 'security.istio.io/v1' };
const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec: {selector: {app: httpbin}, ports: [{port: 80, targetPort: 8000}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: foo}
spec: {template: {metadata: {labels: {app: httpbin}}, spec: {serviceAccountName: httpbin, containers: [{name: c}]}}}
`;

describe('the seeds convert with a proof of equivalence', () => {
  for (const dir of ['micro-shake-factory', 'bookinfo']) {
    it(`${dir}: no refusal, and equivalent over the shared request space`, () => {
      const cfg = loadConfig(path.join(FIXTURES, dir));
      const c = convertLegacy(cfg, V1);
      expect(c.refusals).toEqual([]);
      const proof = proveConversion(cfg, convertedConfig(cfg, c));
      expect(proof.requests).toBeGreaterThan(100);
      expect(proof.differences.map((d) => d.legacy.explanation)).toEqual([]);
    });
  }

  it('micro-shake-factory: the role claim becomes a when condition, the origin a RequestAuthentication plus a DENY', () => {
    const c = convertLegacy(loadConfig(path.join(FIXTURES, 'micro-shake-factory')), V1);
    expect(c.objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'PeerAuthentication istio-system/default',
      'AuthorizationPolicy micro-shake-factory/fruits-api-authn-policy-fruits-api-service-require-jwt',
      'AuthorizationPolicy micro-shake-factory/fruits-api-viewer-fruits-api-service',
      'AuthorizationPolicy micro-shake-factory/rbac-on-fruits-api-service',
      'PeerAuthentication micro-shake-factory/fruits-api-authn-policy-fruits-api-service',
      'RequestAuthentication micro-shake-factory/fruits-api-authn-policy-fruits-api-service',
    ]);
    const viewer = c.objects.find((o) => o.metadata.name === 'fruits-api-viewer-fruits-api-service');
    expect(viewer?.spec).toEqual({
      selector: { matchLabels: { app: 'fruits-api' } },
      action: 'ALLOW',
      rules: [{ to: [{ operation: { methods: ['GET'] } }], when: [{ key: 'request.auth.claims[role]', values: ['learner'] }] }],
    });
  });
});

describe('refusals carry the legacy object\'s file:line', () => {
  it('a destination.user constraint is refused (no longer supported in v1beta1)', () => {
    const cfg = parseConfigText(`${SERVICE}---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: r, namespace: foo}
spec:
  rules:
  - services: ["*"]
    constraints:
    - key: destination.user
      values: [httpbin]
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: b, namespace: foo}
spec: {roleRef: {kind: ServiceRole, name: r}, subjects: [{user: "*"}]}
`, 'roles.yaml');
    const c = convertLegacy(cfg, V1);
    expect(c.refusals.map((d) => [d.code, `${d.location?.file}:${d.location?.line}`])).toEqual([['TM_CONVERT_UNSUPPORTED', 'roles.yaml:23']]);
    // Refused: the proof shows what the missing grant changes.
    expect(proveConversion(cfg, convertedConfig(cfg, c)).differences.length).toBeGreaterThan(0);
  });

  it('a regex trigger rule is refused, and a target service that is not among the inputs is named', () => {
    const cfg = parseConfigText(`${SERVICE}---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: jwt, namespace: foo}
spec:
  targets: [{name: httpbin}, {name: missing}]
  origins:
  - jwt:
      issuer: a
      triggerRules: [{excludedPaths: [{regex: "/health.*"}]}]
`, 'authn.yaml');
    const c = convertLegacy(cfg, V1);
    expect(c.refusals.map((d) => [d.code, `${d.location?.file}:${d.location?.line}`, d.message.includes('missing')])).toEqual([
      ['TM_CONVERT_UNSUPPORTED', 'authn.yaml:19', false],
      ['TM_CONVERT_SERVICE_NOT_FOUND', 'authn.yaml:15', true],
    ]);
  });
});

describe('the proof reports changes of meaning', () => {
  it('originIsOptional: v1 rejects invalid or unaccepted tokens that 1.x let through, and the proof lists them with both explanations', () => {
    const cfg = parseConfigText(`${SERVICE}---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: default, namespace: foo}
spec:
  origins: [{jwt: {issuer: a}}]
  originIsOptional: true
`);
    const proof = proveConversion(cfg, convertedConfig(cfg, convertLegacy(cfg, V1)));
    expect(proof.differences.length).toBeGreaterThan(0);
    const unaccepted = (d: (typeof proof.differences)[number]): boolean => d.request.jwt !== null
      && (d.request.jwt.status === 'invalid' || d.request.jwt.claims.iss !== 'a');
    expect(proof.differences.every((d) => unaccepted(d) && d.legacy.allowed && d.converted.outcome === 'DENY_401')).toBe(true);
    expect(proof.differences[0].legacy.explanation).toMatch(/originIsOptional/);
  });
});

/** httpbin in foo with an HTTP and a TCP port: its Service and Deployment, ending in a document separator. */
const HTTPBIN_TWO_PORTS = `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec: {selector: {app: httpbin}, ports: [{name: http, port: 80, targetPort: 8000}, {name: tcp, port: 5432, targetPort: 5432}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: foo}
spec: {template: {metadata: {labels: {app: httpbin}}, spec: {serviceAccountName: httpbin, containers: [{name: c}]}}}
---
`;

describe('several targeted Policies of one Service (as the legacy target renders ports with their own mode)', () => {
  const TWO_PORTS = `${HTTPBIN_TWO_PORTS}apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: httpbin-authn, namespace: foo}
spec:
  targets: [{name: httpbin, ports: [{number: 5432}]}]
  peers: [{mtls: {}}]
---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: httpbin-port-80-authn, namespace: foo}
spec:
  targets: [{name: httpbin, ports: [{number: 80}]}]
`;

  it('become one PeerAuthentication with every port (v1 applies only the oldest of several selecting a workload)', () => {
    const cfg = parseConfigText(TWO_PORTS, 'two-ports.yaml');
    const c = convertLegacy(cfg, V1);
    expect(c.refusals).toEqual([]);
    const pas = c.objects.filter((o) => o.kind === 'PeerAuthentication');
    expect(pas.map((o) => [o.metadata.name, o.spec])).toEqual([[
      'httpbin-authn-httpbin',
      { selector: { matchLabels: { app: 'httpbin' } }, mtls: { mode: 'UNSET' }, portLevelMtls: { 5432: { mode: 'STRICT' }, 8000: { mode: 'DISABLE' } } },
    ]]);
    expect(c.entries.find((e) => e.input === 'Policy foo/httpbin-port-80-authn')?.outputs).toEqual(['PeerAuthentication foo/httpbin-authn-httpbin']);
    expect(proveConversion(cfg, convertedConfig(cfg, c)).differences).toEqual([]);
  });

  it('a port target wins over a whole-Service target on that port, as in 1.x', () => {
    const cfg = parseConfigText(TWO_PORTS.replace('targets: [{name: httpbin, ports: [{number: 5432}]}]', 'targets: [{name: httpbin}]'), 'two-ports.yaml');
    const pa = convertLegacy(cfg, V1).objects.find((o) => o.kind === 'PeerAuthentication');
    expect(pa?.spec.portLevelMtls).toEqual({ 5432: { mode: 'STRICT' }, 8000: { mode: 'DISABLE' } });
  });

  it('several origins sharing their triggerRules convert to one DENY rule set', () => {
    const cfg = parseConfigText(`${SERVICE}---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: httpbin-authn, namespace: foo}
spec:
  targets: [{name: httpbin}]
  origins:
  - jwt: {issuer: a, jwksUri: "https://a/jwks", triggerRules: [{excludedPaths: [{exact: /healthz}]}]}
  - jwt: {issuer: b, jwksUri: "https://b/jwks", triggerRules: [{excludedPaths: [{exact: /healthz}]}]}
`, 'origins.yaml');
    const c = convertLegacy(cfg, V1);
    expect(c.refusals).toEqual([]);
    expect(c.objects.find((o) => o.metadata.name === 'httpbin-authn-httpbin-require-jwt')?.spec.rules).toEqual([
      { from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { ports: ['8000'], notPaths: ['/healthz'] } }] },
    ]);
  });
});

describe('HTTP-only rules stay HTTP-only', () => {
  it('a rule with paths ["*", …] (how the legacy target merges an any-path intention) converts with paths, so it does not allow TCP', () => {
    // Round-trip property test, seed 18: the converted rule lost its `*` paths and allowed a TCP
    // request that 1.x (pilot 1.4 ValidateForTCP drops any rule with paths from the TCP filter) denied.
    const cfg = parseConfigText(`${HTTPBIN_TWO_PORTS}apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: default, namespace: foo}
spec: {peers: [{mtls: {}}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: web, namespace: foo}
spec: {rules: [{services: [httpbin.foo.svc.cluster.local], paths: ["*", /api/*]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: web, namespace: foo}
spec: {subjects: [{properties: {source.namespace: dev}}], roleRef: {kind: ServiceRole, name: web}}
`, 'web.yaml');
    const c = convertLegacy(cfg, V1);
    expect(c.refusals).toEqual([]);
    expect((c.objects.find((o) => o.metadata.name === 'web-httpbin')?.spec as { rules: unknown[] }).rules).toEqual([
      { from: [{ source: { namespaces: ['dev'] } }], to: [{ operation: { paths: ['*'] } }] },
    ]);
    expect(proveConversion(cfg, convertedConfig(cfg, c)).differences.filter((d) => d.request.protocol === 'TCP')).toEqual([]);
  });
});

describe('claims on paths the trigger rules skip', () => {
  // policy.proto TriggerRule: "If the list is not empty and none of the rules matched,
  // authentication will skip the JWT validation" — so 1.x RBAC saw no claims on /healthz, and
  // request.auth.claims[role] matched nothing there; v1 verifies the token on every path.
  const input = (paths: string): string => `${SERVICE}---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: jwt, namespace: foo}
spec:
  targets: [{name: httpbin}]
  origins: [{jwt: {issuer: a, trigger_rules: [{excluded_paths: [{prefix: /healthz}]${paths}}]}}]
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: viewer, namespace: foo}
spec:
  rules: [{services: ["*"], methods: [GET], paths: ["/api/*", /healthz]}]
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: viewer, namespace: foo}
spec:
  subjects: [{properties: {"request.auth.claims[role]": reader}}, {user: cluster.local/ns/dev/sa/sleep}]
  roleRef: {kind: ServiceRole, name: viewer}
`;

  it('a claim subject excludes the skipped paths, a peer subject does not, and a valid token on /healthz is allowed by neither', () => {
    const cfg = parseConfigText(input(''));
    const c = convertLegacy(cfg, V1);
    expect(c.refusals).toEqual([]);
    const viewer = c.objects.find((o) => o.metadata.name === 'viewer-httpbin');
    expect((viewer?.spec as { rules: unknown[] }).rules).toEqual([
      { to: [{ operation: { methods: ['GET'], paths: ['/api/*', '/healthz'], notPaths: ['/healthz*'] } }], when: [{ key: 'request.auth.claims[role]', values: ['reader'] }] },
      { from: [{ source: { principals: ['cluster.local/ns/dev/sa/sleep'] } }], to: [{ operation: { methods: ['GET'], paths: ['/api/*', '/healthz'] } }] },
    ]);
    expect(c.entries.find((e) => e.input === 'ServiceRoleBinding foo/viewer')?.notes).toContain(
      'subject 0: 1.x verified no token on the paths the trigger rules skip, so the converted rule excludes them');
    // No difference in which a valid reader token is decided differently (the rest is the
    // documented one: v1 rejects invalid or unaccepted tokens on skipped paths).
    const proof = proveConversion(cfg, convertedConfig(cfg, c));
    expect(proof.differences.filter((d) => d.request.jwt?.status === 'valid' && d.request.jwt.claims.iss === 'a')).toEqual([]);
  });

  it('port-targeted Policies of one service sharing one trigger rule convert (no refusal), the claim rule excluding the skipped paths', () => {
    // As the legacy target renders a service whose ports have their own mTLS mode: one Policy per port, same origins.
    const ports = `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec: {selector: {app: httpbin}, ports: [{name: http, port: 80, targetPort: 8000}, {name: http-admin, port: 9090, targetPort: 9090}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: foo}
spec: {template: {metadata: {labels: {app: httpbin}}, spec: {serviceAccountName: httpbin, containers: [{name: c}]}}}
`;
    const origin = 'origins: [{jwt: {issuer: a, jwksUri: "https://a/jwks", triggerRules: [{excludedPaths: [{exact: /healthz}]}]}}]';
    const perPort = (name: string, port: number, mode: string): string => `---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: ${name}, namespace: foo}
spec:
  targets: [{name: httpbin, ports: [{number: ${port}}]}]
  peers: [{mtls: {mode: ${mode}}}]
  ${origin}
`;
    const yaml = input('').replace(SERVICE, ports).replace(/---\napiVersion: authentication[^]*?---\n/, `${perPort('httpbin-authn', 80, 'STRICT')}${perPort('httpbin-port-9090-authn', 9090, 'PERMISSIVE')}---\n`);
    const cfg = parseConfigText(yaml, 'ports.yaml');
    const c = convertLegacy(cfg, V1);
    expect(c.refusals).toEqual([]);
    const viewer = c.objects.find((o) => o.metadata.name === 'viewer-httpbin');
    expect((viewer?.spec as { rules: unknown[] }).rules[0]).toEqual(
      { to: [{ operation: { methods: ['GET'], paths: ['/api/*', '/healthz'], notPaths: ['/healthz'] } }], when: [{ key: 'request.auth.claims[role]', values: ['reader'] }] });
    // Different trigger rules on the two ports cannot be one rule: still refused.
    const differ = parseConfigText(yaml.replace('{exact: /healthz}]}]}}]\n---\napiVersion: rbac', '{exact: /ready}]}]}}]\n---\napiVersion: rbac'), 'ports.yaml');
    expect(convertLegacy(differ, V1).refusals.map((d) => d.code)).toEqual(['TM_CONVERT_UNSUPPORTED']);
  });

  it('includedPaths together with rule paths cannot be one rule: refused at the subject', () => {
    const c = convertLegacy(parseConfigText(input(', included_paths: [{prefix: /api}]'), 'rbac.yaml'), V1);
    expect(c.refusals.map((d) => `${d.code} ${d.location?.file}:${d.location?.line}`)).toEqual(['TM_CONVERT_UNSUPPORTED rbac.yaml:33']);
    expect(c.refusals[0].message).toContain('subject 0 needs a verified token');
  });
});
