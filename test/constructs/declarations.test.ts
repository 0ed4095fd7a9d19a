import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { describe, expect, test } from 'vitest';
import {
  AccessLogFilter, EgressPort, GatewayCredential, GatewayTls, HttpMethod, JwtIssuer, KubernetesApiServer, Mesh, Peer, Port, renderIstio,
} from '../../src';
import { canonicalJson } from '../../src/private/canonical-json';
import { manifestsOf, tempApp } from '../helpers';

const ISSUER = JwtIssuer.of({ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' });
const HOST = 'shop.example.com';

function fixture() {
  const app = tempApp();
  const mesh = new Mesh(app, 'm', { pathNormalization: 'MERGE_SLASHES' }); // path-based DENYs below hold under it
  const ns = mesh.addNamespace('shop');
  const api = ns.addService('api', { ports: [Port.http(8080)] });
  const client = ns.addService('client');
  const legacy = ns.addService('legacy', { inMesh: false, ports: [Port.http(80)] });
  const gateway = mesh.addIngressGateway('shop');
  gateway.addHttpsServer({ hosts: [HOST], tls: GatewayTls.simple(GatewayCredential.fromSecretName('shop-credential')) });
  return { app, mesh, ns, api, client, legacy, gateway };
}
type Fixture = ReturnType<typeof fixture>;

/** Every public verb that changes what a mesh declares, with a call that exercises it. */
const VERBS: Readonly<Record<string, (f: Fixture) => unknown>> = {
  'Mesh.addNamespace': (f) => f.mesh.addNamespace('extra', { mtls: undefined }),
  'Mesh.addIngressGateway': (f) => f.mesh.addIngressGateway('admin').addHttpServer({ hosts: ['admin.example.com'] }),
  'Mesh.allowEgressTo': (f) => f.mesh.allowEgressTo('api.example.com', { ports: [EgressPort.https(443)] }),
  'Mesh.lockDownEgress': (f) => f.mesh.lockDownEgress(),
  'Mesh.plaintextTo': (f) => f.mesh.plaintextTo(KubernetesApiServer.inCluster()),
  'Mesh.enableAccessLogging': (f) => f.mesh.enableAccessLogging({ filter: AccessLogFilter.errors() }),
  'MeshNamespace.addService': (f) => f.ns.addService('extra', { ports: [Port.http(9090)] }),
  'MeshService.allowFrom': (f) => f.api.allowFrom(f.client, { methods: [HttpMethod.GET] }),
  'MeshService.denyFrom': (f) => f.api.denyFrom(Peer.namespace('dev')),
  'MeshService.auditFrom': (f) => f.api.auditFrom(Peer.anyMeshIdentity(), { paths: ['/admin/*'] }),
  'MeshService.allowEndUsers': (f) => f.api.allowEndUsers(ISSUER, { claims: { role: 'reader' } }),
  'MeshService.requireJwt': (f) => f.api.requireJwt(ISSUER, { exceptPaths: ['/healthz'] }),
  'IngressGateway.addHttpsServer': (f) => f.gateway.addHttpsServer({
    port: 8443, hosts: ['admin.example.com'], tls: GatewayTls.simple(GatewayCredential.fromSecretName('admin-credential')),
  }),
  'IngressGateway.addHttpServer': (f) => f.gateway.addHttpServer({ hosts: [HOST], httpsRedirect: true }),
  'IngressGateway.route': (f) => f.gateway.route(f.api),
  'IngressGateway.allowFrom': (f) => f.gateway.allowFrom(Peer.anyone(), { hosts: [HOST] }),
  'IngressGateway.denyFrom': (f) => f.gateway.denyFrom(Peer.anyone(), { paths: ['/admin/*'] }),
  'IngressGateway.auditFrom': (f) => f.gateway.auditFrom(Peer.anyone(), { hosts: [HOST] }),
  'IngressGateway.allowEndUsers': (f) => f.gateway.allowEndUsers(ISSUER, { claims: { role: 'reader' } }),
  'IngressGateway.allowClientAddresses': (f) => f.gateway.allowClientAddresses(['203.0.113.0/24']),
  'IngressGateway.denyClientAddresses': (f) => f.gateway.denyClientAddresses(['198.51.100.0/24']),
  'IngressGateway.requireJwt': (f) => f.gateway.requireJwt(ISSUER, { hosts: [HOST] }),
};

/** Public methods that declare nothing the policy model holds, and why. */
const NOT_MODEL_VERBS: Readonly<Record<string, string>> = {
  'Mesh.useCertificateAuthority': 'emits the plug-in CA, trust bundle and summary; the policy model is unchanged',
  'Mesh.namespace': 'lookup',
  'Mesh.service': 'lookup',
  'Mesh.ingressGateway': 'lookup',
  'MeshNamespace.service': 'lookup',
};

/** The classes users declare through, and their source files. */
const CLASSES: readonly [string, string][] = [
  ['Mesh', 'mesh.ts'], ['MeshNamespace', 'mesh-namespace.ts'], ['MeshService', 'mesh-service.ts'], ['IngressGateway', 'ingress-gateway.ts'],
];

/** The public instance methods a class declares (not private, protected, static or `_`-internal), as `Class.method`, read from its source. */
function publicMethods([className, file]: [string, string]): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(__dirname, '../../src/constructs', file), 'utf8'), ts.ScriptTarget.Latest, true);
  const cls = source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === className);
  if (!cls) throw new Error(`no class ${className} in ${file}`);
  const hidden = [ts.SyntaxKind.PrivateKeyword, ts.SyntaxKind.ProtectedKeyword, ts.SyntaxKind.StaticKeyword];
  return cls.members
    .filter((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && !(m.modifiers ?? []).some((mod) => hidden.includes(mod.kind)))
    .map((m) => m.name.getText(source))
    .filter((name) => !name.startsWith('_'))
    .map((name) => `${className}.${name}`);
}

function istioKeys(f: Fixture): string[] {
  return manifestsOf(f.app).filter((m) => /\.istio\.io\//.test(m.apiVersion)).map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`).sort();
}

describe('every declaration reaches the model and its objects', () => {
  test('every public method of Mesh, MeshNamespace, MeshService and IngressGateway is classified (add new verbs to VERBS)', () => {
    const methods = CLASSES.flatMap(publicMethods).sort();
    expect(methods).toEqual([...Object.keys(VERBS), ...Object.keys(NOT_MODEL_VERBS)].sort());
  });

  test.each(Object.keys(VERBS))('%s changes the cached model, which equals one built afresh, and the objects equal renderIstio', (verb) => {
    const f = fixture();
    const before = canonicalJson(f.mesh.model.spec);
    VERBS[verb](f);
    const after = canonicalJson(f.mesh.model.spec);
    expect(after).not.toBe(before);
    expect(after).toBe(canonicalJson(f.mesh._buildModel().spec));
    expect(istioKeys(f)).toEqual(renderIstio(f.mesh.model).map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`).sort());
  });
});
