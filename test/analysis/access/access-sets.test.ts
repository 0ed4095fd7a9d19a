// diffeval: evaluateVersion finds each term's identity and port verdicts once per destination (shared
// by the versions of a diff), combines them as bit sets and lets source classes with the same
// terms share one result. For random meshes and random edits, what it gives for every version,
// class and slice equals the plain evaluation: every term tested afresh for every class and slice.
/* eslint-disable no-bitwise -- region masks are bit sets */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { analyzeAccess } from '../../../src/analysis/access/access-analysis';
import { SliceAccess } from '../../../src/analysis/access/access-sets';
import { Cube, fullCube, simplifySet, subtractSets } from '../../../src/analysis/access/cubes';
import { probeRequest } from '../../../src/analysis/access/request-class-witnesses';
import { constraintTarget, decisivePolicies, RequestSpace, VersionInput } from '../../../src/analysis/access/request-classes';
import { SourceClass } from '../../../src/analysis/access/source-classes';
import { IstioConfig } from '../../../src/analysis/config/istio-config';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG, MeshConfig } from '../../../src/analysis/config/mesh-config';
import { createAnalysisContext } from '../../../src/analysis/evaluator/analysis-context';
import { CompiledPolicy, constraintMatches, FieldConstraint } from '../../../src/analysis/evaluator/authorization-rule';
import { evaluatorFor } from '../../../src/analysis/evaluator/evaluate';
import { mtlsForPort } from '../../../src/analysis/evaluator/mtls-mode';
import { RequestAttributes } from '../../../src/analysis/evaluator/request-attributes';

const NAMESPACES = ['a', 'b'];
const APPS = ['web', 'api'];

type Doc = Record<string, unknown>;

const source = fc.oneof(
  fc.constantFrom('cluster.local/ns/a/sa/web', 'cluster.local/ns/b/sa/api', 'cluster.local/ns/a/*', 'other.td/ns/x/sa/y', 'peer-x')
    .map((p) => ({ principals: [p] })),
  fc.constantFrom('web', 'b/api', 'a/ghost').map((sa) => ({ serviceAccounts: [sa] })),
  fc.constantFrom(...NAMESPACES).map((ns) => ({ namespaces: [ns] })),
  fc.constantFrom(...NAMESPACES).map((ns) => ({ notNamespaces: [ns] })),
  fc.constant({ ipBlocks: ['10.0.0.0/8'] }),
);
const operation = fc.oneof(
  fc.constantFrom('GET', 'POST').map((m) => ({ methods: [m] })),
  fc.constantFrom('8080', '9090').map((port) => ({ ports: [port] })),
  fc.constantFrom('/api/*', '/admin').map((path) => ({ paths: [path] })),
);
const when = fc.oneof(
  fc.constant({ key: 'source.namespace', values: ['a'] }),
  fc.constant({ key: 'request.headers[x-id]', values: ['1'] }),
  fc.constant({ key: 'experimental.envoy.filters.network.mysql_proxy[db.table]', values: ['t'] }),
);
// Up to 8 × 4 pairs: some term lists are longer than the 26 terms a bit set holds.
const rule = fc.record({
  from: fc.option(fc.array(source, { minLength: 1, maxLength: 8 }).map((xs) => xs.map((s) => ({ source: s }))), { nil: undefined }),
  to: fc.option(fc.array(operation, { minLength: 1, maxLength: 4 }).map((xs) => xs.map((o) => ({ operation: o }))), { nil: undefined }),
  when: fc.option(fc.array(when, { minLength: 1, maxLength: 1 }), { nil: undefined }),
}).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

const policy = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  app: fc.option(fc.constantFrom(...APPS), { nil: undefined }),
  action: fc.constantFrom('ALLOW', 'DENY'),
  rules: fc.array(rule, { minLength: 0, maxLength: 3 }),
});

const peerAuthentication = fc.option(fc.record({
  mode: fc.constantFrom('STRICT', 'PERMISSIVE', 'DISABLE'),
  port: fc.option(fc.constantFrom('STRICT', 'DISABLE'), { nil: undefined }),
}), { nil: undefined });

