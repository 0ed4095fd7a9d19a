// One test per 1.x semantic rule, each citing the proto field or doc it follows
// (istio/api 1.4 authentication/v1alpha1/policy.proto, rbac/v1alpha1/rbac.proto; ../shared/istio/legacy/).
import { describe, expect, it } from 'vitest';
import { config, decide, RequestInput } from '../evaluate-helpers';

const WORKLOAD = `
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {app: httpbin}
  ports: [{name: http, port: 80, targetPort: 8000}, {name: admin, port: 81, targetPort: 9000}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: foo}
spec:
  template:
    metadata: {labels: {app: httpbin, version: v1}}
    spec: {serviceAccountName: httpbin, containers: [{name: c, ports: [{containerPort: 8000}, {containerPort: 9000}]}]}
`;
const DEST: RequestInput = { destNamespace: 'foo', labels: { app: 'httpbin', version: 'v1' }, port: 8000 };
const policy = (name: string, ns: string, spec: string, kind = 'Policy'): string =>
  `---\napiVersion: authentication.istio.io/v1alpha1\nkind: ${kind}\nmetadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}\nspec:\n${spec}\n`;
const rbac = (spec: string): string => `---\napiVersion: rbac.istio.io/v1alpha1\nkind: ClusterRbacConfig\nmetadata: {name: default}\nspec:\n${spec}\n`;
const role = (rules: string): string => `---\napiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRole\nmetadata: {name: r, namespace: foo}\nspec:\n  rules:\n${rules}\n`;
const binding = (subjects: string): string =>
  `---\napiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRoleBinding\nmetadata: {name: b, namespace: foo}\nspec:\n  roleRef: {kind: ServiceRole, name: r}\n  subjects:\n${subjects}\n`;
const outcome = (yaml: string, req: RequestInput = {}): string => decide(config(WORKLOAD + yaml), { ...DEST, ...req }).outcome;
const PEER = 'cluster.local/ns/dev/sa/sleep';
const LEARNER = { status: 'valid', claims: { iss: 'issuer-a', sub: 'alice', role: 'learner' } };

