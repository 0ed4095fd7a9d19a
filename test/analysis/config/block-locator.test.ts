// Field positions read from the lines of plain block YAML must be exactly the position-keeping
// parser's: the same stream is located twice, once on the fast path (js-yaml values, fields located
// from lines or parsed on demand) and once forced through the precise parser (a flow-colon scalar
// in an extra last document makes the whole stream take it), for every path of every document.
import * as fc from 'fast-check';
import { dump } from 'js-yaml';
import { describe, expect, test } from 'vitest';
import { locateBlockField } from '../../../src/analysis/config/block-locator';
import { FieldPath, parseYamlDocuments } from '../../../src/analysis/config/yaml-source';
import { toYamlStream } from '../../../src/private/yaml-emitter';

function paths(value: unknown, prefix: (string | number)[] = []): FieldPath[] {
  if (typeof value !== 'object' || value === null) return [];
  const out: FieldPath[] = [];
  for (const [k, v] of Object.entries(value)) {
    const p = [...prefix, Array.isArray(value) ? Number(k) : k];
    out.push(p, ...paths(v, p));
  }
  return out;
}

function expectSameLocations(stream: string): number {
  const fast = parseYamlDocuments(stream, 'f.yaml');
  const precise = parseYamlDocuments(`${stream}${stream.endsWith('\n') ? '' : '\n'}---\nforce: [precise:]\n`, 'f.yaml');
  let checked = 0;
  fast.forEach((doc, i) => {
    for (const p of paths(doc.value)) {
      expect(doc.locate(p), `document ${i} path ${JSON.stringify(p)}`).toEqual(precise[i].locate(p));
      checked++;
    }
  });
  return checked;
}

const key = fc.constantFrom('spec', 'rules', 'from', 'source', 'to', 'metadata', 'name', 'a.b/c-d', 'x_1', 'paths', 'when', 'values');
const scalar = fc.oneof(
  fc.constantFrom('GET', '/api/v1/*', '*.json', 'cluster.local/ns/a/sa/b', 'a: b', '#x', '- y', '&z', '[1]', "it's", 'say "hi"', '', 'x # y', '|', '>-'),
  fc.integer({ min: -5, max: 99999 }), fc.boolean(), fc.constant(null),
);
const value = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(key, tie('node'), { maxKeys: 5 })),
})).node;
const documents = fc.array(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), { minLength: 1, maxLength: 4 });

describe('locateBlockField', () => {
  test('gives the precise parser\'s position for every field of js-yaml and trustmesh output (property)', () => {
    const seed = Number(process.env.FC_SEED ?? 20261205);
    // eslint-disable-next-line no-console
    console.log(`block-locator property seed ${seed}`);
    let checked = 0;
    let answered = 0;
    fc.assert(fc.property(documents, fc.constantFrom('js-yaml', 'js-yaml-flow', 'trustmesh'), (docs, emitter) => {
      const stream = emitter === 'trustmesh' ? toYamlStream(docs)
        : docs.map((d) => dump(d, emitter === 'js-yaml-flow' ? { flowLevel: 2 } : {})).join('---\n');
      checked += expectSameLocations(stream);
      // How many fields the line reader answers itself (the rest go to the parser).
      if (docs.length === 1) {
        for (const p of paths(docs[0])) if (locateBlockField(stream, p) !== undefined) answered++;
      }
    }), { numRuns: 300, seed });
    expect(checked).toBeGreaterThan(1000);
    expect(answered).toBeGreaterThan(100);
  });

  test('reads the fields of a block-style policy from its lines', () => {
    const text = ['---', 'spec:', '  rules:', '  - from:', '    - source:', '        principals: ["a/ns/b/sa/c"]', '    to:', '    - operation:', '        paths: ["/x/*"]', ''].join('\n');
    expect(locateBlockField(text, ['spec', 'rules', 0, 'from', 0, 'source', 'principals'])).toEqual({ line: 6, col: 9 });
    expect(locateBlockField(text, ['spec', 'rules', 0, 'to', 0])).toEqual({ line: 8, col: 7 });
    expect(expectSameLocations(text)).toBe(13);
  });

  test('leaves what it cannot read safely to the parser', () => {
    expect(locateBlockField('a: &x\n  b: 1\nc: *x\n', ['c', 'b'])).toBeUndefined();
    expect(locateBlockField('a: {b: 1}\n', ['a', 'b'])).toBeUndefined();
    expect(locateBlockField('a:\n  # note\n  b: 1\n', ['a', 'b'])).toBeUndefined();
    expect(locateBlockField('a: "x\n  y"\n', ['a'])).toBeUndefined();
    expect(locateBlockField('a:\n  b: 1\n', ['a', 'missing'])).toBeUndefined();
  });
});
