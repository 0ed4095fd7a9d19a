import { describe, expect, it } from 'vitest';
import { validateManifests } from '../../src/validate/manifest-validator';

function policy(name: string, source: Record<string, unknown>): object {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'x' } }, rules: [{ from: [{ source }] }] },
  };
}

// Rule results are cached per schema node for values on which every rule held; failing values must
// still be reported every time, and a cached passing value must not hide a different failing one.
describe('CEL rule results cache', () => {
  it('reports a failing value on every object, before and after passing values were cached', () => {
    const good = { principals: ['cluster.local/ns/a/sa/b'] };
    const bad = { serviceAccounts: ['a/b'], principals: ['cluster.local/ns/a/sa/b'] };
    const problems = validateManifests([policy('p1', good), policy('p2', bad), policy('p3', good), policy('p4', bad)]);
    const failing = problems.filter((d) => d.code === 'TM_CEL_RULE_FAILED').map((d) => d.message);
    expect(failing).toHaveLength(2);
    expect(failing[0]).toMatch(/p2.*Cannot set serviceAccounts with namespaces or principals/);
    expect(failing[1]).toMatch(/p4.*Cannot set serviceAccounts with namespaces or principals/);
  });
});
