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
