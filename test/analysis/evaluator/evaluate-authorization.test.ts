import { describe, expect, it } from 'vitest';
import { ap, config, decide } from './evaluate-helpers';
import { meshConfig } from '../../../src/analysis/config/mesh-config';

// Page cited as AP below: https://istio.io/latest/docs/reference/config/security/authorization-policy/

describe('action order and defaults (AP: "CUSTOM, DENY and ALLOW actions")', () => {
  it('allows everything when no policy applies to the workload (AP rule 3)', () => {
    const d = decide(config(ap('other', 'bar', 'rules: [{}]\naction: DENY')));
    expect(d.outcome).toBe('ALLOW');
    expect(d.decidedBy).toEqual([]);
    expect(d.explanation).toMatch(/no ALLOW policy applies/);
  });

  it('allows nothing with spec: {} (AP "allow-nothing" example)', () => {
    const d = decide(config(ap('allow-nothing', 'foo', '{}')));
    expect(d.outcome).toBe('DENY_403');
    expect(d.decidedBy).toEqual([{ kind: 'AuthorizationPolicy', namespace: 'foo', name: 'allow-nothing', action: 'ALLOW', rule: null }]);
    expect(d.explanation).toMatch(/foo\/allow-nothing \(no rules: allows nothing\)/);
  });

  it('lets another ALLOW policy punch a hole in allow-nothing', () => {
    const cfg = config(ap('allow-nothing', 'foo', '{}') + ap('allow-get', 'foo', 'rules:\n- to:\n  - operation:\n      methods: ["GET"]'));
    expect(decide(cfg, { method: 'GET' }).outcome).toBe('ALLOW');
    expect(decide(cfg, { method: 'GET' }).decidedBy).toEqual([{ kind: 'AuthorizationPolicy', namespace: 'foo', name: 'allow-get', action: 'ALLOW', rule: 0 }]);
    expect(decide(cfg, { method: 'PUT' }).outcome).toBe('DENY_403');
  });

  it('allows everything with rules: [{}] (AP "allow-all" example)', () => {
    const d = decide(config(ap('allow-all', 'foo', 'rules:\n- {}')));
    expect(d.outcome).toBe('ALLOW');
    expect(d.explanation).toBe('allowed by foo/allow-all rule 0: empty rule matches every request');
  });

  it('denies everything with action DENY and rules: [{}], which no ALLOW can override', () => {
    const cfg = config(ap('deny-all', 'foo', 'action: DENY\nrules:\n- {}') + ap('allow-all', 'foo', 'rules:\n- {}'));
    const d = decide(cfg);
    expect(d.outcome).toBe('DENY_403');
    expect(d.decidedBy[0]).toMatchObject({ name: 'deny-all', action: 'DENY', rule: 0 });
  });

  it('never matches a DENY policy without rules (istiod generates a never-matching policy)', () => {
    expect(decide(config(ap('deny-nothing', 'foo', 'action: DENY'))).outcome).toBe('ALLOW');
  });

  it('evaluates DENY before ALLOW even when the ALLOW matches', () => {
    const cfg = config(ap('allow-dev', 'foo', 'rules:\n- from:\n  - source:\n      namespaces: ["dev"]')
      + ap('deny-post', 'foo', 'action: DENY\nrules:\n- to:\n  - operation:\n      methods: ["POST"]'));
    expect(decide(cfg, { method: 'POST' }).decidedBy[0].name).toBe('deny-post');
    expect(decide(cfg, { method: 'GET' }).decidedBy[0].name).toBe('allow-dev');
  });

  it('never changes the decision with AUDIT, but reports the matching AUDIT policy', () => {
    const cfg = config(ap('audit-get', 'foo', 'action: AUDIT\nrules:\n- to:\n  - operation:\n      methods: ["GET"]'));
    const d = decide(cfg);
    expect(d.outcome).toBe('ALLOW');
    expect(d.audit).toEqual([{ kind: 'AuthorizationPolicy', namespace: 'foo', name: 'audit-get', action: 'AUDIT', rule: 0 }]);
  });

  it('treats v1beta1 and v1 policies identically', () => {
    const yaml = ap('deny-dev', 'foo', 'action: DENY\nrules:\n- from:\n  - source:\n      namespaces: ["dev"]');
    const v1 = decide(config(yaml));
    const v1beta1 = decide(config(yaml.replace('security.istio.io/v1', 'security.istio.io/v1beta1')));
    expect(v1beta1).toEqual(v1);
    expect(v1.outcome).toBe('DENY_403');
  });
});

