import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rulesAsTyped } from '../../../src/analysis/config/authorization-rules-as-is';
import { LoadedObject } from '../../../src/analysis/config/istio-config';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import {
  OPERATION_FIELDS, SOURCE_FIELDS, toAuthorizationPolicy, toPeerAuthentication,
} from '../../../src/analysis/config/security-resources';

// A copy whose mappings are not plain objects: the checks read them alike, but the as-is path
// declines them, so this gives what field-by-field typing makes of the same value.
class Mapping {}
function fieldByField(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fieldByField);
  if (typeof v !== 'object' || v === null) return v;
  const out = Object.create(Mapping.prototype) as Record<string, unknown>;
  for (const [k, x] of Object.entries(v)) out[k] = fieldByField(x);
  return out;
}

function loaded(spec: unknown): LoadedObject {
  const body = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'ns' }, spec };
  return {
    apiVersion: body.apiVersion,
    kind: body.kind,
    metadata: { name: 'p', namespace: 'ns', namespaceDefaulted: false, labels: {}, annotations: {} },
    body,
    source: { file: 'f.yaml', line: 1, column: 1 },
    locate: (path) => ({ file: 'f.yaml', line: 1, column: 1, field: path.join('.') }),
  };
}

// Plain JSON (key order kept) of a typed result, its lists as JSON lists.
function snapshot(r: ReturnType<typeof toAuthorizationPolicy>): string {
  return JSON.stringify({ spec: r.resource?.spec, diagnostics: r.diagnostics });
}

const strings = fc.array(fc.constantFrom('a', '*', 'ns/sa', '/p/*', '8080', ''), { maxLength: 3 });
const listValue = fc.oneof({ weight: 8, arbitrary: strings }, { weight: 1, arbitrary: fc.constantFrom(null, 'x', 7, [1], ['a', 2], undefined) });
// Records with a random subset of known fields (and now and then an unknown one), in random order.
function record(fields: readonly string[], value: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  // Half of them in the typed order (synth's output has it when a record has one field or two in that order).
  const typedOrder = (keys: string[]): string[] => [...keys].sort((a, b) => fields.indexOf(a) - fields.indexOf(b));
  return fc.tuple(fc.shuffledSubarray([...fields], { maxLength: Math.min(4, fields.length) }), fc.integer({ min: 0, max: 9 }))
    .map(([keys, dice]) => (dice === 0 ? [...keys, 'bogus'] : dice <= 5 ? typedOrder(keys) : keys))
    .chain((keys) => fc.tuple(...keys.map(() => value)).map((vs) => Object.fromEntries(keys.map((k, i) => [k, vs[i]]))));
}
const source = record(SOURCE_FIELDS, listValue);
const operation = record(OPERATION_FIELDS, listValue);
const condition = record(['key', 'values', 'notValues'], fc.oneof(listValue, fc.constantFrom('request.headers[x]', 'source.ip')));
const entries = (field: string, inner: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.oneof({ weight: 9, arbitrary: inner.map((x) => ({ [field]: x })) }, { weight: 1, arbitrary: fc.constantFrom({}, null, 'x') }), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, 'x', {}) },
);
const rule = fc.oneof(
  {
    weight: 9,
    arbitrary: record(['from', 'to', 'when'], fc.constant(undefined)).chain((r) => fc.tuple(
      entries('source', source), entries('operation', operation), fc.oneof(fc.array(condition, { maxLength: 2 }), fc.constant(null)),
    ).map(([from, to, when]) => Object.fromEntries(Object.keys(r).map((k) => [k, k === 'from' ? from : k === 'to' ? to : k === 'when' ? when : 1])))),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, 'x', []) },
);
const selector = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(fc.constantFrom('app', 'b', '1', 'version'), fc.oneof({ weight: 9, arbitrary: fc.string() }, { weight: 1, arbitrary: fc.constant(3) }))
    .map((matchLabels) => ({ matchLabels })),
  fc.constantFrom({}, { matchLabels: null }, { matchLabels: {}, other: 1 }),
);

// Whether a record is its own typed form: known keys only, in the typed order, each with a value
// that is its own typed form (a string list, or a list of such records).
function ownTypedForm(v: unknown, fields: readonly string[], child: (x: unknown, key: string) => boolean): boolean {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const keys = Object.keys(v);
  const at = keys.map((k) => fields.indexOf(k));
  return at.every((n, i) => n >= 0 && (i === 0 || n > at[i - 1])) && keys.every((k) => child((v as Record<string, unknown>)[k], k));
}
const stringList = (x: unknown): boolean => Array.isArray(x) && x.every((s) => typeof s === 'string');
const listOf = (item: (x: unknown) => boolean) => (x: unknown): boolean => Array.isArray(x) && x.every(item);
const entryOwnForm = (name: string, fields: readonly string[]) => (x: unknown): boolean =>
  ownTypedForm(x, [name], (inner) => ownTypedForm(inner, fields, stringList));
