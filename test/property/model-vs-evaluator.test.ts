import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { buildMesh, meshPlan, renderedYaml, requestArbitrary } from './mesh-arbitraries';
import { parseConfigText } from '../../src/analysis/config/load-config';
import { meshConfig } from '../../src/analysis/config/mesh-config';
import { createEvaluator } from '../../src/analysis/evaluator/evaluate';
import { decide } from '../../src/model/decide';
import { renderIstio } from '../../src/render/istio/render-istio';
import { istiodFindings } from '../validate/webhook/helpers';

const MESHES = 260;
const REQUESTS_PER_MESH = 40;
const SEED = Number(process.env.TRUSTMESH_PROPERTY_SEED ?? 20261124);

/**
 * The law: for every request, the intent model's own decision equals the offline evaluator's
 * decision on the rendered Istio YAML. Any disagreement is a bug in the renderer, the model or the
 * evaluator. Fixed seed (override with TRUSTMESH_PROPERTY_SEED); fast-check prints the seed and
 * the shrunk counterexample on failure.
 */
describe('model decision equals evaluator decision on rendered YAML', () => {
  test(`${MESHES} random meshes x ${REQUESTS_PER_MESH} requests`, () => {
    let pairs = 0;
    let checked = 0;
    fc.assert(
      fc.property(meshPlan, fc.nat(), (plan, requestSeed) => {
        const { mesh, services } = buildMesh(plan);
        const model = mesh.model;
        const objects = renderIstio(model);
        // Nothing trustmesh writes is something istiod's validating webhook would reject or warn about.
        const istiod = istiodFindings(objects);
        if (istiod.length > 0) throw new Error(`istiod's webhook rules object to the rendered YAML:\n${istiod.join('\n')}\n--- rendered YAML ---\n${renderedYaml(objects)}`);
        checked += objects.length;
        const yaml = renderedYaml(objects);
        const evaluator = createEvaluator(parseConfigText(yaml, 'rendered.yaml'), meshConfig({
          rootNamespace: model.spec.rootNamespace, trustDomain: model.spec.trustDomain, trustDomainAliases: model.spec.trustDomainAliases,
        }));
        if (!services.some((s) => s.inMesh)) return;
        const requests = fc.sample(requestArbitrary(mesh, services), { seed: requestSeed, numRuns: REQUESTS_PER_MESH });
        for (const request of requests) {
          const expected = decide(model, request);
          const actual = evaluator.evaluate(request);
          pairs++;
          if (expected.outcome !== actual.outcome) {
            throw new Error(`model says ${expected.outcome} (${expected.reason}), evaluator says ${actual.outcome} (${actual.explanation})\n`
              + `request: ${JSON.stringify(request)}\n--- rendered YAML ---\n${yaml}`);
          }
        }
      }),
      { numRuns: MESHES, seed: SEED, endOnFailure: true },
    );
    expect(pairs).toBeGreaterThanOrEqual(10_000);
    expect(checked).toBeGreaterThan(MESHES);
  });
});
