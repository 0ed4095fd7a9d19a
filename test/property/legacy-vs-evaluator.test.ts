import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { assertWithTopUp, legacyGap, legacyPlan, renderLegacyMesh, usesAuthorizationPolicy } from './legacy-arbitraries';
import { requestArbitrary } from './mesh-arbitraries';
import { parseConfigText } from '../../src/analysis/config/load-config';
import { meshConfig } from '../../src/analysis/config/mesh-config';
import { createEvaluator } from '../../src/analysis/evaluator/evaluate';
import { decide } from '../../src/model/decide';

const MESHES = Number(process.env.TRUSTMESH_LEGACY_MESHES ?? 100);
const REQUESTS_PER_MESH = 250;
const SEED = Number(process.env.TRUSTMESH_PROPERTY_SEED ?? 20261205);

/**
 * The law for the legacy target: for every request, the intent model's decision (allowed or not) equals the legacy
 * evaluator's (Istio 1.x authentication Policy + RBAC, or on 1.4 with `legacyAuthorization:
 * AUTHORIZATION_POLICY` the v1beta1 AuthorizationPolicy) on the rendered legacy YAML. Intentions a
 * legacy target cannot hold are refused at declaration (the generator skips them, as a user would
 * see them refused). Fixed seed, printed (override with TRUSTMESH_PROPERTY_SEED).
 */
describe('legacy target: model decision equals the legacy evaluator on rendered 1.0–1.4 YAML', () => {
  test(`${MESHES} random legacy meshes x ${REQUESTS_PER_MESH} requests (seed ${SEED})`, () => {
    process.stdout.write(`legacy property test seed: ${SEED}\n`);
    let pairs = 0;
    let apPairs = 0;
    let refused = 0;
    const gaps = { optionalOrigin: 0, exceptedToken: 0, cors: 0, query: 0 };
    const versions = new Set<string>();
    let meshes = 0;
    const property = fc.property(legacyPlan, fc.nat(), (plan, requestSeed) => {
      meshes++;
      const rendered = renderLegacyMesh(plan);
      if (rendered === undefined) {
        refused++;
        return;
      }
      const { mesh, model, services, yaml } = rendered;
      const evaluator = createEvaluator(parseConfigText(yaml, 'rendered.yaml'), meshConfig({
        rootNamespace: model.spec.rootNamespace, trustDomain: model.spec.trustDomain, trustDomainAliases: model.spec.trustDomainAliases,
      }));
      if (!services.some((s) => s.inMesh)) return;
      versions.add(plan.version);
      const requests = fc.sample(requestArbitrary(mesh, services), { seed: requestSeed, numRuns: REQUESTS_PER_MESH });
      for (const request of requests) {
        const expected = decide(model, request);
        const gap = legacyGap(model, request, expected);
        if (gap === 'port') continue;
        if (gap !== undefined) {
          gaps[gap]++;
          continue;
        }
        const actual = evaluator.evaluate(request);
        pairs++;
        if (usesAuthorizationPolicy(plan)) apPairs++;
        // Allowed or not: how a denial shows differs by generation (an unaccepted token is a 401
        // from RequestAuthentication, a 403 from RBAC when the legacy origin is optional).
        if ((expected.outcome === 'ALLOW') !== actual.allowed) {
          throw new Error(`Istio ${plan.version}: model says ${expected.outcome} (${expected.reason}), legacy evaluator says ${actual.outcome} (${actual.explanation})\n`
              + `request: ${JSON.stringify(request)}\n--- rendered YAML ---\n${yaml}`);
        }
      }
    });
    assertWithTopUp(property, MESHES, SEED, () => ({ pairs, apPairs }));
    if (MESHES >= 100) expect(pairs).toBeGreaterThanOrEqual(10_000);
    process.stdout.write(`legacy property test: ${pairs} pairs (${apPairs} on 1.4 with legacyAuthorization AUTHORIZATION_POLICY) from ${meshes} meshes, ${refused} refused at synth, ${gaps.optionalOrigin} requests in the optional-origin gap, ${gaps.exceptedToken} tokens on requireJwt exception paths, ${gaps.cors} CORS preflights to requireJwt services, ${gaps.query} paths with a query\n`);
    expect(refused).toBeLessThan(meshes / 4);
    if (MESHES >= 100) expect(apPairs).toBeGreaterThanOrEqual(1_000);
    expect([...versions].sort()).toEqual(['1.0', '1.1', '1.2', '1.3', '1.4']);
  });
});