const version = fc.record({ policies: fc.array(policy, { minLength: 1, maxLength: 4 }), peerAuthentication });
type Version = typeof version extends fc.Arbitrary<infer T> ? T : never;

function config(v: Version, file: string): IstioConfig {
  const docs: Doc[] = NAMESPACES.flatMap((ns) => APPS.map((app) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace: ns },
    spec: {
      template: {
        metadata: { labels: { app } },
        spec: { serviceAccountName: app, containers: [{ name: app, ports: [{ containerPort: 8080 }, { containerPort: 9090 }] }] },
      },
    },
  })));
  v.policies.forEach((p, i) => docs.push({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: `p${i}`, namespace: p.namespace },
    spec: { ...(p.app ? { selector: { matchLabels: { app: p.app } } } : {}), action: p.action, rules: p.rules },
  }));
  if (v.peerAuthentication) {
    docs.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'pa', namespace: 'a' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        mtls: { mode: v.peerAuthentication.mode },
        ...(v.peerAuthentication.port ? { portLevelMtls: { 9090: { mode: v.peerAuthentication.port } } } : {}),
      },
    });
  }
  return parseConfigText(docs.map((d) => stringify(d)).join('---\n'), file);
}

interface PlainTerm { readonly principal: FieldConstraint[]; readonly port: FieldConstraint[]; readonly cube: Cube }

/** The evaluation without shortcuts: every term of every policy tested for each class and slice. */
function plainEvaluation(space: RequestSpace, classes: readonly SourceClass[], input: VersionInput | undefined, v: number,
  mesh: MeshConfig): SliceAccess[][] {
  const empty: SliceAccess = { allowed: [], dontCare: [], absent: true };
  if (!input) return classes.map(() => space.slices.map(() => empty));
  const { deny, allow } = decisivePolicies(input.policies, mesh);
  const full = fullCube(space.sizes);
  const base = probeRequest({ namespace: space.namespace, labels: {}, port: 80 });
  const constAttrs = new RequestAttributes(base, mesh, undefined, undefined);
  const t = space.dimensionIndex('token');
  const rejected = t < 0 ? 0n : space.dimensions[t].regions.reduce((m, r) => (r.rejected?.[v] ? m | (1n << BigInt(r.index)) : m), 0n);
  const dontCareHttp: Cube[] = rejected === 0n ? [] : [full.map((m, i) => (i === t ? rejected : m))];
  const termsOf = (policies: readonly CompiledPolicy[], protocol: 'HTTP' | 'TCP'): PlainTerm[] => policies
    .flatMap((p) => (protocol === 'TCP' ? p.tcp : p.http).rules
      .flatMap((r) => (r.sources ?? [[]]).flatMap((s) => (r.operations ?? [[]]).map((o) => [...s, ...o, ...r.conditions])))
      .flatMap((constraints): PlainTerm[] => {
        const term: PlainTerm = { principal: [], port: [], cube: [...full] };
        const cube = term.cube as bigint[];
        for (const c of constraints) {
          const target = constraintTarget(c.attribute.key);
          if (target.type === 'principal') {
            term.principal.push(c);
          } else if (target.type === 'port') {
            term.port.push(c);
          } else if (target.type === 'const') {
            if (!constraintMatches(c, constAttrs)) return [];
          } else {
            const d = space.dimensionIndex(target.key);
            cube[d] &= space.constraintMask(c, d, v);
          }
        }
        return cube.some((m) => m === 0n) ? [] : [term];
      }));
  return classes.map((cls) => space.slices.map((slice): SliceAccess => {
    if (!slice.inVersion[v]) return empty;
    const mtls = mtlsForPort(input.policies.peerAuthentication, slice.port);
    if (mtls.mode === 'STRICT' && cls.principal === null) {
      const pa = mtls.source?.policy;
      return { allowed: [], dontCare: [], absent: false, refusedBy: pa ? `${pa.metadata.namespace}/${pa.metadata.name}` : 'mTLS' };
    }
    const principal = mtls.mode === 'DISABLE' || cls.principal === null ? undefined : cls.principal;
    const who = new RequestAttributes(base, mesh, principal, undefined);
    const where = new RequestAttributes({ ...base, destination: { ...base.destination, port: slice.port } }, mesh, undefined, undefined);
    const holds = (term: PlainTerm): boolean => term.principal.every((c) => constraintMatches(c, who))
      && term.port.every((c) => constraintMatches(c, where));
    const denied = termsOf(deny, slice.protocol).filter(holds).map((x) => x.cube);
    const granted = allow.length === 0 ? [full] : termsOf(allow, slice.protocol).filter(holds).map((x) => x.cube);
    const dontCare = slice.protocol === 'HTTP' ? dontCareHttp : [];
    return { allowed: simplifySet(subtractSets(subtractSets(granted, denied), dontCare)), dontCare, absent: false };
  }));
}

