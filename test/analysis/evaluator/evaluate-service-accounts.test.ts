import { describe, expect, test } from 'vitest';
import { config, decide } from './evaluate-helpers';

// serviceAccounts compile to "spiffe://.+/ns/<ns>/(.+/|)sa/<sa>(/.+)?" (istiod srcServiceAccountGenerator).
// The evaluator compares canonical principals directly and keeps the regex for other shapes.
const POLICY = config(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: allow-sleep, namespace: foo }
spec:
  selector: { matchLabels: { app: httpbin } }
  rules:
  - from:
    - source: { serviceAccounts: ["dev/sleep"] }
`);

describe('serviceAccounts matching (istio.io authorization-policy reference, Source.serviceAccounts)', () => {
  test.each([
    ['cluster.local/ns/dev/sa/sleep', 'ALLOW'],
    ['other.domain/ns/dev/sa/sleep', 'ALLOW'],
    ['cluster.local/ns/dev/sa/sleeper', 'DENY_403'],
    ['cluster.local/ns/dev2/sa/sleep', 'DENY_403'],
    ['cluster.local/ns/dev/extra/sa/sleep', 'ALLOW'],
    ['cluster.local/ns/dev/sa/sleep/suffix', 'ALLOW'],
    ['cluster.local/ns/xdev/sa/sleep', 'DENY_403'],
  ])('%s -> %s', (principal, outcome) => {
    expect(decide(POLICY, { principal, namespace: principal.split('/')[2] }).outcome).toBe(outcome);
  });
});

// The evaluator skips rules pinned to other identities before running their matchers; the skip must
// never change a decision, including for identities the index cannot key.
describe('rules pinned to identities (rule index) decide as the matchers do', () => {
  const CONFIG = config(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: pinned, namespace: foo }
spec:
  selector: { matchLabels: { app: httpbin } }
  rules:
  - from: [{ source: { serviceAccounts: ["dev/other"] } }]
  - from: [{ source: { namespaces: ["a/sa"] } }]
  - from: [{ source: { principals: ["cluster.local/ns/prod/sa/api"] } }, { source: { namespaces: ["ops"] } }]
  - from: [{ source: { notNamespaces: ["blocked"] } }]
    to: [{ operation: { methods: ["HEAD"] } }]
`);
  test.each([
    ['cluster.local/ns/dev/sa/other', 'GET', 'ALLOW'],
    ['cluster.local/ns/dev/sa/sleep', 'GET', 'DENY_403'],
    ['cluster.local/ns/a/sa/sa', 'GET', 'ALLOW'],
    ['cluster.local/ns/prod/sa/api', 'GET', 'ALLOW'],
    ['cluster.local/ns/ops/sa/anything', 'GET', 'ALLOW'],
    ['cluster.local/ns/dev/extra/sa/other', 'GET', 'ALLOW'],
    ['cluster.local/ns/blocked/sa/x', 'HEAD', 'DENY_403'],
    ['cluster.local/ns/dev/sa/sleep', 'HEAD', 'ALLOW'],
  ])('%s %s -> %s', (principal, method, outcome) => {
    expect(decide(CONFIG, { principal, namespace: principal.split('/')[2], method }).outcome).toBe(outcome);
  });

  test('plaintext requests skip every pinned rule but still reach unpinned ones', () => {
    expect(decide(CONFIG, { principal: null, namespace: null, method: 'GET' }).outcome).toBe('DENY_403');
    expect(decide(CONFIG, { principal: null, namespace: null, method: 'HEAD' }).outcome).toBe('ALLOW');
  });
});

// perf5: `namespaces: [V]` is istiod's ".*/ns/V/.*" on spiffe://<principal>: a canonical principal
// contains "/ns/V/" for its own namespace, for V=sa when its namespace is "ns" (".../ns/ns/sa/..."),
// and for V=ns when its trust domain is "ns" ("spiffe://ns/ns/..."). The rule index must key those
// requests under every namespace they match, or it skips a rule that matches.
describe('namespaces values a canonical principal matches besides its own namespace', () => {
  const policy = (ns: string): ReturnType<typeof config> => config(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: by-namespace, namespace: foo }
spec:
  selector: { matchLabels: { app: httpbin } }
  rules:
  - from: [{ source: { namespaces: ["${ns}"] } }]
`);
  test.each([
    ['sa', 'cluster.local/ns/ns/sa/x', 'ALLOW'],
    ['ns', 'cluster.local/ns/ns/sa/x', 'ALLOW'],
    ['sa', 'cluster.local/ns/dev/sa/x', 'DENY_403'],
    ['ns', 'ns/ns/dev/sa/x', 'ALLOW'],
    ['dev', 'ns/ns/dev/sa/x', 'ALLOW'],
    ['ns', 'td/ns/dev/sa/x', 'DENY_403'],
  ])('namespaces [%s], peer %s -> %s', (ns, principal, outcome) => {
    expect(decide(policy(ns), { principal, namespace: principal.split('/')[2] }).outcome).toBe(outcome);
  });
});
