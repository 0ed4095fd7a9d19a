// The seeds' legacy listings, loaded from real YAML and decided as the articles describe.
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/analysis/config/load-config';
import { createEvaluator } from '../../../../src/analysis/evaluator/evaluate';
import { parseAccessRequest } from '../../../../src/semantics/parse-access-request';
import { requestDoc, RequestInput } from '../evaluate-helpers';

const FIXTURES = path.join(__dirname, '../../../fixtures/legacy');

function decider(dir: string): (input: RequestInput) => string {
  const cfg = loadConfig(path.join(FIXTURES, dir));
  const evaluator = createEvaluator(cfg);
  return (input) => {
    const d = evaluator.evaluate(parseAccessRequest(requestDoc(input)));
    return `${d.outcome}: ${d.explanation}`;
  };
}

describe('Istio Succinctly ch. 8 (micro-shake-factory): JWT origin + role claim RBAC', () => {
  const decide = decider('micro-shake-factory');
  const fruits = { destNamespace: 'micro-shake-factory', labels: { app: 'fruits-api', version: '1' }, port: 3000, principal: null };
  const token = (claims: Record<string, unknown>): RequestInput['jwt'] => ({ status: 'valid', claims: { iss: 'istio-succinctly.io', ...claims } });

  it('loads every legacy object without diagnostics', () => {
    const cfg = loadConfig(path.join(FIXTURES, 'micro-shake-factory'));
    expect(cfg.diagnostics).toEqual([]);
    expect([cfg.legacy.authn.length, cfg.legacy.rbacConfigs.length, cfg.legacy.roles.length, cfg.legacy.bindings.length]).toEqual([2, 1, 1, 1]);
  });

  it('lets a learner GET the fruits API (Code Listing 114)', () => {
    expect(decide({ ...fruits, jwt: token({ role: 'learner' }), path: '/api/fruits/special' })).toMatch(/^ALLOW: allowed by ServiceRole micro-shake-factory\/fruits-api-viewer rule 0/);
  });

  it('refuses a request without a token with 401 (origins are required unless originIsOptional)', () => {
    expect(decide({ ...fruits })).toMatch(/^DENY_401: .*requires a JWT/);
  });

  it('denies other roles and other methods with 403 "RBAC: access denied"', () => {
    expect(decide({ ...fruits, jwt: token({ role: 'chef' }) })).toMatch(/^DENY_403: denied \(403 "RBAC: access denied"\)/);
    expect(decide({ ...fruits, jwt: token({ role: 'learner' }), method: 'POST' })).toMatch(/^DENY_403/);
  });

  it('keeps STRICT mTLS (MeshPolicy mtls: {}) for services the targeted Policy does not cover', () => {
    expect(decide({ destNamespace: 'micro-shake-factory', labels: { app: 'juice-shop-api' }, port: 3001, principal: null })).toMatch(/^DENY_CONN: connection refused: MeshPolicy default requires STRICT/);
    expect(decide({ destNamespace: 'micro-shake-factory', labels: { app: 'juice-shop-api' }, port: 3001 })).toMatch(/^ALLOW: allowed: RbacConfig default mode ON_WITH_INCLUSION does not enable RBAC/);
  });
});

describe('Kiali talk (bookinfo): productpage may GET details and reviews v1 only', () => {
  const decide = decider('bookinfo');
  const productpage = 'cluster.local/ns/bookinfo/sa/bookinfo-productpage';
  const to = (app: string, version: string): RequestInput => ({ destNamespace: 'bookinfo', labels: { app, version }, port: 9080, principal: productpage });

  it('allows productpage to GET details v1 and reviews v1', () => {
    expect(decide(to('details', 'v1'))).toMatch(/^ALLOW: allowed by ServiceRole bookinfo\/details-reviews-viewer/);
    expect(decide(to('reviews', 'v1'))).toMatch(/^ALLOW/);
  });

  it('denies reviews v2/v3, ratings, other methods and other callers', () => {
    expect(decide(to('reviews', 'v2'))).toMatch(/^DENY_403/);
    expect(decide(to('reviews', 'v3'))).toMatch(/^DENY_403/);
    expect(decide(to('ratings', 'v1'))).toMatch(/^DENY_403/);
    expect(decide({ ...to('details', 'v1'), method: 'POST' })).toMatch(/^DENY_403/);
    expect(decide({ ...to('details', 'v1'), principal: 'cluster.local/ns/bookinfo/sa/bookinfo-reviews' })).toMatch(/^DENY_403/);
  });

  it('refuses plaintext (namespace default Policy, STRICT)', () => {
    expect(decide({ ...to('details', 'v1'), principal: null })).toMatch(/^DENY_CONN/);
  });
});
