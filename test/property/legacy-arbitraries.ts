// What the legacy property tests share: random meshes on a legacy target, the Kubernetes Services
// the legacy APIs resolve, and the documented differences between the generations
// (docs/legacy-target.md), so every test draws and classifies requests alike.
import * as fc from 'fast-check';
import { stringify } from 'yaml';
import { buildMesh, MeshPlan, meshPlan, renderedYaml } from './mesh-arbitraries';
import { LegacyAuthorization, Mesh, MeshService } from '../../src';
import { TrustmeshError } from '../../src/errors';
import { decide, ModelDecision } from '../../src/model/decide';
import { MeshModel } from '../../src/model/mesh-model';
import { ServiceSpec } from '../../src/model/mesh-spec';
import { canonicalJson } from '../../src/private/canonical-json';
import { renderIstio } from '../../src/render/istio/render-istio';
import { AccessRequest } from '../../src/semantics/access-request';
import { normalizePath } from '../../src/semantics/path-normalization';
import { matchesPathPattern } from '../../src/semantics/path-pattern';

/** A legacy plan's mesh, its model and services, and its rendered YAML. */
export interface LegacyRendering {
  readonly mesh: Mesh;
  readonly model: MeshModel;
  readonly services: MeshService[];
  readonly yaml: string;
}

/**
 * A plan's mesh rendered for its legacy target, as YAML with the Kubernetes Services the legacy
 * APIs resolve; `undefined` when synth refuses it: what only the whole mesh shows the legacy APIs
 * cannot say (e.g. any mesh identity towards a service that accepts plaintext) is refused,
 * naming the minimum release — a user sees the same refusal.
 */
export function renderLegacyMesh(plan: Omit<MeshPlan, 'version'> & { version: string; ap?: boolean }): LegacyRendering | undefined {
  // A legacy plan is a mesh plan on a legacy version (buildMesh passes the version through); on
  // 1.4, `ap` asks for AuthorizationPolicy instead of RBAC (legacyAuthorization).
  const authorization = usesAuthorizationPolicy(plan) ? { legacyAuthorization: LegacyAuthorization.AUTHORIZATION_POLICY } : {};
  const { mesh, services } = buildMesh(plan as MeshPlan, authorization);
  const model = mesh.model;
  try {
    const yaml = `${renderedYaml(renderIstio(model))}\n---\n${kubernetesServices(model)}`;
    return { mesh, model, services, yaml };
  } catch (e) {
    if (TrustmeshError.isTrustmeshError(e) && e.code === 'TM_VERSION_UNSUPPORTED_FEATURE') return undefined;
    throw e;
  }
}

/**
 * The Kubernetes Services the legacy APIs resolve (Policy `targets`, RBAC `services` and
 * inclusion name Services, not workloads): one per declared service, named after it, selecting
 * its labels — what the reference workloads (or the user's own manifests) provide.
 */
export function kubernetesServices(model: MeshModel): string {
  return model.spec.services.map((s) => stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace },
    spec: { selector: { ...s.labels }, ports: s.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort })) },
  })).join('---\n');
}

/** The declared service a request is addressed to (by namespace and workload labels). */
export function serviceOf(model: MeshModel, request: AccessRequest): ServiceSpec | undefined {
  const d = request.destination;
  return model.spec.services.find((s) => s.namespace === d.namespace && canonicalJson(s.labels) === canonicalJson(d.labels));
}

/** Whether the request's workload port is one a Service of the destination exposes. */
export function declaredPort(model: MeshModel, request: AccessRequest): boolean {
  return serviceOf(model, request)?.ports.some((p) => p.targetPort === request.destination.port) ?? false;
}

/** Whether a legacy plan renders Istio 1.4 AuthorizationPolicy (`legacyAuthorization`) instead of RBAC. */
export function usesAuthorizationPolicy(plan: { version: string; ap?: boolean }): boolean {
  return plan.version === '1.4' && plan.ap === true;
}

