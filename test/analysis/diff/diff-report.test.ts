// diff14: the diff reports its changes by a shorter way than it did (only the slices that differ
// described, changes grouped without the JSON of each, source lists shared by the changes of the same
// rows, classes whose slices are the very same objects skipped). For random meshes of two versions —
// tokens, ports and strict mTLS included — the report is exactly the plain one (diff-reference.ts),
// down to the order of the JSON's fields.
/* eslint-disable no-bitwise -- region masks are bit sets */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { referenceDiff } from './diff-reference';
import { AccessAnalysis, analyzeAccess } from '../../../src/analysis/access/access-analysis';
import { SliceAccess } from '../../../src/analysis/access/access-sets';
import { Cube, simplifySet } from '../../../src/analysis/access/cubes';
import { IstioConfig } from '../../../src/analysis/config/istio-config';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { diffAnalysis } from '../../../src/analysis/diff/diff';

type Doc = Record<string, unknown>;

const NAMESPACES = ['a', 'b'];
const APPS = ['web', 'api', 'db'];
const ISSUERS = ['https://x.example', 'https://y.example'];

const source = fc.oneof(
  fc.uniqueArray(fc.constantFrom('cluster.local/ns/a/sa/web', 'cluster.local/ns/b/sa/api', 'cluster.local/ns/a/sa/*', '*'), { minLength: 1, maxLength: 2 })
    .map((principals) => ({ principals })),
  fc.constantFrom(...NAMESPACES).map((ns) => ({ namespaces: [ns] })),
  fc.constantFrom(...NAMESPACES).map((ns) => ({ notNamespaces: [ns] })),
  fc.uniqueArray(fc.constantFrom('*', `${ISSUERS[0]}/*`, `${ISSUERS[1]}/alice`), { minLength: 1, maxLength: 2 }).map((requestPrincipals) => ({ requestPrincipals })),
);
const operation = fc.oneof(
  fc.uniqueArray(fc.constantFrom('GET', 'POST', 'PUT'), { minLength: 1, maxLength: 2 }).map((methods) => ({ methods })),
  fc.uniqueArray(fc.constantFrom('/api/*', '/admin', '/static/*'), { minLength: 1, maxLength: 2 }).map((paths) => ({ paths })),
  fc.constantFrom('8080', '9090').map((port) => ({ ports: [port] })),
  fc.tuple(fc.constantFrom('GET', 'DELETE'), fc.constantFrom('8080', '9090')).map(([m, p]) => ({ notMethods: [m], ports: [p] })),
);
const rule = fc.record({
  from: fc.option(source.map((s) => [{ source: s }]), { nil: undefined }),
  to: fc.option(operation.map((o) => [{ operation: o }]), { nil: undefined }),
  when: fc.option(fc.constantFrom('admin', 'learner').map((role) => [{ key: 'request.auth.claims[role]', values: [role] }]), { nil: undefined }),
}).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

const policy = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  app: fc.option(fc.constantFrom(...APPS), { nil: undefined }),
  action: fc.constantFrom('ALLOW', 'DENY'),
  rules: fc.array(rule, { maxLength: 3 }),
});

/** One version: its policies, which apps accept which token issuers, which namespaces are STRICT, which apps exist. */
interface Version {
  readonly policies: readonly { readonly namespace: string; readonly app?: string; readonly action: string; readonly rules: readonly Doc[] }[];
  readonly jwt: readonly (readonly [string, string, readonly string[]])[];
  readonly strict: readonly string[];
  readonly apps: readonly string[];
}

const issuerLists = fc.uniqueArray(fc.constantFrom(...ISSUERS), { minLength: 1, maxLength: 2 });
const version: fc.Arbitrary<Version> = fc.record({
  policies: fc.array(policy, { minLength: 1, maxLength: 5 }),
  jwt: fc.array(fc.tuple(fc.constantFrom(...NAMESPACES), fc.constantFrom(...APPS), issuerLists), { maxLength: 2 }),
  strict: fc.subarray(NAMESPACES),
  apps: fc.subarray(APPS, { minLength: 1 }),
});

