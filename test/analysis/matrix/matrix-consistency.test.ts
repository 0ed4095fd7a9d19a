// The matrix agrees with the evaluator: for random policies and random requests, the matrix says
// "allowed" for a request's class exactly when `evaluate` allows the request (fixed seeds).
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { analyzeAccess } from '../../../src/analysis/access/access-analysis';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { meshConfig } from '../../../src/analysis/config/mesh-config';
import { diffAnalysis } from '../../../src/analysis/diff/diff';
import { createEvaluator } from '../../../src/analysis/evaluator/evaluate';
import { AccessRequest, JwtLocation, RequestJwt } from '../../../src/semantics/access-request';

const ISSUER_A = 'https://issuer.a';
const ISSUER_B = 'https://issuer.b';

/** A subset (possibly empty) of a list, as a field value or undefined. */
function someOf<T>(values: readonly T[], max = 2): fc.Arbitrary<T[] | undefined> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: max }) },
  );
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const PRINCIPALS = ['cluster.local/ns/dev/sa/a', 'cluster.local/ns/prod/*', '*', 'cluster.local/ns/foo/sa/sleep', '*/sa/b'];
const NAMESPACES = ['dev', 'prod', 'pro*', 'foo'];
const BLOCKS = ['10.0.0.0/8', '10.1.0.0/16', '192.168.1.1', 'fd00::/8'];
const REQUEST_PRINCIPALS = [`${ISSUER_A}/*`, `${ISSUER_A}/alice`, '*', `${ISSUER_B}/*`];
const METHODS = ['GET', 'POST', 'DELETE'];
const PATH_PATTERNS = ['/api/*', '/api/v1/*', '/healthz', '*/edit', '/items/{*}', '/docs/{**}', '/'];
const PORTS = ['8080', '9090'];
const HOSTS = ['web.foo', '*.example.com', 'web.foo:*'];

const source = fc.oneof(
  fc.record({
    principals: someOf(PRINCIPALS),
    notPrincipals: someOf(PRINCIPALS, 1),
    namespaces: someOf(NAMESPACES),
    notNamespaces: someOf(NAMESPACES, 1),
    ipBlocks: someOf(BLOCKS),
    notIpBlocks: someOf(BLOCKS, 1),
    requestPrincipals: someOf(REQUEST_PRINCIPALS),
    notRequestPrincipals: someOf(REQUEST_PRINCIPALS, 1),
    remoteIpBlocks: someOf(BLOCKS, 1),
  }).map(compact),
  fc.record({ serviceAccounts: fc.uniqueArray(fc.constantFrom('a', 'dev/a', 'prod/b', 'foo/sleep'), { minLength: 1, maxLength: 2 }), ipBlocks: someOf(BLOCKS) }).map(compact),
).filter((s) => Object.keys(s).length > 0);

const operation = fc.record({
  methods: someOf(METHODS),
  notMethods: someOf(METHODS, 1),
  paths: someOf(PATH_PATTERNS, 3),
  notPaths: someOf(PATH_PATTERNS, 1),
  ports: someOf(PORTS, 1),
  notPorts: someOf(PORTS, 1),
  hosts: someOf(HOSTS),
  notHosts: someOf(HOSTS, 1),
}).map(compact).filter((o) => Object.keys(o).length > 0);

const condition = fc.oneof(
  fc.record({ key: fc.constant('request.headers[x-env]'), values: fc.constantFrom(['prod'], ['dev*'], ['*']) }),
  fc.record({ key: fc.constant('request.headers[x-env]'), notValues: fc.constantFrom(['prod'], ['']) }),
  fc.record({ key: fc.constant('request.auth.claims[role]'), values: fc.constantFrom(['admin'], ['learner', 'admin'], ['lea*']) }),
  fc.record({ key: fc.constant('request.auth.claims[role]'), notValues: fc.constantFrom(['admin']) }),
  fc.record({ key: fc.constant('request.auth.audiences'), values: fc.constantFrom(['web']) }),
  fc.record({ key: fc.constant('source.namespace'), values: fc.constantFrom(['dev'], ['prod', 'foo']) }),
  fc.record({ key: fc.constant('source.principal'), notValues: fc.constantFrom(['cluster.local/ns/dev/sa/a']) }),
  fc.record({ key: fc.constant('destination.port'), values: fc.constantFrom(['8080'], ['9090']) }),
  fc.record({ key: fc.constant('source.ip'), values: fc.constantFrom(['10.0.0.0/8']) }),
  fc.record({ key: fc.constant('connection.sni'), values: fc.constantFrom(['web.foo']) }),
  fc.record({ key: fc.constant('experimental.envoy.filters.network.mysql_proxy[db.table]'), values: fc.constantFrom(['[update]']) }),
);

