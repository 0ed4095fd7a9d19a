import { describe, expect, test } from 'vitest';
import { MAX_YAML_ALIAS_COUNT, MAX_YAML_DEPTH, parseYamlDocuments } from '../../../src/analysis/config/yaml-source';
import { TrustmeshError } from '../../../src/errors';

const STREAM = [
  '# leading comment',
  'apiVersion: v1', // 2
  'kind: A',
  '---',
  '# comment inside',
  '',
  'apiVersion: v1', // 7
  'kind: B',
  'spec:',
  '  rules:',
  '  - from:', // 11
  '    - source: {}',
  '--- # marker comment',
  '---', // 14: empty document
  '--- {apiVersion: v1, kind: C}', // 15
  '...',
  'apiVersion: v1', // 17
  'kind: D',
  'data: {created: 2024-01-01, port: "8080", n: 0o14}',
  '',
].join('\n');

describe('parseYamlDocuments', () => {
  test('values and document lines (fast path), empty documents included', () => {
    const docs = parseYamlDocuments(STREAM, 'f.yaml');
    expect(docs.map((d) => (d.value as { kind?: string } | null)?.kind ?? null)).toEqual(['A', 'B', null, null, 'C', 'D']);
    expect(docs.map((d) => d.line)).toEqual([2, 7, 13, 14, 15, 17]);
    // YAML 1.2 core schema: dates stay strings, "8080" is a string, 0o14 is octal.
    expect((docs[5].value as { data: unknown }).data).toEqual({ created: '2024-01-01', port: '8080', n: 12 });
  });

  test('fields are located at their line in the whole file', () => {
    const docs = parseYamlDocuments(STREAM, 'f.yaml');
    expect(docs[1].locate(['spec', 'rules', 0, 'from'])).toMatchObject({ file: 'f.yaml', line: 11, column: 5, field: 'spec.rules[0].from' });
    expect(docs[5].locate(['data', 'port'])).toMatchObject({ line: 19 });
  });

  test('a syntax error is reported at file:line:column', () => {
    let error: unknown;
    try {
      parseYamlDocuments('a: 1\n---\nb: [1, 2\nc: 3\n', 'bad.yaml');
    } catch (e) {
      error = e;
    }
    expect(TrustmeshError.isTrustmeshError(error) && error.code).toBe('TM_YAML_PARSE');
    expect((error as TrustmeshError).location).toMatchObject({ file: 'bad.yaml', line: 4 });
  });
});

