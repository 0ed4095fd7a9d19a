// diffeval: matrixSources skips references it has seen (by namespace and name, or by the `ns/sa`
// text) and splits each row's sort key once. For random policies of two versions, naming accounts,
// principals, namespaces and trust domains in every shape, the rows equal the reference's, in order.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { referenceSources } from './sources-reference';
import { PolicyChanges } from '../../../src/analysis/access/policy-changes';
import { matrixSources } from '../../../src/analysis/access/sources';
import { IstioConfig } from '../../../src/analysis/config/istio-config';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG, MeshConfig } from '../../../src/analysis/config/mesh-config';
import { createAnalysisContext } from '../../../src/analysis/evaluator/analysis-context';

const NAMESPACES = ['a', 'b', 'ns'];
const ACCOUNT_REFS = ['web', 'api', 'a/web', 'b/web', 'a/b/c', '', 'x/', '/y', 'a/*', '*', 'sa'];
const PRINCIPALS = ['cluster.local/ns/a/sa/web', 'cluster.local/ns/b/sa/api', 'old.local/ns/a/sa/web', 'other.td/ns/x/sa/y',
  'cluster.local/ns/a/*', '*/ns/b/sa/api', 'a/web', 'spiffe-less', '*', ''];
const NAMESPACE_REFS = ['a', 'b', 'team-*', '*', ''];
const TRUST_DOMAINS = ['cluster.local', 'other.td', 'old.local', 'x*', ''];

const source = fc.record({
  principals: fc.option(fc.array(fc.constantFrom(...PRINCIPALS), { maxLength: 3 }), { nil: undefined }),
  notPrincipals: fc.option(fc.array(fc.constantFrom(...PRINCIPALS), { maxLength: 2 }), { nil: undefined }),
  serviceAccounts: fc.option(fc.array(fc.constantFrom(...ACCOUNT_REFS), { maxLength: 4 }), { nil: undefined }),
  notServiceAccounts: fc.option(fc.array(fc.constantFrom(...ACCOUNT_REFS), { maxLength: 2 }), { nil: undefined }),
  namespaces: fc.option(fc.array(fc.constantFrom(...NAMESPACE_REFS), { maxLength: 2 }), { nil: undefined }),
  trustDomains: fc.option(fc.array(fc.constantFrom(...TRUST_DOMAINS), { maxLength: 2 }), { nil: undefined }),
}).map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)));

const condition = fc.record({
  key: fc.constantFrom('source.principal', 'source.serviceAccount', 'source.namespace', 'source.trustDomain', 'request.headers[x]'),
  values: fc.array(fc.constantFrom(...ACCOUNT_REFS, ...PRINCIPALS), { minLength: 1, maxLength: 3 }),
});

const policy = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  rules: fc.array(fc.record({
    from: fc.array(source.map((s) => ({ source: s })), { maxLength: 3 }),
    when: fc.array(condition, { maxLength: 2 }),
  }), { maxLength: 3 }),
});

const version = fc.record({
  policies: fc.array(policy, { maxLength: 4 }),
  accounts: fc.array(fc.tuple(fc.constantFrom(...NAMESPACES), fc.constantFrom('web', 'api', 'db')), { maxLength: 3 }),
});

function config(v: typeof version extends fc.Arbitrary<infer T> ? T : never, file: string): IstioConfig {
  const docs = [
    ...v.accounts.map(([namespace, name]) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } })),
    ...v.policies.map((p, i) => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: `p${i}`, namespace: p.namespace },
      spec: { rules: p.rules },
    })),
  ];
  return parseConfigText(docs.map((d) => stringify(d)).join('---\n'), file);
}

type VersionOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

/** The version with some of its policies changed (diff14: the others are the same documents in both). */
const perturbed = version.chain((x) => fc.tuple(fc.constant(x), fc.array(fc.nat(), { maxLength: 2 }), policy).map(([v, picks, other]) => ({
  ...v,
  policies: v.policies.map((p, i) => (picks.some((k) => k % Math.max(1, v.policies.length) === i) ? other : p)),
})));

