import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { bookinfoMesh, fooHttpbinMesh, microShakeFactoryMesh } from '../../src/examples';
import { access } from '../../src/testing';
import { find, manifestsOf, tempApp } from '../helpers';

function synth(define: (app: ReturnType<typeof tempApp>) => unknown) {
  const app = tempApp();
  define(app);
  const output = app.synthOutput();
  return { manifests: manifestsOf(app), files: output.files };
}

describe('example: micro-shake-factory', () => {
  const { manifests, files } = synth(microShakeFactoryMesh);

  test('matches the reviewed snapshot', () => {
    expect(Object.fromEntries(files.map((f) => [f.path, f.content]))).toMatchSnapshot();
  });

  test('mesh-wide STRICT mTLS in the root namespace', () => {
    expect(find(manifests, 'PeerAuthentication', 'default', 'istio-system').spec).toEqual({ mtls: { mode: 'STRICT' } });
  });

  test('fruits API: token from istio-succinctly.io required, learners may GET, juice-haters denied', () => {
    expect(find(manifests, 'RequestAuthentication', 'fruits-api-jwt').spec.jwtRules).toEqual([{
      issuer: 'istio-succinctly.io',
      jwksUri: 'https://raw.githubusercontent.com/Istio-Succinctly/Policies/master/Static/jwks.json',
    }]);
    expect(find(manifests, 'AuthorizationPolicy', 'fruits-api-require-jwt').spec.rules[0].from).toEqual([
      { source: { notRequestPrincipals: ['istio-succinctly.io/*'] } },
    ]);
    const allow = find(manifests, 'AuthorizationPolicy', 'fruits-api-allow').spec.rules;
    expect(allow).toEqual([{
      from: [{ source: { requestPrincipals: ['istio-succinctly.io/*'] } }],
      to: [{ operation: { methods: ['GET'] } }],
      when: [{ key: 'request.auth.claims[role]', values: ['learner'] }],
    }]);
    const deny = find(manifests, 'AuthorizationPolicy', 'fruits-api-deny').spec;
    expect(deny.action).toBe('DENY');
    expect(deny.rules[0].when).toEqual([{ key: 'request.auth.claims[role]', values: ['juice-hater'] }]);
    // scoped to the HTTP workload port, so it does not deny all TCP traffic
    expect(deny.rules[0].to).toEqual([{ operation: { ports: ['8080'] } }]);
  });
});

describe('example: bookinfo', () => {
  const { manifests, files } = synth(bookinfoMesh);

  test('matches the reviewed snapshot', () => {
    expect(Object.fromEntries(files.map((f) => [f.path, f.content]))).toMatchSnapshot();
  });

  test('only productpage\'s service account may GET details and reviews v1', () => {
    for (const name of ['details-allow', 'reviews-v1-allow']) {
      expect(find(manifests, 'AuthorizationPolicy', name).spec.rules).toEqual([{
        from: [{ source: { serviceAccounts: ['bookinfo/bookinfo-productpage'] } }],
        to: [{ operation: { methods: ['GET'] } }],
      }]);
    }
    expect(find(manifests, 'AuthorizationPolicy', 'reviews-v1-allow').spec.selector).toEqual({ matchLabels: { app: 'reviews', version: 'v1' } });
    expect(find(manifests, 'AuthorizationPolicy', 'default-deny', 'bookinfo').spec).toEqual({});
  });

  test('egress locked down to the registry plus the Google Books API details calls; every request access-logged', () => {
    expect(find(manifests, 'Sidecar', 'default', 'istio-system').spec).toEqual({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    expect(find(manifests, 'ServiceEntry', 'www-googleapis-com', 'istio-system').spec).toEqual({
      exportTo: ['*'],
      hosts: ['www.googleapis.com'],
      location: 'MESH_EXTERNAL',
      ports: [{ name: 'tls-443', number: 443, protocol: 'TLS' }],
      resolution: 'DNS',
    });
    expect(find(manifests, 'Telemetry', 'mesh-access-logging', 'istio-system').spec).toEqual({ accessLogging: [{ providers: [{ name: 'envoy' }] }] });
    // A reviewer finds the mesh-wide decisions in the root namespace's policy file.
    const root = files.find((f) => f.path === 'bookinfo/istio-system.policy.k8s.yaml')?.content ?? '';
    for (const kind of ['PeerAuthentication', 'ServiceEntry', 'Sidecar', 'Telemetry']) expect(root).toContain(`kind: ${kind}\n`);
  });

  test('NetworkPolicies mirror the intentions in the namespace\'s policy file: default deny, then each caller\'s pods on port 9080', () => {
    expect(find(manifests, 'NetworkPolicy', 'default-deny-ingress', 'bookinfo').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(find(manifests, 'NetworkPolicy', 'allow-ingress-to-ratings', 'bookinfo').spec).toEqual({
      podSelector: { matchLabels: { app: 'ratings' } },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: { app: 'reviews', version: 'v2' } } }], ports: [] },
        { from: [{ podSelector: { matchLabels: { app: 'reviews', version: 'v3' } } }], ports: [] },
      ],
    });
    // The ingress gateway is imported by service account, which a NetworkPolicy cannot select: its namespace.
    expect(find(manifests, 'NetworkPolicy', 'allow-ingress-to-productpage', 'bookinfo').spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: {} }], ports: [] },
    ]);
    const policyFile = files.find((f) => f.path === 'bookinfo/bookinfo.policy.k8s.yaml')?.content ?? '';
    expect(policyFile).toContain('kind: NetworkPolicy\n');
  });

  test('ratings accepts reviews v2 and v3, not v1', () => {
    const from = find(manifests, 'AuthorizationPolicy', 'ratings-allow').spec.rules[0].from;
    expect(from).toEqual([{ source: { serviceAccounts: ['bookinfo/bookinfo-reviews-v2', 'bookinfo/bookinfo-reviews-v3'] } }]);
  });
});