describe('CUSTOM action (AP "CUSTOM")', () => {
  const custom = ap('ext-authz', 'foo', 'action: CUSTOM\nprovider:\n  name: my-authz\nrules:\n- to:\n  - operation:\n      paths: ["/admin/*"]');

  it('delegates a matching request to a provider defined in MeshConfig and reports the delegation', () => {
    const d = decide(config(custom), { path: '/admin/x' }, meshConfig({ extensionProviders: ['my-authz'] }));
    expect(d.outcome).toBe('ALLOW');
    expect(d.custom).toEqual([expect.objectContaining({ name: 'ext-authz', provider: 'my-authz', rule: 0 })]);
  });

  it('denies a matching request when the provider is not defined in MeshConfig (istiod generates deny rules)', () => {
    const d = decide(config(custom), { path: '/admin/x' });
    expect(d.outcome).toBe('DENY_403');
    expect(d.explanation).toMatch(/provider "my-authz" is not defined in MeshConfig extensionProviders/);
  });

  it('does not involve the provider when the CUSTOM rules do not match', () => {
    const d = decide(config(custom), { path: '/public' });
    expect(d.outcome).toBe('ALLOW');
    expect(d.custom).toBeUndefined();
  });

  it('cannot bypass a DENY: the DENY still applies after the provider allowed', () => {
    const cfg = config(custom + ap('deny-admin', 'foo', 'action: DENY\nrules:\n- to:\n  - operation:\n      paths: ["/admin/*"]'));
    expect(decide(cfg, { path: '/admin/x' }, meshConfig({ extensionProviders: ['my-authz'] })).outcome).toBe('DENY_403');
  });
});

describe('dry-run (AP annotation istio.io/dry-run)', () => {
  const dryDeny = ap('dry-deny', 'foo', 'action: DENY\nrules:\n- {}', '    istio.io/dry-run: "true"');

  it('does not enforce a dry-run DENY but reports that it would have matched', () => {
    const d = decide(config(dryDeny));
    expect(d.outcome).toBe('ALLOW');
    expect(d.dryRun).toEqual([{ kind: 'AuthorizationPolicy', namespace: 'foo', name: 'dry-deny', action: 'DENY', rule: 0, matched: true }]);
  });

  it('does not make a dry-run ALLOW a default-deny for the workload', () => {
    const d = decide(config(ap('dry-allow', 'foo', 'rules:\n- to:\n  - operation:\n      methods: ["POST"]', '    istio.io/dry-run: "true"')));
    expect(d.outcome).toBe('ALLOW');
    expect(d.dryRun).toEqual([expect.objectContaining({ name: 'dry-allow', matched: false, rule: null })]);
  });

  it('enforces the policy when the annotation is "false" or not a boolean', () => {
    expect(decide(config(dryDeny.replace('"true"', '"false"'))).outcome).toBe('DENY_403');
    expect(decide(config(dryDeny.replace('"true"', '"yes"'))).outcome).toBe('DENY_403');
  });

  it('accepts the spellings Go strconv.ParseBool accepts ("1", "True")', () => {
    expect(decide(config(dryDeny.replace('"true"', '"1"'))).outcome).toBe('ALLOW');
    expect(decide(config(dryDeny.replace('"true"', '"True"'))).outcome).toBe('ALLOW');
  });
});

