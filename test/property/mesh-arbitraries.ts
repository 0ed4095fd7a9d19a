import { Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import {
  DefaultAccess, Enforcement, HttpMethod, JwtIssuer, Mesh, MeshProps, MeshService, MtlsMode, Peer, Port,
} from '../../src';
import { TrustmeshError } from '../../src/errors';
import { AccessRequest } from '../../src/semantics/access-request';
import { tempApp } from '../helpers';

/** Issuers with different token locations and audiences. */
export const ISSUERS = [
  JwtIssuer.of({ issuer: 'https://a.example.com', jwksUri: 'https://a.example.com/jwks' }),
  JwtIssuer.of({ issuer: 'https://b.example.com', jwksUri: 'https://b.example.com/jwks', audiences: ['orders'], fromHeaders: [{ name: 'x-jwt' }], fromParams: ['token'] }),
];

const PATHS = ['/', '/api/v1/orders', '/api/v1/orders/42', '/admin', '/static/app.css', '/users/7/orders', '/healthz', '/files/a/b'];
const PATH_PATTERNS = ['/api/*', '/admin', '*.css', '/users/{*}/orders', '/files/{**}', '/healthz', '*', '/api/v1/orders'];
const RAW_PATHS = [...PATHS, '/api/v1/../v1/orders', '/./admin', '//admin', '/admin?x=1', '/API/v1/orders', '/%61dmin'];
const METHODS = [HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.PUT];
const HOSTS = ['orders.example.com', 'api.example.com:8443', 'ORDERS.example.com'];
const HOST_PATTERNS = ['orders.example.com', '*.example.com', 'api.*'];
const IPS = ['10.1.2.3', '10.9.0.7', '192.168.0.5'];
const BLOCKS = ['10.1.0.0/16', '10.9.0.7', '192.168.0.0/24'];
const CLAIM_VALUES = ['learner', 'admin', 'juice-hater'];

/** A service port choice: Service port, protocol, workload port. */
const PORT_CHOICES = [
  { make: (m?: MtlsMode) => Port.http(80, { targetPort: 8080, mtls: m }), http: true, target: 8080 },
  { make: (m?: MtlsMode) => Port.grpc(9090, { mtls: m }), http: true, target: 9090 },
  { make: (m?: MtlsMode) => Port.tcp(5432, { mtls: m }), http: false, target: 5432 },
  { make: (m?: MtlsMode) => Port.https(8443, { mtls: m }), http: false, target: 8443 },
];

/** `undefined` with weight `none`, else a value (fc.option's freq works the other way round). */
function maybe<T>(arb: fc.Arbitrary<T>, none = 1, some = 1): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: none, arbitrary: fc.constant(undefined) }, { weight: some, arbitrary: arb });
}

const optMtls = maybe(fc.constantFrom(MtlsMode.STRICT, MtlsMode.PERMISSIVE, MtlsMode.DISABLE), 2);

