// matrix10: describing a cell's slices with a memo (shared by the source classes of a destination)
// gives the very summaries describing each one afresh gives.
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { analyzeAccess } from '../../../src/analysis/access/access-analysis';
import { sliceComplete } from '../../../src/analysis/access/access-sets';
import { DescribeMemo, describeSlices } from '../../../src/analysis/access/cell-summary';
import { loadConfig } from '../../../src/analysis/config/load-config';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

describe('describeSlices with a memo', () => {
  for (const fixture of ['matrix/bookinfo', 'analysis/layers']) {
    it(`equals the summaries made without one, for every class of every destination (${fixture})`, () => {
      const analysis = analyzeAccess([loadConfig(path.join(FIXTURES, fixture))]);
      let reused = 0;
      for (const d of analysis.destinations) {
        const memo: DescribeMemo = new Map();
        const complete = (s: Parameters<typeof sliceComplete>[0]): boolean => sliceComplete(s, d.space.sizes);
        for (const slices of d.access[0]) {
          const before = memo.size;
          const withMemo = describeSlices(d.space, slices, complete, memo);
          expect(withMemo).toEqual(describeSlices(d.space, slices, complete));
          if (memo.size - before < slices.filter((s) => !s.absent).length) reused++;
        }
      }
      expect(reused).toBeGreaterThan(0);
    });
  }
});