describe('scope: selector, namespace, root namespace, targetRefs (AP "selector")', () => {
  it('applies a selector policy only to matching workloads in its namespace', () => {
    const cfg = config(ap('deny-v1', 'foo', 'selector:\n  matchLabels:\n    version: v1\naction: DENY\nrules:\n- {}'));
    expect(decide(cfg, { labels: { app: 'httpbin', version: 'v1' } }).outcome).toBe('DENY_403');
    expect(decide(cfg, { labels: { app: 'httpbin', version: 'v2' } }).outcome).toBe('ALLOW');
    expect(decide(cfg, { destNamespace: 'bar', labels: { app: 'httpbin', version: 'v1' } }).outcome).toBe('ALLOW');
  });

  it('treats an empty matchLabels as namespace-wide', () => {
    const cfg = config(ap('deny-all', 'foo', 'selector:\n  matchLabels: {}\naction: DENY\nrules:\n- {}'));
    expect(decide(cfg, { labels: { any: 'thing' } }).outcome).toBe('DENY_403');
  });

  it('applies a root-namespace policy without selector to every namespace', () => {
    const cfg = config(ap('deny-all', 'istio-system', 'action: DENY\nrules:\n- {}'));
    expect(decide(cfg, { destNamespace: 'anything' }).outcome).toBe('DENY_403');
  });

  it('applies a root-namespace selector across namespaces (AP "version: v1 in all namespaces" example)', () => {
    const cfg = config(ap('allow-nothing', 'istio-system', 'selector:\n  matchLabels:\n    version: v1'));
    expect(decide(cfg, { destNamespace: 'bar', labels: { version: 'v1' } }).outcome).toBe('DENY_403');
    expect(decide(cfg, { destNamespace: 'bar', labels: { version: 'v2' } }).outcome).toBe('ALLOW');
  });

  it('uses the MeshConfig rootNamespace', () => {
    const cfg = config(ap('deny-all', 'mesh-root', 'action: DENY\nrules:\n- {}'));
    expect(decide(cfg, {}, meshConfig({ rootNamespace: 'mesh-root' })).outcome).toBe('DENY_403');
    expect(decide(cfg).outcome).toBe('ALLOW');
  });

  it('ignores targetRefs policies for sidecars and says why', () => {
    const cfg = config(ap('waypoint-deny', 'foo', 'targetRefs:\n- kind: Service\n  group: ""\n  name: httpbin\naction: DENY\nrules:\n- {}'));
    const d = decide(cfg);
    expect(d.outcome).toBe('ALLOW');
    expect(d.ignored).toEqual([{ kind: 'AuthorizationPolicy', namespace: 'foo', name: 'waypoint-deny', reason: expect.stringMatching(/not to sidecars/) }]);
  });
});

describe('rule semantics (AP "Rule", "Source", "Operation")', () => {
  it('ORs rules, ORs from entries, ORs to entries and ANDs fields inside one source', () => {
    const cfg = config(ap('p', 'foo', [
      'rules:',
      '- from:',
      '  - source:',
      '      principals: ["cluster.local/ns/default/sa/sleep"]',
      '  - source:',
      '      namespaces: ["test"]',
      '  to:',
      '  - operation:',
      '      methods: ["GET"]',
      '      paths: ["/info*"]',
      '  - operation:',
      '      methods: ["POST"]',
      '      paths: ["/data"]',
    ].join('\n')));
    const sleep = 'cluster.local/ns/default/sa/sleep';
    expect(decide(cfg, { principal: sleep, method: 'GET', path: '/info/x' }).outcome).toBe('ALLOW');
    expect(decide(cfg, { principal: 'cluster.local/ns/test/sa/x', method: 'POST', path: '/data' }).outcome).toBe('ALLOW');
    expect(decide(cfg, { principal: sleep, method: 'POST', path: '/info' }).outcome).toBe('DENY_403');
    expect(decide(cfg, { principal: 'cluster.local/ns/other/sa/x', method: 'GET', path: '/info' }).outcome).toBe('DENY_403');
  });

  it('ANDs when conditions and ORs the values of one condition', () => {
    const cfg = config(ap('p', 'foo', [
      'rules:',
      '- when:',
      '  - key: request.headers[x-env]',
      '    values: ["prod", "stage"]',
      '  - key: source.namespace',
      '    values: ["dev"]',
    ].join('\n')));
    expect(decide(cfg, { headers: { 'x-env': 'stage' } }).outcome).toBe('ALLOW');
    expect(decide(cfg, { headers: { 'x-env': 'stage' }, principal: 'cluster.local/ns/prod/sa/x' }).outcome).toBe('DENY_403');
    expect(decide(cfg, { headers: { 'x-env': 'qa' } }).outcome).toBe('DENY_403');
  });

  it('combines values and notValues of one condition', () => {
    const cfg = config(ap('p', 'foo', 'rules:\n- when:\n  - key: request.headers[x-user]\n    values: ["a*"]\n    notValues: ["admin"]'));
    expect(decide(cfg, { headers: { 'x-user': 'alice' } }).outcome).toBe('ALLOW');
    expect(decide(cfg, { headers: { 'x-user': 'admin' } }).outcome).toBe('DENY_403');
  });

  it('supports exact, prefix, suffix and presence matching (AP "Rule": Exact, Prefix, Suffix, Presence)', () => {
    const allowPath = (p: string): ReturnType<typeof config> => config(ap('p', 'foo', `rules:\n- to:\n  - operation:\n      paths: ["${p}"]`));
    expect(decide(allowPath('/abc'), { path: '/abc' }).outcome).toBe('ALLOW');
    expect(decide(allowPath('/abc'), { path: '/abcd' }).outcome).toBe('DENY_403');
    expect(decide(allowPath('/abc*'), { path: '/abcd' }).outcome).toBe('ALLOW');
    expect(decide(allowPath('*bc'), { path: '/xbc' }).outcome).toBe('ALLOW');
    expect(decide(allowPath('*bc'), { path: '/bcx' }).outcome).toBe('DENY_403');
    expect(decide(allowPath('*'), { path: '/' }).outcome).toBe('ALLOW');
  });

  it('explains which fields of the deciding rule matched', () => {
    const cfg = config(ap('httpbin-deny', 'foo', 'action: DENY\nrules:\n- from:\n  - source:\n      namespaces: ["dev"]\n  to:\n  - operation:\n      methods: ["POST"]'));
    expect(decide(cfg, { method: 'POST' }).explanation).toBe('denied by foo/httpbin-deny rule 0: source namespace dev matched, method POST matched');
  });

  it('reports the index of the rule that matched', () => {
    const cfg = config(ap('p', 'foo', 'rules:\n- to:\n  - operation:\n      methods: ["PUT"]\n- to:\n  - operation:\n      methods: ["GET"]'));
    expect(decide(cfg).decidedBy[0].rule).toBe(1);
  });

  it('skips a rule with an unknown when key, for ALLOW and DENY alike (istiod "skipped invalid rule")', () => {
    const allow = config(ap('p', 'foo', 'rules:\n- when:\n  - key: destination.namespace\n    values: ["foo"]'));
    expect(decide(allow).outcome).toBe('DENY_403');
    const deny = config(ap('p', 'foo', 'action: DENY\nrules:\n- when:\n  - key: destination.namespace\n    values: ["foo"]'));
    expect(decide(deny).outcome).toBe('ALLOW');
  });
});