/** Two versions: the second mostly the first, a policy, a token rule, mTLS or a workload changed. */
const versions = fc.tuple(version, version, fc.constantFrom('policy', 'jwt', 'strict', 'apps', 'all'), fc.nat()).map(([a, b, what, at]): [Version, Version] => {
  const policies = [...a.policies];
  policies[at % policies.length] = b.policies[0];
  switch (what) {
    case 'policy': return [a, { ...a, policies }];
    case 'jwt': return [a, { ...a, jwt: b.jwt }];
    case 'strict': return [a, { ...a, strict: b.strict }];
    case 'apps': return [a, { ...a, apps: b.apps }];
    default: return [a, b];
  }
});

function config(v: Version, file: string): IstioConfig {
  const docs: Doc[] = NAMESPACES.flatMap((ns) => v.apps.map((app) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace: ns },
    spec: {
      template: {
        metadata: { labels: { app } },
        spec: { serviceAccountName: app, containers: [{ name: app, ports: [{ containerPort: 8080 }, ...(app === 'api' ? [{ containerPort: 9090 }] : [])] }] },
      },
    },
  })));
  v.policies.forEach((p, i) => docs.push({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: `p${i}`, namespace: p.namespace },
    spec: { ...(p.app ? { selector: { matchLabels: { app: p.app } } } : {}), action: p.action, rules: p.rules },
  }));
  v.jwt.forEach(([ns, app, issuers], i) => docs.push({
    apiVersion: 'security.istio.io/v1',
    kind: 'RequestAuthentication',
    metadata: { name: `jwt${i}`, namespace: ns },
    spec: { selector: { matchLabels: { app } }, jwtRules: issuers.map((issuer) => ({ issuer, jwksUri: `${issuer}/jwks` })) },
  }));
  for (const ns of v.strict) {
    docs.push({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'strict', namespace: ns }, spec: { mtls: { mode: 'STRICT' } } });
  }
  return parseConfigText(docs.map((d) => stringify(d)).join('---\n'), file);
}

function analysisOf([a, b]: [Version, Version]): AccessAnalysis {
  return analyzeAccess([config(a, 'old.yaml'), config(b, 'new.yaml')]);
}

/** The analysis with the after-slices of some classes replaced by their very before-slices (as when no changed rule affects them). */
function withSharedSlices(analysis: AccessAnalysis, pick: readonly boolean[]): AccessAnalysis {
  let n = 0;
  const destinations = analysis.destinations.map((d) => ({
    ...d,
    access: [d.access[0], d.access[1].map((slices, k) => (pick[n++ % pick.length] ? d.access[0][k] : slices))],
  }));
  return { ...analysis, destinations };
}

/**
 * The analysis with each class's slices drawn from the destination's own (of any class and version,
 * unions of two of them, or the same set written otherwise): many classes then change alike, or
 * almost alike, as the grouping of changes must tell apart.
 */
/** The same set, its first cube split in two along its first dimension of several regions. */
function split(cubes: readonly Cube[]): Cube[] {
  const [first, ...rest] = cubes;
  const d = first.findIndex((mask) => (mask & (mask - 1n)) !== 0n);
  if (d < 0) return [...cubes];
  const low = first[d] & -first[d];
  return [first.map((m, i) => (i === d ? low : m)), first.map((m, i) => (i === d ? m & ~low : m)), ...rest];
}

