import * as cel from '@bufbuild/cel';
import { describe, expect, it, vi } from 'vitest';
import { knownFunctionNames, kubernetesCelEnv } from '../../src/validate/cel-environment';
import { CelRuleTree } from '../../src/validate/cel-rules';
import { CrdSchemaSet } from '../../src/validate/crd-schema';

vi.mock('@bufbuild/cel', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@bufbuild/cel')>();
  return { ...actual, parse: vi.fn(actual.parse) };
});

// CRDs repeat rules (the selector and label rules sit in a dozen kinds); CEL's parser is the slow
// part of compiling, so an expression is compiled once per environment.
describe('CEL rule compilation', () => {
  it('parses an expression repeated across kinds once, and reports it in each kind', () => {
    const set = CrdSchemaSet.bundled();
    const env = kubernetesCelEnv();
    const names = knownFunctionNames(env);
    const parse = vi.mocked(cel.parse);
    parse.mockClear();
    const trees = ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication'].map((kind) => {
      const hit = set.lookup('security.istio.io/v1', kind);
      if (!hit.found) throw new Error(kind);
      return CelRuleTree.compile(hit.schema, env, names);
    });
    const rules = trees.flatMap((t) => t.reports.map((r) => r.rule));
    expect(rules.filter((r) => r === '!self.contains("*")')).toHaveLength(3);
    expect(parse.mock.calls.map(([source]) => source).sort()).toEqual([...new Set(rules)].sort());
    expect(trees.every((t) => t.reports.every((r) => r.status === 'compiled'))).toBe(true);
  });

  it('evaluates a shared expression on each kind at its own path', () => {
    const set = CrdSchemaSet.bundled();
    const env = kubernetesCelEnv();
    const names = knownFunctionNames(env);
    const object = { spec: { selector: { matchLabels: { app: 'a*' } } } };
    for (const kind of ['AuthorizationPolicy', 'RequestAuthentication']) {
      const hit = set.lookup('security.istio.io/v1', kind);
      if (!hit.found) throw new Error(kind);
      const failures = CelRuleTree.compile(hit.schema, env, names).evaluate(object);
      expect(failures.map((f) => [f.path, f.rule])).toEqual([['spec.selector.matchLabels[app]', '!self.contains("*")']]);
    }
  });
});
