// diffspace: compileRule records a dropped rule in its compilation instead of throwing, and skips
// the fields a source or operation does not write. Property: compileRules gives, for any rules and
// action on either filter chain, what a plain reference gives — the field-by-field compilation
// in rule order that stops at the first value an ALLOW rule cannot use.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthorizationPolicyResource, AuthorizationRule } from '../../../src/analysis/config/istio-config';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG, MeshConfig } from '../../../src/analysis/config/mesh-config';
import { CompiledRules, compileRules, FieldConstraint, ruleAt } from '../../../src/analysis/evaluator/authorization-rule';
import {
  AttributeDefinition, conditionAttribute, fixedAttribute, HOST_ATTRIBUTE, METHOD_ATTRIBUTE, PATH_ATTRIBUTE, SOURCE_FIELD_ATTRIBUTES,
} from '../../../src/analysis/evaluator/conditions';
import { internIdentityKey } from '../../../src/analysis/evaluator/request-attributes';
import { guardOf } from '../../../src/analysis/evaluator/rule-guard';
import { expandTrustDomainAliases } from '../../../src/analysis/evaluator/trust-domain';

const MESH: MeshConfig = { ...DEFAULT_MESH_CONFIG, trustDomainAliases: ['old.local'] };

const SOURCE_FIELDS = [['principals', 'notPrincipals'], ['requestPrincipals', 'notRequestPrincipals'], ['namespaces', 'notNamespaces'],
  ['serviceAccounts', 'notServiceAccounts'], ['trustDomains', 'notTrustDomains'], ['ipBlocks', 'notIpBlocks'],
  ['remoteIpBlocks', 'notRemoteIpBlocks']] as const;
const OPERATION_FIELDS = [['hosts', 'notHosts', HOST_ATTRIBUTE], ['methods', 'notMethods', METHOD_ATTRIBUTE], ['paths', 'notPaths', PATH_ATTRIBUTE],
  ['ports', 'notPorts', fixedAttribute('destination.port') as AttributeDefinition]] as const;

/** A constraint as data: attribute, field names and the patterns of its matchers. */
interface PlainConstraint {
  attribute: string;
  field: string;
  notField: string;
  condition: boolean;
  values?: string[];
  notValues?: string[];
}
interface PlainCompiledRule {
  index: number;
  sources?: PlainConstraint[][];
  operations?: PlainConstraint[][];
  conditions: PlainConstraint[];
  ignored: string[];
}
type PlainRule = { index: number; reason: string } | PlainCompiledRule;

/** The reference: every field in rule order, an unusable value ending an ALLOW rule, noted for other actions. */
function reference(resource: AuthorizationPolicyResource, protocol: 'HTTP' | 'TCP'): PlainRule[] {
  const action = resource.spec.action;
  const namespace = resource.metadata.namespace;
  return resource.spec.rules.map((rule: AuthorizationRule | null, index): PlainRule => {
    if (rule === null) return { index, reason: 'the rule is null' };
    const unknown = (rule.when ?? []).find((w) => !conditionAttribute(w.key));
    if (unknown) return { index, reason: `unknown attribute "${unknown.key}" in when` };
    const ignored: string[] = [];
    let dropped: string | undefined;
    const list = (attribute: AttributeDefinition, values: readonly string[] | undefined, name: string): string[] | undefined => {
      const out: string[] = [];
      const expanded = attribute.key === 'source.principal'
        ? (values ?? []).flatMap((p) => expandTrustDomainAliases(p, MESH.trustDomain, MESH.trustDomainAliases)) : values ?? [];
      for (const v of expanded) {
        if (dropped !== undefined) return undefined;
        const tcpOnly = attribute.httpOnly && protocol === 'TCP';
        const matcher = tcpOnly ? { error: `${name} is an HTTP-only field` } : attribute.compile(v, namespace);
        if ('error' in matcher) {
          if (action === 'ALLOW') dropped = `${name}: ${matcher.error}`;
          const note = tcpOnly ? `${name} ignored on TCP (HTTP-only field)` : `${name} value ignored: ${matcher.error}`;
          if (!ignored.includes(note)) ignored.push(note);
        } else {
          out.push(matcher.raw);
        }
      }
      return out.length > 0 ? out : undefined;
    };
    const constraint = (attribute: AttributeDefinition, field: string, notField: string, values: readonly string[] | undefined,
      notValues: readonly string[] | undefined, condition: boolean): PlainConstraint[] => {
      const pos = list(attribute, values, field);
      const neg = dropped === undefined ? list(attribute, notValues, notField) : undefined;
      if (dropped !== undefined || (!pos && !neg)) return [];
      return [{ attribute: attribute.key, field, notField, condition, ...(pos ? { values: pos } : {}), ...(neg ? { notValues: neg } : {}) }];
    };
    const sources = rule.from && rule.from.length > 0 ? rule.from.map((f) => SOURCE_FIELDS.flatMap(([field, notField]) => constraint(
      fixedAttribute(SOURCE_FIELD_ATTRIBUTES[field]) as AttributeDefinition, field, notField, f.source?.[field], f.source?.[notField], false)))
      : undefined;
    const operations = rule.to && rule.to.length > 0 ? rule.to.map((t) => OPERATION_FIELDS.flatMap(([field, notField, attribute]) => constraint(
      attribute, field, notField, t.operation?.[field], t.operation?.[notField], false))) : undefined;
    const conditions = (rule.when ?? []).flatMap((w) => constraint(conditionAttribute(w.key) as AttributeDefinition, w.key,
      `${w.key} notValues`, w.values, w.notValues, true));
    if (dropped !== undefined) return { index, reason: dropped };
    return { index, ...(sources ? { sources } : {}), ...(operations ? { operations } : {}), conditions, ignored };
  });
}