describe('evaluateVersion', () => {
  it('equals the plain evaluation of every term for every version, class and slice', () => {
    let longLists = 0;
    fc.assert(fc.property(version, version, (x, y) => {
      const configs = [config(x, 'old.yaml'), config(y, 'new.yaml')];
      const mesh = DEFAULT_MESH_CONFIG;
      const evaluators = configs.map((c) => evaluatorFor(createAnalysisContext(c, mesh)));
      for (const d of analyzeAccess(configs).destinations) {
        d.versions.forEach((m, v) => {
          const input = m ? { policies: evaluators[v].policiesFor(m.namespace, m.labels), ...(m.ports ? { ports: m.ports } : {}) } : undefined;
          const pairs = (p: CompiledPolicy): number[] => p.http.rules.map((r) => (r.sources?.length ?? 1) * (r.operations?.length ?? 1));
          if (input && input.policies.allow.some((p) => pairs(p).some((n) => n > 26))) longLists++;
          expect(d.access[v]).toEqual(plainEvaluation(d.space, d.classification.classes, input, v, mesh));
        });
      }
    }), { numRuns: 120, seed: 41 });
    expect(longLists).toBeGreaterThan(0);
  });
});

/**
 * A version and an edit of it, as a diff mostly sees: one rule of one policy replaced, added or
 * removed, a policy's action flipped, a policy removed, or the PeerAuthentication changed.
 */
const edited: fc.Arbitrary<[Version, Version]> = version.chain((x) => fc.record({
  which: fc.nat(x.policies.length - 1),
  kind: fc.constantFrom('replace', 'add', 'remove', 'action', 'drop', 'mtls'),
  rule,
  at: fc.nat(3),
  peerAuthentication,
}).map((e): [Version, Version] => {
  const policies = x.policies.map((p, i) => {
    if (i !== e.which) return p;
    const rules = [...p.rules];
    const at = Math.min(e.at, rules.length);
    if (e.kind === 'replace') rules.splice(at, 1, e.rule);
    else if (e.kind === 'add') rules.splice(at, 0, e.rule);
    else if (e.kind === 'remove') rules.splice(at, 1);
    return { ...p, rules, action: e.kind !== 'action' ? p.action : p.action === 'ALLOW' ? 'DENY' as const : 'ALLOW' as const };
  });
  return [x, {
    policies: e.kind === 'drop' && policies.length > 1 ? policies.filter((_p, i) => i !== e.which) : policies,
    peerAuthentication: e.kind === 'mtls' ? e.peerAuthentication : x.peerAuthentication,
  }];
}));

