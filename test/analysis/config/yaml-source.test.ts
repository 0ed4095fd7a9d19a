import { describe, expect, test } from 'vitest';
import { parseYamlDocuments } from '../../../src/analysis/config/yaml-source';
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