/** What compileRules gives, as data in the reference's form, in rule order. */
function compiled(resource: AuthorizationPolicyResource, protocol: 'HTTP' | 'TCP'): PlainRule[] {
  const { rules, dropped } = compileRules(resource, protocol, MESH);
  const plain = (c: FieldConstraint): PlainConstraint => ({
    attribute: c.attribute.key,
    field: c.field,
    notField: c.notField,
    condition: c.condition,
    ...(c.values ? { values: c.values.map((v) => v.raw) } : {}),
    ...(c.notValues ? { notValues: c.notValues.map((v) => v.raw) } : {}),
  });
  const out: PlainRule[] = [
    ...rules.map((r) => ({
      index: r.index,
      ...(r.sources ? { sources: r.sources.map((g) => g.map(plain)) } : {}),
      ...(r.operations ? { operations: r.operations.map((g) => g.map(plain)) } : {}),
      conditions: r.conditions.map(plain),
      ignored: [...r.ignored],
    })),
    ...dropped.map((d) => ({ index: d.index, reason: d.reason })),
  ];
  return out.sort((a, b) => a.index - b.index);
}

const values = (pool: readonly string[]): fc.Arbitrary<string[] | undefined> =>
  fc.option(fc.subarray([...pool], { minLength: 1 }), { nil: undefined });
const source = fc.record({
  principals: values(['cluster.local/ns/a/sa/x', 'old.local/ns/b/sa/y', 'other.td/ns/c/sa/z', '*']),
  notPrincipals: values(['cluster.local/ns/a/sa/x']),
  requestPrincipals: values(['issuer/subject', '*']),
  namespaces: values(['a', 'b*']),
  notNamespaces: values(['c']),
  serviceAccounts: values(['x', 'b/y', 'bad*', 'a/b/c']),
  trustDomains: values(['cluster.local', 'bad/td']),
  ipBlocks: values(['10.0.0.0/8', 'not-an-ip']),
  notRemoteIpBlocks: values(['192.168.1.1']),
}, { requiredKeys: [] });
const operation = fc.record({
  hosts: values(['example.com', '*.example.com']),
  methods: values(['GET', 'POST']),
  notPaths: values(['/admin/*', '/api/{*}/x']),
  ports: values(['8080', 'not-a-port', '70000']),
  notPorts: values(['9090']),
}, { requiredKeys: [] });
const condition = fc.record({
  key: fc.constantFrom('request.headers[x-id]', 'source.ip', 'destination.port', 'request.auth.claims[role]', 'no.such.key', 'request.headers'),
  values: values(['a', '10.0.0.1', '8080']),
  notValues: values(['b']),
}, { requiredKeys: ['key'] });
const rule = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.record({
      from: fc.option(fc.array(fc.record({ source }), { maxLength: 2 }), { nil: undefined }),
      to: fc.option(fc.array(fc.record({ operation }), { maxLength: 2 }), { nil: undefined }),
      when: fc.option(fc.array(condition, { maxLength: 2 }), { nil: undefined }),
    }, { requiredKeys: [] }),
  },
  { weight: 1, arbitrary: fc.constant(null) },
);

