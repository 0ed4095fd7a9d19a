import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentsOfValues } from '../../../src/analysis/config/yaml-source';

// The document boundaries as they were found before synthcheck10 (the text split into lines): the
// scan without splitting must find the very same documents and first content lines.
function referenceContentLines(text: string): number[] {
  const lines = text.split('\n');
  const starts: { firstLine: number; contentLine?: number }[] = [];
  let current: { firstLine: number; contentLine?: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^---(\s|$)/.test(line)) {
      current = { firstLine: i + 1 };
      starts.push(current);
      if (line.slice(3).trim() !== '' && !line.slice(3).trim().startsWith('#')) current.contentLine = i + 1;
    } else if (/^\.\.\.(\s|$)/.test(line)) {
      current = undefined;
    } else if (line.trim() !== '' && !line.trimStart().startsWith('#') && !line.startsWith('%')) {
      if (!current) {
        current = { firstLine: i + 1 };
        starts.push(current);
      }
      current.contentLine ??= i + 1;
    }
  }
  return starts.map((s) => s.contentLine ?? s.firstLine);
}

const LINES = ['---', '--- # c', '--- a: 1', '---x', '---\r', '...', '...x', '', ' ', '# c', '  # c', '%YAML 1.2', 'a: 1', '- a', '-x', '.b',
  '  b: 2', '\r', 'a: 1\r'];

describe('document boundaries of a YAML stream', () => {
  it('finds the documents and their first content lines as splitting the text into lines does (property)', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...LINES), { maxLength: 12 }), fc.boolean(), (lines, trailing) => {
      const text = lines.join('\n') + (trailing ? '\n' : '');
      const expected = referenceContentLines(text);
      const docs = documentsOfValues(text, 'f.yaml', expected.map(() => ({})));
      expect(docs?.map((d) => d.line)).toEqual(expected);
      expect(documentsOfValues(text, 'f.yaml', [...expected, {}].map(() => ({})))).toBeUndefined();
    }), { numRuns: 3000, seed: 1017 });
  });
});