function withDrawnSlices(analysis: AccessAnalysis, picks: readonly number[]): AccessAnalysis {
  let n = 0;
  const destinations = analysis.destinations.map((d) => {
    const pools = d.space.slices.map((_s, i) => {
      const pool = [...new Set(d.access.flatMap((classes) => classes.map((slices) => slices[i])))];
      const served = pool.filter((s) => !s.absent).slice(0, 4);
      const unions = served.flatMap((a, x) => served.slice(x + 1).map((b) => ({ ...a, allowed: simplifySet([...a.allowed, ...b.allowed]) })));
      const reversed = pool.filter((s) => s.allowed.length > 1).map((s) => ({ ...s, allowed: [...s.allowed].reverse() }));
      return [...pool, ...unions, ...reversed, ...pool.filter((s) => s.allowed.length > 0).map((s) => ({ ...s, allowed: split(s.allowed) }))];
    });
    const draw = (): SliceAccess[] => pools.map((pool) => pool[picks[n++ % picks.length] % pool.length]);
    return { ...d, access: d.access.map((classes) => classes.map(draw)) };
  });
  return { ...analysis, destinations };
}

describe('the diff report', () => {
  it('is the plain report, field order included (random meshes, fixed seed)', () => {
    let changes = 0;
    let shared = 0;
    for (const vs of fc.sample(versions, { seed: 14, numRuns: 250 })) {
      const analysis = analysisOf(vs);
      const fast = diffAnalysis(analysis);
      const plain = referenceDiff(analysis);
      expect(JSON.stringify(fast)).toBe(JSON.stringify(plain));
      expect(fast).toEqual(plain);
      changes += fast.changes.length;
      // Changes of the same rows share their list.
      shared += fast.changes.filter((c, i) => fast.changes.some((o, j) => j < i && o.sources === c.sources)).length;
      for (const c of fast.changes) expect(Object.isFrozen(c.sources)).toBe(true);
    }
    expect(changes).toBeGreaterThan(500);
    expect(shared).toBeGreaterThan(20);
  });

  it('is the plain report when classes change alike or almost alike (random meshes and slices, fixed seed)', () => {
    let merged = 0;
    fc.assert(fc.property(versions, fc.array(fc.nat(), { minLength: 1, maxLength: 9 }), (vs, picks) => {
      const analysis = withDrawnSlices(analysisOf(vs), picks);
      const fast = diffAnalysis(analysis);
      expect(JSON.stringify(fast)).toBe(JSON.stringify(referenceDiff(analysis)));
      const classes = analysis.destinations.reduce((sum, d) => sum + d.classification.classes.length, 0);
      if (fast.changes.length < classes) merged++;
    }), { numRuns: 200, seed: 16 });
    expect(merged).toBeGreaterThan(50);
  });

  it('is the plain report when some classes keep their very slices (random meshes, fixed seed)', () => {
    fc.assert(fc.property(versions, fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }), (vs, pick) => {
      const analysis = withSharedSlices(analysisOf(vs), pick);
      expect(JSON.stringify(diffAnalysis(analysis))).toBe(JSON.stringify(referenceDiff(analysis)));
    }), { numRuns: 100, seed: 15 });
  });

  it('groups the classes whose changes are alike, and only those', () => {
    const from = (principal: string, method: string): Doc => ({
      from: [{ source: { principals: [principal] } }], to: [{ operation: { methods: [method] } }],
    });
    const web = 'cluster.local/ns/a/sa/web';
    const api = 'cluster.local/ns/b/sa/api';
    const db = 'cluster.local/ns/b/sa/db';
    const before: Version = {
      policies: [{ namespace: 'a', app: 'db', action: 'ALLOW', rules: [from(web, 'GET'), from(api, 'PUT'), from(db, 'PUT')] }],
      jwt: [],
      strict: [],
      apps: APPS,
    };
    // Each gets POST: web was allowed GET, api and db PUT.
    const after: Version = { ...before, policies: [{ ...before.policies[0], rules: [...before.policies[0].rules, from(web, 'POST'), from(api, 'POST'), from(db, 'POST')] }] };
    const analysis = analysisOf([before, after]);
    const d = diffAnalysis(analysis);
    expect(JSON.stringify(d)).toBe(JSON.stringify(referenceDiff(analysis)));
    expect(d.changes.map((c) => `${c.kind} ${c.sources.join(',')} ${c.before.summary}`)).toEqual([
      'widened a/web GET on port 8080',
      'widened b/api,b/db PUT on port 8080',
    ]);
  });
});
