// The access matrix on small hand-written policies: each test names the Istio rule it relies on
// (istio.io/latest/docs/reference/config/security/authorization-policy/ unless said otherwise).
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { meshConfig } from '../../../src/analysis/config/mesh-config';
import { buildAccessMatrix } from '../../../src/analysis/matrix/matrix';

function matrix(yaml: string, mesh = meshConfig()) {
  const config = parseConfigText(yaml, 'test.yaml');
  const errors = config.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join('\n'));
  return buildAccessMatrix(config, { meshConfig: mesh });
}

function policy(name: string, spec: string, namespace = 'foo'): string {
  return `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: ${namespace}}
spec:
${spec.replace(/^/gm, '  ')}
---
`;
}

const HTTPBIN = `apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: foo}
spec:
  template:
    metadata: {labels: {app: httpbin}}
    spec:
      serviceAccountName: httpbin
      containers: [{name: httpbin, ports: [{containerPort: 8000}, {containerPort: 9000}]}]
---
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {app: httpbin}
  ports: [{name: http, port: 8000}, {name: tcp-raw, port: 9000}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: dev}
spec:
  template:
    metadata: {labels: {app: sleep}}
    spec: {serviceAccountName: sleep, containers: [{name: sleep}]}
---
`;

const STRICT_FOO = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec: {mtls: {mode: STRICT}}
---
`;

describe('rows and columns', () => {
  it('has a row per service account of workloads and policies, "<ns>/*" for named namespaces, plaintext and any other identity', () => {
    const m = matrix(HTTPBIN
      + policy('p', 'selector: {matchLabels: {app: httpbin}}\nrules: [{from: [{source: {serviceAccounts: [client]}}]}]')
      + policy('q', 'rules: [{from: [{source: {namespaces: [prod]}}]}]'));
    expect(m.sources.map((s) => s.id)).toEqual(['dev/sleep', 'foo/client', 'foo/httpbin', 'prod/*', 'plaintext', '*']);
    // serviceAccounts: [client] means the policy's namespace (foo).
    expect(m.sources.find((s) => s.id === 'foo/client')?.principal).toBe('cluster.local/ns/foo/sa/client');
    expect(m.sources.find((s) => s.id === 'plaintext')?.principal).toBeNull();
  });

  it('has a column per workload, with the protocol of its Service ports (Istio protocol selection by port name)', () => {
    const m = matrix(HTTPBIN);
    expect(m.destinations.map((d) => d.id)).toEqual(['dev/sleep', 'foo/httpbin']);
    expect(m.destinations[1].ports).toEqual([{ port: 8000, protocol: 'HTTP' }, { port: 9000, protocol: 'TCP' }]);
    expect(m.destinations[0].ports).toBeUndefined();
  });

  it('falls back to policy selectors, plus "<ns>/*" when a namespace-wide policy applies, for policy-only output', () => {
    const m = matrix(policy('allow-nothing', '{}') + policy('a', 'selector: {matchLabels: {app: reviews, version: v1}}\nrules: [{}]')
      + policy('b', 'selector: {matchLabels: {app: details}}\nrules: [{}]'));
    expect(m.destinations.map((d) => d.id)).toEqual(['foo/details', 'foo/reviews{version=v1}', 'foo/*']);
    expect(m.cell('*', 'foo/*')?.status).toBe('denied');
    expect(m.cell('*', 'foo/details')?.status).toBe('allowed');
  });
});

describe('cells', () => {
  it('allows every source everything when no AuthorizationPolicy applies', () => {
    const m = matrix(HTTPBIN);
    for (const s of m.sources) expect(m.cell(s.id, 'foo/httpbin')).toMatchObject({ status: 'allowed', summary: 'all' });
  });

  it('denies every source with an allow-nothing policy (`spec: {}`: an ALLOW policy that matches nothing)', () => {
    const m = matrix(HTTPBIN + policy('allow-nothing', '{}'));
    for (const s of m.sources) expect(m.cell(s.id, 'foo/httpbin')?.status).toBe('denied');
    expect(m.cell('dev/sleep', 'dev/sleep')?.status).toBe('allowed');
  });

  it('lets DENY override ALLOW: allow-all minus a DENY on POST leaves every other method', () => {
    const m = matrix(HTTPBIN + policy('allow-all', 'rules: [{}]') + policy('deny-post', `action: DENY
