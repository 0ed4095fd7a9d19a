/**
 * Deterministic generator of large meshes for the benchmark: S services in N namespaces with I
 * intentions — service-to-service allows with L7 matches, namespace-wide rules, denies, and
 * end-user JWT rules on ~10% of services. Built with the real constructs, as a user would.
 */
import { Construct } from 'constructs';
import { HttpMethod, JwtIssuer, Mesh, MeshService, NetworkPolicies, Peer, Port } from '../lib/src';

/** Size of a generated mesh. */
export interface MeshSize {
  /** Services. @default 1000 */
  readonly services?: number;
  /** Namespaces. @default 50 */
  readonly namespaces?: number;
  /** Intentions. @default 10 x services */
  readonly intentions?: number;
  /** PRNG seed. @default 1 */
  readonly seed?: number;
  /** Mesh name (output folder). @default 'bench' */
  readonly name?: string;
  /**
   * Fraction of intentions drawn differently (a second version of the same mesh, for the diff).
   * @default 0
   */
  readonly variant?: number;
  /**
   * Mirror the intentions as Kubernetes NetworkPolicies: `ingress` (default deny ingress and the
   * allows), or `egress` (egress locked down too).
   * @default - none
   */
  readonly networkPolicies?: 'ingress' | 'egress';
  /** The mesh's target Istio release. @default '1.30' */
  readonly istioVersion?: string;
  /**
   * Draw only intentions Istio 1.0–1.4 can express (the legacy target): denies become allows of
   * the same shape, path templates are left out. The same mesh then synthesizes for 1.4 and 1.30.
   * @default - true when `istioVersion` is a 1.0–1.4 release
   */
  readonly legacyShapes?: boolean;
}

/** A small deterministic PRNG (mulberry32). */
/* eslint-disable no-bitwise -- a PRNG is bit mixing */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/* eslint-enable no-bitwise */

const METHODS = [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE];
const PATHS = ['/api/v1/*', '/api/v2/orders', '/api/v2/orders/{*}', '/healthz', '/metrics', '/admin/*', '*.json', '/static/*'];

/** Services of the generated mesh, in declaration order. */
export interface GeneratedMesh {
  readonly mesh: Mesh;
  readonly services: readonly MeshService[];
  /** Intentions actually declared. */
  readonly intentions: number;
}

/** Declares a generated mesh under `scope`. */
export function generateMesh(scope: Construct, size: MeshSize = {}): GeneratedMesh {
  const servicesCount = size.services ?? 1000;
  const namespacesCount = Math.min(size.namespaces ?? 50, servicesCount);
  const intentionsCount = size.intentions ?? servicesCount * 10;
  const random = prng(size.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const istioVersion = size.istioVersion ?? '1.30';
  const legacy = size.legacyShapes ?? /^1\.[0-4](\.|$)/.test(istioVersion);
  const paths = legacy ? PATHS.filter((p) => !p.includes('{')) : PATHS;
  const mesh = new Mesh(scope, size.name ?? 'bench', {
    istioVersion,
    ...(size.networkPolicies ? { networkPolicies: NetworkPolicies.mirrorIntentions({ lockDownEgress: size.networkPolicies === 'egress' }) } : {}),
  });
  const issuer = JwtIssuer.of({ issuer: 'https://login.example.com', jwksUri: 'https://login.example.com/jwks.json', audiences: ['bench'] });
  const namespaces = Array.from({ length: namespacesCount }, (_, i) => mesh.addNamespace(`team-${String(i).padStart(3, '0')}`));
  const services: MeshService[] = [];
  for (let i = 0; i < servicesCount; i++) {
    const ns = namespaces[i % namespacesCount];
    const kind = i % 10;
    const ports = kind === 9 ? [Port.tcp(5432)] : kind === 8 ? [Port.grpc(9090), Port.http(8080)] : [Port.http(8080, { targetPort: 8080 + (i % 3) })];
    services.push(ns.addService(`svc-${String(i).padStart(5, '0')}`, { ports }));
  }
  const httpServices = services.filter((s) => s.ports.some((p) => p.protocol !== 'TCP'));
  let declared = 0;
  // End-user JWT rules on ~10% of the services.
  for (const svc of httpServices.filter((_, i) => i % 10 === 3)) {
    svc.requireJwt(issuer, { exceptPaths: ['/healthz'] });
    svc.allowEndUsers(issuer, { claims: { role: pick(['reader', 'writer', 'admin']) }, methods: [HttpMethod.GET] });
    declared += 2;
  }
  // Each intention draws from its own stream, so a variant changes exactly the intentions it picks.
  const seed = size.seed ?? 1;
  const variant = size.variant ?? 0;
  for (let k = 0; declared < intentionsCount; k++, declared++) {
    const altered = variant > 0 && prng(seed * 7919 + k * 104729 + 17)() < variant;
    const r = prng(seed * 1_000_003 + k * 2 + (altered ? 1 : 0));
    const choose = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)];
    const roll = r();
    const source = choose(services);
    if (roll < 0.7) {
      // Service-to-service allow with an L7 match.
      const dest = choose(httpServices);
      const methods = METHODS.filter(() => r() < 0.4);
      const chosen = paths.filter(() => r() < 0.25);
      dest.allowFrom(source, {
        ...(methods.length > 0 ? { methods } : {}),
        ...(chosen.length > 0 ? { paths: chosen } : {}),
      });
    } else if (roll < 0.85) {
      // Namespace-wide rule.
      choose(services).allowFrom(Peer.namespace(choose(namespaces).namespaceName));
    } else if (roll < 0.95) {
      // Deny: a namespace, or a method on the HTTP ports.
      const dest = choose(httpServices);
      const allowOrDeny = legacy ? dest.allowFrom.bind(dest) : dest.denyFrom.bind(dest);
      if (r() < 0.5) allowOrDeny(Peer.namespace(choose(namespaces).namespaceName), { methods: [HttpMethod.DELETE] });
      else allowOrDeny(Peer.ipBlocks([`10.${Math.floor(r() * 256)}.0.0/16`]));
    } else {
      // Plain L4 allow.
      choose(services).allowFrom(source);
    }
  }
  return { mesh, services, intentions: declared };
}