describe('missing attributes and not* fields (Envoy RBAC: absent values fail positive matches)', () => {
  it('fails a principals match for a plaintext client', () => {
    const cfg = config(ap('p', 'foo', 'rules:\n- from:\n  - source:\n      principals: ["*"]'));
    expect(decide(cfg, { principal: null }).outcome).toBe('DENY_403');
    expect(decide(cfg).outcome).toBe('ALLOW');
  });

  it('matches notPrincipals for a plaintext client, so an ALLOW with notPrincipals lets plaintext in', () => {
    const cfg = config(ap('p', 'foo', 'rules:\n- from:\n  - source:\n      notPrincipals: ["cluster.local/ns/dev/sa/sleep"]'));
    const d = decide(cfg, { principal: null });
    expect(d.outcome).toBe('ALLOW');
    expect(d.explanation).toMatch(/source principal \(absent\) not in notPrincipals/);
    expect(decide(cfg).outcome).toBe('DENY_403');
  });

  it('denies plaintext with a DENY on notNamespaces (the DENY-with-negative-match pattern)', () => {
    const cfg = config(ap('p', 'foo', 'action: DENY\nrules:\n- from:\n  - source:\n      notNamespaces: ["dev"]'));
    expect(decide(cfg, { principal: null }).outcome).toBe('DENY_403');
    expect(decide(cfg).outcome).toBe('ALLOW');
  });

  it('fails requestPrincipals and matches notRequestPrincipals when no token is sent', () => {
    const pos = config(ap('p', 'foo', 'rules:\n- from:\n  - source:\n      requestPrincipals: ["*"]'));
    expect(decide(pos).outcome).toBe('DENY_403');
    const neg = config(ap('p', 'foo', 'action: DENY\nrules:\n- from:\n  - source:\n      notRequestPrincipals: ["*"]'));
    expect(decide(neg).outcome).toBe('DENY_403');
  });
});

