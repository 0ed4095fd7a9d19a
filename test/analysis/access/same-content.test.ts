// diffspace: sameContent walks an object's keys with for…in beside the other's key list. Property:
// it answers as the former walk (both key lists compared in order) on any two values — copies,
// copies with keys reordered, one value changed, a key added, and values JSON writes alike
// (undefined, NaN, functions, dates, null-prototype records).
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameContent } from '../../../src/analysis/access/same-content';

const PLAIN: ReadonlySet<unknown> = new Set([Object.prototype, Array.prototype, null]);

/** The former walk. */
function reference(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (!PLAIN.has(Object.getPrototypeOf(a)) || !PLAIN.has(Object.getPrototypeOf(b))) return JSON.stringify(a) === JSON.stringify(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!reference(a[i], b[i])) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !reference((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]])) return false;
  }
  return true;
}

const leaf = fc.oneof(fc.constantFrom<unknown>('a', 'b', '', '1', 1, 0, -0, NaN, Infinity, null, true, false, undefined, new Date(0)),
  fc.string({ maxLength: 3 }), fc.integer({ min: -2, max: 2 }));
const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('record'), tie('bare')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  record: fc.dictionary(fc.constantFrom('a', 'b', 'c', '0', '1', 'metadata'), tie('value'), { maxKeys: 4 }),
  bare: tie('record').map((r) => Object.assign(Object.create(null) as Record<string, unknown>, r)),
})).value;

/** A copy with fresh objects: same content, other identities. */
function copy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copy);
  if (typeof v !== 'object' || v === null || v instanceof Date) return v;
  const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) as Record<string, unknown> : {};
  for (const k of Object.keys(v)) out[k] = copy((v as Record<string, unknown>)[k]);
  return out;
}

/** A copy changed at one place chosen by `pick`: keys reordered, a value replaced, a key added or dropped. */
function mutate(v: unknown, pick: number, replacement: unknown): unknown {
  if (Array.isArray(v)) {
    if (v.length === 0 || pick % 5 === 0) return [...v.map(copy), replacement];
    const i = pick % v.length;
    return v.map((x, j) => (j === i ? mutate(x, Math.floor(pick / 7), replacement) : copy(x)));
  }
  if (typeof v !== 'object' || v === null || v instanceof Date) return replacement;
  const keys = Object.keys(v);
  const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) as Record<string, unknown> : {};
  const order = pick % 4 === 0 ? [...keys].reverse() : keys;
  for (const k of order) {
    if (pick % 4 === 1 && k === keys[0]) continue;
    out[k] = pick % 4 === 2 && k === keys[keys.length - 1] ? mutate((v as Record<string, unknown>)[k], Math.floor(pick / 4), replacement)
      : copy((v as Record<string, unknown>)[k]);
  }
  if (pick % 4 === 3 || keys.length === 0) out.extra = replacement;
  return out;
}

describe('sameContent', () => {
  it('answers as the former walk on copies, changed copies and unrelated values', () => {
    fc.assert(fc.property(value, value, fc.nat(), leaf, (a, other, pick, replacement) => {
      for (const b of [a, copy(a), mutate(a, pick, replacement), other]) {
        expect(sameContent(a, b)).toBe(reference(a, b));
        expect(sameContent(b, a)).toBe(reference(b, a));
      }
    }), { numRuns: 2000 });
  });

  it('tells apart policies that differ in key order or one value, and not copies', () => {
    const policy = { spec: { action: 'ALLOW', rules: [{ from: [{ source: { namespaces: ['a'] } }], to: [{ operation: { methods: ['GET'] } }] }] } };
    expect(sameContent(policy, copy(policy))).toBe(true);
    expect(sameContent(policy, { spec: { rules: policy.spec.rules, action: 'ALLOW' } })).toBe(false);
    expect(sameContent(policy, { spec: { ...policy.spec, rules: [{ ...policy.spec.rules[0], to: [{ operation: { methods: ['GET '] } }] }] } })).toBe(false);
    expect(sameContent({ a: 1, b: undefined }, { a: 1 })).toBe(false);
  });
});