/** A random mesh plan, built into constructs by {@link buildMesh}. */
export const meshPlan = fc.record({
  version: fc.constantFrom('1.21', '1.24', '1.30'),
  trustDomain: fc.constantFrom('cluster.local', 'example.org'),
  aliases: fc.constantFrom([], ['old.example.org']),
  mtls: fc.constantFrom(MtlsMode.STRICT, MtlsMode.PERMISSIVE, MtlsMode.DISABLE),
  defaultAccess: fc.constantFrom(DefaultAccess.DENY, DefaultAccess.ALLOW),
  namespaces: fc.array(fc.record({
    mtls: optMtls,
    access: maybe(fc.constantFrom(DefaultAccess.DENY, DefaultAccess.ALLOW)),
  }), { minLength: 1, maxLength: 3 }),
  services: fc.array(fc.record({
    ns: fc.nat(2),
    name: fc.constant(''),
    ports: fc.uniqueArray(fc.record({ choice: fc.nat(3), mtls: optMtls }), { minLength: 0, maxLength: 3, selector: (p) => p.choice }),
    mtls: optMtls,
    inMesh: fc.constant(true), // every fifth service is made out-of-mesh below
    version: maybe(fc.constantFrom('v1', 'v2')),
    requireJwt: maybe(fc.record({
      issuers: fc.uniqueArray(fc.nat(1), { minLength: 1, maxLength: 2 }),
      except: fc.subarray(['/healthz', '/static/*']),
      dryRun: fc.boolean(),
    }), 4),
  }), { minLength: 1, maxLength: 6 }),
  intentions: fc.array(fc.record({
    dest: fc.nat(5),
    action: fc.constantFrom('allow', 'allow', 'deny', 'audit', 'endUsers'),
    peer: fc.nat(5),
    peerKind: fc.constantFrom('service', 'service', 'namespace', 'anyMesh', 'anyone', 'ipBlocks', 'remoteIpBlocks', 'endUsers'),
    enforcement: fc.constantFrom(true, true, true, false),
    ports: maybe(fc.subarray([80, 9090, 5432, 8443], { minLength: 1 }), 2),
    methods: maybe(fc.subarray(METHODS, { minLength: 1 }), 2),
    notMethods: maybe(fc.subarray(METHODS, { minLength: 1, maxLength: 1 }), 5),
    paths: maybe(fc.subarray(PATH_PATTERNS, { minLength: 1, maxLength: 3 }), 2),
    notPaths: maybe(fc.subarray(PATH_PATTERNS, { minLength: 1, maxLength: 1 }), 5),
    hosts: maybe(fc.subarray(HOST_PATTERNS, { minLength: 1 }), 4),
    headers: maybe(fc.constantFrom<Record<string, string[]>>({ 'x-tenant': ['acme'] }, { 'x-tenant': ['acme*', 'globex'] }, { 'x-debug': ['*'] }), 4),
    notHeaders: maybe(fc.constantFrom<Record<string, string[]>>({ 'x-debug': ['*'] }, { 'x-tenant': ['evil'] }), 6),
    onBehalf: maybe(fc.record({
      issuer: fc.nat(1),
      claims: maybe(fc.subarray(CLAIM_VALUES, { minLength: 1 })),
      subjects: maybe(fc.constantFrom(['alice'], ['alice', 'bob']), 3),
    }), 4),
    blocks: fc.subarray(BLOCKS, { minLength: 1 }),
  }), { maxLength: 14 }),
}).map((p) => ({
  ...p,
  services: p.services.map((s, i) => ({ ...s, name: `s${i}`, inMesh: i % 5 !== 4 })),
}));

/** A random mesh plan. */
export type MeshPlan = typeof meshPlan extends fc.Arbitrary<infer T> ? T : never;

