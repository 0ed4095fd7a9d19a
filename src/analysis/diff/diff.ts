/**
 * The semantic access diff: what changed in who may do what, between two versions of the
 * manifests — not which YAML lines changed.
 *
 * Both versions are analyzed over one request space per destination (the atoms of both), and the
 * allowed sets of each source class are compared region by region: `new − old` is what is newly
 * allowed, `old − new` what no longer is. Renaming, reordering, merging or splitting policies with
 * the same meaning gives equal sets, so no change. Changes are reported per destination and group
 * of sources, widening first:
 *
 * - `added`: nothing was allowed, now something is;
 * - `widened`: more is allowed, nothing less;
 * - `changed`: some more, some less;
 * - `narrowed`: less is allowed, something still is;
 * - `removed`: something was allowed, now nothing is.
 *
 * @see docs/matrix-and-diff.md
 * @module
 */
/* eslint-disable no-bitwise -- region masks are bit sets */
import { cellStates } from './cell-states';
import { appendAll } from '../../private/arrays';
import { AccessAnalysis, AccessAnalysisOptions, AnalyzedDestination, streamChangedAccess } from '../access/access-analysis';
import { memoSliceComplete, SliceAccess } from '../access/access-sets';
import { DescribeMemo, describeSlices, dontCareTokenMask, PortAccessSummary, summaryText } from '../access/cell-summary';
import { Cube, fullCube, simplifySet, subtractSets } from '../access/cubes';
import { compareIds } from '../access/destinations';
import { MatrixSource } from '../access/sources';
import { IstioConfig } from '../config/istio-config';

/** How access changed for a group of sources at one destination. */
export type AccessChangeKind = 'added' | 'widened' | 'changed' | 'narrowed' | 'removed';

/** Widening kinds first: the order of the report. */
export const CHANGE_ORDER: readonly AccessChangeKind[] = ['added', 'widened', 'changed', 'narrowed', 'removed'];

/** A cell before or after. */
export interface AccessState {
  readonly status: 'allowed' | 'denied' | 'partial';
  readonly summary: string;
}

/** One reported change. */
export interface AccessChange {
  readonly kind: AccessChangeKind;
  /** Set for a change of the Kubernetes NetworkPolicy (L4) layer (`network-diff.ts`); Istio changes have none. */
  readonly layer?: 'NetworkPolicy';
  readonly destination: string;
  /** Set when the destination exists in one version only. */
  readonly destinationChange?: 'added' | 'removed';
  /** Source ids (matrix rows) sharing this change, in row order. */
  readonly sources: readonly string[];
  /** What is newly allowed, per port. */
  readonly added: readonly PortAccessSummary[];
  /** What is no longer allowed, per port. */
  readonly removed: readonly PortAccessSummary[];
  readonly before: AccessState;
  readonly after: AccessState;
  /** One line: `bookinfo/bookinfo-productpage → bookinfo/details: now also POST on port 9080`. */
  readonly text: string;
}

/** The diff. */
export interface AccessDiff {
  /** Widening first (see {@link CHANGE_ORDER}), then by destination and source. */
  readonly changes: readonly AccessChange[];
  readonly counts: Readonly<Record<AccessChangeKind, number>>;
  /** True when some access was added or widened. */
  readonly widens: boolean;
  /** The rows of both versions. */
  readonly sources: readonly MatrixSource[];
}

/**
 * Compares what the two versions allow.
 *
 * @throws TrustmeshAggregateError `TM_CONFIG_INVALID` when a version has invalid security objects.
 * @example
 * const diff = diffAccess(loadConfig('base/dist'), loadConfig('dist'));
 * diff.changes[0]?.text; // 'bookinfo/bookinfo-productpage → bookinfo/details: now also POST on port 9080'
 */
export function diffAccess(before: IstioConfig, after: IstioConfig, options: AccessAnalysisOptions = {}): AccessDiff {
  // Destinations with the same policies and ports in both versions cannot change: left out. The
  // others are analyzed one at a time and only their changes kept (diff10: holding every analysis
  // until the end made the garbage collector copy them).
  const stream = streamChangedAccess([before, after], options);
  return diffDestinations(stream.sources, stream.destinations());
}

/** The diff of versions 0 (before) and 1 (after) of an analysis. */
export function diffAnalysis(analysis: AccessAnalysis): AccessDiff {
  return diffDestinations(analysis.sources, analysis.destinations);
}

function diffDestinations(sources: readonly MatrixSource[], destinations: Iterable<AnalyzedDestination>): AccessDiff {
  const changes: (AccessChange & { firstRow: number })[] = [];
  for (const d of destinations) appendAll(changes, destinationChanges(sources, d));
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

/** What changed, in words: `now also POST on port 9080`, `no longer allowed (was: GET on port 9080)`. */
export function changeWhat(change: Pick<AccessChange, 'kind' | 'added' | 'removed' | 'before' | 'after' | 'layer'>): string {
  if (change.layer === 'NetworkPolicy') return networkWhat(change);
  const plus = summaryText(change.added);
  const minus = summaryText(change.removed);
  switch (change.kind) {
    case 'added': return `now allowed: ${change.after.status === 'allowed' ? 'everything' : plus}`;
    case 'removed': return `no longer allowed (was: ${change.before.status === 'allowed' ? 'everything' : change.before.summary})`;
    case 'widened': return `now also ${plus}`;
    case 'narrowed': return `no longer ${minus}`;
    default: return `now also ${plus}; no longer ${minus}`;
  }
}

/** Words for a group of sources: `a, b and 3 more`, `any mesh identity`, `any source`. */
export function sourcesText(ids: readonly string[], all: readonly MatrixSource[]): string {
  if (ids.length === all.length) return 'any source (plaintext included)';
  if (ids.length === all.length - 1 && !ids.includes('plaintext') && all.some((s) => s.kind === 'plaintext')) return 'any mesh identity';
  const name = (id: string): string => (id === '*' ? 'any other mesh identity' : id);
  // Only the names shown are made (a group can hold every row of the mesh).
  if (ids.length <= 3) return ids.map(name).join(', ');
  return `${ids.slice(0, 3).map(name).join(', ')} and ${ids.length - 3} more`;
}

/** A NetworkPolicy change in words: `NetworkPolicy now admits the connection (L4 port 5432)`. */
function networkWhat(change: Pick<AccessChange, 'kind' | 'before' | 'after'>): string {
  const before = change.before.summary;
  const after = change.after.summary;
  switch (change.kind) {
    case 'added': return `NetworkPolicy now admits the connection (${after})`;
    case 'removed': return `NetworkPolicy no longer admits the connection (was: ${before})`;
    default: return `NetworkPolicy admits ${after.replace(/^L4 /, '')} (was: ${before.replace(/^L4 /, '')})`;
  }
}