describe('authentication Policy (policy.proto)', () => {
  it('an empty `mtls: {}` is STRICT (MutualTls.Mode STRICT = 0): plaintext is refused', () => {
    expect(outcome(policy('default', '', '  peers: [{mtls: {}}]', 'MeshPolicy'), { principal: null })).toBe('DENY_CONN');
  });

  it('PERMISSIVE, and STRICT with peerIsOptional, accept plaintext', () => {
    expect(outcome(policy('default', 'foo', '  peers: [{mtls: {mode: PERMISSIVE}}]'), { principal: null })).toBe('ALLOW');
    expect(outcome(policy('default', 'foo', '  peers: [{mtls: {}}]\n  peerIsOptional: true'), { principal: null })).toBe('ALLOW');
  });

  it('resolution: a service-and-port targeted Policy beats the namespace default, which beats MeshPolicy default', () => {
    const yaml = policy('default', '', '  peers: [{mtls: {}}]', 'MeshPolicy') + policy('default', 'foo', '  peers: [{mtls: {mode: PERMISSIVE}}]')
      + policy('admin-strict', 'foo', '  targets: [{name: httpbin, ports: [{number: 81}]}]\n  peers: [{mtls: {}}]');
    expect(outcome(yaml, { principal: null })).toBe('ALLOW');
    expect(outcome(yaml, { principal: null, port: 9000 })).toBe('DENY_CONN');
    expect(outcome(yaml, { principal: null, destNamespace: 'bar', labels: { app: 'x' } })).toBe('DENY_CONN');
  });

  it('origins: a request without a token fails with 401 unless originIsOptional', () => {
    const origins = '  origins: [{jwt: {issuer: issuer-a, jwksUri: "https://a/jwks"}}]';
    expect(outcome(policy('default', 'foo', origins))).toBe('DENY_401');
    expect(outcome(policy('default', 'foo', `${origins}\n  originIsOptional: true`))).toBe('ALLOW');
    expect(outcome(policy('default', 'foo', origins), { jwt: LEARNER })).toBe('ALLOW');
    expect(outcome(policy('default', 'foo', origins), { jwt: { status: 'valid', claims: { iss: 'other' } } })).toBe('DENY_401');
  });

  it('triggerRules: excludedPaths skip JWT validation, includedPaths limit it (Jwt.TriggerRule)', () => {
    const origins = '  origins: [{jwt: {issuer: issuer-a, triggerRules: [{excludedPaths: [{exact: /health}], includedPaths: [{prefix: /api}]}]}}]';
    expect(outcome(policy('default', 'foo', origins), { path: '/api/x' })).toBe('DENY_401');
    expect(outcome(policy('default', 'foo', origins), { path: '/health' })).toBe('ALLOW');
    expect(outcome(policy('default', 'foo', origins), { path: '/other' })).toBe('ALLOW');
  });

  it('triggerRules: on an excluded path a valid token is not looked at, so it grants no claim (the known gap vs v1)', () => {
    const yaml = policy('default', 'foo', '  origins: [{jwt: {issuer: issuer-a, triggerRules: [{excludedPaths: [{prefix: /static/}]}]}}]\n  principalBinding: USE_ORIGIN')
      + rbac('  mode: ON') + role('  - services: ["*"]') + binding('  - properties: {"request.auth.claims[role]": learner}');
    expect(outcome(yaml, { jwt: LEARNER, path: '/api' })).toBe('ALLOW');
    expect(outcome(yaml, { jwt: LEARNER, path: '/static/app.css' })).toBe('DENY_403');
  });

  // istio/proxy 1.4.10: setPrincipal(binding) feeds request.auth.principal only; source.principal
  // (RBAC user, names, source.principal) is the peer certificate's whatever the binding.
  it('principalBinding picks request.auth.principal (origin iss/sub under USE_ORIGIN, the peer under USE_PEER); RBAC users stay the peer', () => {
    const authn = policy('default', 'foo', '  peers: [{mtls: {}}]\n  origins: [{jwt: {issuer: issuer-a}}]\n  principalBinding: USE_ORIGIN');
    const grant = (subject: string): string => authn + rbac('  mode: ON') + role('  - services: ["*"]') + binding(subject);
    const byOrigin = grant('  - properties: {request.auth.principal: issuer-a/alice}');
    expect(outcome(byOrigin, { jwt: LEARNER })).toBe('ALLOW');
    expect(outcome(byOrigin.replace('USE_ORIGIN', 'USE_PEER'), { jwt: LEARNER })).toBe('DENY_403');
    expect(outcome(grant('  - user: issuer-a/alice'), { jwt: LEARNER })).toBe('DENY_403');
    expect(outcome(grant(`  - user: ${PEER}`), { jwt: LEARNER })).toBe('ALLOW');
    const peerAsRequestPrincipal = grant(`  - properties: {request.auth.principal: ${PEER}}`).replace('USE_ORIGIN', 'USE_PEER');
    expect(outcome(peerAsRequestPrincipal, { jwt: LEARNER })).toBe('ALLOW');
  });
});