describe('example: foo/httpbin', () => {
  const { manifests, files } = synth(fooHttpbinMesh);

  test('matches the reviewed snapshot', () => {
    expect(Object.fromEntries(files.map((f) => [f.path, f.content]))).toMatchSnapshot();
  });

  test('STRICT mTLS in foo', () => {
    expect(find(manifests, 'PeerAuthentication', 'default', 'foo').spec).toEqual({ mtls: { mode: 'STRICT' } });
  });

  test('JWT from https://issuer.example.com required for app: my-app, health checks exempt', () => {
    const ra = find(manifests, 'RequestAuthentication', 'my-app-jwt').spec;
    expect(ra.selector).toEqual({ matchLabels: { app: 'my-app' } });
    const policy = find(manifests, 'AuthorizationPolicy', 'my-app-require-jwt').spec;
    expect(policy.rules[0].to[0].operation.notPaths).toEqual(['/healthz']);
  });

  test('POST from namespace dev denied on httpbin', () => {
    expect(find(manifests, 'AuthorizationPolicy', 'httpbin-deny').spec.rules).toEqual([{
      from: [{ source: { namespaces: ['dev'] } }],
      to: [{ operation: { methods: ['POST'], ports: ['8080'] } }],
    }]);
  });

  test('output is YAML that parses back to the same objects', () => {
    const reparsed = files.flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS()));
    const key = (m: any) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`;
    const sort = (list: any[]) => [...list].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    expect(sort(reparsed)).toEqual(sort(manifests));
  });
});

describe('example meshes: access as intended (evaluated on the synthesized YAML)', () => {
  test('bookinfo', () => {
    const app = tempApp();
    const mesh = bookinfoMesh(app);
    const ns = mesh.namespace('bookinfo');
    const [productpage, details, reviewsV1, reviewsV2, ratings] = ['productpage', 'details', 'reviews-v1', 'reviews-v2', 'ratings'].map((n) => ns.service(n));
    const check = access(app);
    expect(check.from(productpage).to(details).get('/details/0')).toBeAllowed();
    expect(check.from(productpage).to(details).post('/details/0')).toBeDenied('DENY_403');
    expect(check.from(productpage).to(reviewsV1).get('/reviews/0')).toBeAllowed();
    expect(check.from(details).to(reviewsV1).get('/reviews/0')).toBeDenied('DENY_403');
    expect(check.from(reviewsV2).to(ratings).get('/ratings/0')).toBeAllowed();
    expect(check.from(reviewsV1).to(ratings).get('/ratings/0')).toBeDenied('DENY_403');
    expect(check.from({ namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account' }).to(productpage).get('/productpage')).toBeAllowed();
    expect(check.from({ namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account' }).to(details).get('/details/0')).toBeDenied();
    expect(check.from('plaintext').to(productpage).get('/productpage')).toBeDenied('DENY_CONN');
  });

  test('micro-shake-factory', () => {
    const app = tempApp();
    const mesh = microShakeFactoryMesh(app);
    const ns = mesh.namespace('micro-shake-factory');
    const fruits = ns.service('fruits-api');
    const gateway = { namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account' };
    const check = access(app).from(gateway).to(fruits);
    const learner = { issuer: 'istio-succinctly.io', claims: { role: 'learner' } };
    expect(check.withToken(learner).get('/api/fruits/special')).toBeAllowed();
    expect(check.withToken(learner).post('/api/fruits')).toBeDenied('DENY_403');
    expect(check.withToken({ issuer: 'istio-succinctly.io', claims: { role: 'juice-hater' } }).get('/api/fruits/special')).toBeDenied('DENY_403');
    expect(check.get('/api/fruits/special')).toBeDenied('DENY_403');
    expect(check.withToken({ issuer: 'someone-else.io', claims: { role: 'learner' } }).get('/api/fruits/special')).toBeDenied('DENY_401');
    expect(access(app).from(gateway).to(ns.service('juice-shop-api')).get('/api/juice-shop/hello')).toBeAllowed();
  });

  test('foo/httpbin', () => {
    const app = tempApp();
    const mesh = fooHttpbinMesh(app);
    const foo = mesh.namespace('foo');
    const httpbin = foo.service('httpbin');
    const myApp = foo.service('my-app');
    const dev = { namespace: 'dev', serviceAccount: 'sleep' };
    expect(access(app).from(dev).to(httpbin).post('/post')).toBeDenied('DENY_403');
    expect(access(app).from(dev).to(httpbin).get('/get')).toBeAllowed();
    expect(access(app).from(foo.service('sleep')).to(httpbin).post('/post')).toBeAllowed();
    expect(access(app).from('plaintext').to(httpbin).get('/get')).toBeDenied('DENY_CONN');
    expect(access(app).from(foo.service('sleep')).to(myApp).get('/')).toBeDenied('DENY_403');
    expect(access(app).from(foo.service('sleep')).to(myApp).get('/healthz')).toBeAllowed();
    expect(access(app).from(foo.service('sleep')).to(myApp).withToken({ issuer: 'https://issuer.example.com' }).get('/')).toBeAllowed();
  });
});
