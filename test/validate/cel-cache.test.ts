import { parse } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import { keysOnly } from '../../src/validate/cel-expression';
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

describe('CEL rules that read only the keys of a map', () => {
  const withLabels = (name: string, matchLabels: Record<string, string>): object => ({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: 'shop' },
    spec: { selector: { matchLabels }, rules: [{}] },
  });

  it('are recognized: a comprehension over self whose body reads only the key', () => {
    const rule = (source: string): boolean => keysOnly(parse(source).expr);
    expect(rule('self.all(key, !key.contains("*"))')).toBe(true);
    expect(rule('self.exists(k, k.size() != 0)')).toBe(true);
    expect(rule('self.all(key, self[key] != "")')).toBe(false);
    expect(rule('self.all(k, v, v != "")')).toBe(false);
    expect(rule('self.size() > 0')).toBe(false);
    expect(rule('self.spec.all(k, k != "")')).toBe(false);
  });

  it('report a bad key on every object, after label sets with the same values and good keys passed', () => {
    const problems = validateManifests([
      withLabels('p1', { app: 'a' }), withLabels('p2', { 'ap*': 'a' }), withLabels('p3', { app: 'b' }), withLabels('p4', { 'ap*': 'b' }),
    ]);
    const failing = problems.filter((d) => d.code === 'TM_CEL_RULE_FAILED').map((d) => d.message);
    expect(failing).toHaveLength(2);
    expect(failing[0]).toMatch(/p2: spec.selector.matchLabels: wildcard/);
    expect(failing[1]).toMatch(/p4: spec.selector.matchLabels: wildcard/);
  });

  it('still check the values of label sets whose keys passed before', () => {
    const problems = validateManifests([withLabels('p1', { app: 'a' }), withLabels('p2', { app: 'a*' })]);
    expect(problems.filter((d) => d.code === 'TM_CEL_RULE_FAILED').map((d) => d.message)).toEqual([expect.stringMatching(/p2.*wildcard/)]);
  });
});