/** Builds the plan with the real constructs; intentions the constructs reject as invalid input are skipped. */
export function buildMesh(plan: MeshPlan, props: Partial<MeshProps> = {}): { mesh: Mesh; services: MeshService[]; skipped: number } {
  const app = tempApp();
  const mesh = new Mesh(app, 'prop', {
    ...props,
    istioVersion: plan.version,
    trustDomain: plan.trustDomain,
    trustDomainAliases: [...plan.aliases],
    mtls: plan.mtls,
    defaultAccess: plan.defaultAccess,
  });
  const namespaces = plan.namespaces.map((n, i) => mesh.addNamespace(['a', 'b', 'c'][i], { mtls: n.mtls, defaultAccess: n.access }));
  const services: MeshService[] = [];
  let skipped = 0;
  for (const s of plan.services) {
    const ns = namespaces[s.ns % namespaces.length];
    const labels: Record<string, string> = { app: s.name, ...(s.version ? { version: s.version } : {}) };
    const svc = ns.addService(s.name, {
      labels,
      ports: s.inMesh ? s.ports.map((p) => PORT_CHOICES[p.choice].make(p.mtls)) : s.ports.map((p) => PORT_CHOICES[p.choice].make()),
      inMesh: s.inMesh,
      ...(s.inMesh ? { mtls: s.mtls } : { ipBlocks: ['10.9.0.0/16'] }),
    });
    services.push(svc);
    if (s.requireJwt && s.inMesh && s.ports.some((p) => PORT_CHOICES[p.choice].http)) {
      skipped += attempt(() => svc.requireJwt(s.requireJwt!.issuers.map((i) => ISSUERS[i]), {
        exceptPaths: s.requireJwt!.except, enforcement: s.requireJwt!.dryRun ? Enforcement.DRY_RUN : Enforcement.ENFORCE,
      }));
    }
  }
  // Path templates need Istio 1.22: leave them out of older meshes' intentions.
  const templates = plan.version !== '1.21';
  const paths = (list: readonly string[] | undefined): string[] | undefined => {
    const kept = list?.filter((p) => templates || !p.includes('{'));
    return kept && kept.length > 0 ? kept : undefined;
  };
  for (const it of plan.intentions) {
    const dest = services[it.dest % services.length];
    const peerSvc = services[it.peer % services.length];
    const destHasHttp = dest.ports.some((p) => ['HTTP', 'HTTP2', 'GRPC', 'GRPC_WEB'].includes(p.protocol));
    const peerKind = it.peerKind === 'endUsers' && !destHasHttp ? 'anyone' : it.peerKind;
    const action = it.action === 'endUsers' && !destHasHttp ? 'allow' : it.action;
    const peer = peerKind === 'service' ? peerSvc
      : peerKind === 'namespace' ? (it.peer % 2 === 0 ? mesh.namespace(peerSvc.namespace) : Peer.namespace('dev'))
        : peerKind === 'anyMesh' ? Peer.anyMeshIdentity()
          : peerKind === 'anyone' ? Peer.anyone()
            : peerKind === 'ipBlocks' ? Peer.ipBlocks([...it.blocks])
              : peerKind === 'remoteIpBlocks' ? Peer.remoteIpBlocks([...it.blocks])
                : Peer.endUsers(ISSUERS[it.peer % 2], { claims: { role: CLAIM_VALUES[it.peer % 3] } });
    const onBehalfOf = it.onBehalf && peerKind !== 'endUsers'
      ? Peer.endUsers(ISSUERS[it.onBehalf.issuer], {
        ...(it.onBehalf.claims ? { claims: { role: [...it.onBehalf.claims] } } : {}),
        subjects: it.onBehalf.subjects ? [...it.onBehalf.subjects] : undefined,
      })
      : undefined;
    // Keep the random intention valid for its destination: ports it has, HTTP-only fields only on HTTP ports.
    const destPorts = dest.ports;
    const httpPorts = destPorts.filter((p) => ['HTTP', 'HTTP2', 'GRPC', 'GRPC_WEB'].includes(p.protocol)).map((p) => p.port);
    const wantsHttp = Boolean(it.methods || it.notMethods || it.paths || it.notPaths || it.hosts || it.headers || it.notHeaders || onBehalfOf
      || peerKind === 'endUsers' || action === 'endUsers');
    const http = wantsHttp && httpPorts.length > 0;
    const candidatePorts = http ? httpPorts : destPorts.map((p) => p.port);
    const ports = it.ports ? candidatePorts.filter((_p, i) => it.ports!.includes([80, 9090, 5432, 8443][i % 4]) || i === 0) : undefined;
    const options = {
      ...(ports && ports.length > 0 ? { ports } : {}),
      ...(http && it.methods ? { methods: it.methods } : {}),
      ...(http && it.notMethods ? { notMethods: it.notMethods } : {}),
      ...(http && paths(it.paths) ? { paths: paths(it.paths)! } : {}),
      ...(http && paths(it.notPaths) ? { notPaths: paths(it.notPaths)! } : {}),
      ...(http && it.hosts ? { hosts: it.hosts } : {}),
      ...(http && it.headers ? { headers: it.headers } : {}),
      ...(http && it.notHeaders ? { notHeaders: it.notHeaders } : {}),
      ...(http && onBehalfOf ? { onBehalfOf } : {}),
      enforcement: it.enforcement ? Enforcement.ENFORCE : Enforcement.DRY_RUN,
    };
    skipped += attempt(() => {
      if (action === 'allow') {dest.allowFrom(peer, options);} else if (action === 'deny') {dest.denyFrom(peer, options);} else if (action === 'audit') {dest.auditFrom(peer, { ...options, enforcement: Enforcement.ENFORCE });} else {
        const { onBehalfOf: _ignored, ...match } = options;
        dest.allowEndUsers(ISSUERS[it.peer % 2], { ...match, claims: { role: CLAIM_VALUES[it.dest % 3] } });
      }
    });
  }
  return { mesh, services, skipped };
}

/** Codes of rejected random inputs (for tuning the generator). */
export const SKIPPED_CODES: Record<string, number> = {};

