import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertValidConfig, buildIstioConfig, loadConfig, mergeConfigs, parseConfigText } from '../../../src/analysis/config/load-config';
import { TrustmeshAggregateError } from '../../../src/errors';
import { catchTrustmesh } from '../../helpers';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'analysis');

describe('loadConfig: files and directories', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-load-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (rel: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: x}\n`;

  it('reads *.yaml, *.yml and *.json recursively in sorted order and skips other files', () => {
    write('b.yaml', cm('b'));
    write('a/z.yml', cm('az'));
    write('a/c.json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ac', namespace: 'x' } }));
    write('notes.txt', cm('ignored'));
    const names = loadConfig(dir).objects.map((o) => o.metadata.name);
    expect(names).toEqual(['ac', 'az', 'b']);
  });

  it('loads several paths in the order given', () => {
    write('one.yaml', cm('one'));
    write('two.yaml', cm('two'));
    expect(loadConfig([path.join(dir, 'two.yaml'), path.join(dir, 'one.yaml')]).objects.map((o) => o.metadata.name)).toEqual(['two', 'one']);
  });

  it('reports a missing path with TM_FILE_NOT_FOUND', () => {
    const e = catchTrustmesh(() => loadConfig(path.join(dir, 'nope.yaml')));
    expect(e.code).toBe('TM_FILE_NOT_FOUND');
    expect(e.message).toMatch(/nope\.yaml/);
  });

  it('reports a YAML syntax error as TM_YAML_PARSE with file:line:column', () => {
    write('ok.yaml', cm('ok'));
    write('bad.yaml', `${cm('first')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n`);
    const e = catchTrustmesh(() => loadConfig(dir));
    expect(e.code).toBe('TM_YAML_PARSE');
    expect(e.location?.file).toBe(path.join(dir, 'bad.yaml'));
    expect(e.location?.line).toBeGreaterThanOrEqual(8);
    expect(e.message).toMatch(/bad\.yaml:\d+:\d+/);
  });

  it('reads the bookinfo fixture: the List items, workloads with service accounts, and the policies', () => {
    const cfg = loadConfig(path.join(FIXTURES, 'bookinfo'));
    expect(cfg.authorizationPolicies.map((p) => p.metadata.name)).toEqual(['allow-nothing', 'productpage-viewer', 'details-viewer', 'reviews-viewer', 'ratings-viewer']);
    expect(cfg.workloads.map((w) => [w.metadata.name, w.serviceAccountName, w.podLabels.app])).toEqual([
      ['productpage-v1', 'bookinfo-productpage', 'productpage'],
      ['details-v1', 'bookinfo-details', 'details'],
      ['reviews-v1', 'bookinfo-reviews', 'reviews'],
    ]);
    expect(cfg.workloads[0].ports).toEqual([{ containerPort: 9080, protocol: 'TCP' }]);
    expect(cfg.serviceAccounts).toHaveLength(3);
    expect(cfg.services[0]).toMatchObject({ selector: { app: 'details' }, ports: [{ name: 'http', port: 9080, targetPort: 9080 }] });
  });
});

describe('parseConfigText: objects and positions', () => {
  const yaml = [
    '# comment',
    'apiVersion: security.istio.io/v1',
    'kind: AuthorizationPolicy',
    'metadata:',
    '  name: first',
    '  namespace: foo',
    'spec: {}',
    '---',
    'apiVersion: v1',
    'kind: List',
    'items:',
    '- apiVersion: v1',
    '  kind: Namespace',
    '  metadata: {name: foo}',
    '- apiVersion: example.com/v1',
    '  kind: Widget',
    '  metadata: {name: w}',
  ].join('\n');

  it('keeps file:line:column of every document and List item', () => {
    const cfg = parseConfigText(yaml, 'mesh.yaml');
    expect(cfg.objects.map((o) => [o.kind, o.source])).toEqual([
      ['AuthorizationPolicy', { file: 'mesh.yaml', line: 2, column: 1 }],
      ['Namespace', { file: 'mesh.yaml', line: 12, column: 3 }],
      ['Widget', { file: 'mesh.yaml', line: 15, column: 3 }],
    ]);
  });

  it('locates fields inside an object', () => {
    const cfg = parseConfigText(yaml, 'mesh.yaml');
    expect(cfg.objects[0].locate(['metadata', 'name'])).toEqual({ file: 'mesh.yaml', line: 5, column: 3, field: 'metadata.name' });
  });

  it('keeps unknown kinds, and cluster-scoped kinds get no namespace', () => {
    const cfg = parseConfigText(yaml);
    expect(cfg.unknown.map((o) => o.kind)).toEqual(['Widget']);
    expect(cfg.namespaces[0].metadata.namespace).toBe('');
    expect(cfg.unknown[0].metadata).toMatchObject({ namespace: 'default', namespaceDefaulted: true });
  });

  it('uses the defaultNamespace option for namespaced objects without a namespace', () => {
    const cfg = parseConfigText('apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}', 'x.yaml', { defaultNamespace: 'team' });
    expect(cfg.serviceAccounts[0].metadata.namespace).toBe('team');
  });

  it('warns about an object without metadata.name (TM_MISSING_NAME) at its position, and keeps it', () => {
    const cfg = parseConfigText('apiVersion: v1\nkind: ServiceAccount\nmetadata: {namespace: team}\n', 'sa.yaml');
    expect(cfg.diagnostics.map((d) => [d.code, d.severity, d.message])).toEqual([['TM_MISSING_NAME', 'warning', 'ServiceAccount without metadata.name']]);
    expect(cfg.diagnostics[0].location).toMatchObject({ file: 'sa.yaml', line: 1, column: 1 });
    expect(cfg.serviceAccounts).toHaveLength(1);
  });

  it('skips documents that are not Kubernetes objects with a warning', () => {
    const cfg = parseConfigText('replicas: 3\n---\n- a\n');
    expect(cfg.objects).toHaveLength(0);
    expect(cfg.diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ['TM_NOT_A_KUBERNETES_OBJECT', 'warning'], ['TM_NOT_A_KUBERNETES_OBJECT', 'warning'],
    ]);
  });

  it('types networking kinds, workload kinds and WorkloadEntries', () => {
    const cfg = parseConfigText([
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: dr, namespace: a}\nspec: {host: x}',
      'apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: vm, namespace: a}\nspec: {address: 1.2.3.4, labels: {app: vm}, serviceAccount: vm-sa}',
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj, namespace: a}\nspec: {jobTemplate: {spec: {template: {metadata: {labels: {app: cj}}, spec: {containers: []}}}}}',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a, labels: {app: p}}\nspec: {serviceAccountName: psa}',
    ].join('\n---\n'));
    expect(cfg.destinationRules[0].spec).toEqual({ host: 'x' });
    expect(cfg.workloads.map((w) => [w.kind, w.podLabels.app, w.serviceAccountName])).toEqual([
      ['WorkloadEntry', 'vm', 'vm-sa'], ['CronJob', 'cj', 'default'], ['Pod', 'p', 'psa'],
    ]);
  });

  it('types legacy authentication/rbac objects, and reports malformed ones at the field (rbac.proto: services is required)', () => {
    const ok = parseConfigText('apiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRole\nmetadata: {name: r, namespace: a}\nspec: {rules: [{services: ["*"], methods: [GET]}]}');
    expect(ok.diagnostics).toEqual([]);
    expect(ok.legacy.roles[0].spec.rules[0]).toMatchObject({ services: ['*'], methods: ['GET'], paths: [] });
    const bad = parseConfigText('apiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRole\nmetadata: {name: r, namespace: a}\nspec:\n  rules:\n  - methods: [GET]\n    pathz: [/]', 'roles.yaml');
    expect(bad.legacy.roles).toHaveLength(0);
    expect(bad.diagnostics.map((d) => [d.code, d.severity, `${d.location?.file}:${d.location?.line}`])).toEqual([
      ['TM_LEGACY_POLICY_INVALID', 'error', 'roles.yaml:7'],
      ['TM_LEGACY_POLICY_INVALID', 'error', 'roles.yaml:6'],
    ]);
  });

  // istiod 1.4's webhook (pkg/config/validation ValidateAuthenticationPolicy, ValidateServiceRole,
  // ValidateServiceRoleBinding, checkRbacConfig): each case is one rule; every one is refused.
  it.each([
    ['Policy target not a label', 'authentication.istio.io/v1alpha1', 'Policy', 'p', '{targets: [{name: reviews.foo.svc.cluster.local}]}', /must be a valid label/],
    ['issuer twice', 'authentication.istio.io/v1alpha1', 'Policy', 'default', '{origins: [{jwt: {issuer: i}}, {jwt: {issuer: i}}]}', /issuer "i" already defined/],
    ['empty audience', 'authentication.istio.io/v1alpha1', 'Policy', 'default', '{origins: [{jwt: {issuer: i, audiences: [""]}}]}', /audience must be non-empty/],
    ['jwksUri not http', 'authentication.istio.io/v1alpha1', 'Policy', 'default', '{origins: [{jwt: {issuer: i, jwksUri: "file:///k.json"}}]}', /http or https/],
    ['methods and notMethods', 'rbac.istio.io/v1alpha1', 'ServiceRole', 'r', '{rules: [{services: ["*"], methods: [GET], notMethods: [POST]}]}', /both regular and \*not\*/],
    ['port out of range', 'rbac.istio.io/v1alpha1', 'ServiceRole', 'r', '{rules: [{services: ["*"], ports: [70000]}]}', /not in the range/],
    ['constraint without values', 'rbac.istio.io/v1alpha1', 'ServiceRole', 'r', '{rules: [{services: ["*"], constraints: [{key: "destination.labels[v]", values: []}]}]}', /at least 1 value/],
    ['destination.port beside ports', 'rbac.istio.io/v1alpha1', 'ServiceRole', 'r', '{rules: [{services: ["*"], ports: [80], constraints: [{key: destination.port, values: ["80"]}]}]}', /similar first-class field/],
    ['empty subject', 'rbac.istio.io/v1alpha1', 'ServiceRoleBinding', 'b', '{subjects: [{}], roleRef: {kind: ServiceRole, name: r}}', /empty subjects are not allowed/],
    ['property beside names', 'rbac.istio.io/v1alpha1', 'ServiceRoleBinding', 'b', '{subjects: [{names: [a], properties: {source.principal: b}}], roleRef: {kind: ServiceRole, name: r}}', /similar first-class field/],
    ['* in names', 'rbac.istio.io/v1alpha1', 'ServiceRoleBinding', 'b', '{subjects: [{names: ["*"]}], roleRef: {kind: ServiceRole, name: r}}', /do not use \*/],
    ['ClusterRbacConfig not default', 'rbac.istio.io/v1alpha1', 'ClusterRbacConfig', 'rbac', '{mode: "ON"}', /name must be "default"/],
    ['inclusion missing', 'rbac.istio.io/v1alpha1', 'ClusterRbacConfig', 'default', '{mode: ON_WITH_INCLUSION}', /inclusion cannot be null/],
  ])('refuses what istiod 1.4 refuses: %s', (_, apiVersion, kind, name, spec, message) => {
    const cfg = parseConfigText(`apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: ${name}, namespace: a}\nspec: ${spec}\n`, 'legacy.yaml');
    expect(cfg.diagnostics.map((d) => [d.code, d.severity])).toEqual([['TM_LEGACY_POLICY_INVALID', 'error']]);
    expect(cfg.diagnostics[0].message).toMatch(message);
    expect(cfg.diagnostics[0].location?.file).toBe('legacy.yaml');
  });

  it('admits the same objects written as istiod 1.4 wants them', () => {
    const cfg = parseConfigText([
      'apiVersion: authentication.istio.io/v1alpha1\nkind: Policy\nmetadata: {name: reviews-authn, namespace: a}\nspec: {targets: [{name: reviews}], origins: [{jwt: {issuer: i, audiences: [x], jwksUri: "https://i/k.json"}}]}',
      'apiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRole\nmetadata: {name: r, namespace: a}\nspec: {rules: [{services: ["*"], methods: [GET], ports: [80], constraints: [{key: "destination.labels[v]", values: [v1]}]}]}',
      'apiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRoleBinding\nmetadata: {name: b, namespace: a}\nspec: {subjects: [{user: "*"}, {properties: {source.principal: "*"}}], roleRef: {kind: ServiceRole, name: r}}',
      'apiVersion: rbac.istio.io/v1alpha1\nkind: ClusterRbacConfig\nmetadata: {name: default}\nspec: {mode: ON_WITH_INCLUSION, inclusion: {}}',
    ].join('\n---\n'));
    expect(cfg.diagnostics).toEqual([]);
  });
});

describe('security objects are validated like the API server would', () => {
  const policy = (spec: string): string => `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: foo}\nspec:\n${spec}`;

  it('types v1beta1 and v1 AuthorizationPolicies identically, defaulting action to ALLOW', () => {
    const v1 = parseConfigText(policy('  rules: [{}]')).authorizationPolicies[0];
    const beta = parseConfigText(policy('  rules: [{}]').replace('/v1', '/v1beta1')).authorizationPolicies[0];
    expect(v1.spec).toEqual(beta.spec);
    expect(v1.spec).toEqual({ targetRefs: [], action: 'ALLOW', rules: [{}] });
  });

  it('reports an unknown field with its position and a suggestion', () => {
    const cfg = parseConfigText(policy('  rules:\n  - form:\n    - source: {namespaces: [dev]}'), 'p.yaml');
    expect(cfg.authorizationPolicies).toHaveLength(0);
    expect(cfg.diagnostics[0]).toMatchObject({
      code: 'TM_POLICY_INVALID',
      severity: 'error',
      location: { file: 'p.yaml', line: 6, column: 5, field: 'spec.rules[0].form' },
      fix: expect.stringMatching(/Did you mean "from"\?/),
    });
  });

  it('reports a number where the schema wants a string, suggesting quotes', () => {
    const cfg = parseConfigText(policy('  rules:\n  - to:\n    - operation: {ports: [8080]}'));
    expect(cfg.diagnostics[0].message).toMatch(/spec\.rules\[0\]\.to\[0\]\.operation\.ports\[0\] must be a string/);
    expect(cfg.diagnostics[0].fix).toBe('Quote it: "8080".');
  });

  it('reports an invalid action and mTLS mode with a case hint', () => {
    expect(parseConfigText(policy('  action: deny')).diagnostics[0].fix).toBe('Did you mean "DENY"?');
    const pa = parseConfigText('apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: d, namespace: foo}\nspec: {mtls: {mode: strict}}');
    expect(pa.diagnostics[0].fix).toBe('Did you mean "STRICT"?');
  });

  it('suggests the camelCase name for a snake_case proto field', () => {
    expect(parseConfigText(policy('  rules:\n  - from:\n    - source: {not_principals: [x]}')).diagnostics[0].fix).toMatch(/Did you mean "notPrincipals"/);
  });

  it('assertValidConfig throws TM_CONFIG_INVALID listing every problem with its location', () => {
    const cfg = parseConfigText(policy('  action: deny') + '\n---\n' + policy('  rules: 3').replace('name: p', 'name: q'), 'p.yaml');
    const e = catchTrustmesh(() => assertValidConfig(cfg));
    expect(e.code).toBe('TM_CONFIG_INVALID');
    expect(e.message).toMatch(/2 invalid objects/);
    expect(e.message).toMatch(/p\.yaml:5:3/);
  });

  it('types PeerAuthentication portLevelMtls by port number', () => {
    const cfg = parseConfigText('apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: d, namespace: foo}\n'
      + 'spec: {selector: {matchLabels: {app: a}}, mtls: {mode: STRICT}, portLevelMtls: {"8080": {mode: DISABLE}}}');
    expect(cfg.peerAuthentications[0].spec).toEqual({ selector: { matchLabels: { app: 'a' } }, mode: 'STRICT', portLevelMtls: { 8080: 'DISABLE' } });
  });

  it('types RequestAuthentication jwtRules with their token locations', () => {
    const cfg = parseConfigText('apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: j, namespace: foo}\n'
      + 'spec: {jwtRules: [{issuer: i, jwks_uri: "https://x", fromHeaders: [{name: x-jwt, prefix: "Bearer "}], fromParams: [t]}]}');
    expect(cfg.requestAuthentications[0].spec.jwtRules[0]).toMatchObject({
      issuer: 'i', jwksUri: 'https://x', fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }], fromParams: ['t'], fromCookies: [], audiences: [],
    });
  });

  it('warns about security.istio.io versions Istio does not serve', () => {
    const cfg = parseConfigText(policy('  {}').replace('/v1', '/v1alpha1'));
    expect(cfg.diagnostics[0]).toMatchObject({ code: 'TM_UNSUPPORTED_API_VERSION', severity: 'warning' });
  });
});

describe('mergeConfigs', () => {
  it('joins configs loaded separately as if their objects were loaded together, diagnostics in order', () => {
    const a = 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p, namespace: foo}\nspec: {mtls: {mode: STRICT}}\n---\n'
      + 'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: foo}\nspec: {selector: {istio: gw}}\n---\n- not an object\n';
    const b = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: bad, namespace: foo}\nspec: {action: NOPE}\n---\n'
      + 'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: foo}\nspec: {selector: {app: s}, ports: [{port: 80}]}\n';
    const first = parseConfigText(a, 'a.yaml');
    const second = parseConfigText(b, 'b.yaml');
    const merged = mergeConfigs([first, second]);
    const together = buildIstioConfig([...first.objects, ...second.objects]);
    expect(merged).toEqual({ ...together, diagnostics: [...first.diagnostics, ...second.diagnostics] });
    expect(merged.diagnostics.map((d) => d.code)).toEqual(['TM_NOT_A_KUBERNETES_OBJECT', 'TM_POLICY_INVALID']);
    expect(mergeConfigs([first])).toBe(first);
  });
});

describe('loadConfig: empty and duplicated input is never silently fine', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-load-checks-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const policy = (name: string, namespace = 'foo', apiVersion = 'security.istio.io/v1'): string =>
    `apiVersion: ${apiVersion}\nkind: AuthorizationPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec: {}\n`;

  it('an empty directory is TM_NO_OBJECTS (an allow-everything answer would follow), unless allowEmpty', () => {
    const e = catchTrustmesh(() => loadConfig(dir));
    expect(e.code).toBe('TM_NO_OBJECTS');
    expect(e.message).toMatch(/found no YAML or JSON manifest file in ".*tm-load-checks-[^"]*"/);
    expect(e.fix).toMatch(/--allow-empty/);
    expect(loadConfig(dir, { allowEmpty: true }).objects).toEqual([]);
  });

  it('manifest files without a Kubernetes object are TM_NO_OBJECTS too, counting the files', () => {
    fs.writeFileSync(path.join(dir, 'empty.yaml'), '# nothing yet\n');
    fs.writeFileSync(path.join(dir, 'list.json'), '[1, 2]');
    expect(catchTrustmesh(() => loadConfig(dir)).message).toMatch(/found 2 manifest files but no Kubernetes object/);
  });

  it('an object defined twice (two versions of one output) is TM_DUPLICATE_OBJECT naming every file:line:col', () => {
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.mkdirSync(path.join(dir, 'dist2'));
    fs.writeFileSync(path.join(dir, 'dist', 'foo.yaml'), `${policy('a')}---\n${policy('b')}`);
    fs.writeFileSync(path.join(dir, 'dist2', 'foo.yaml'), `${policy('b', 'foo', 'security.istio.io/v1beta1')}---\n${policy('a', 'bar')}`);
    const e = catchTrustmesh(() => loadConfig([path.join(dir, 'dist'), path.join(dir, 'dist2')]));
    expect(e).toBeInstanceOf(TrustmeshAggregateError);
    expect(e.code).toBe('TM_DUPLICATE_OBJECT');
    const errors = (e as TrustmeshAggregateError).errors;
    // v1 and v1beta1 are one object of the API server; foo/a and bar/a are two.
    expect(errors).toHaveLength(1);
    expect(errors[0].location).toEqual({ file: path.join(dir, 'dist2', 'foo.yaml'), line: 1, column: 1 });
    expect(errors[0].summary).toBe(`AuthorizationPolicy foo/b is defined 2 times, also at ${path.join(dir, 'dist', 'foo.yaml')}:8:1`);
  });

  it('several duplicated objects are listed in the order of their first definitions, each with every place', () => {
    // a, b, then b's and a's copies in the other order, a three times.
    fs.writeFileSync(path.join(dir, 'one.yaml'), `${policy('a')}---\n${policy('b')}---\n${policy('b')}---\n${policy('a')}---\n${policy('a')}`);
    const errors = (catchTrustmesh(() => loadConfig(dir)) as TrustmeshAggregateError).errors;
    expect(errors.map((x) => x.summary.replace(/ also at .*/, ''))).toEqual([
      'AuthorizationPolicy foo/a is defined 3 times,', 'AuthorizationPolicy foo/b is defined 2 times,',
    ]);
    expect(errors[0].location?.line).toBe(22);
  });

  it('a Gateway API Gateway and an Istio Gateway of one name are two objects', () => {
    const gateway = (apiVersion: string): string => `apiVersion: ${apiVersion}\nkind: Gateway\nmetadata: {name: web, namespace: foo}\nspec: {}\n`;
    fs.writeFileSync(path.join(dir, 'gw.yaml'), `${gateway('networking.istio.io/v1')}---\n${gateway('gateway.networking.k8s.io/v1')}`);
    expect(loadConfig(dir).objects).toHaveLength(2);
  });
});
