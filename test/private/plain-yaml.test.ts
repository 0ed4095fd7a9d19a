import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { plainYaml } from '../../src/private/plain-yaml';
import { dumpYaml, toYamlStream } from '../../src/private/yaml-emitter';

// Strings built from the characters and words the quoting rules turn on: indicators, ': ', ' #',
// YAML 1.1 booleans, numbers, timestamps, merge keys, and characters plainYaml leaves to js-yaml.
const piece = fc.constantFrom(
  'a', 'Z', '0', '1', '9', '-', '+', '.', '_', ':', ' ', '#', ',', '[', ']', '{', '}', '?', '!', '&', '*', '|', '>', '=', '%', '@', '`',
  "'", '"', '\\', '/', '~', '<<', 'e', 'E', 'x', 'o', 'b', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'NULL', 'Null', 'null', 'NaN', 'inf', 'on', 'Off', 'yes', 'N', 'y', '.inf', '.NaN',
  '0x1F', '0o17', '0b101', '1_000', '12:30:45', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '1e3', '\t', '\n', 'é', '\u2028',
);
const tricky = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
const key = fc.oneof(tricky, fc.string({ maxLength: 8 }), fc.constantFrom('apiVersion', 'metadata', 'x'.repeat(1100)));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tricky,
    fc.string({ maxLength: 10 }),
    fc.integer(),
    fc.constantFrom(0, -0, 1.5, 1e21, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity, true, false, null, undefined),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  ),
})).node;

describe('plainYaml', () => {
  test('writes exactly what js-yaml writes, or declines (property, 20,000 values)', () => {
    let written = 0;
    fc.assert(fc.property(value, (doc) => {
      const fast = plainYaml(doc);
      if (fast === undefined) return;
      written++;
      expect(fast).toBe(dumpYaml(doc));
    }), { numRuns: 20_000, seed: 17 });
    // The property must not hold only because everything was declined.
    expect(written).toBeGreaterThan(10_000);
  });

  test('writes manifests with nested sequences and empty collections as js-yaml does', () => {
    const doc = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'orders-allow', namespace: 'shop', annotations: { 'istio.io/dry-run': 'true' } },
      spec: {
        action: 'ALLOW',
        rules: [
          { from: [{ source: { principals: ['cluster.local/ns/shop/sa/checkout', '*'] } }], to: [{ operation: { ports: ['8080'], paths: ['/api/*', '*.json'] } }] },
          {},
          { when: [{ key: 'request.headers[x-env]', values: ['on', '0755', 'a: b', '#x', 'x #y', 'ok#'] }] },
        ],
        selector: { matchLabels: {} },
        empty: [],
        nested: [[1, [2, []]], [{}]],
      },
    };
    expect(plainYaml(doc)).toBe(dumpYaml(doc));
  });

  test('declines what needs js-yaml: line breaks, non-ASCII, floats, undefined, Dates, long keys; the stream is still the same', () => {
    for (const doc of [{ pem: 'a\nb' }, { name: 'café' }, { n: 1.5 }, { n: -0 }, { a: undefined }, [undefined], { d: new Date(0) }, { ['k'.repeat(1025)]: 1 }]) {
      expect(plainYaml(doc)).toBeUndefined();
    }
    const docs = [{ pem: 'a\nb' }, { kind: 'A' }];
    expect(toYamlStream(docs)).toBe(docs.map((d) => dumpYaml(d)).join('---\n'));
  });

  test('a stream of many documents, some declined, is the documents js-yaml writes joined by ---', () => {
    fc.assert(fc.property(fc.array(value, { maxLength: 5 }), (docs) => {
      expect(toYamlStream(docs)).toBe(docs.map((d) => dumpYaml(d)).join('---\n'));
    }), { numRuns: 2_000, seed: 17 });
  });
});