rules: [{to: [{operation: {methods: [POST], ports: ["8000"]}}]}]`));
    const cell = m.cell('dev/sleep', 'foo/httpbin');
    expect(cell?.status).toBe('partial');
    expect(cell?.summary).toBe('any method except POST on port 8000; TCP on port 9000');
  });

  it('matches `namespaces` on the peer identity: every identity in dev, not plaintext (which has none)', () => {
    const m = matrix(HTTPBIN + policy('from-dev', `selector: {matchLabels: {app: httpbin}}
rules: [{from: [{source: {namespaces: [dev]}}], to: [{operation: {methods: [GET]}}]}]`));
    expect(m.sources.map((s) => s.id)).toContain('dev/*');
    expect(m.cell('dev/sleep', 'foo/httpbin')?.summary).toBe('GET on port 8000');
    expect(m.cell('dev/*', 'foo/httpbin')?.summary).toBe('GET on port 8000');
    expect(m.cell('foo/httpbin', 'foo/httpbin')?.status).toBe('denied');
    expect(m.cell('plaintext', 'foo/httpbin')?.status).toBe('denied');
    // One source class for both dev rows, one for the others.
    expect(m.columns.find((c) => c.destination.id === 'foo/httpbin')?.groups.map((g) => g.sources)).toEqual([
      ['dev/sleep', 'dev/*'], ['foo/httpbin', 'plaintext', '*'],
    ]);
  });

  it('drops an ALLOW rule with HTTP-only fields on a TCP port, so methods allow nothing there (authz-tcp)', () => {
    const m = matrix(HTTPBIN + policy('get', 'selector: {matchLabels: {app: httpbin}}\nrules: [{to: [{operation: {methods: [GET]}}]}]'));
    const cell = m.cell('dev/sleep', 'foo/httpbin');
    expect(cell?.summary).toBe('GET on port 8000');
    expect(cell?.ports.find((p) => p.port === 9000)).toMatchObject({ protocol: 'TCP', status: 'denied' });
  });

  it('ignores HTTP-only fields of a DENY rule on a TCP port, so a DENY on POST denies all TCP traffic', () => {
    const m = matrix(HTTPBIN + policy('deny-post', 'action: DENY\nrules: [{to: [{operation: {methods: [POST]}}]}]'));
    const cell = m.cell('dev/sleep', 'foo/httpbin');
    expect(cell?.summary).toBe('any method except POST on port 8000');
    expect(cell?.ports.find((p) => p.port === 9000)?.status).toBe('denied');
  });

  it('refuses plaintext at the connection on a STRICT port (PeerAuthentication), and evaluates it on PERMISSIVE', () => {
    const strict = matrix(HTTPBIN + STRICT_FOO);
    expect(strict.cell('plaintext', 'foo/httpbin')).toMatchObject({ status: 'denied', refusedBy: 'foo/default' });
    expect(strict.cell('dev/sleep', 'foo/httpbin')?.status).toBe('allowed');
    const permissive = matrix(HTTPBIN);
    expect(permissive.cell('plaintext', 'foo/httpbin')?.status).toBe('allowed');
  });

  it('applies portLevelMtls: plaintext refused on the STRICT port only', () => {
    const m = matrix(`${HTTPBIN}apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  mtls: {mode: PERMISSIVE}
  portLevelMtls: {"9000": {mode: STRICT}}
`);
    expect(m.cell('plaintext', 'foo/httpbin')).toMatchObject({ status: 'partial', summary: 'any request on port 8000' });
  });

  it('does not see peer identities on a DISABLE port, so an ALLOW on principals denies there', () => {
    const m = matrix(`${HTTPBIN}${policy('from-sleep', 'selector: {matchLabels: {app: httpbin}}\nrules: [{from: [{source: {principals: [cluster.local/ns/dev/sa/sleep]}}]}]')}`
      + `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  portLevelMtls: {"9000": {mode: DISABLE}}
`);
    expect(m.cell('dev/sleep', 'foo/httpbin')).toMatchObject({ status: 'partial', summary: 'any request on port 8000' });
  });

  it('writes end-user requirements as "with a token from <issuer> where <claim>=<value>" (RequestAuthentication + requestPrincipals)', () => {
    const m = matrix(`${HTTPBIN}apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  jwtRules: [{issuer: istio-succinctly.io, jwksUri: "https://example.com/jwks.json"}]
