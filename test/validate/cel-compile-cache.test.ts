import * as cel from '@bufbuild/cel';
import { describe, expect, it, vi } from 'vitest';
import { knownFunctionNames, kubernetesCelEnv } from '../../src/validate/cel-environment';
import { CelRuleTree } from '../../src/validate/cel-rules';
import { CrdSchemaSet } from '../../src/validate/crd-schema';
import { crdYaml } from '../helpers';

vi.mock('@bufbuild/cel', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@bufbuild/cel')>();
  return { ...actual, parse: vi.fn(actual.parse) };
});

// CRDs repeat rules (the selector and label rules sit in a dozen kinds); CEL's parser is the slow
// part of compiling, so an expression is compiled once per environment, and the bundled schemas'
// expressions are parsed at build time.
describe('CEL rule compilation', () => {
  it('parses an expression repeated across kinds once, and reports it in each kind', () => {
    const kind = (name: string): string => crdYaml(name, `
type: object
properties:
  spec:
    type: object
    properties:
      name: {type: string, x-kubernetes-validations: [{rule: 'self.size() < 7'}]}
    x-kubernetes-validations: [{rule: 'has(self.name) || self.size() == 0'}]
`);
    const set = CrdSchemaSet.fromCrdYaml(`${kind('One')}---\n${kind('Two')}`, 'two.yaml');
    const env = kubernetesCelEnv();
    const names = knownFunctionNames(env);
    const parse = vi.mocked(cel.parse);
    parse.mockClear();
    const trees = set.definitions.map((crd) => CelRuleTree.compile(crd.schema!, env, names));
    expect(trees.flatMap((t) => t.reports.map((r) => `${r.schemaPath} ${r.rule} ${r.status}`))).toEqual([
      '.spec has(self.name) || self.size() == 0 compiled', '.spec.name self.size() < 7 compiled',
      '.spec has(self.name) || self.size() == 0 compiled', '.spec.name self.size() < 7 compiled',
    ]);
    expect(parse.mock.calls.map(([source]) => source).sort()).toEqual(['has(self.name) || self.size() == 0', 'self.size() < 7']);
    expect(trees[1].evaluate({ spec: { name: 'too long' } })).toEqual([expect.objectContaining({ path: 'spec.name', rule: 'self.size() < 7' })]);
  });

  it('does not parse the bundled schemas\' expressions at run time (they are precompiled)', () => {
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
    expect(trees.flatMap((t) => t.reports).filter((r) => r.rule === '!self.contains("*")')).toHaveLength(3);
    expect(trees.every((t) => t.reports.every((r) => r.status === 'compiled'))).toBe(true);
    expect(parse).not.toHaveBeenCalled();
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