const rule = fc.record({
  from: fc.option(fc.array(source.map((s) => ({ source: s })), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  to: fc.option(fc.array(operation.map((o) => ({ operation: o })), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  when: fc.option(fc.array(condition, { minLength: 1, maxLength: 2 }), { nil: undefined }),
}).map(compact);

const selector = fc.constantFrom(undefined, { matchLabels: { app: 'web' } }, { matchLabels: { app: 'web', version: 'v1' } }, { matchLabels: { app: 'api' } });

const authorizationPolicy = fc.record({
  namespace: fc.constantFrom('foo', 'foo', 'istio-system'),
  selector,
  action: fc.constantFrom('ALLOW', 'ALLOW', 'DENY', 'CUSTOM'),
  rules: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 6, arbitrary: fc.array(rule, { minLength: 1, maxLength: 3 }) }),
  provider: fc.constantFrom('ext-authz', 'missing'),
}).filter((p) => p.action === 'ALLOW' || p.rules.length > 0);

const requestAuthentication = fc.record({
  rules: fc.uniqueArray(fc.constantFrom(
    { issuer: ISSUER_A, jwksUri: 'https://issuer.a/jwks' },
    { issuer: ISSUER_B, jwksUri: 'https://issuer.b/jwks', audiences: ['web'], fromHeaders: [{ name: 'x-jwt' }] },
  ), { minLength: 1, maxLength: 2, selector: (r) => r.issuer }),
  selector: fc.constantFrom(undefined, { matchLabels: { app: 'web' } }),
});

const peerAuthentication = fc.record({
  mode: fc.constantFrom('STRICT', 'PERMISSIVE', 'DISABLE', undefined),
  port: fc.option(fc.record({ port: fc.constantFrom(8080, 9090), mode: fc.constantFrom('STRICT', 'PERMISSIVE', 'DISABLE') }), { nil: undefined }),
});

const scenario = fc.record({
  policies: fc.array(authorizationPolicy, { minLength: 0, maxLength: 4 }),
  ra: fc.option(requestAuthentication, { nil: undefined }),
  pa: fc.option(peerAuthentication, { nil: undefined }),
  workload: fc.constantFrom('none', 'declared'),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** The same policies renamed, in reverse order, each multi-rule policy split into one policy per rule. */
function rewrite(s: Scenario): Scenario {
  const split = s.policies.flatMap((p) => {
    const rules: readonly Record<string, unknown>[] = p.rules;
    return rules.length > 1 ? rules.map((r) => ({ ...p, rules: [r] })) : [p];
  });
  return { ...s, policies: split.reverse() };
}

function yamlOf(s: Scenario, prefix = 'p'): string {
  const docs: unknown[] = [];
  s.policies.forEach((p, i) => {
    docs.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: `${prefix}${i}`, namespace: p.namespace },
      spec: compact({
        selector: p.selector,
        action: p.action,
        provider: p.action === 'CUSTOM' ? { name: p.provider } : undefined,
        rules: p.rules.length > 0 ? p.rules : undefined,
      }),
    });
  });
  if (s.ra) {
    docs.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: { name: 'jwt', namespace: 'foo' },
      spec: compact({ selector: s.ra.selector, jwtRules: s.ra.rules }),
    });
  }
  if (s.pa) {
    docs.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'mtls', namespace: 'foo' },
      spec: compact({
        selector: s.pa.port ? { matchLabels: { app: 'web' } } : undefined,
        mtls: s.pa.mode ? { mode: s.pa.mode } : undefined,
        portLevelMtls: s.pa.port ? { [s.pa.port.port]: { mode: s.pa.port.mode } } : undefined,
      }),
    });
  }
  if (s.workload === 'declared') {
    docs.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'foo' },
      spec: { template: { metadata: { labels: { app: 'web', version: 'v1' } }, spec: { serviceAccountName: 'web', containers: [{ name: 'web', ports: [{ containerPort: 8080 }, { containerPort: 9090 }, { containerPort: 7070 }] }] } } },
    });
    docs.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'foo' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http-web', port: 80, targetPort: 8080 }, { name: 'tcp-db', port: 9090 }] },
    });
  }
  return docs.map((d) => stringify(d)).join('---\n');
}

const jwtChoices: (RequestJwt | null)[] = [
  null,
  { status: 'valid', claims: { iss: ISSUER_A, sub: 'alice', role: 'admin', aud: 'web' } },
  { status: 'valid', claims: { iss: ISSUER_A, sub: 'bob', role: 'learner' } },
  { status: 'valid', claims: { iss: ISSUER_A, sub: 'carol', role: 'leader' } },
  { status: 'valid', claims: { iss: ISSUER_B, sub: 'alice', aud: 'web' }, location: 'header:x-jwt' as JwtLocation },
  { status: 'valid', claims: { iss: ISSUER_B, sub: 'dave', aud: 'other' }, location: 'header:x-jwt' as JwtLocation },
  { status: 'valid', claims: { iss: 'https://evil', sub: 'eve', role: 'admin' } },
  { status: 'invalid', reason: 'expired' },
  { status: 'valid', claims: { iss: ISSUER_A, sub: 'alice', role: 'admin' }, location: 'query:access_token' as JwtLocation },
];

