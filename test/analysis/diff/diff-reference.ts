/**
 * The test oracle of the diff's reporting: `diffAnalysis` as it was before diff14, written plainly
 * (every class's slices subtracted and described, changes grouped by their whole JSON, each change
 * with its own source list). The diff must give exactly this report, field order included.
 *
 * @module
 */
/* eslint-disable no-bitwise -- region masks are bit sets */
import { AccessAnalysis, AnalyzedDestination } from '../../../src/analysis/access/access-analysis';
import { memoSliceComplete, SliceAccess } from '../../../src/analysis/access/access-sets';
import { DescribeMemo, describeSlices, dontCareTokenMask } from '../../../src/analysis/access/cell-summary';
import { Cube, fullCube, simplifySet, subtractSets } from '../../../src/analysis/access/cubes';
import { compareIds } from '../../../src/analysis/access/destinations';
import { MatrixSource } from '../../../src/analysis/access/sources';
import { cellStates } from '../../../src/analysis/diff/cell-states';
import { AccessChange, AccessChangeKind, AccessDiff, CHANGE_ORDER, changeWhat, sourcesText } from '../../../src/analysis/diff/diff';

/** The diff of versions 0 and 1 of an analysis, as before diff14. */
export function referenceDiff(analysis: AccessAnalysis): AccessDiff {
  const sources = analysis.sources;
  const changes: (AccessChange & { firstRow: number })[] = [];
  for (const d of analysis.destinations) changes.push(...destinationChanges(sources, d));
  changes.sort((a, b) => CHANGE_ORDER.indexOf(a.kind) - CHANGE_ORDER.indexOf(b.kind)
    || compareIds(a.destination, b.destination) || a.firstRow - b.firstRow);
  const counts = { added: 0, widened: 0, changed: 0, narrowed: 0, removed: 0 };
  for (const c of changes) counts[c.kind]++;
  return {
    changes: changes.map(({ firstRow: _f, ...c }) => c),
    counts,
    widens: counts.added + counts.widened + counts.changed > 0,
    sources,
  };
}

function destinationChanges(sources: readonly MatrixSource[], d: AnalyzedDestination): (AccessChange & { firstRow: number })[] {
  const sizes = d.space.sizes;
  const full = fullCube(sizes);
  const destinationChange = !d.versions[0] ? 'added' as const : !d.versions[1] ? 'removed' as const : undefined;
  const grouped = new Map<string, { change: Omit<AccessChange, 'sources' | 'text'>; rows: Int32Array[] }>();
  const memo: DescribeMemo = new Map();
  const complete = memoSliceComplete(sizes);
  const stateOf = cellStates(d, complete, memo);
  d.classification.classes.forEach((_cls, k) => {
    const old = d.access[0][k];
    const now = d.access[1][k];
    // diff10: the differences first; the rest only for the classes whose access changed.
    // A set minus itself is empty: most classes of a changed destination keep their access.
    // diffeval: those are found before anything is allocated for the class.
    let differs = false;
    for (let i = 0; i < old.length && !differs; i++) differs = !sameCubes(old[i].allowed, now[i].allowed);
    if (!differs) return;
    const same = old.map((o, i) => sameCubes(o.allowed, now[i].allowed));
    const plus = old.map((o, i) => (same[i] ? [] : simplifySet(subtractSets(now[i].allowed, o.allowed))));
    const minus = old.map((o, i) => (same[i] ? [] : simplifySet(subtractSets(o.allowed, now[i].allowed))));
    if (plus.every((p) => p.length === 0) && minus.every((m) => m.length === 0)) return;
    const added: SliceAccess[] = [];
    const removed: SliceAccess[] = [];
    old.forEach((o, i) => {
      const n = now[i];
      const dc = commonDontCare(d, o, n, full);
      added.push({ allowed: plus[i], dontCare: dc, absent: o.absent && n.absent });
      removed.push({ allowed: minus[i], dontCare: dc, absent: o.absent && n.absent });
    });
    const plusPorts = describeSlices(d.space, added, complete, memo).filter((p) => p.status !== 'denied');
    const minusPorts = describeSlices(d.space, removed, complete, memo).filter((p) => p.status !== 'denied');
    const beforeCell = stateOf(0, k);
    const afterCell = stateOf(1, k);
    const kind: AccessChangeKind = beforeCell.status === 'denied' ? 'added'
      : afterCell.status === 'denied' ? 'removed'
        : minusPorts.length === 0 ? 'widened'
          : plusPorts.length === 0 ? 'narrowed' : 'changed';
    const change = {
      kind,
      destination: d.id,
      ...(destinationChange ? { destinationChange } : {}),
      added: plusPorts,
      removed: minusPorts,
      before: { status: beforeCell.status, summary: beforeCell.summary },
      after: { status: afterCell.status, summary: afterCell.summary },
    };
    const key = JSON.stringify(change);
    const g = grouped.get(key);
    const rows = d.classification.rows(k);
    if (g) g.rows.push(rows);
    else grouped.set(key, { change, rows: [rows] });
  });
  return [...grouped.values()].map(({ change, rows }) => {
    const sorted = ascendingRows(rows);
    // diffeval: a loop, not Array.from over a typed array (its slow path, for thousands of rows).
    const ids: string[] = [];
    for (let i = 0; i < sorted.length; i++) ids.push(sources[sorted[i]].id);
    return { ...change, sources: ids, text: changeText(change, ids, sources), firstRow: sorted[0] };
  });
}

/** True when two cube lists are written alike (then they are the same set). */
function sameCubes(a: readonly Cube[], b: readonly Cube[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

/** The rows of a group's classes (each ascending) in one ascending list: classes share no row. */
function ascendingRows(lists: readonly Int32Array[]): Int32Array {
  if (lists.length === 1) return lists[0];
  const out = new Int32Array(lists.reduce((n, l) => n + l.length, 0));
  let at = 0;
  for (const l of lists) {
    out.set(l, at);
    at += l.length;
  }
  // A typed array sorts numerically.
  return out.sort();
}

/** Refused tokens in both versions (or in the one version where the slice exists) are "don't care". */
function commonDontCare(d: AnalyzedDestination, o: SliceAccess, n: SliceAccess, full: Cube): Cube[] {
  const t = d.space.dimensionIndex('token');
  if (t < 0) return [];
  const mask = o.absent ? dontCareTokenMask(d.space, n.dontCare)
    : n.absent ? dontCareTokenMask(d.space, o.dontCare)
      : dontCareTokenMask(d.space, o.dontCare) & dontCareTokenMask(d.space, n.dontCare);
  if (mask === 0n) return [];
  const c = [...full];
  c[t] = mask;
  return [c];
}

function changeText(change: Omit<AccessChange, 'sources' | 'text'>, sources: readonly string[], all: readonly MatrixSource[]): string {
  const where = change.destinationChange === 'added' ? ' (new destination)' : change.destinationChange === 'removed' ? ' (destination removed)' : '';
  return `${sourcesText(sources, all)} → ${change.destination}${where}: ${changeWhat(change)}`;
}