/**
 * Random meshes as the v1 property test draws them, targeting a legacy release (1.0–1.4); `ap`:
 * on 1.4, half of them with `legacyAuthorization: AUTHORIZATION_POLICY`.
 */
/**
 * Runs `property` on `meshes` meshes at `seed`, then, on a full run (≥100 meshes), tops up with
 * batches of 10 (seeds seed+1, seed+2, …, each reproducible alone; at most 20) until `count()` has
 * ≥10,000 pairs, ≥1,000 of them from 1.4 meshes with legacyAuthorization AUTHORIZATION_POLICY: the
 * pair count depends on the meshes drawn (refusals, meshes without in-mesh services).
 */
export function assertWithTopUp(property: fc.IProperty<[unknown, number]>, meshes: number, seed: number,
  count: () => { readonly pairs: number; readonly apPairs: number }): void {
  fc.assert(property, { numRuns: meshes, seed, endOnFailure: true });
  for (let extra = 1; meshes >= 100 && (count().pairs < 10_000 || count().apPairs < 1_000) && extra <= 20; extra++) {
    fc.assert(property, { numRuns: 10, seed: seed + extra, endOnFailure: true });
  }
}

export const legacyPlan = fc.tuple(meshPlan, fc.constantFrom('1.0', '1.1', '1.2', '1.3', '1.4', '1.4'), fc.boolean())
  .map(([plan, version, ap]) => ({ ...plan, version, ap }));

/**
 * Which documented difference between the generations (docs/legacy-target.md, "Proof, and the
 * known differences") a request falls in, if any; `undefined` when both generations must decide it
 * alike. `expected` is the intent model's decision.
 */
export function legacyGap(model: MeshModel, request: AccessRequest, expected: ModelDecision): 'port' | 'optionalOrigin' | 'exceptedToken' | 'query' | 'cors' | undefined {
  // Legacy Policies and RBAC name Service ports: a workload port no Service exposes is outside them.
  if (!declaredPort(model, request)) return 'port';
  const dest = serviceOf(model, request)!;
  // Where a token is optional (end-user intentions without requireJwt) v1 still rejects a token it
  // cannot verify (401); a legacy origin is optional as a whole (originIsOptional) and lets it
  // through anonymous. The same on requireJwt's exceptPaths: v1 still verifies a presented token
  // there, 1.x triggerRules skip verification altogether.
  const unchecked = !dest.jwtRequirement || (dest.jwtRequirement.exceptPaths.length > 0 && expected.outcome === 'DENY_401');
  if (request.jwt && expected.outcome !== 'ALLOW' && unchecked && model.issuersFor(dest).length > 0) return 'optionalOrigin';
  // On a requireJwt exception path 1.x trigger rules skip the token altogether: the request is
  // decided as if it had none, so a valid token there grants no end-user intention (and a token v1
  // rejects for its audience is not rejected). Where the token changes the model's decision, the
  // generations differ (docs/legacy.md, "Known gap"); conversion keeps the 1.x meaning.
  const excepted = request.protocol === 'HTTP' && request.jwt !== null && (dest.jwtRequirement?.exceptPaths ?? [])
    .some((p) => matchesPathPattern(p, normalizePath(request.path ?? '/', 'BASE')));
  if (excepted && (decide(model, { ...request, jwt: null }).outcome === 'ALLOW') !== (expected.outcome === 'ALLOW')) return 'exceptedToken';
  // 1.x RBAC compares `paths` with the query string, v1 without it.
  if (request.path?.includes('?')) return 'query';
  // A CORS preflight skips JWT verification in both generations, but requireJwt is an
  // authorization DENY in v1 (no principal: 403) and authentication only in 1.x.
  if (dest.jwtRequirement && request.method === 'OPTIONS' && request.headers?.['access-control-request-method'] !== undefined) return 'cors';
  return undefined;
}