const request = fc.record({
  protocol: fc.constantFrom('HTTP', 'HTTP', 'TCP'),
  principal: fc.constantFrom('cluster.local/ns/dev/sa/a', 'cluster.local/ns/prod/sa/b', 'cluster.local/ns/foo/sa/sleep', 'cluster.local/ns/prodx/sa/z',
    'cluster.local/ns/foo/sa/web', 'other.td/ns/dev/sa/a', null, null),
  ip: fc.constantFrom('10.0.0.1', '10.1.2.3', '192.168.1.1', '8.8.8.8', 'fd00::1'),
  remoteIp: fc.constantFrom(undefined, '10.1.0.9', '8.8.4.4'),
  labels: fc.constantFrom<Record<string, string>>({ app: 'web', version: 'v1' }, { app: 'web' }, { app: 'api' }, {}),
  port: fc.constantFrom(8080, 9090, 7070, 5000),
  method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'),
  path: fc.constantFrom('/', '/api/x', '/api/v1/y', '/healthz', '/healthz?x=1', '/a/edit', '/items/3', '/items/3/4', '/docs/', '/docs/a/b',
    '/api/../healthz', '/API/x', '/api/v1/'),
  host: fc.constantFrom(undefined, 'web.foo', 'a.example.com', 'WEB.FOO', 'web.foo:8080'),
  env: fc.constantFrom(undefined, 'prod', 'dev-1', ''),
  sni: fc.constantFrom(undefined, 'web.foo'),
  jwt: fc.constantFrom(...jwtChoices),
}).map((r): AccessRequest => {
  const base = {
    protocol: r.protocol as 'HTTP' | 'TCP',
    source: { principal: r.principal, namespace: r.principal ? /\/ns\/([^/]+)\//.exec(r.principal)?.[1] ?? null : null, ip: r.ip, ...(r.remoteIp ? { remoteIp: r.remoteIp } : {}) },
    destination: { namespace: 'foo', labels: r.labels, port: r.port },
    ...(r.sni ? { sni: r.sni } : {}),
  };
  if (r.protocol === 'TCP') return { ...base, jwt: null };
  return {
    ...base, jwt: r.jwt, method: r.method, path: r.path, ...(r.host ? { host: r.host } : {}), ...(r.env !== undefined ? { headers: { 'x-env': r.env } } : {}),
  };
});

describe('matrix consistency with the evaluator', () => {
  it('allows a request exactly when the evaluator does, for random policies and requests (fixed seed)', () => {
    const mesh = meshConfig({ extensionProviders: ['ext-authz'] });
    let checked = 0;
    let outside = 0;
    const scenarios = fc.sample(scenario, { seed: 20261124, numRuns: 300 });
    for (const [i, s] of scenarios.entries()) {
      const config = parseConfigText(yamlOf(s), `scenario-${i}.yaml`);
      if (config.diagnostics.some((d) => d.severity === 'error')) continue;
      const evaluator = createEvaluator(config, mesh);
      const analysis = analyzeAccess([config], { meshConfig: mesh });
      const columns = analysis.destinations.filter((d) => d.versions[0]);
      const rows = analysis.sources.map((x) => x.principal);
      for (const [k, generated] of fc.sample(fc.tuple(request, fc.nat(), fc.nat(), fc.nat()), { seed: i, numRuns: 60 }).entries()) {
        // Aim most requests at the matrix: a column's labels, one of its ports, a row's identity.
        const [g, a, b, c] = generated;
        const column = columns.length > 0 && k % 8 !== 0 ? columns[a % columns.length] : undefined;
        const slice = column && k % 4 !== 0 ? column.space.slices[b % column.space.slices.length] : undefined;
        const principal = k % 3 !== 0 ? rows[c % rows.length] : g.source.principal;
        const port = slice ? (slice.other ? 5000 : slice.port) : g.destination.port;
        let r: AccessRequest = {
          ...g,
          source: { ...g.source, principal, namespace: principal ? /\/ns\/([^/]+)\//.exec(principal)?.[1] ?? null : null },
          destination: {
            ...g.destination,
            namespace: column?.namespace ?? g.destination.namespace,
            labels: column?.versions[0]?.labels ?? g.destination.labels,
            port,
          },
        };
        if (slice && slice.protocol !== r.protocol) {
          r = slice.protocol === 'TCP'
            ? { protocol: 'TCP', source: r.source, destination: r.destination, jwt: null, ...(r.sni ? { sni: r.sni } : {}) }
            : { ...r, protocol: 'HTTP', method: 'GET', path: '/api/x' };
        }
        const verdict = analysis.allows(r);
        if (verdict === undefined) {
          outside++;
          if (process.env.TM_DEBUG) {
            const d = analysis.destinations.find((x) => JSON.stringify(x.versions[0]?.labels) === JSON.stringify(r.destination.labels));
            const why = !d ? 'no column' : d.classification.classOf(r.source.principal) === undefined ? `no class ${r.source.principal}`
              : d.space.classify(r).map((x, n) => (x === undefined ? d.space.dimensions[n].key : '')).filter(Boolean).join(',') || 'slice';
            process.stderr.write(`${why}\n`);
          }
          continue;
        }
        const decision = evaluator.evaluate(r);
        if (verdict !== decision.allowed) {
          throw new Error(`scenario ${i}: matrix says ${verdict}, evaluator ${decision.outcome} (${decision.explanation})\n`
            + `request: ${JSON.stringify(r)}\n${yamlOf(s)}`);
        }
        checked++;
      }
    }
    if (process.env.TM_DEBUG) process.stderr.write(`checked ${checked}, outside ${outside}\n`);
    expect(checked).toBeGreaterThan(10000);
    // Outside the matrix: destinations no column stands for, undeclared ports, unserved protocols.
    expect(outside / (checked + outside)).toBeLessThan(0.25);
  });
});

describe('diff consistency with the evaluator', () => {
  const mesh = meshConfig({ extensionProviders: ['ext-authz'] });

  it('shows no change between random policies and the same policies renamed, reordered and split (fixed seed)', () => {
    let compared = 0;
    for (const [i, s] of fc.sample(scenario, { seed: 7, numRuns: 150 }).entries()) {
      const before = parseConfigText(yamlOf(s), 'old.yaml');
      if (before.diagnostics.some((d) => d.severity === 'error')) continue;
      const after = parseConfigText(yamlOf(rewrite(s), 'renamed-'), 'new.yaml');
      const diff = diffAnalysis(analyzeAccess([before, after], { meshConfig: mesh }));
      if (diff.changes.length > 0) throw new Error(`scenario ${i}: ${diff.changes.map((c) => c.text).join('\n')}\n${yamlOf(s)}`);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('reports a widening change wherever a request becomes allowed, a narrowing one where it stops being allowed (fixed seed)', () => {
    let flips = 0;
    const pairs = fc.sample(fc.tuple(scenario, scenario), { seed: 11, numRuns: 150 });
    for (const [i, [a, b]] of pairs.entries()) {
      // Same workloads on both sides, so that destinations compare.
      const before = parseConfigText(yamlOf(a), 'old.yaml');
      const after = parseConfigText(yamlOf({ ...b, workload: a.workload }), 'new.yaml');
      if ([...before.diagnostics, ...after.diagnostics].some((d) => d.severity === 'error')) continue;
      const analysis = analyzeAccess([before, after], { meshConfig: mesh });
      const diff = diffAnalysis(analysis);
      const evaluators = [createEvaluator(before, mesh), createEvaluator(after, mesh)];
      const rows = analysis.sources;
      const columns = analysis.destinations.filter((d) => d.versions[0] && d.versions[1]);
      if (columns.length === 0) continue;
      for (const [k, [g, x, y]] of fc.sample(fc.tuple(request, fc.nat(), fc.nat()), { seed: i, numRuns: 40 }).entries()) {
        const column = columns[x % columns.length];
        const row = rows[y % rows.length];
        const r: AccessRequest = {
          ...g,
          source: { ...g.source, principal: row.principal, namespace: row.principal ? /\/ns\/([^/]+)\//.exec(row.principal)?.[1] ?? null : null },
          destination: {
            ...g.destination, namespace: column.namespace, labels: column.versions[0]?.labels ?? {}, port: k % 2 === 0 ? 8080 : g.destination.port,
          },
        };
        if (analysis.allows(r, 0) === undefined || analysis.allows(r, 1) === undefined) continue;
        const was = evaluators[0].evaluate(r).allowed;
        const now = evaluators[1].evaluate(r).allowed;
        if (was === now) continue;
        flips++;
        const change = diff.changes.find((c) => c.destination === column.id && c.sources.includes(row.id));
        const expected = now ? ['added', 'widened', 'changed'] : ['changed', 'narrowed', 'removed'];
        if (!change || !expected.includes(change.kind)) {
          throw new Error(`pair ${i}: ${row.id} → ${column.id} went ${was} → ${now} but the diff says ${change?.text ?? 'nothing'}\n${JSON.stringify(r)}`);
        }
      }
    }
    expect(flips).toBeGreaterThan(200);
  });
});