describe('HTTP-only fields on TCP (AP "DENY" example; istio.io/latest/docs/tasks/security/authorization/authz-tcp/)', () => {
  it('DENY with methods only widens to all TCP traffic', () => {
    const cfg = config(ap('deny-post', 'foo', 'action: DENY\nrules:\n- to:\n  - operation:\n      methods: ["POST"]'));
    const d = decide(cfg, { protocol: 'TCP' });
    expect(d.outcome).toBe('DENY_CONN');
    expect(d.explanation).toMatch(/methods ignored on TCP \(HTTP-only field\)/);
    expect(decide(cfg, { method: 'GET' }).outcome).toBe('ALLOW');
  });

  it('DENY with methods and ports denies all TCP traffic on that port only (AP example, port 8080)', () => {
    const cfg = config(ap('deny-post', 'foo', 'action: DENY\nrules:\n- to:\n  - operation:\n      methods: ["POST"]\n      ports: ["8080"]'));
    expect(decide(cfg, { protocol: 'TCP', port: 8080 }).outcome).toBe('DENY_CONN');
    expect(decide(cfg, { protocol: 'TCP', port: 9000 }).outcome).toBe('ALLOW');
  });

  it('drops an ALLOW rule using an HTTP-only field on TCP, so the ALLOW matches nothing', () => {
    const cfg = config(ap('allow-get', 'foo', 'rules:\n- to:\n  - operation:\n      methods: ["GET"]\n      ports: ["9000"]'));
    const d = decide(cfg, { protocol: 'TCP', port: 9000 });
    expect(d.outcome).toBe('DENY_CONN');
    expect(d.explanation).toMatch(/rule 0 not generated on TCP: methods: methods is an HTTP-only field/);
    expect(decide(cfg, { method: 'GET', port: 9000 }).outcome).toBe('ALLOW');
  });

  it('keeps the other rules of an ALLOW when one rule is dropped on TCP', () => {
    const cfg = config(ap('p', 'foo', 'rules:\n- to:\n  - operation:\n      paths: ["/x"]\n- from:\n  - source:\n      namespaces: ["dev"]'));
    expect(decide(cfg, { protocol: 'TCP' }).decidedBy[0].rule).toBe(1);
  });

  it('ignores requestPrincipals of a DENY source on TCP, widening the source to any', () => {
    const cfg = config(ap('p', 'foo', 'action: DENY\nrules:\n- from:\n  - source:\n      requestPrincipals: ["*"]\n  - source:\n      namespaces: ["prod"]'));
    expect(decide(cfg, { protocol: 'TCP' }).outcome).toBe('DENY_CONN');
    expect(decide(cfg).outcome).toBe('ALLOW');
  });

  it('ignores request.* when conditions of a DENY on TCP', () => {
    const cfg = config(ap('p', 'foo', 'action: DENY\nrules:\n- from:\n  - source:\n      namespaces: ["dev"]\n  when:\n  - key: request.auth.claims[group]\n    values: ["x"]'));
    expect(decide(cfg, { protocol: 'TCP' }).outcome).toBe('DENY_CONN');
    expect(decide(cfg, { protocol: 'TCP', principal: 'cluster.local/ns/prod/sa/x' }).outcome).toBe('ALLOW');
  });

  it('widens an AUDIT rule the same way as a DENY', () => {
    const cfg = config(ap('p', 'foo', 'action: AUDIT\nrules:\n- to:\n  - operation:\n      paths: ["/x"]'));
    expect(decide(cfg, { protocol: 'TCP' }).audit).toHaveLength(1);
  });
});

describe('invalid values the webhook would refuse (istiod checkError)', () => {
  it('drops an ALLOW rule with an invalid CIDR', () => {
    const cfg = config(ap('p', 'foo', 'rules:\n- from:\n  - source:\n      ipBlocks: ["10.0.0.0/33"]\n- to:\n  - operation:\n      ports: ["1"]'));
    expect(decide(cfg, { ip: '10.0.0.1' }).outcome).toBe('DENY_403');
  });

  it('ignores just the invalid value of a DENY rule', () => {
    const cfg = config(ap('p', 'foo', 'action: DENY\nrules:\n- from:\n  - source:\n      ipBlocks: ["not-an-ip", "10.0.0.0/8"]'));
    expect(decide(cfg, { ip: '10.1.2.3' }).outcome).toBe('DENY_403');
    expect(decide(cfg, { ip: '192.168.0.1' }).outcome).toBe('ALLOW');
  });
});