---
${policy('learners', `selector: {matchLabels: {app: httpbin}}
rules:
- from: [{source: {requestPrincipals: ["istio-succinctly.io/*"]}}]
  to: [{operation: {methods: [GET], ports: ["8000"]}}]
  when: [{key: "request.auth.claims[role]", values: [learner]}]`)}`);
    expect(m.cell('dev/sleep', 'foo/httpbin')?.summary).toBe('GET with a token from istio-succinctly.io where role=learner on port 8000');
  });

  it('treats a request without a token as having no request principal (RequestAuthentication alone does not require one)', () => {
    const m = matrix(`${HTTPBIN}apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: foo}
spec:
  jwtRules: [{issuer: https://issuer.example.com, jwksUri: "https://issuer.example.com/jwks.json"}]
---
${policy('require-jwt', `action: DENY
selector: {matchLabels: {app: httpbin}}
rules: [{from: [{source: {notRequestPrincipals: ["*"]}}], to: [{operation: {notPaths: [/healthz], ports: ["8000"]}}]}]`)}`);
    expect(m.cell('dev/sleep', 'foo/httpbin')?.summary)
      .toBe('requests with a token from https://issuer.example.com or requests to /healthz on port 8000; TCP on port 9000');
  });

  it('splits plaintext by ipBlocks (source.ip is the downstream address)', () => {
    const m = matrix(HTTPBIN + policy('office', 'selector: {matchLabels: {app: httpbin}}\nrules: [{from: [{source: {ipBlocks: [10.0.0.0/8]}}], to: [{operation: {ports: ["9000"]}}]}]'));
    expect(m.cell('plaintext', 'foo/httpbin')?.summary).toBe('TCP from 10.0.0.0/8 on port 9000');
  });

  it('writes excluded address blocks as "from any source ip except …" (notIpBlocks)', () => {
    const m = matrix(HTTPBIN + policy('not-office', 'selector: {matchLabels: {app: httpbin}}\nrules: [{from: [{source: {notIpBlocks: [10.0.0.0/8]}}], to: [{operation: {methods: [GET]}}]}]'));
    expect(m.cell('plaintext', 'foo/httpbin')?.summary).toBe('GET from any source ip except 10.0.0.0/8 on port 8000');
  });

  it('describes excluded patterns as "any path except …" (notPaths)', () => {
    const m = matrix(HTTPBIN + policy('public', 'selector: {matchLabels: {app: httpbin}}\nrules: [{to: [{operation: {notPaths: ["/admin*"], ports: ["8000"]}}]}]'));
    expect(m.cell('*', 'foo/httpbin')?.summary).toBe('any path except /admin* on port 8000');
  });

  it('uses the ports the policies name plus "any other port" when a destination declares none', () => {
    const m = matrix(policy('web', 'selector: {matchLabels: {app: web}}\nrules: [{to: [{operation: {ports: ["8080"], methods: [GET]}}]}]'));
    const cell = m.cell('*', 'foo/web');
    expect(cell?.summary).toBe('GET on port 8080');
    expect(cell?.ports.map((p) => `${p.port}/${p.protocol}:${p.status}`)).toEqual(['8080/HTTP:partial', '8080/TCP:denied', 'other/HTTP:denied', 'other/TCP:denied']);
  });

  it('shows what several rules allow as alternatives, per port', () => {
    const m = matrix(HTTPBIN + policy('two', `selector: {matchLabels: {app: httpbin}}
rules:
- to: [{operation: {methods: [GET], paths: [/status/*]}}]
- to: [{operation: {methods: [POST], paths: [/post]}}]`));
    expect(m.cell('*', 'foo/httpbin')?.summary).toBe('GET /status/* or POST /post on port 8000');
  });

  it('tells "all" from "nothing" when the policies split requests by source only (no request dimensions)', () => {
    const m = matrix(HTTPBIN + policy('from-sleep', `selector: {matchLabels: {app: httpbin}}
rules: [{from: [{source: {principals: [cluster.local/ns/dev/sa/sleep]}}]}]`));
    expect(m.cell('dev/sleep', 'foo/httpbin')).toMatchObject({ status: 'allowed', summary: 'all' });
    expect(m.cell('*', 'foo/httpbin')?.status).toBe('denied');
    expect(m.cell('plaintext', 'foo/httpbin')?.status).toBe('denied');
  });

  it('is deterministic: the same input gives the same cells', () => {
    const yaml = HTTPBIN + policy('p', 'rules: [{to: [{operation: {methods: [GET, POST], paths: ["/a*", "/b"]}}]}]');
    expect(JSON.stringify(matrix(yaml).columns)).toBe(JSON.stringify(matrix(yaml).columns));
  });
});
