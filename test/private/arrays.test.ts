import { describe, expect, it } from 'vitest';
import { appendAll, maxOf } from '../../src/private/arrays';

// 200,000 items: far past where a spread call (`push(...items)`, `Math.max(...items)`) throws
// "RangeError: Maximum call stack size exceeded", as `trustmesh analyze` did on 155,000 policies.
const MANY = 200_000;

describe('appendAll', () => {
  it('appends 200,000 items in order, where push(...items) overflows the stack', () => {
    const items = Array.from({ length: MANY }, (_, i) => i);
    expect(() => ([] as number[]).push(...Array.from({ length: 2_000_000 }, (_, i) => i))).toThrow(RangeError);
    const target = [-1];
    expect(appendAll(target, items)).toBe(target);
    expect(target).toHaveLength(MANY + 1);
    expect(target[0]).toBe(-1);
    expect(target[MANY]).toBe(MANY - 1);
  });

  it('takes any iterable (a Set, a Map\'s values)', () => {
    expect(appendAll([0], new Set([1, 2]))).toEqual([0, 1, 2]);
    expect(appendAll<string>([], new Map([['a', 'x']]).values())).toEqual(['x']);
  });
});

describe('maxOf', () => {
  it('is the largest of 200,000 values, and the given value for none', () => {
    const values = Array.from({ length: MANY }, (_, i) => (i * 7919) % MANY);
    expect(maxOf(values, -1)).toBe(MANY - 1);
    expect(maxOf([], -Infinity)).toBe(-Infinity);
    expect(maxOf([-3, -2], 0)).toBe(-2);
  });
});
