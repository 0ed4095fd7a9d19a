import * as fc from 'fast-check';
import { test } from 'vitest';
import { meshConfig } from '../../src/analysis/mesh-config';
import { createEvaluator } from '../../src/analysis/evaluate';
import { parseConfigText } from '../../src/analysis/load-config';
import { renderIstio } from '../../src/render/istio/render-istio';
import { SKIPPED_CODES, buildMesh, meshPlan, renderedYaml, requestArbitrary } from './mesh-arbitraries';
test('dist', () => {
  const counts: Record<string, number> = {}; let skipped = 0; let intents = 0;
  const plans = fc.sample(meshPlan, { seed: 20261124, numRuns: 250 });
  for (const [i, plan] of plans.entries()) {
    const { mesh, services, skipped: s } = buildMesh(plan); skipped += s; intents += plan.intentions.length;
    const ev = createEvaluator(parseConfigText(renderedYaml(renderIstio(mesh.model))), meshConfig({ trustDomain: mesh.trustDomain, trustDomainAliases: mesh.trustDomainAliases }));
    if (!services.some((x) => x.inMesh)) continue;
    for (const r of fc.sample(requestArbitrary(mesh, services), { seed: i, numRuns: 40 })) {
      const d = ev.evaluate(r); const k = d.outcome + ' ' + (d.decidedBy[0]?.kind ?? '-') + ' ' + (d.decidedBy[0]?.action ?? '');
      counts[k] = (counts[k] ?? 0) + 1;
    }
  }
  process.stderr.write(JSON.stringify([counts, skipped, intents, SKIPPED_CODES])+'\n');
});