describe('RBAC (rbac.proto)', () => {
  const grantGet = role('  - services: [httpbin.foo.svc.cluster.local]\n    methods: [GET]') + binding('  - user: "*"');

  it('modes: OFF allows, ON enforces, ON_WITH_INCLUSION / ON_WITH_EXCLUSION by namespace and service', () => {
    expect(outcome(rbac('  mode: "OFF"') + grantGet, { method: 'POST' })).toBe('ALLOW');
    expect(outcome(rbac('  mode: ON') + grantGet, { method: 'POST' })).toBe('DENY_403');
    expect(outcome(rbac('  mode: ON_WITH_INCLUSION\n  inclusion: {namespaces: [bar]}') + grantGet, { method: 'POST' })).toBe('ALLOW');
    expect(outcome(rbac('  mode: ON_WITH_INCLUSION\n  inclusion: {services: [httpbin.foo.svc.cluster.local]}') + grantGet, { method: 'POST' })).toBe('DENY_403');
    expect(outcome(rbac('  mode: ON_WITH_EXCLUSION\n  exclusion: {namespaces: [foo]}') + grantGet, { method: 'POST' })).toBe('ALLOW');
  });

  it('enforcementMode PERMISSIVE logs a denial instead of enforcing it', () => {
    const d = decide(config(WORKLOAD + rbac('  mode: ON\n  enforcementMode: PERMISSIVE') + grantGet), { ...DEST, method: 'POST' });
    expect(d.outcome).toBe('ALLOW');
    expect(d.explanation).toMatch(/enforcementMode is PERMISSIVE/);
  });

  it('a user "*" matches a request without any identity (the 1.x quirk)', () => {
    expect(outcome(rbac('  mode: ON') + grantGet, { principal: null })).toBe('ALLOW');
  });

  it('constraints: destination.labels, destination.port and request.headers', () => {
    const r = (c: string): string => rbac('  mode: ON') + role(`  - services: ["*"]\n    constraints: [${c}]`) + binding('  - user: "*"');
    expect(outcome(r('{key: "destination.labels[version]", values: [v1]}'))).toBe('ALLOW');
    expect(outcome(r('{key: "destination.labels[version]", values: [v2]}'))).toBe('DENY_403');
    expect(outcome(r('{key: destination.port, values: ["9000"]}'))).toBe('DENY_403');
    expect(outcome(r('{key: "request.headers[x-team]", values: ["blue*"]}'), { headers: { 'x-team': 'blue-1' } })).toBe('ALLOW');
  });

  it('subject properties: source.namespace, source.ip and request.auth.claims', () => {
    const r = (props: string): string => rbac('  mode: ON') + policy('default', 'foo', '  peers: [{mtls: {}}]\n  origins: [{jwt: {issuer: issuer-a}}]\n  originIsOptional: true')
      + role('  - services: ["*"]') + binding(`  - properties: {${props}}`);
    expect(outcome(r('source.namespace: dev'))).toBe('ALLOW');
    expect(outcome(r('source.namespace: prod'))).toBe('DENY_403');
    expect(outcome(r('source.ip: 10.0.0.0/24'))).toBe('ALLOW');
    expect(outcome(r('"request.auth.claims[role]": learner'), { jwt: LEARNER })).toBe('ALLOW');
    expect(outcome(r('"request.auth.claims[role]": learner'))).toBe('DENY_403');
  });

  // pilot 1.4.10 pilot/pkg/security/authz/model (principal.go, permission.go, matcher/): `*` is Envoy
  // `any` only for the peer identity; elsewhere a presence match (header present_match, metadata regex
  // `.*`, a label the workload has), which an absent value fails.
  it('`*` in properties and constraints needs the value present; only user/names/source.principal `*` match anyone', () => {
    const authn = policy('default', 'foo', '  peers: [{mtls: {mode: PERMISSIVE}}]\n  origins: [{jwt: {issuer: issuer-a}}]\n  originIsOptional: true');
    const bound = (props: string): string => rbac('  mode: ON') + authn + role('  - services: ["*"]') + binding(`  - properties: {${props}}`);
    expect(outcome(bound('source.principal: "*"'), { principal: null })).toBe('ALLOW');
    // `names: ["*"]` never reaches the evaluator: istiod 1.2+ refuses it (checkServiceRoleBinding), and so does the loader.
    expect(() => outcome(rbac('  mode: ON') + authn + role('  - services: ["*"]') + binding('  - names: ["*"]'), { principal: null }))
      .toThrow(/do not use \* for names/);
    expect(outcome(bound('source.namespace: "*"'))).toBe('ALLOW');
    expect(outcome(bound('source.namespace: "*"'), { principal: null })).toBe('DENY_403');
    expect(outcome(bound('source.namespace: "*"'), { principal: null, protocol: 'TCP' })).toBe('DENY_CONN');
    expect(outcome(bound('"request.auth.claims[role]": "*"'), { jwt: LEARNER })).toBe('ALLOW');
    expect(outcome(bound('"request.auth.claims[role]": "*"'))).toBe('DENY_403');
    expect(outcome(bound('request.auth.principal: "*"'), { principal: null })).toBe('DENY_403');
    expect(outcome(bound('request.auth.principal: "*"'))).toBe('ALLOW'); // USE_PEER: the peer's principal
    expect(outcome(bound('source.ip: "*"'))).toBe('ALLOW'); // not a CIDR: pilot drops it
    const constrained = (c: string): string => rbac('  mode: ON') + role(`  - services: ["*"]\n    constraints: [${c}]`) + binding('  - user: "*"');
    expect(outcome(constrained('{key: "request.headers[x-team]", values: ["*"]}'), { headers: { 'x-team': '' } })).toBe('ALLOW');
    expect(outcome(constrained('{key: "request.headers[x-team]", values: ["*"]}'))).toBe('DENY_403');
    expect(outcome(constrained('{key: "destination.labels[version]", values: ["*"]}'))).toBe('ALLOW');
    expect(outcome(constrained('{key: "destination.labels[track]", values: ["*"]}'))).toBe('DENY_403');
    expect(outcome(constrained('{key: destination.port, values: ["*"]}'))).toBe('ALLOW');
  });

  it('paths are matched after Envoy normalize_path (on in pilot 1.4), the query kept', () => {
    const r = rbac('  mode: ON') + role('  - services: ["*"]\n    paths: ["/admin", "/api?x=1"]') + binding('  - user: "*"');
    expect(outcome(r, { path: '/./admin' })).toBe('ALLOW');
    expect(outcome(r, { path: '/x/../admin' })).toBe('ALLOW');
    expect(outcome(r, { path: '/%61dmin' })).toBe('ALLOW');
    expect(outcome(r, { path: '/./api?x=1' })).toBe('ALLOW');
    expect(outcome(r, { path: '/admin/' })).toBe('DENY_403');
    const origins = '  origins: [{jwt: {issuer: issuer-a, triggerRules: [{excludedPaths: [{exact: /health}]}]}}]';
    expect(outcome(policy('default', 'foo', origins), { path: '/a/../health' })).toBe('ALLOW');
  });

  it('TCP: any paths/methods list (even `*`) or group makes a rule or subject HTTP-only (pilot ValidateForTCP)', () => {
    expect(outcome(rbac('  mode: ON') + role('  - services: ["*"]\n    paths: ["*"]') + binding('  - user: "*"'), { protocol: 'TCP' })).toBe('DENY_CONN');
    expect(outcome(rbac('  mode: ON') + role('  - services: ["*"]') + binding('  - group: "*"'), { protocol: 'TCP' })).toBe('DENY_CONN');
  });

  it('TCP: rules with HTTP-only fields never match, and the denial closes the connection', () => {
    expect(outcome(rbac('  mode: ON') + grantGet, { protocol: 'TCP' })).toBe('DENY_CONN');
    expect(outcome(rbac('  mode: ON') + role('  - services: ["*"]') + binding('  - user: "*"'), { protocol: 'TCP' })).toBe('ALLOW');
  });

  it('Istio 1.5 coexistence: a workload any v1beta1 policy selects is decided by v1beta1 alone', () => {
    const v1beta1 = '---\napiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: allow-all, namespace: foo}\nspec: {rules: [{}]}\n';
    expect(outcome(rbac('  mode: ON') + grantGet + v1beta1, { method: 'POST' })).toBe('ALLOW');
    expect(outcome(rbac('  mode: ON') + grantGet, { method: 'POST' })).toBe('DENY_403');
  });
});