function policy(namespace: string, action: string, rules: unknown[]): AuthorizationPolicyResource {
  const text = JSON.stringify({
    apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace }, spec: { action, rules },
  });
  const loaded = parseConfigText(text, 'test.yaml').authorizationPolicies;
  return loaded[0];
}

describe('compileRules', () => {
  it('compiles every rule as the field-by-field reference does, on both filter chains', () => {
    fc.assert(fc.property(fc.constantFrom('a', 'b'), fc.constantFrom('ALLOW', 'DENY', 'AUDIT', 'CUSTOM'), fc.array(rule, { maxLength: 4 }),
      (namespace, action, rules) => {
        const resource = policy(namespace, action, rules);
        expect(resource).toBeDefined();
        for (const protocol of ['HTTP', 'TCP'] as const) expect(compiled(resource, protocol)).toEqual(reference(resource, protocol));
      }), { numRuns: 500 });
  });

  // diff14: on TCP, a rule that compiles alike on both chains is the HTTP chain's object itself.
  it('compiles for TCP from the HTTP rules as it does alone, reusing exactly the rules with nothing HTTP-only', () => {
    const asData = (r: CompiledRules): unknown => JSON.parse(JSON.stringify(r, (_k, v: unknown) => (v instanceof Set ? [...v]
      : v instanceof Map ? [...v.entries()] : typeof v === 'function' ? 'fn' : typeof v === 'bigint' ? `${v}n` : v)));
    let reused = 0;
    let compiledAgain = 0;
    let droppedFromHttp = 0;
    fc.assert(fc.property(fc.constantFrom('a', 'b'), fc.constantFrom('ALLOW', 'DENY', 'AUDIT', 'CUSTOM'), fc.array(rule, { maxLength: 4 }),
      (namespace, action, rules) => {
        const resource = policy(namespace, action, rules);
        const http = compileRules(resource, 'HTTP', MESH);
        const tcp = compileRules(resource, 'TCP', MESH, http);
        expect(asData(tcp)).toEqual(asData(compileRules(resource, 'TCP', MESH)));
        // diff16: an ALLOW rule HTTP kept and TCP drops is dropped from its HTTP constraints.
        droppedFromHttp += tcp.dropped.filter((d) => action === 'ALLOW' && http.rules.some((h) => h.index === d.index)).length;
        for (const r of tcp.rules) {
          const same = http.rules.includes(r);
          if (same) reused++;
          else if (http.rules.some((h) => h.index === r.index)) compiledAgain++;
          // Reused only when nothing of the rule is on an HTTP-only attribute and nothing was left out.
          const constraints = [...(r.sources ?? []).flat(), ...(r.operations ?? []).flat(), ...r.conditions];
          if (same) expect(r.ignored.length === 0 && constraints.every((c) => !c.attribute.httpOnly)).toBe(true);
        }
      }), { numRuns: 500 });
    expect(reused).toBeGreaterThan(0);
    expect(compiledAgain).toBeGreaterThan(0);
    expect(droppedFromHttp).toBeGreaterThan(0);
  });

  // diff16: a rule's guard and identity ids are computed on first read (and kept by a rule moved to
  // another index): they are what guardOf and internIdentityKey give for the compiled constraints.
  it('gives each rule, and each rule moved to another index, the guard and identity ids of its constraints', () => {
    fc.assert(fc.property(fc.constantFrom('a', 'b'), fc.constantFrom('ALLOW', 'DENY', 'AUDIT'), fc.array(rule, { maxLength: 4 }), fc.boolean(),
      (namespace, action, rules, readFirst) => {
        const resource = policy(namespace, action, rules);
        const http = compileRules(resource, 'HTTP', MESH);
        for (const chain of [http, compileRules(resource, 'TCP', MESH, http)]) {
          for (const r of chain.rules) {
            if (readFirst) void r.guard;
            const moved = ruleAt(r, r.index + 1);
            for (const x of [r, moved]) {
              expect(x.guard).toEqual(guardOf({ sources: r.sources, operations: r.operations, conditions: r.conditions }));
              expect(x.identityIds).toEqual(r.identityKeys ? [...r.identityKeys].map(internIdentityKey) : undefined);
            }
            expect(moved).toEqual({ ...r, index: r.index + 1 });
            expect(moved.sources).toBe(r.sources);
          }
        }
      }), { numRuns: 300 });
  });

  it('drops an ALLOW rule at its first unusable value, in rule order', () => {
    const resource = policy('a', 'ALLOW', [{ from: [{ source: { serviceAccounts: ['bad*'] } }], to: [{ operation: { methods: ['GET'] } }] }]);
    expect(compileRules(resource, 'TCP', MESH).dropped).toEqual([
      { index: 0, reason: 'serviceAccounts: "bad*" is not a service account ("<sa>" or "<ns>/<sa>", no wildcards)' },
    ]);
    const http = compileRules(policy('a', 'DENY', [{ to: [{ operation: { methods: ['GET'], ports: ['x'] } }] }]), 'TCP', MESH);
    expect(http.rules[0].ignored).toEqual(['methods ignored on TCP (HTTP-only field)', 'ports value ignored: "x" is not a port number 0-65535']);
  });
});

