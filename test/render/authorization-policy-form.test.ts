// The renderer builds every AuthorizationPolicy spec in the form its serialization writes (keys in
// ascending order, no empty members): the shaped fast path (constructs/private/json-shape.ts) then
// takes it as it is, without a copy, and its rules' canonical JSON is their JSON.stringify.
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { generateMesh } from '../../bench/generate-mesh';
import { renderIstio } from '../../src';
import { AUTHORIZATION_POLICY_SPEC } from '../../src/constructs/private/istio-spec-shapes';
import { convertedByShape } from '../../src/constructs/private/json-shape';
import { fooHttpbinMesh, microShakeFactoryMesh, microShakeFactoryMutualMesh } from '../../src/examples';
import { MeshModel } from '../../src/model/mesh-model';
import { canonicalJson } from '../../src/private/canonical-json';
import { ruleJson } from '../../src/render/istio/authorization-rules';
import { tempApp } from '../helpers';

describe('rendered AuthorizationPolicy specs are in their output form', () => {
  // bench/generate-mesh builds on lib/: its Mesh is another class than src's, with the same model.
  test.each<[string, (app: ReturnType<typeof tempApp>) => { readonly model: unknown }]>([
    ['foo-httpbin', fooHttpbinMesh],
    ['micro-shake-factory', microShakeFactoryMesh],
    ['micro-shake-factory (mutual TLS ingress)', microShakeFactoryMutualMesh],
    ['a generated mesh', (app) => generateMesh(app, { services: 150, namespaces: 6, seed: 11 }).mesh],
    ['a generated mesh on Istio 1.21', (app) => generateMesh(app, { services: 80, namespaces: 4, seed: 2, istioVersion: '1.21', legacyShapes: true }).mesh],
  ])('%s', (_name, define) => {
    const policies = renderIstio(define(tempApp()).model as MeshModel).filter((m) => m.kind === 'AuthorizationPolicy');
    expect(policies.length).toBeGreaterThan(0);
    for (const p of policies) expect(convertedByShape(p.spec, AUTHORIZATION_POLICY_SPEC)).toBe(p.spec);
  });
});

describe('ruleJson', () => {
  const strings = fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 });
  const record = (keys: string[]) => fc.record(Object.fromEntries(keys.map((k) => [k, strings])), { requiredKeys: [] });
  const source = record(['serviceAccounts', 'principals', 'notPrincipals', 'ipBlocks', 'namespaces', 'requestPrincipals']);
  const operation = record(['ports', 'methods', 'paths', 'notPaths', 'hosts', 'notMethods']);
  const condition = fc.record({ key: fc.string({ maxLength: 4 }), values: strings, notValues: strings }, { requiredKeys: ['key'] });
  const rule = fc.record({
    from: fc.array(source.map((s) => ({ source: s })), { minLength: 1, maxLength: 3 }),
    to: operation.map((o) => [{ operation: o }]),
    when: fc.array(condition, { minLength: 1, maxLength: 2 }),
  }, { requiredKeys: [] });

  // renderRules sorts its rules by this key instead of sortUniqueByJson's canonicalJson of each rule.
  test('is the canonical JSON of the rule its parts make, with members in any key order', () => {
    fc.assert(fc.property(rule, (r) => {
      const json = ruleJson(r.from?.map((f) => canonicalJson(f.source)), r.to ? canonicalJson(r.to[0].operation) : undefined,
        r.when ? canonicalJson(r.when) : undefined);
      expect(json).toBe(canonicalJson(r));
    }), { numRuns: 300 });
  });
});
