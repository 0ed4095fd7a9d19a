import * as fs from 'fs';
import { isCelError, parse, plan, type CelInput } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CRD_FILE, crdsFromFile, summary } from './helpers';
import { kubernetesCelEnv, knownFunctionNames } from '../../src/validate/cel-environment';
import { CelRuleTree } from '../../src/validate/cel-rules';
import { CrdSchemaSet } from '../../src/validate/crd-schema';
import { validateManifests } from '../../src/validate/manifest-validator';
import { crdYaml } from '../helpers';

/** Counts x-kubernetes-validations entries in a schema, independently of src/ (plain recursion). */
function countRules(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((n: number, x) => n + countRules(x), 0);
  if (typeof node !== 'object' || node === null) return 0;
  let n = 0;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'x-kubernetes-validations' && Array.isArray(value)) n += value.length;
    else n += countRules(value);
  }
  return n;
}

describe('the CEL rules of the Istio 1.30.3 CRD file', () => {
  const env = kubernetesCelEnv();
  const names = knownFunctionNames(env);

  it('all 362 rules (147 distinct per kind) compile in our environment; none is skipped', () => {
    let inFile = 0;
    for (const doc of parseAllDocuments(fs.readFileSync(CRD_FILE, 'utf8'))) {
      for (const v of doc.toJS()?.spec?.versions ?? []) if (v.served) inFile += countRules(v.schema.openAPIV3Schema);
    }
    expect(inFile).toBe(362);

    let compiled = 0;
    let distinct = 0;
    const skipped: string[] = [];
    for (const crd of crdsFromFile().definitions) {
      const tree = CelRuleTree.compile(crd.schema!, env, names);
      distinct += tree.reports.length;
      for (const r of tree.reports) {
        // Transition rules (oldSelf) are the only acceptable skip; 1.30.3 has none.
        if (r.status === 'compiled') compiled += crd.versions.length;
        else if (r.status !== 'transition') skipped.push(`${crd.kind} ${r.schemaPath}: ${r.rule} (${r.problem})`);
      }
    }
    expect(skipped).toEqual([]);
    expect(distinct).toBe(147);
    expect(compiled).toBe(inFile);
  });
});

describe('the Kubernetes CEL library', () => {
  const env = kubernetesCelEnv();
  const run = (expr: string, self: CelInput = null): unknown => {
    const r = plan(env, parse(expr).expr)({ self });
    return isCelError(r) ? `error: ${r.message}` : r;
  };

  it('url() parses like Go net/url and exposes its parts', () => {
    const u = 'url("https://user@a.example.com:8443/p%20q/r?x=1&x=2&y#frag")';
    expect(run(`${u}.getScheme()`)).toBe('https');
    expect(run(`${u}.getHost()`)).toBe('a.example.com:8443');
    expect(run(`${u}.getHostname()`)).toBe('a.example.com');
    expect(run(`${u}.getPort()`)).toBe('8443');
    expect(run(`${u}.getEscapedPath()`)).toBe('/p%20q/r');
    expect(run(`${u}.getQuery()["x"]`)).toEqual(expect.objectContaining({ size: 2 }));
    expect(run('url("HTTP://[::1]:80/").getHostname() + " " + url("HTTP://[::1]:80/").getScheme()')).toBe('::1 http');
    expect(run('url("/just/a/path").getScheme()')).toBe('');
  });

  it('url() rejects what Go rejects: relative references, blanks, bad ports', () => {
    expect(run('url("example.com/jwks").getScheme()')).toMatch(/^error: .*URL parse error/);
    expect(run('url("https://a b/").getScheme()')).toMatch(/^error/);
    expect(run('url("https://a:port/").getScheme()')).toMatch(/^error/);
    expect(run('isURL("https://ok/") && !isURL("not a url")')).toBe(true);
    expect(run('{"scheme": "https"}.getScheme()')).toMatch(/^error/);
  });

  it('int() is strict like strconv.ParseInt; duration() compares', () => {
    expect(run('int("8080")')).toBe(8080n);
    expect(run('int("0x50")')).toMatch(/^error/);
    expect(run('int(" 80")')).toMatch(/^error/);
    expect(run('int("")')).toMatch(/^error/);
    expect(run("duration('1.5s') >= duration('1ms') && !(duration('500us') >= duration('1ms'))")).toBe(true);
    expect(run("duration('5 parsecs') >= duration('1ms')")).toMatch(/^error/);
  });

  it('has the string and list functions CRDs use', () => {
    expect(run('self.substring(7, 8) == "/" && self.startsWith("unix://") && !self.endsWith("/")', 'unix:///var/run')).toBe(true);
    expect(run('"a*b".contains("*") && "abc".matches("^a.c$") && size("abc") == 3')).toBe(true);
    expect(run('[1, 2, 2].exists_one(x, x == 1) && ![1, 2, 2].exists_one(x, x == 2)')).toBe(true);
    expect(run('[1, 2, 3].isSorted() && [3, 1].sum() == 4 && [3, 1].min() == 1 && [3, 1].max() == 3')).toBe(true);
    expect(run('[1, 2, 3].indexOf(2) == 1 && "abc123".find("[0-9]+") == "123"')).toBe(true);
    expect(run('"A-b".lowerAscii() == "a-b" && "a,b".split(",").size() == 2')).toBe(true);
  });
});