// diff14: the identity keys a compiled rule is filed under, and their interned ids. Property: those
// of the plain definition (per source, the first constraint pinning the identity with exact values).
describe('compiled rule identity keys', () => {
  /** The reference: per source, the first constraint pinning the identity with exact values; keys interned in key order. */
  const plainKeys = (sources: readonly (readonly FieldConstraint[])[] | undefined, namespace: string): string[] | undefined => {
    if (!sources) return undefined;
    const keys = new Set<string>();
    for (const group of sources) {
      let pinned: string[] | undefined;
      for (const c of group) {
        const raws = (c.values ?? []).map((v) => v.raw);
        if (!c.values || raws.some((r) => r.includes('*'))) continue;
        if (c.attribute.key === 'source.serviceAccount') pinned = raws.map((r) => (r.includes('/') ? `sa:${r}` : `sa:${namespace}/${r}`));
        else if (c.attribute.key === 'source.namespace' && raws.every((r) => !r.includes('/'))) pinned = raws.map((r) => `ns:${r}`);
        else if (c.attribute.key === 'source.principal') pinned = raws.map((r) => `p:${r}`);
        if (pinned) break;
      }
      if (!pinned) return undefined;
      for (const k of pinned) keys.add(k);
    }
    return [...keys];
  };
  const pinning = fc.record({
    principals: values(['cluster.local/ns/a/sa/x', 'old.local/ns/b/sa/y', '*']),
    namespaces: values(['a', 'c', 'b*', 'a/b']),
    serviceAccounts: values(['x', 'y', 'b/y', 'bad*']),
    notNamespaces: values(['c']),
    ipBlocks: values(['10.0.0.0/8']),
  }, { requiredKeys: [] });
  const pinningRule = fc.record({
    from: fc.option(fc.array(fc.record({ source: pinning }), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    to: fc.option(fc.array(fc.record({ operation }), { maxLength: 1 }), { nil: undefined }),
  }, { requiredKeys: [] });

  it('gives each rule the identity keys and ids made per rule, whichever policy namespace compiled the value first', () => {
    let pinned = 0;
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('ALLOW', 'DENY'), fc.array(pinningRule, { maxLength: 4 })),
      { minLength: 1, maxLength: 4 }), (policies) => {
      for (const [namespace, action, rules] of policies) {
        const resource = policy(namespace, action, rules);
        for (const protocol of ['HTTP', 'TCP'] as const) {
          for (const r of compileRules(resource, protocol, MESH).rules) {
            const keys = plainKeys(r.sources, namespace);
            expect(r.identityKeys ? [...r.identityKeys] : undefined).toEqual(keys);
            expect(r.identityIds).toEqual(keys?.map(internIdentityKey));
            if (keys) pinned++;
          }
        }
      }
    }), { numRuns: 500 });
    expect(pinned).toBeGreaterThan(100);
  });
});