describe('evaluateVersion of an edited version', () => {
  // diff14: the second version of a destination reuses the first one's SliceAccess for the classes
  // and slices no rule of one version only can reach; region masks of dimensions alike in both
  // versions are found once; TCP rules with nothing HTTP-only are the HTTP rules themselves.
  it('equals the plain evaluation of both versions, reusing the first version\'s access where nothing that changed reaches', () => {
    let reused = 0;
    let computed = 0;
    fc.assert(fc.property(edited, ([x, y]) => {
      const configs = [config(x, 'old.yaml'), config(y, 'new.yaml')];
      const mesh = DEFAULT_MESH_CONFIG;
      const evaluators = configs.map((c) => evaluatorFor(createAnalysisContext(c, mesh)));
      for (const d of analyzeAccess(configs).destinations) {
        d.versions.forEach((m, v) => {
          const input = m ? { policies: evaluators[v].policiesFor(m.namespace, m.labels), ...(m.ports ? { ports: m.ports } : {}) } : undefined;
          expect(d.access[v]).toEqual(plainEvaluation(d.space, d.classification.classes, input, v, mesh));
        });
        d.access[1].forEach((row, k) => row.forEach((s, i) => {
          if (s.absent) return;
          if (s === d.access[0][k][i]) reused++;
          else computed++;
        }));
      }
    }), { numRuns: 150, seed: 17 });
    expect(reused).toBeGreaterThan(0);
    expect(computed).toBeGreaterThan(0);
  });
});

/** A rule of more `from` × `to` pairs than a bit set holds (27 to 32). */
const longRule = fc.record({
  from: fc.array(source, { minLength: 7, maxLength: 8 }).map((xs) => xs.map((s) => ({ source: s }))),
  to: fc.array(operation, { minLength: 4, maxLength: 4 }).map((xs) => xs.map((o) => ({ operation: o }))),
});

describe('evaluateVersion of a version with a long rule added', () => {
  // diff14: a version that adds a rule of more terms than a bit set holds (its lists answer with
  // text) still equals the plain evaluation, and classes the new rule cannot reach keep their access.
  it('equals the plain evaluation of both versions, reusing where the long rule does not reach', () => {
    let reused = 0;
    fc.assert(fc.property(version, longRule, fc.nat(3), (x, r, which) => {
      const at = which % x.policies.length;
      const y = { ...x, policies: x.policies.map((p, i) => (i === at ? { ...p, rules: [...p.rules, r] } : p)) };
      const configs = [config(x, 'old.yaml'), config(y, 'new.yaml')];
      const mesh = DEFAULT_MESH_CONFIG;
      const evaluators = configs.map((c) => evaluatorFor(createAnalysisContext(c, mesh)));
      for (const d of analyzeAccess(configs).destinations) {
        d.versions.forEach((m, v) => {
          const input = m ? { policies: evaluators[v].policiesFor(m.namespace, m.labels), ...(m.ports ? { ports: m.ports } : {}) } : undefined;
          expect(d.access[v]).toEqual(plainEvaluation(d.space, d.classification.classes, input, v, mesh));
        });
        d.access[1].forEach((row, k) => row.forEach((s, i) => {
          if (!s.absent && s === d.access[0][k][i]) reused++;
        }));
      }
    }), { numRuns: 80, seed: 23 });
    expect(reused).toBeGreaterThan(0);
  });
});

describe('evaluateVersion on a rule pinned to identities', () => {
  it('still tests the matchers for a peer whose principal has no identity keys (not SPIFFE-shaped)', () => {
    const rules = [{ from: [{ source: { principals: ['peer-x'] } }, { source: { serviceAccounts: ['api'] } }] }];
    const c = config({ policies: [{ namespace: 'a', app: 'web', action: 'ALLOW', rules }], peerAuthentication: undefined } as unknown as Parameters<typeof config>[0],
      'pinned.yaml');
    const analysis = analyzeAccess([c]);
    const d = analysis.destinations.find((x) => x.id === 'a/web');
    const row = analysis.sources.findIndex((s) => s.id === 'peer-x');
    expect(d && row >= 0).toBe(true);
    const cls = d!.classification.classOfRow(row);
    expect(d!.access[0][cls].some((s) => s.allowed.length > 0)).toBe(true);
    const evaluator = evaluatorFor(createAnalysisContext(c, DEFAULT_MESH_CONFIG));
    const m = d!.versions[0]!;
    const input = { policies: evaluator.policiesFor(m.namespace, m.labels), ...(m.ports ? { ports: m.ports } : {}) };
    expect(d!.access[0]).toEqual(plainEvaluation(d!.space, d!.classification.classes, input, 0, DEFAULT_MESH_CONFIG));
  });
});