const WIDGET_CRD = crdYaml('Widget', `type: object
properties:
  spec:
    type: object
    x-kubernetes-validations:
    - rule: self.min <= self.max
      messageExpression: "'min ' + string(self.min) + ' exceeds max ' + string(self.max)"
      fieldPath: .min
      reason: FieldValueForbidden
    - rule: self.max == oldSelf.max
      message: max is immutable
    - rule: quantity("1").isInteger()
      message: uses a function we do not provide
    - rule: self.count + 1 > 1
    - rule: '!has(self.extra) || self.extra.n + 1 == 2'
      message: extra.n must be 1
    properties:
      min: {type: integer}
      max: {type: integer}
      count: {type: integer}
      ratio: {type: number, x-kubernetes-validations: [{rule: 'self < 1.0', message: ratio below one}]}
      code: {type: string, x-kubernetes-validations: [{rule: 'int(self) > 0', message: code is a positive number}]}
      extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
`);

describe('rule evaluation semantics', () => {
  const crds = CrdSchemaSet.fromCrdYaml(WIDGET_CRD, 'widget.yaml');
  const widget = (spec: object, name = 'w'): object => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'ns' }, spec });

  it('evaluates integers as CEL ints, numbers as doubles, and untyped integers as ints', () => {
    const d = validateManifests([widget({ min: 1, max: 2, count: 1, ratio: 0.5, extra: { n: 1 } })], { crds });
    expect(d.filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('uses messageExpression, fieldPath and reason', () => {
    const d = validateManifests([widget({ min: 5, max: 3, count: 1 })], { crds }).filter((x) => x.code === 'TM_CEL_RULE_FAILED');
    expect(summary(d)).toEqual([expect.stringMatching(/^TM_CEL_RULE_FAILED spec\.min: Widget ns\/w: spec\.min: min 5 exceeds max 3 \[FieldValueForbidden\]/)]);
  });

  it('falls back to "failed rule" without a message, and reports rules that cannot be evaluated', () => {
    const d = summary(validateManifests([widget({ min: 1, max: 2, count: 0, code: 'abc', ratio: 2 })], { crds }).filter((x) => x.severity === 'error'));
    expect(d).toEqual(expect.arrayContaining([
      expect.stringMatching(/spec: .*failed rule: self\.count \+ 1 > 1/),
      expect.stringMatching(/spec\.code: .*code is a positive number: the rule could not be evaluated \(cannot convert "abc" to int\); received "abc"/),
      expect.stringMatching(/spec\.ratio: .*ratio below one; received 2/),
    ]));
    expect(d).toHaveLength(3);
  });

  it('skips the oldSelf transition rule, and warns once per kind about a rule it cannot run', () => {
    const d = validateManifests([widget({ min: 1, max: 2, count: 1 }, 'a'), widget({ min: 1, max: 2, count: 1 }, 'b')], { crds });
    expect(d.map((x) => x.message).join('\n')).not.toMatch(/immutable/);
    const unsupported = d.filter((x) => x.code === 'TM_CEL_RULE_UNSUPPORTED');
    expect(unsupported).toHaveLength(1);
    expect(unsupported[0]).toMatchObject({ severity: 'warning' });
    expect(unsupported[0].message).toMatch(/\.spec: quantity\("1"\)\.isInteger\(\) \(functions isInteger, quantity not provided\)/);
  });

  it('evaluates a rule only where its field exists', () => {
    const tree = CelRuleTree.compile(crds.definitions[0].schema!, kubernetesCelEnv(), knownFunctionNames(kubernetesCelEnv()));
    expect(tree.evaluate({ apiVersion: 'example.com/v1', kind: 'Widget' })).toEqual([]);
    expect(tree.evaluate({ spec: { min: 1, max: 2, count: 1 } })).toEqual([]);
    expect(tree.evaluate({ spec: { min: 1, max: 2, count: 1, code: '0' } })).toEqual([expect.objectContaining({ path: 'spec.code', message: 'code is a positive number' })]);
  });
});
