// Analyzer checks of Istio 1.x policies (issue 12 §1): references that resolve to nothing, RBAC that cannot match.
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';
import { analyze } from '../../../../src/analysis/analyzer/analyzer';
import { loadConfig } from '../../../../src/analysis/config/load-config';

const POSITIVE = 'legacy-references/positive.yaml';
const LEGACY_CODES = /^TM_LEGACY_(SERVICE_NOT_FOUND|ROLE_WITHOUT_BINDING|BINDING_ROLE_MISSING|RBAC_NOTHING_BOUND|RBAC_WITHOUT_AUTHN|CONSTRAINT_NEVER_MATCHES)$/;

describe('legacy reference checks', () => {
  it('reports missing services, unbound roles, missing roles, identities nobody establishes and constraints that never match, each at its field', () => {
    const found = analyzeFixture(POSITIVE).filter((d) => LEGACY_CODES.test(d.code));
    expect(found.map((d) => [where(d), d.code])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'services: [ratings')}`, 'TM_LEGACY_SERVICE_NOT_FOUND'],
      [`positive.yaml:${lineOf(POSITIVE, 'values: [v9]')}`, 'TM_LEGACY_CONSTRAINT_NEVER_MATCHES'],
      [`positive.yaml:${lineOf(POSITIVE, 'key: source.planet')}`, 'TM_LEGACY_CONSTRAINT_NEVER_MATCHES'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: unused')}`, 'TM_LEGACY_ROLE_WITHOUT_BINDING'],
      [`positive.yaml:${lineOf(POSITIVE, 'subjects: [{user: cluster.local')}`, 'TM_LEGACY_RBAC_WITHOUT_AUTHN'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: detail-viewer')}`, 'TM_LEGACY_BINDING_ROLE_MISSING'],
      [`positive.yaml:${lineOf(POSITIVE, 'targets: [{name: reviews}]')}`, 'TM_LEGACY_SERVICE_NOT_FOUND'],
    ]);
    expect(found[1].fix).toMatch(/v1/);
  });

  it('RBAC on with no binding at all denies everything it covers', () => {
    const found = analyzeFixture('legacy-api/positive.yaml').filter((d) => d.code === 'TM_LEGACY_RBAC_NOTHING_BOUND');
    expect(found.map((d) => d.message)).toEqual([expect.stringMatching(/^ClusterRbacConfig default turns RBAC ON_WITH_INCLUSION and no ServiceRoleBinding exists/)]);
  });

  it('missing services follow the inventory: none reported where the input holds no Service of that namespace (auto), errors with complete', () => {
    // legacy-api/positive.yaml: a ServiceRole naming details.bookinfo.svc.cluster.local, no Service at all
    // (as synth output without reference workloads: one warning per rule used to flood it).
    const notFound = (inventory: 'auto' | 'complete' | 'none'): string[] => analyzeFixture('legacy-api/positive.yaml', { inventory })
      .filter((d) => d.code === 'TM_LEGACY_SERVICE_NOT_FOUND').map((d) => `${d.severity} ${d.message}`);
    expect(notFound('auto')).toEqual([]);
    expect(notFound('none')).toEqual([]);
    expect(notFound('complete')).toEqual([
      'error ServiceRole bookinfo/details-viewer names service details.bookinfo.svc.cluster.local, which the input does not hold (the input is declared complete with --inventory complete)',
    ]);
  });

  it('stays quiet on the seeds (Istio Succinctly ch. 8, Kiali bookinfo)', () => {
    for (const dir of ['micro-shake-factory', 'bookinfo']) {
      const config = loadConfig(path.join(__dirname, '../../../fixtures/legacy', dir));
      expect(analyze(config).filter((d) => LEGACY_CODES.test(d.code))).toEqual([]);
    }
  });
});
