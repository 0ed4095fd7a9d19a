import * as path from 'path';
import { describe, expect, test } from 'vitest';
import { Enforcement, HttpMethod, JwtIssuer, Mesh, MeshService, MtlsMode, Peer, Port } from '../../src';
import { TrustmeshError, TrustmeshUsageError } from '../../src/errors';
import { catchTrustmesh, tempApp } from '../helpers';

const ISSUER = JwtIssuer.of({ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' });

function base() {
  const app = tempApp();
  const mesh = new Mesh(app, 'm');
  const ns = mesh.addNamespace('a');
  const api = ns.addService('api', { ports: [Port.http(80), Port.tcp(5432)] });
  const client = ns.addService('client');
  return { app, mesh, ns, api, client };
}

/** Each local-input error code, with the call that triggers it and a message pattern. */
const LOCAL_ERRORS: [string, RegExp, () => unknown][] = [
  ['TM_INVALID_NAME', /namespace name is not a valid DNS-1123 label/, () => base().mesh.addNamespace('Bad_NS')],
  ['TM_INVALID_NAME', /service account is not a valid DNS-1123 subdomain/, () => base().ns.addService('x', { serviceAccount: 'SA' })],
  ['TM_INVALID_PORT', /service port is out of range/, () => Port.http(70000)],
  ['TM_INVALID_CIDR', /IP block/, () => Peer.ipBlocks(['10.0.0.1/40'])],
  ['TM_INVALID_METHOD', /unknown HTTP method/, () => { const b = base(); b.api.allowFrom(b.client, { methods: ['get'] }); }],
  ['TM_INVALID_PATH', /does not start with "\/"/, () => { const b = base(); b.api.allowFrom(b.client, { paths: ['api'] }); }],
  ['TM_INVALID_PATH_TEMPLATE', /operator after "\{\*\*\}"/, () => { const b = base(); b.api.allowFrom(b.client, { paths: ['/a/{**}/{*}'] }); }],
  ['TM_EMPTY_CLAIM_VALUES', /claim "role" has no accepted values/, () => Peer.endUsers(ISSUER, { claims: { role: [] } })],
  ['TM_INVALID_CLAIM', /claim name/, () => Peer.endUsers(ISSUER, { claims: { 'a[b]': 'x' } })],
  ['TM_INVALID_SUBJECT', /end-user subject is empty/, () => Peer.endUsers(ISSUER, { subjects: ['alice', ''] })],
  ['TM_EMPTY_MATCH_LIST', /"methods" is an empty list/, () => { const b = base(); b.api.allowFrom(b.client, { methods: [] }); }],
  ['TM_UNKNOWN_PORT', /port 8080 is not a port of service a\/api/, () => { const b = base(); b.api.allowFrom(b.client, { ports: [8080] }); }],
  ['TM_HTTP_MATCH_ON_TCP_PORT', /non-HTTP port\(s\) 5432/, () => { const b = base(); b.api.denyFrom(b.client, { ports: [5432], methods: [HttpMethod.POST] }); }],
  ['TM_HTTP_MATCH_WITHOUT_HTTP_PORT', /has no HTTP port/, () => { const b = base(); b.ns.addService('db', { ports: [Port.tcp(5432)] }).allowFrom(b.client, { paths: ['/x'] }); }],
  ['TM_INVALID_HOST', /host pattern/, () => { const b = base(); b.api.allowFrom(b.client, { hosts: ['a/b'] }); }],
  ['TM_INVALID_HEADER_NAME', /not a valid HTTP header name/, () => { const b = base(); b.api.allowFrom(b.client, { headers: { 'bad header': 'x' } }); }],
  ['TM_INVALID_JWT_ISSUER', /needs exactly one of jwksUri and jwks/, () => JwtIssuer.of({ issuer: 'x' })],
  ['TM_INVALID_JWT_ISSUER', /jwksUri that is not an http\(s\) URL/, () => JwtIssuer.of({ issuer: 'x', jwksUri: 'ftp://x/jwks' })],
  ['TM_JWKS_PRIVATE_KEY', /private key material/, () => JwtIssuer.of({ issuer: 'x', jwks: '{"keys":[{"kty":"EC","d":"secret"}]}' })],
  ['TM_INVALID_ISTIO_VERSION', /not a valid Istio 1.x version/, () => new Mesh(tempApp(), 'm', { istioVersion: '2.0' })],
  ['TM_VERSION_UNSUPPORTED_FEATURE', /path templates .* needs Istio 1\.22/, () => {
    const mesh = new Mesh(tempApp(), 'm', { istioVersion: '1.21' });
    const ns = mesh.addNamespace('a');
    ns.addService('x', { ports: [Port.http(80)] }).allowFrom(Peer.anyone(), { paths: ['/u/{*}'] });
  }],
  ['TM_VERSION_UNSUPPORTED_FEATURE', /fromCookies needs Istio 1\.22/, () => {
    const mesh = new Mesh(tempApp(), 'm', { istioVersion: '1.21' });
    const x = mesh.addNamespace('a').addService('x', { ports: [Port.http(80)] });
    x.requireJwt(JwtIssuer.of({ issuer: 'i', jwksUri: 'https://i/jwks', fromCookies: ['session'] }));
  }],
  ['TM_VERSION_UNSUPPORTED_FEATURE', /remoteIpBlocks .* needs Istio 1\.8/, () => {
    const mesh = new Mesh(tempApp(), 'm', { istioVersion: '1.7' });
    mesh.addNamespace('a').addService('x', { ports: [Port.http(80)] }).allowFrom(Peer.remoteIpBlocks(['1.2.3.4']));
  }],
  ['TM_DRY_RUN_AUDIT', /cannot be dry-run/, () => { const b = base(); b.api.auditFrom(b.client, { enforcement: Enforcement.DRY_RUN }); }],
  ['TM_JWT_ALREADY_REQUIRED', /already called/, () => { const b = base(); b.api.requireJwt(ISSUER); b.api.requireJwt(ISSUER); }],
  ['TM_CONFLICTING_END_USERS', /already an end-user requirement/, () => {
    const b = base(); b.api.allowFrom(Peer.endUsers(ISSUER), { onBehalfOf: Peer.endUsers(ISSUER) });
  }],
  ['TM_POLICY_ON_OUT_OF_MESH_SERVICE', /runs without a sidecar/, () => { const b = base(); b.ns.addService('legacy', { inMesh: false }).allowFrom(b.client); }],
  ['TM_POLICY_ON_OUT_OF_MESH_SERVICE', /no sidecar to apply mTLS/, () => base().ns.addService('legacy', { inMesh: false, mtls: MtlsMode.STRICT })],
  ['TM_IPBLOCKS_ON_MESH_SERVICE', /ipBlocks only identify services outside the mesh/, () => base().ns.addService('x', { ipBlocks: ['10.0.0.0/8'] })],
  ['TM_DUPLICATE_PORT', /declares port 80 twice/, () => base().ns.addService('x', { ports: [Port.http(80), Port.tcp(80, { name: 'tcp-other' })] })],
  ['TM_DUPLICATE_SERVICE', /declared twice/, () => base().ns.addService('api')],
  ['TM_DUPLICATE_NAMESPACE', /declared twice/, () => base().mesh.addNamespace('a')],
  ['TM_ROOT_NAMESPACE_RESERVED', /root namespace/, () => base().mesh.addNamespace('istio-system')],
  ['TM_UNKNOWN_SERVICE', /has no service "nope"/, () => base().mesh.service('a/nope')],
  ['TM_UNKNOWN_NAMESPACE', /has no namespace "b"/, () => base().mesh.service('b/x')],
  ['TM_ISSUER_CONFLICT', /two different configurations/, () => {
    const b = base();
    b.api.allowEndUsers(ISSUER);
    b.api.allowEndUsers(JwtIssuer.of({ issuer: 'https://issuer.example.com', jwksUri: 'https://other/jwks' }));
  }],
  ['TM_INVALID_LABEL', /labels are empty/, () => base().ns.addService('x', { labels: {} })],
];

describe('local input errors', () => {
  test.each(LOCAL_ERRORS)('%s: %s', (code, pattern, trigger) => {
    const e = catchTrustmesh(trigger);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(pattern);
    expect(e.message.startsWith(`${code}: `)).toBe(true);
  });

  test('errors raised in a construct name its path', () => {
    const e = catchTrustmesh(() => { const b = base(); b.api.allowFrom(b.client, { ports: [1] }); });
    expect(e.location?.constructPath).toBe('m/a/api');
    // Where the call is in the caller's code, and the construct it was made on.
    expect(e.message).toMatch(/ at test[\\/]constructs[\\/]errors\.test\.ts:\d+:\d+ \[m\/a\/api\]\n/);
  });

  test('API misuse is a TypeError, not a TrustmeshError, that names the construct and the caller\'s line', () => {
    const b = base();
    expect(() => b.api.allowFrom({} as never)).toThrow(TypeError);
    let thrown: unknown;
    try {
      b.api.allowFrom(undefined as never);
    } catch (e) {
      thrown = e;
    }
    expect(TrustmeshUsageError.isUsageError(thrown)).toBe(true);
    expect((thrown as TrustmeshUsageError).location).toMatchObject({ constructPath: 'm/a/api', file: path.join('test', 'constructs', 'errors.test.ts') });
  });
});

describe('whole-graph checks at synth', () => {
  test('TM_IDENTITY_COLLISION: two services share a service account named by a policy', () => {
    const b = base();
    const x = b.ns.addService('x', { serviceAccount: 'shared' });
    b.ns.addService('y', { serviceAccount: 'shared' });
    b.api.allowFrom(x);
    const e = catchTrustmesh(() => b.app.synthOutput());
    expect(e.code).toBe('TM_SYNTH_FAILED');
    expect(e.message).toMatch(/TM_IDENTITY_COLLISION: services x, y in namespace a share service account "shared"/);
  });

  test('TM_IDENTITY_COLLISION is only a warning when no policy names the identity', () => {
    const warnings: string[] = [];
    const app = tempApp({ onWarning: (d) => warnings.push(d.code) });
    const ns = new Mesh(app, 'm').addNamespace('a');
    ns.addService('x', { serviceAccount: 'shared' });
    ns.addService('y', { serviceAccount: 'shared' });
    app.synthOutput().warnings.forEach((w) => warnings.push(w.code));
    expect(warnings).toContain('TM_IDENTITY_COLLISION');
  });

  test('TM_STRICT_BLOCKS_OUT_OF_MESH_PEER: a plaintext caller towards a STRICT port', () => {
    const b = base();
    const legacy = b.ns.addService('legacy', { inMesh: false });
    b.api.allowFrom(legacy, { ports: [80] });
    const e = catchTrustmesh(() => b.app.synthOutput());
    expect(e.message).toMatch(/TM_STRICT_BLOCKS_OUT_OF_MESH_PEER: .*requires STRICT mTLS on port\(s\) 80/);
    expect(e.message).toMatch(/fix: set mtls: MtlsMode.PERMISSIVE/);
  });

  test('TM_UNKNOWN_PEER: a service of another mesh', () => {
    const app = tempApp();
    const one = new Mesh(app, 'one').addNamespace('a');
    const two = new Mesh(app, 'two').addNamespace('b');
    const x = one.addService('x', { ports: [Port.http(80)] });
    x.allowFrom(two.addService('y'));
    expect(catchTrustmesh(() => app.synthOutput()).message).toMatch(/TM_UNKNOWN_PEER: .*belongs to mesh "two"/);
  });

  test('TM_SELECTOR_OVERLAP: one service\'s labels select another\'s pods', () => {
    const b = base();
    const wide = b.ns.addService('reviews', { labels: { app: 'reviews' }, ports: [Port.http(80)] });
    b.ns.addService('reviews-v2', { labels: { app: 'reviews', version: 'v2' } });
    wide.allowFrom(b.client);
    expect(catchTrustmesh(() => b.app.synthOutput()).message).toMatch(/TM_SELECTOR_OVERLAP: the workload labels of a\/reviews/);
  });

  test('TM_DUPLICATE_OBJECT: a service named "default" collides with the namespace default-deny', () => {
    const b = base();
    b.ns.addService('default', { ports: [Port.http(80)] }).denyFrom(b.client);
    expect(catchTrustmesh(() => b.app.synthOutput()).message).toMatch(/TM_DUPLICATE_OBJECT: AuthorizationPolicy "default-deny"/);
  });

  test('graph errors also fail a plain cdk8s App (as validation messages)', async () => {
    const { App, Testing } = await import('cdk8s');
    const app = new App({ outdir: Testing.app().outdir });
    const ns = new Mesh(app, 'm').addNamespace('a');
    const x = ns.addService('x', { serviceAccount: 'shared', ports: [Port.http(80)] });
    ns.addService('y', { serviceAccount: 'shared' });
    x.allowFrom(ns.service('y'));
    expect(() => app.synth()).toThrow(/TM_IDENTITY_COLLISION/);
  });

  test('errors are TrustmeshErrors with a code (no stack needed to understand them)', () => {
    const e = catchTrustmesh(() => Port.tcp(0));
    expect(e).toBeInstanceOf(TrustmeshError);
    expect(e.message).toMatch(/^TM_INVALID_PORT: service port is out of range at test[\\/]constructs[\\/]errors\.test\.ts:\d+:\d+\n {2}received: 0\n {2}allowed: an integer from 1 to 65535$/);
  });

  test('a service reference resolves imported peers for other namespaces', () => {
    const b = base();
    expect(MeshService.fromAttributes(b.mesh, 'ext', { namespace: 'x', name: 'y' })._toPeerConfig().peer).toMatchObject({ serviceAccount: 'y', inMesh: true });
  });
});
