import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ISSUERS, renderedYaml } from './mesh-arbitraries';
import {
  Enforcement, GatewayCredential, GatewayTls, HttpMethod, IMeshPeer, Mesh, MtlsMode, Peer, Port,
} from '../../src';
import { parseConfigText } from '../../src/analysis/config/load-config';
import { meshConfig } from '../../src/analysis/config/mesh-config';
import { createEvaluator } from '../../src/analysis/evaluator/evaluate';
import { TrustmeshError } from '../../src/errors';
import { decide } from '../../src/model/decide';
import { renderIstio } from '../../src/render/istio/render-istio';
import { AccessRequest } from '../../src/semantics/access-request';
import { tempApp } from '../helpers';
import { istiodFindings } from '../validate/webhook/helpers';

const MESHES = 150;
const REQUESTS_PER_MESH = 40;
const SEED = Number(process.env.TRUSTMESH_PROPERTY_SEED ?? 20261124);

const HOSTS = ['a.example.com', 'b.example.com'];
const PATHS = ['/', '/admin', '/admin/users', '/api/v1/orders', '/healthz', '/static/app.css'];
const PATH_PATTERNS = ['/admin', '/admin/*', '/api/*', '*.css', '/healthz'];
const BLOCKS = ['203.0.113.0/24', '198.51.100.7', '10.0.0.0/8'];
const CLIENT_IPS = ['203.0.113.5', '198.51.100.7', '10.0.0.9'];

const peerPlan = fc.oneof(
  fc.constant({ kind: 'anyone' as const }),
  fc.record({ kind: fc.constant('ip' as const), blocks: fc.subarray(BLOCKS, { minLength: 1 }), remote: fc.boolean() }),
  fc.record({ kind: fc.constant('users' as const), issuer: fc.nat(1), role: fc.constantFrom(undefined, 'admin', 'learner') }),
  fc.constant({ kind: 'namespace' as const }),
);

const intentionPlan = fc.record({
  action: fc.constantFrom('allow', 'deny', 'audit', 'clients'),
  peer: peerPlan,
  hosts: fc.option(fc.subarray(HOSTS, { minLength: 1 }), { nil: undefined }),
  paths: fc.option(fc.subarray(PATH_PATTERNS, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  methods: fc.option(fc.subarray([HttpMethod.GET, HttpMethod.POST], { minLength: 1 }), { nil: undefined }),
  dryRun: fc.constantFrom(false, false, false, true),
});

/** A random gateway: servers, trusted proxies, intentions and a token requirement. */
const gatewayPlan = fc.record({
  numTrustedProxies: fc.constantFrom(0, 1, 2),
  meshMtls: fc.constantFrom(MtlsMode.STRICT, MtlsMode.PERMISSIVE),
  plainHttp: fc.boolean(),
  passthrough: fc.boolean(),
  intentions: fc.array(intentionPlan, { maxLength: 4 }),
  requireJwt: fc.option(fc.record({
    issuers: fc.uniqueArray(fc.nat(1), { minLength: 1, maxLength: 2 }),
    hosts: fc.option(fc.subarray(HOSTS, { minLength: 1 }), { nil: undefined }),
    exceptPaths: fc.option(fc.constant(['/healthz']), { nil: undefined }),
  }), { nil: undefined }),
});

type GatewayPlan = typeof gatewayPlan extends fc.Arbitrary<infer T> ? T : never;

function build(plan: GatewayPlan): Mesh {
  const mesh = new Mesh(tempApp(), 'm', { mtls: plan.meshMtls });
  const ns = mesh.addNamespace('shop');
  const web = ns.addService('web', { ports: [Port.http(80, { targetPort: 8080 }), Port.https(443, { targetPort: 8443 })] });
  const gateway = mesh.addIngressGateway('edge', { numTrustedProxies: plan.numTrustedProxies });
  gateway.addHttpsServer({ hosts: HOSTS, tls: GatewayTls.simple(GatewayCredential.fromSecretName('edge')) });
  if (plan.plainHttp) gateway.addHttpServer({ hosts: HOSTS });
  if (plan.passthrough) gateway.addHttpsServer({ hosts: ['c.example.com'], port: 9443, tls: GatewayTls.passthrough() });
  gateway.route(web, { hosts: HOSTS });
  web.allowFrom(gateway);
  for (const i of plan.intentions) {
    const options = {
      ...(i.hosts ? { hosts: i.hosts } : {}),
      ...(i.paths ? { paths: i.paths } : {}),
      ...(i.methods ? { methods: i.methods } : {}),
      ...(i.dryRun && i.action !== 'audit' ? { enforcement: Enforcement.DRY_RUN } : {}),
    };
    const peer: IMeshPeer = i.peer.kind === 'anyone' ? Peer.anyone()
      : i.peer.kind === 'namespace' ? Peer.namespace('istio-system')
        : i.peer.kind === 'ip' ? (i.peer.remote ? Peer.remoteIpBlocks(i.peer.blocks) : Peer.ipBlocks(i.peer.blocks))
          : Peer.endUsers(ISSUERS[i.peer.issuer], i.peer.role ? { claims: { role: i.peer.role } } : {});
    attempt(() => {
      if (i.action === 'allow') gateway.allowFrom(peer, options);
      else if (i.action === 'deny') gateway.denyFrom(peer, options);
      else if (i.action === 'audit') gateway.auditFrom(peer, options);
      else gateway.allowClientAddresses(i.peer.kind === 'ip' ? i.peer.blocks : ['203.0.113.0/24'], options);
    });
  }
  if (plan.requireJwt) {
    const r = plan.requireJwt;
    const options = { ...(r.hosts ? { hosts: r.hosts } : {}), ...(r.exceptPaths ? { exceptPaths: [...r.exceptPaths] } : {}) };
    attempt(() => gateway.requireJwt(r.issuers.map((n) => ISSUERS[n]), options));
  }
  return mesh;
}

function attempt(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!TrustmeshError.isTrustmeshError(e)) throw e; // invalid random input, rejected as a user would see
  }
}

