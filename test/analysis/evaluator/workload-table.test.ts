// check13: the planned workloads with one label in one flat table (evaluator/workload-table.ts).
// Property: after any sequence of additions, a lookup finds what a Map keyed by (namespace, label
// key, label value) holds — values that share a hash or a prefix, non-ASCII values, values too long
// to be filed (never found), and growth of the table past many entries.
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MAX_VALUE_LENGTH, WorkloadTable } from '../../../src/analysis/evaluator/workload-table';

const name = fc.constantFrom('a', 'b', 'team-000', 'ns');
const key = fc.constantFrom('app', 'name', 'k');
const value = fc.oneof(
  fc.stringMatching(/^[a-z0-9-]{0,12}$/),
  fc.constantFrom('svc-00100', 'svc-00101', 'é', 'ü-\u{1F600}', 'x'.repeat(MAX_VALUE_LENGTH), 'x'.repeat(MAX_VALUE_LENGTH + 1)),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const triple = fc.tuple(name, key, value);

describe('WorkloadTable', () => {
  test('finds what a map keyed by namespace, label key and value holds (property)', () => {
    const seed = Number(process.env.FC_SEED ?? 1313);
    // eslint-disable-next-line no-console
    console.log(`workload-table property seed ${seed}`);
    fc.assert(fc.property(fc.array(triple, { maxLength: 300 }), fc.array(triple, { maxLength: 50 }), (added, probes) => {
      const table = new WorkloadTable<number>();
      const reference = new Map<string, number>();
      added.forEach(([ns, k, v], i) => {
        const filed = table.add(ns, k, v, i);
        expect(filed).toBe(v.length <= MAX_VALUE_LENGTH);
        if (filed) reference.set(JSON.stringify([ns, k, v]), i);
      });
      for (const [ns, k, v] of [...added, ...probes]) expect(table.find(ns, k, v)).toBe(reference.get(JSON.stringify([ns, k, v])));
    }), { seed, numRuns: 300 });
  });

  test('holds thousands of workloads and forgets them all on clear', () => {
    const table = new WorkloadTable<string>();
    for (let i = 0; i < 5000; i++) table.add(`team-${i % 50}`, 'app', `svc-${i}`, `w${i}`);
    expect(table.find('team-7', 'app', 'svc-1007')).toBe('w1007');
    expect(table.find('team-8', 'app', 'svc-1007')).toBeUndefined();
    expect(table.find('team-7', 'name', 'svc-1007')).toBeUndefined();
    table.clear();
    expect(table.find('team-7', 'app', 'svc-1007')).toBeUndefined();
  });
});