function attempt(fn: () => void): number {
  try {
    fn();
    return 0;
  } catch (e) {
    if (TrustmeshError.isTrustmeshError(e)) { SKIPPED_CODES[e.code] = (SKIPPED_CODES[e.code] ?? 0) + 1; return 1; } // invalid random input, rejected as a user would see
    throw e;
  }
}

/** The rendered objects as one YAML stream, as a user would feed them to `trustmesh check`. */
export function renderedYaml(objects: readonly object[]): string {
  return Yaml.stringify(...objects);
}

/** Random requests against the services of a mesh. */
export function requestArbitrary(mesh: Mesh, services: readonly MeshService[]): fc.Arbitrary<AccessRequest> {
  const identities = services.map((s) => ({ ns: s.namespace, sa: s.serviceAccount }));
  const principal = fc.oneof(
    fc.constant(null),
    fc.record({ id: fc.constantFrom(...identities), td: fc.constantFrom(mesh.trustDomain, ...mesh.trustDomainAliases, 'foreign.org', 'cluster.local') })
      .map(({ id, td }) => `${td}/ns/${id.ns}/sa/${id.sa}`),
    fc.constant('cluster.local/ns/dev/sa/tester'),
  );
  const jwt = fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    {
      weight: 3,
      arbitrary: fc.record({
        iss: fc.constantFrom('https://a.example.com', 'https://b.example.com', 'https://evil.example.com'),
        sub: fc.constantFrom('alice', 'bob'),
        aud: fc.constantFrom(undefined, 'orders', ['x', 'orders'], 'other'),
        role: fc.constantFrom(undefined, 'learner', 'admin', 'juice-hater', ['learner', 'admin']),
        location: fc.constantFrom(undefined, 'header:Authorization', 'header:X-JWT', 'query:token', 'query:access_token', 'cookie:session'),
      }).map(({ iss, sub, aud, role, location }) => ({
        status: 'valid' as const,
        claims: { iss, sub, ...(aud !== undefined ? { aud } : {}), ...(role !== undefined ? { role } : {}) },
        ...(location ? { location: location as 'header:Authorization' } : {}),
      })),
    },
    { weight: 1, arbitrary: fc.constantFrom('expired', 'malformed').map((reason) => ({ status: 'invalid' as const, reason: reason as 'expired' })) },
  );
  const dest = fc.constantFrom(...services.filter((s) => s.inMesh));
  return fc.record({
    dest,
    portPick: fc.nat(10),
    principal,
    ip: fc.constantFrom(...IPS),
    xff: maybe(fc.constantFrom('203.0.113.9', '10.1.2.3, 192.168.0.9')),
    jwt,
    method: fc.constantFrom(...METHODS, 'OPTIONS'),
    path: fc.constantFrom(...RAW_PATHS),
    host: maybe(fc.constantFrom(...HOSTS)),
    tenant: maybe(fc.constantFrom('acme', 'acme-labs', 'globex', 'evil')),
    debug: fc.boolean(),
    cors: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
    otherWorkload: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
  }).map((r): AccessRequest => {
    const ports = r.dest.ports;
    const chosen = ports.length > 0 && r.portPick < 9 ? ports[r.portPick % ports.length] : undefined;
    const http = chosen ? ['HTTP', 'HTTP2', 'GRPC', 'GRPC_WEB'].includes(chosen.protocol) : r.portPick % 2 === 0;
    const port = chosen ? chosen.targetPort : 7777;
    const principalValue = r.principal;
    const headers: Record<string, string> = {};
    if (r.tenant) headers['x-tenant'] = r.tenant;
    if (r.debug) headers['x-debug'] = '1';
    if (r.xff) headers['x-forwarded-for'] = r.xff;
    if (r.cors) {
      headers.origin = 'https://app.example.com';
      headers['access-control-request-method'] = 'POST';
    }
    const labels = r.otherWorkload ? { app: 'unknown' } : { ...r.dest.labels };
    const base = {
      source: { principal: principalValue, namespace: principalValue ? principalValue.split('/')[2] : null, ip: r.ip },
      destination: { namespace: r.dest.namespace, labels, port },
    };
    if (!http) return { protocol: 'TCP', ...base, jwt: null };
    return {
      protocol: 'HTTP',
      ...base,
      jwt: r.jwt,
      method: r.cors ? 'OPTIONS' : r.method,
      path: r.path,
      ...(r.host ? { host: r.host } : {}),
      headers,
    };
  });
}