describe('matrixSources', () => {
  it('gives the reference rows for two versions that share most policies (diff14: a shared one read once)', () => {
    fc.assert(fc.property(version, perturbed, (x, y) => {
      const contexts = [config(x, 'old.yaml'), config(y, 'new.yaml')].map((c) => createAnalysisContext(c, DEFAULT_MESH_CONFIG, { allowInvalidConfig: true }));
      expect(matrixSources(contexts)).toEqual(referenceSources(contexts));
      expect(matrixSources([contexts[1], contexts[0]])).toEqual(referenceSources([contexts[1], contexts[0]]));
    }), { numRuns: 300, seed: 7 });
  });

  it('gives the reference rows for versions edited from the first, with the diff\'s PolicyChanges (diff16: its pairing skips the same policies)', () => {
    // Each later version is the first with some policies replaced, renamed or moved (same text, other namespace).
    const edited = (x: VersionOf<typeof version>): fc.Arbitrary<VersionOf<typeof version>> => fc.tuple(
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('replace', 'move', 'keep'), policy), { maxLength: 3 }),
    ).map(([edits]) => ({
      ...x,
      policies: x.policies.map((p, i) => {
        const edit = edits.find(([k]) => k % Math.max(1, x.policies.length) === i);
        if (!edit || edit[1] === 'keep') return p;
        return edit[1] === 'replace' ? edit[2] : { ...p, namespace: edit[2].namespace };
      }),
    }));
    const versions = version.chain((x) => fc.tuple(fc.constant(x), edited(x), edited(x)));
    fc.assert(fc.property(versions, ([x, y, z]) => {
      const contexts = [config(x, 'a.yaml'), config(y, 'b.yaml'), config(z, 'c.yaml')]
        .map((c) => createAnalysisContext(c, DEFAULT_MESH_CONFIG, { allowInvalidConfig: true }));
      const changes = PolicyChanges.of(contexts.map((c) => c.config), DEFAULT_MESH_CONFIG.rootNamespace);
      expect(matrixSources(contexts, changes)).toEqual(referenceSources(contexts));
      expect(matrixSources(contexts.slice(0, 2))).toEqual(referenceSources(contexts.slice(0, 2)));
    }), { numRuns: 300, seed: 16 });
  });

  it('reads again a policy of the same text in another namespace (a load\'s default namespace)', () => {
    const text = stringify({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'p' },
      spec: { rules: [{ from: [{ source: { serviceAccounts: ['web'] } }] }] },
    });
    const contexts = ['a', 'b'].map((ns) => createAnalysisContext(parseConfigText(text, `${ns}.yaml`, { defaultNamespace: ns }), DEFAULT_MESH_CONFIG));
    expect(contexts[0].config.objects[0].documentText).toBe(contexts[1].config.objects[0].documentText);
    expect(matrixSources(contexts).map((s) => s.id)).toEqual(['a/web', 'b/web', 'plaintext', '*']);
  });

  it('gives the reference rows, in the reference order, for the versions of random policies', () => {
    const meshes: MeshConfig[] = [DEFAULT_MESH_CONFIG, { ...DEFAULT_MESH_CONFIG, trustDomainAliases: ['old.local'] }];
    fc.assert(fc.property(version, version, fc.constantFrom(...meshes), (x, y, mesh) => {
      const contexts = [config(x, 'old.yaml'), config(y, 'new.yaml')].map((c) => createAnalysisContext(c, mesh, { allowInvalidConfig: true }));
      expect(matrixSources(contexts)).toEqual(referenceSources(contexts));
      expect(matrixSources([contexts[1]])).toEqual(referenceSources([contexts[1]]));
    }), { numRuns: 300, seed: 5 });
  });
});
