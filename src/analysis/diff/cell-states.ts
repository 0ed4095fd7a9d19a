/**
 * The words of the cells a diff reports before and after a change.
 *
 * @module
 */
import { AnalyzedDestination } from '../access/access-analysis';
import { accessStatus, SliceAccess } from '../access/access-sets';
import { DescribeMemo, describeSlice, describeSlices, PortAccessSummary, summaryText } from '../access/cell-summary';

/** A cell's verdict and its one-line summary (`all`, `''`, or what is allowed). */
export interface CellState {
  readonly status: 'allowed' | 'denied' | 'partial';
  readonly summary: string;
}

/**
 * The status and summary of a cell, as the matrix's cell has them (`destinationCells`), for a
 * version and class. diffeval: the classes of a version with the same terms share their slices
 * (`access-sets.ts`), so cells are known by the identity of their slices; only a partial cell's
 * slices are described (an allowed or denied cell's summary needs no words).
 */
export function cellStates(d: AnalyzedDestination, complete: (s: SliceAccess) => boolean,
  memo: DescribeMemo): (version: number, cls: number) => CellState {
  const ids = new Map<SliceAccess, number>();
  const idOf = (s: SliceAccess): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = ids.size;
      ids.set(s, id);
    }
    return id;
  };
  // diff16: a slice's summary by its identity. A class's cells before and after mostly share all
  // but the changed slice (the very objects): each is described, and its key written, once.
  const described = d.space.slices.map(() => new Map<SliceAccess, PortAccessSummary>());
  const describe = (i: number, s: SliceAccess): PortAccessSummary => {
    let summary = described[i].get(s);
    if (summary === undefined) {
      summary = describeSlice(d.space, i, s, complete, memo);
      described[i].set(s, summary);
    }
    return summary;
  };
  const states = new Map<string, CellState>();
  return (version, cls) => {
    const slices = d.access[version][cls];
    const key = slices.map(idOf).join(',');
    let state = states.get(key);
    if (!state) {
      const status = accessStatus(slices, complete);
      const summary = status === 'allowed' ? 'all' : status === 'denied' ? '' : summaryText(describeSlices(d.space, slices, complete, memo, describe));
      state = { status, summary };
      states.set(key, state);
    }
    return state;
  };
}

