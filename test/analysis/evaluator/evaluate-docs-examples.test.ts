import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { requestDoc, RequestInput } from './evaluate-helpers';
import { loadConfig } from '../../../src/analysis/config/load-config';
import { createEvaluator } from '../../../src/analysis/evaluator/evaluate';
import { AccessDecision } from '../../../src/semantics/access-request';
import { parseAccessRequest } from '../../../src/semantics/parse-access-request';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'analysis');

function evaluatorFor(dir: string): (input: RequestInput) => AccessDecision {
  const evaluator = createEvaluator(loadConfig(path.join(FIXTURES, dir)));
  return (input) => evaluator.evaluate(parseAccessRequest(requestDoc(input)));
}

describe('foo/httpbin (istio.io authentication-policy, authz-jwt and authz-deny tasks)', () => {
  const check = evaluatorFor('httpbin');
  const jwt = { status: 'valid', claims: { iss: 'https://issuer.example.com', sub: 'user1' } };

  it('refuses plaintext clients: STRICT mTLS in foo', () => {
    expect(check({ principal: null }).outcome).toBe('DENY_CONN');
  });

  it('denies POST from namespace dev (authz-deny)', () => {
    const d = check({ method: 'POST', path: '/post' });
    expect(d.outcome).toBe('DENY_403');
    expect(d.explanation).toBe('denied by foo/httpbin-deny rule 0: source namespace dev matched, method POST matched');
  });

  it('allows GET from dev and POST from other namespaces to httpbin', () => {
    expect(check({ method: 'GET' }).outcome).toBe('ALLOW');
    expect(check({ method: 'POST', principal: 'cluster.local/ns/bar/sa/sleep' }).outcome).toBe('ALLOW');
  });

  it('requires a JWT from https://issuer.example.com for app: my-app', () => {
    expect(check({ labels: { app: 'my-app' }, principal: 'cluster.local/ns/bar/sa/sleep' }).outcome).toBe('DENY_403');
    expect(check({ labels: { app: 'my-app' }, principal: 'cluster.local/ns/bar/sa/sleep', jwt }).outcome).toBe('ALLOW');
    expect(check({ labels: { app: 'my-app' }, jwt: { status: 'invalid', reason: 'malformed' } }).outcome).toBe('DENY_401');
  });

  it('still denies POST from dev to my-app with a valid token (DENY before ALLOW)', () => {
    expect(check({ labels: { app: 'my-app' }, method: 'POST', jwt }).outcome).toBe('DENY_403');
  });
});

describe('bookinfo (istio.io authz-http task)', () => {
  const check = evaluatorFor('bookinfo');
  const productpage = 'cluster.local/ns/default/sa/bookinfo-productpage';
  const reviews = 'cluster.local/ns/default/sa/bookinfo-reviews';
  const to = (app: string, extra: Record<string, string> = {}): Record<string, string> => ({ app, version: 'v1', ...extra });

  it('lets productpage GET details and reviews v1', () => {
    expect(check({ destNamespace: 'default', labels: to('details'), principal: productpage, port: 9080 }).outcome).toBe('ALLOW');
    expect(check({ destNamespace: 'default', labels: to('reviews'), principal: productpage, port: 9080 }).outcome).toBe('ALLOW');
  });

  it('denies every other caller of details and reviews', () => {
    const d = check({ destNamespace: 'default', labels: to('details'), principal: reviews, port: 9080 });
    expect(d.outcome).toBe('DENY_403');
    expect(d.decidedBy.map((p) => p.name)).toEqual(['allow-nothing', 'details-viewer']);
  });

  it('denies productpage a POST to details', () => {
    expect(check({ destNamespace: 'default', labels: to('details'), principal: productpage, method: 'POST' }).outcome).toBe('DENY_403');
  });

  it('does not cover reviews v2 with the v1 policy (allow-nothing applies)', () => {
    expect(check({ destNamespace: 'default', labels: to('reviews', { version: 'v2' }), principal: productpage }).outcome).toBe('DENY_403');
  });

  it('lets anyone GET productpage, plaintext included', () => {
    expect(check({ destNamespace: 'default', labels: to('productpage'), principal: null }).outcome).toBe('ALLOW');
  });
});

describe('dry-run (istio.io authz-dry-run task)', () => {
  const check = evaluatorFor('dry-run');

  it('allows /headers while reporting that the dry-run DENY would have matched', () => {
    const d = check({ path: '/headers' });
    expect(d.outcome).toBe('ALLOW');
    expect(d.dryRun).toEqual([{ kind: 'AuthorizationPolicy', namespace: 'foo', name: 'deny-path-headers', action: 'DENY', rule: 0, matched: true }]);
  });

  it('reports the dry-run policy as not matching other paths', () => {
    expect(check({ path: '/ip' }).dryRun?.[0].matched).toBe(false);
  });
});
