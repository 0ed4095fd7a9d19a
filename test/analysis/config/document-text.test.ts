// diff14: a loaded object keeps its document's text when that text alone decides its body, and the
// diff takes two objects of the same text and namespace as the same without walking them
// (sameDocument). Property: on two streams of random objects sharing some documents (some written
// alike, some with the same content written otherwise), loaded with random default namespaces,
// every pair sameDocument accepts has the same content as sameContent says, and such pairs exist.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { sameContent, sameDocument } from '../../../src/analysis/access/same-content';
import { LoadedObject } from '../../../src/analysis/config/istio-config';
import { parseConfigDocuments, parseConfigText } from '../../../src/analysis/config/load-config';

const scalar = fc.oneof(fc.constantFrom<unknown>('a', 'b', '1', 1, 0, true, null, '', 'x: y', '%'), fc.integer({ min: -2, max: 2 }));
const data = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, tie('list'), tie('record')),
  list: fc.array(tie('value'), { maxLength: 3 }),
  record: fc.dictionary(fc.constantFrom('a', 'b', 'rules', 'from'), tie('value'), { maxKeys: 3 }),
})).value;

const object = fc.record({
  kind: fc.constantFrom('AuthorizationPolicy', 'ConfigMap', 'Namespace'),
  name: fc.constantFrom('p', 'q'),
  namespace: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
  labels: fc.option(fc.dictionary(fc.constantFrom('app', 'v'), fc.oneof(fc.constantFrom('x', 'y'), fc.integer({ min: 0, max: 2 })), { maxKeys: 2 }),
    { nil: undefined }),
  data,
}).map((o) => ({
  apiVersion: o.kind === 'AuthorizationPolicy' ? 'security.istio.io/v1' : 'v1',
  kind: o.kind,
  metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), ...(o.labels ? { labels: o.labels } : {}) },
  data: o.data,
}));

/** A document's text: as `yaml` writes it, or the same content in flow style, or with a comment. */
function written(doc: unknown, style: number): string {
  if (style % 3 === 1) return `${JSON.stringify(doc)}\n`;
  if (style % 3 === 2) return `# changed comment\n${stringify(doc)}`;
  return stringify(doc);
}

function load(docs: readonly unknown[], styles: readonly number[], defaultNamespace: string): LoadedObject[] {
  return [...parseConfigText(docs.map((d, i) => written(d, styles[i] ?? 0)).join('---\n'), 'x.yaml', { defaultNamespace }).objects];
}

describe('LoadedObject.documentText', () => {
  it('is the same only for objects of the same content (with the namespace)', () => {
    let alike = 0;
    fc.assert(fc.property(fc.array(object, { minLength: 1, maxLength: 5 }), fc.array(object, { maxLength: 2 }), fc.array(fc.nat(), { maxLength: 5 }),
      fc.array(fc.nat(), { maxLength: 5 }), fc.constantFrom('default', 'a'), fc.constantFrom('default', 'b'), (docs, extra, s1, s2, ns1, ns2) => {
        const before = load(docs, s1, ns1);
        const after = load([...extra, ...docs].reverse(), s2, ns2);
        for (const a of before) {
          for (const b of after) {
            if (!sameDocument(a, b)) continue;
            alike++;
            expect([a.apiVersion, a.kind]).toEqual([b.apiVersion, b.kind]);
            expect(sameContent(a.metadata, b.metadata)).toBe(true);
            expect(sameContent(a.body, b.body)).toBe(true);
          }
        }
      }), { numRuns: 500, seed: 3 });
    expect(alike).toBeGreaterThan(200);
  });

  it('tells apart the same text loaded with another default namespace', () => {
    const text = stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web' } });
    const [a] = parseConfigText(text, 'a.yaml', { defaultNamespace: 'a' }).objects;
    const [b] = parseConfigText(text, 'b.yaml', { defaultNamespace: 'b' }).objects;
    const [c] = parseConfigText(`${text}# other text\n`, 'c.yaml', { defaultNamespace: 'a' }).objects;
    expect(a.documentText).toBe(b.documentText);
    expect(sameDocument(a, b)).toBe(false);
    expect(sameDocument(a, c)).toBe(false);
    expect(sameDocument(a, parseConfigText(text, 'd.yaml', { defaultNamespace: 'a' }).objects[0])).toBe(true);
  });

  it('is kept by the typed resources and set with shared documents', () => {
    const text = stringify({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'a' }, spec: {} });
    const config = parseConfigText(text, 'a.yaml', { sharedDocuments: new Map() });
    expect(config.objects[0].documentText).toBe(text);
    expect(config.authorizationPolicies[0].documentText).toBe(text);
  });

  it('is undefined where the text alone does not decide the object', () => {
    const doc = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'a' } };
    const text = stringify(doc);
    // A List item is not its document.
    expect(parseConfigText(stringify({ apiVersion: 'v1', kind: 'List', items: [doc] }), 'l.yaml').objects[0].documentText).toBeUndefined();
    // A directive before a document's `---` is in the text of the one before.
    expect(parseConfigText(`%YAML 1.2\n---\n${text}`, 'd.yaml').objects[0].documentText).toBeUndefined();
    // Values the caller gives, and the position-keeping parse (a flow scalar ending in a colon).
    expect(parseConfigDocuments(text, [doc], 'v.yaml').objects[0].documentText).toBeUndefined();
    expect(parseConfigText(`${text}data: [a:]\n`, 'f.yaml').objects[0].documentText).toBeUndefined();
    // A percent sign that is no directive leaves the texts.
    expect(parseConfigText(`${text}data: '%'\n`, 'p.yaml').objects[0].documentText).toBeDefined();
  });
});