const requestArbitrary: fc.Arbitrary<AccessRequest> = fc.record({
  port: fc.constantFrom(8443, 8443, 8080, 9443),
  ip: fc.constantFrom(...CLIENT_IPS),
  xff: fc.constantFrom(undefined, '203.0.113.5', '198.51.100.7, 203.0.113.5', '10.0.0.9, 198.51.100.7'),
  host: fc.constantFrom(...HOSTS, 'a.example.com:443', 'A.EXAMPLE.COM', 'other.example.com'),
  path: fc.constantFrom(...PATHS),
  method: fc.constantFrom('GET', 'POST'),
  jwt: fc.oneof(
    fc.constant(null),
    fc.record({
      iss: fc.constantFrom('https://a.example.com', 'https://b.example.com', 'https://evil.example.com'),
      role: fc.constantFrom(undefined, 'admin', 'learner'),
      aud: fc.constantFrom(undefined, 'orders'),
      location: fc.constantFrom(undefined, 'header:X-JWT'),
    }).map(({ iss, role, aud, location }) => ({
      status: 'valid' as const,
      claims: { iss, sub: 'alice', ...(role ? { role } : {}), ...(aud ? { aud } : {}) },
      ...(location ? { location: location as 'header:X-JWT' } : {}),
    })),
  ),
}).map((r): AccessRequest => {
  const destination = { namespace: 'istio-system', labels: { istio: 'ingressgateway' }, port: r.port };
  const source = { principal: null, namespace: null, ip: r.ip };
  if (r.port === 9443) return { protocol: 'TCP', source, jwt: null, destination, sni: 'c.example.com' };
  return {
    protocol: 'HTTP',
    source,
    jwt: r.jwt,
    destination,
    host: r.host,
    method: r.method,
    path: r.path,
    headers: r.xff ? { 'x-forwarded-for': r.xff } : {},
  };
});

/**
 * The law of the model, at the gateway: for every request arriving at the gateway pods, the
 * model's decision (gateway intentions, token requirement, no PeerAuthentication) equals the
 * evaluator's on the rendered YAML, with the gateway's trusted-proxy count as MeshConfig.
 */
describe('gateway: model decision equals evaluator decision on rendered YAML', () => {
  test(`${MESHES} random gateways x ${REQUESTS_PER_MESH} requests`, () => {
    let pairs = 0;
    let gateways = 0;
    const outcomes: Record<string, number> = {};
    fc.assert(
      fc.property(gatewayPlan, fc.nat(), (plan, requestSeed) => {
        const mesh = build(plan);
        const model = mesh.model;
        const objects = renderIstio(model);
        // Nothing trustmesh writes is something istiod's validating webhook would reject or warn about.
        const istiod = istiodFindings(objects);
        if (istiod.length > 0) throw new Error(`istiod's webhook rules object to the rendered YAML:\n${istiod.join('\n')}\n--- rendered YAML ---\n${renderedYaml(objects)}`);
        gateways += objects.filter((o) => (o as { kind?: string }).kind === 'Gateway').length;
        const yaml = renderedYaml(objects);
        const evaluator = createEvaluator(parseConfigText(yaml, 'rendered.yaml'), meshConfig({ numTrustedProxies: plan.numTrustedProxies }));
        for (const request of fc.sample(requestArbitrary, { seed: requestSeed, numRuns: REQUESTS_PER_MESH })) {
          const expected = decide(model, request);
          const actual = evaluator.evaluate(request);
          pairs++;
          outcomes[expected.outcome] = (outcomes[expected.outcome] ?? 0) + 1;
          if (expected.outcome !== actual.outcome) {
            throw new Error(`model says ${expected.outcome} (${expected.reason}), evaluator says ${actual.outcome} (${actual.explanation})\n`
              + `request: ${JSON.stringify(request)}\n--- rendered YAML ---\n${yaml}`);
          }
        }
      }),
      { numRuns: MESHES, seed: SEED, endOnFailure: true },
    );
    expect(pairs).toBe(MESHES * REQUESTS_PER_MESH);
    expect(gateways).toBe(MESHES);
    // The sample exercises every outcome the gateway can produce.
    for (const outcome of ['ALLOW', 'DENY_403', 'DENY_401', 'DENY_CONN']) expect(outcomes[outcome] ?? 0, outcome).toBeGreaterThan(50);
  });
});