/** The "billion laughs": nine levels of nine aliases, 9^9 strings once expanded. */
function billionLaughs(): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: bomb', 'data:', '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  let previous = 'a';
  for (const name of 'bcdefghi') {
    lines.push(`  ${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    previous = name;
  }
  return `${lines.join('\n')}\n`;
}

function caught(fn: () => unknown): TrustmeshError {
  try {
    fn();
  } catch (e) {
    if (TrustmeshError.isTrustmeshError(e)) return e;
    throw e;
  }
  throw new Error('nothing thrown');
}

describe('parseYamlDocuments: resource limits', () => {
  test('a "billion laughs" alias bomb is TM_YAML_TOO_MANY_ALIASES, promptly, with a fix about aliases', () => {
    const e = caught(() => parseYamlDocuments(`apiVersion: v1\nkind: A\n---\n${billionLaughs()}`, 'bomb.yaml'));
    expect(e.code).toBe('TM_YAML_TOO_MANY_ALIASES');
    expect(e.location).toMatchObject({ file: 'bomb.yaml', line: 4 });
    expect(e.message).toContain(`more than ${MAX_YAML_ALIAS_COUNT} alias uses`);
    expect(e.fix).toMatch(/aliases \(\*name\) of anchors \(&name\)/);
  });

  test('a few aliases (a shared label set) are read, located by the position-keeping parser', () => {
    const text = 'apiVersion: v1\nkind: A\nmetadata:\n  labels: &l {app: web}\nspec:\n  selector: *l\n  other: *l\n';
    const [doc] = parseYamlDocuments(text, 'a.yaml');
    const v = doc.value as { metadata: { labels: object }; spec: { selector: object; other: object } };
    expect(v.spec.selector).toEqual({ app: 'web' });
    expect(v.spec.other).toEqual({ app: 'web' });
    expect(doc.locate(['spec', 'selector'])).toMatchObject({ line: 6 });
  });

  test.each([
    ['flow', (n: number): string => `apiVersion: v1\nkind: A\ndata:\n  x: ${'['.repeat(n)}${']'.repeat(n)}\n`],
    ['block', (n: number): string => `apiVersion: v1\nkind: A\ndata:\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i + 2)}k:`).join('\n')} 1\n`],
  ])('%s nesting deeper than the limit is TM_YAML_TOO_DEEP at its position; at the limit it is read', (_, nested) => {
    const e = caught(() => parseYamlDocuments(nested(MAX_YAML_DEPTH + 5), 'deep.yaml'));
    expect(e.code).toBe('TM_YAML_TOO_DEEP');
    expect(e.location).toMatchObject({ file: 'deep.yaml', line: expect.any(Number), column: expect.any(Number) });
    expect(e.fix).toMatch(/runaway brackets/);
    expect(parseYamlDocuments(nested(MAX_YAML_DEPTH - 5), 'ok.yaml')).toHaveLength(1);
  });

  test('3,000 levels (past the stack of the position-keeping parser) are TM_YAML_TOO_DEEP, not a stack overflow', () => {
    const text = `apiVersion: v1\nkind: A\ndata:\n  x: ${'['.repeat(3000)}${']'.repeat(3000)}\n`;
    expect(caught(() => parseYamlDocuments(text, 'deep.yaml')).code).toBe('TM_YAML_TOO_DEEP');
    // With a syntax error earlier in the stream only the position-keeping parser reads it.
    expect(caught(() => parseYamlDocuments(`a: [\n---\n${text}`, 'deep.yaml')).code).toMatch(/^TM_YAML_(PARSE|TOO_DEEP)$/);
  });
});

// The Kubernetes API server decodes YAML with sigs.k8s.io/yaml (go-yaml v2, libyaml's scanner):
// in a flow collection a ":" ends a plain scalar only before a space or a line break, so
// `[1.2.3.4, 001:db8::]` holds the IPv6 address 001:db8::, not the map {"001:db8:": null}.
describe('plain scalars ending in ":" inside flow collections (go-yaml v2 semantics)', () => {
  const SERVICE_ENTRY = [
    'apiVersion: networking.istio.io/v1',
    'kind: ServiceEntry',
    'metadata: {name: v6, namespace: ns}',
    'spec:',
    '  hosts: [v6.example.com]',
    '  addresses: [1.2.3.4, 001:db8::, fe80::]', // 6
    '  ports: [{number: 80, name: http, protocol: HTTP}]',
    '  labels: {a:, b: c}', // 8
  ].join('\n');

  test('reads an IPv6 address that ends in "::" as one string, as the API server does', () => {
    const [doc] = parseYamlDocuments(SERVICE_ENTRY, 'se.yaml');
    const spec = (doc.value as { spec: Record<string, unknown> }).spec;
    expect(spec.addresses).toEqual(['1.2.3.4', '001:db8::', 'fe80::']);
    // In a flow map the key keeps its colon, with no value.
    expect(spec.labels).toEqual({ 'a:': null, 'b': 'c' });
    expect(doc.locate(['spec', 'addresses', 1])).toMatchObject({ line: 6, column: 24 });
  });

  test('keeps pairs go-yaml reads as pairs: a space after ":", quoted keys, and ":" inside a scalar', () => {
    const [doc] = parseYamlDocuments('a: [x: 1, "q":, 2001:db8::1, a:b]\nb: ["x:"]\nc: {k: [v:]}\n', 'f.yaml');
    expect(doc.value).toEqual({ a: [{ x: 1 }, { q: null }, '2001:db8::1', 'a:b'], b: ['x:'], c: { k: ['v:'] } });
  });

  test('gives the same values as the fast path on text without such a scalar', () => {
    const text = 'a: [1.2.3.4, "001:db8::"]\nb: {c: d}\n';
    expect(parseYamlDocuments(text, 'f.yaml')[0].value).toEqual({ a: ['1.2.3.4', '001:db8::'], b: { c: 'd' } });
  });
});