const conditionOwnForm = (x: unknown): boolean => ownTypedForm(x, ['key', 'values', 'notValues'], (y, k) => (k === 'key' ? typeof y === 'string' : stringList(y)));
const ruleOwnForm = (x: unknown): boolean => ownTypedForm(x, ['from', 'to', 'when'], (list, k) => listOf(
  k === 'from' ? entryOwnForm('source', SOURCE_FIELDS) : k === 'to' ? entryOwnForm('operation', OPERATION_FIELDS) : conditionOwnForm)(list));

describe('AuthorizationPolicy rules kept as they are', () => {
  it('shares exactly the rules that are their own typed form (property)', () => {
    let sharedRules = 0;
    fc.assert(fc.property(fc.array(rule, { maxLength: 4 }), (rules) => {
      const typed = rulesAsTyped(rules);
      if (!typed) return;
      rules.forEach((r, i) => {
        expect(typed[i] === r).toBe(r === null || ruleOwnForm(r));
        if (r !== null && typed[i] === r) sharedRules++;
      });
    }), { numRuns: 3000, seed: 1017 });
    expect(sharedRules).toBeGreaterThan(300);
  });

  it('types every spec exactly as field-by-field typing does: same value, same key order, same diagnostics (property)', () => {
    let asIs = 0;
    let shared = 0;
    fc.assert(fc.property(fc.array(rule, { maxLength: 4 }), selector, (rules, sel) => {
      const spec = { ...(sel ? { selector: sel } : {}), rules };
      if (rulesAsTyped(rules)) asIs++;
      if (rulesAsTyped(rules) === rules) shared++;
      if (rules.some((r) => typeof r === 'object' && r !== null && !Array.isArray(r))) expect(rulesAsTyped(fieldByField(rules))).toBeUndefined();
      expect(snapshot(toAuthorizationPolicy(loaded(spec)))).toBe(snapshot(toAuthorizationPolicy(loaded(fieldByField(spec)))));
    }), { numRuns: 3000, seed: 1017 });
    // The property must exercise the as-is path, not only the fallback.
    expect(asIs).toBeGreaterThan(300);
    expect(shared).toBeGreaterThan(100);
    expect(shared).toBeLessThan(asIs);
  });

  it('keeps the rules and their lists themselves when they are already typed (no second copy)', () => {
    const rules = [{ from: [{ source: { principals: ['cluster.local/ns/a/sa/b'], namespaces: ['a'] } }], to: [{ operation: { methods: ['GET'] } }] }, null];
    const r = toAuthorizationPolicy(loaded({ selector: { matchLabels: { app: 'x' } }, rules }));
    expect(r.resource?.spec.rules).toBe(rules);
    expect(r.resource?.spec.selector).toEqual({ matchLabels: { app: 'x' } });
  });

  it('copies a record whose keys are out of the typed order, in that order, sharing its lists and the other rules', () => {
    const names = ['a'];
    const other = { to: [{ operation: { ports: ['80'] } }] };
    const rules = [{ from: [{ source: { namespaces: names, principals: ['p'] } }] }, other];
    const typed = toAuthorizationPolicy(loaded({ rules })).resource!.spec.rules;
    expect(typed).not.toBe(rules);
    expect(Object.keys(typed[0]!.from![0].source!)).toEqual(['principals', 'namespaces']);
    expect(typed[0]!.from![0].source!.namespaces).toBe(names);
    expect(typed[1]).toBe(other);
  });

  it('still reports what is wrong in rules that are not as typed', () => {
    const r = toAuthorizationPolicy(loaded({ rules: [{ from: [{ source: { principals: ['a', 7] } }] }] }));
    expect(r.resource).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['TM_POLICY_INVALID']);
  });

  it('keeps a selector whose labels are strings, and types one with a number label with its problem', () => {
    const good = { matchLabels: { app: 'x' } };
    expect(toPeerAuthentication({ ...loaded({}), kind: 'PeerAuthentication', body: { spec: { selector: good } } }).resource?.spec.selector).toBe(good);
    const bad = toPeerAuthentication({ ...loaded({}), kind: 'PeerAuthentication', body: { spec: { selector: { matchLabels: { app: 1 } } } } });
    expect(bad.diagnostics.map((d) => d.code)).toEqual(['TM_POLICY_INVALID']);
  });

  it('loads labels and annotations of YAML objects alike, strings kept and numbers written as strings', () => {
    const config = parseConfigText('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x, labels: {a: "1", b: 2}, annotations: {c: d}}\n');
    expect(config.objects[0].metadata.labels).toEqual({ a: '1', b: '2' });
    expect(config.objects[0].metadata.annotations).toEqual({ c: 'd' });
  });

  it('gives the typed resource the loaded object\'s fields in their order, then spec, with or without extra fields', () => {
    const obj = loaded({ rules: [] });
    const r = toAuthorizationPolicy(obj).resource!;
    expect(Object.keys(r)).toEqual(['apiVersion', 'kind', 'metadata', 'body', 'source', 'locate', 'spec']);
    expect(r.locate).toBe(obj.locate);
    expect(r.body).toBe(obj.body);
    const extra = { ...obj, origin: 'x' };
    expect(Object.keys(toAuthorizationPolicy(extra).resource!)).toEqual(['apiVersion', 'kind', 'metadata', 'body', 'source', 'locate', 'origin', 'spec']);
  });
});
