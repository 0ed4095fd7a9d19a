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
import { CellState, cellStates } from './cell-states';
import { appendAll } from '../../private/arrays';
import { AccessAnalysis, AccessAnalysisOptions, AnalyzedDestination, streamChangedAccess } from '../access/access-analysis';
import { memoSliceComplete, SliceAccess } from '../access/access-sets';
import { DescribeMemo, describeSlice, dontCareTokenMask, PortAccessSummary, summaryText } from '../access/cell-summary';
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

/** A change and the first of its rows, the last key of the report's order. */
interface Reported {
  readonly change: AccessChange;
  readonly firstRow: number;
}

function diffDestinations(sources: readonly MatrixSource[], destinations: Iterable<AnalyzedDestination>): AccessDiff {
  const reported: Reported[] = [];
  const lists = new SourceLists(sources);
  for (const d of destinations) appendAll(reported, destinationChanges(lists, d));
  reported.sort((a, b) => CHANGE_ORDER.indexOf(a.change.kind) - CHANGE_ORDER.indexOf(b.change.kind)
    || compareIds(a.change.destination, b.change.destination) || a.firstRow - b.firstRow);
  const counts = { added: 0, widened: 0, changed: 0, narrowed: 0, removed: 0 };
  for (const r of reported) counts[r.change.kind]++;
  return {
    changes: reported.map((r) => r.change),
    counts,
    widens: counts.added + counts.widened + counts.changed > 0,
    sources,
  };
}

/** What changed for one source class, before its sources are known. */
interface ClassChange {
  readonly kind: AccessChangeKind;
  readonly added: readonly PortAccessSummary[];
  readonly removed: readonly PortAccessSummary[];
  readonly before: AccessState;
  readonly after: AccessState;
}

function destinationChanges(lists: SourceLists, d: AnalyzedDestination): Reported[] {
  const destinationChange = !d.versions[0] ? 'added' as const : !d.versions[1] ? 'removed' as const : undefined;
  const words = new ChangeWords(d);
  // diff14: changes alike have the same shape; within a shape, they are told apart by their
  // summaries (mostly the very same objects: the JSON of one is rarely needed).
  const grouped = new Map<string, { change: ClassChange; rows: Int32Array[] }[]>();
  d.classification.classes.forEach((_cls, k) => {
    const change = words.classChange(k);
    if (!change) return;
    const shape = words.shapeKey(change);
    const rows = d.classification.rows(k);
    const alike = grouped.get(shape);
    const g = alike?.find((x) => words.alike(x.change, change));
    if (g) g.rows.push(rows);
    else if (alike) alike.push({ change, rows: [rows] });
    else grouped.set(shape, [{ change, rows: [rows] }]);
  });
  const out: Reported[] = [];
  for (const { change, rows } of [...grouped.values()].flat()) {
    const list = lists.of(ascendingRows(rows));
    const text = `${list.text} → ${d.id}${destinationChange === 'added' ? ' (new destination)' : destinationChange === 'removed' ? ' (destination removed)' : ''}: ${changeWhat(change)}`;
    out.push({ change: accessChange(d.id, destinationChange, change, list.ids, text), firstRow: list.rows[0] });
  }
  return out;
}

/**
 * The reported object, its fields in the order of the report's JSON. diff14: made once, by a
 * literal (not spread from a partial change and copied again without its sort key).
 */
function accessChange(destination: string, destinationChange: 'added' | 'removed' | undefined, c: ClassChange,
  sources: readonly string[], text: string): AccessChange {
  return destinationChange
    ? { kind: c.kind, destination, destinationChange, added: c.added, removed: c.removed, before: c.before, after: c.after, sources, text }
    : { kind: c.kind, destination, added: c.added, removed: c.removed, before: c.before, after: c.after, sources, text };
}

/** The changes of a destination's source classes in words, with what they share described once. */
class ChangeWords {
  private readonly memo: DescribeMemo = new Map();
  private readonly complete: (s: SliceAccess) => boolean;
  private readonly stateOf: (version: number, cls: number) => CellState;
  private readonly full: Cube;
  private readonly token: number;
  /** diff14: cells by content, and the JSON of the summaries that had to be compared (see {@link alike}). */
  private readonly stateIds = new Map<CellState, number>();
  private readonly stateContent = new Map<string, number>();
  private readonly summaryJson = new Map<PortAccessSummary, string>();

  public constructor(private readonly d: AnalyzedDestination) {
    this.complete = memoSliceComplete(d.space.sizes);
    this.stateOf = cellStates(d, this.complete, this.memo);
    this.full = fullCube(d.space.sizes);
    this.token = d.space.dimensionIndex('token');
  }

  /** How class `k`'s access changed; undefined when it did not. */
  public classChange(k: number): ClassChange | undefined {
    const old = this.d.access[0][k];
    const now = this.d.access[1][k];
    // diff14: a class no changed rule affects may keep its very slices (then nothing to compare).
    if (old === now) return undefined;
    // diff10: the differences first; the rest only for the classes whose access changed.
    // A set minus itself is empty: most classes of a changed destination keep their access.
    // diff14: only the slices that differ are subtracted and described (the others add nothing
    // to the report: an empty difference is a denied port, left out).
    let differs = false;
    const added: PortAccessSummary[] = [];
    const removed: PortAccessSummary[] = [];
    for (let i = 0; i < old.length; i++) {
      const o = old[i];
      const n = now[i];
      if (o === n || sameCubes(o.allowed, n.allowed)) continue;
      const plus = simplifySet(subtractSets(n.allowed, o.allowed));
      const minus = simplifySet(subtractSets(o.allowed, n.allowed));
      if (plus.length === 0 && minus.length === 0) continue;
      differs = true;
      // A slice absent in both versions is not described (describeSlices leaves it out).
      if (o.absent && n.absent) continue;
      const dontCare = this.commonDontCare(o, n);
      if (plus.length > 0) added.push(describeSlice(this.d.space, i, { allowed: plus, dontCare, absent: false }, this.complete, this.memo));
      if (minus.length > 0) removed.push(describeSlice(this.d.space, i, { allowed: minus, dontCare, absent: false }, this.complete, this.memo));
    }
    if (!differs) return undefined;
    const before = this.stateOf(0, k);
    const after = this.stateOf(1, k);
    const kind: AccessChangeKind = before.status === 'denied' ? 'added'
      : after.status === 'denied' ? 'removed'
        : removed.length === 0 ? 'widened'
          : added.length === 0 ? 'narrowed' : 'changed';
    return { kind, added, removed, before, after };
  }

  /** A key two changes with the same JSON share (the kind, the cells, the number of ports). */
  public shapeKey(c: ClassChange): string {
    return `${c.kind}:${this.stateId(c.before)},${this.stateId(c.after)}:${c.added.length},${c.removed.length}`;
  }

  /** True when two changes have the same JSON (an array's JSON is equal exactly when its elements' are, one by one). */
  public alike(a: ClassChange, b: ClassChange): boolean {
    return a.kind === b.kind && this.stateId(a.before) === this.stateId(b.before) && this.stateId(a.after) === this.stateId(b.after)
      && this.sameSummaries(a.added, b.added) && this.sameSummaries(a.removed, b.removed);
  }

  private sameSummaries(a: readonly PortAccessSummary[], b: readonly PortAccessSummary[]): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && this.json(a[i]) !== this.json(b[i])) return false;
    return true;
  }

  private json(p: PortAccessSummary): string {
    let text = this.summaryJson.get(p);
    if (text === undefined) {
      text = JSON.stringify(p);
      this.summaryJson.set(p, text);
    }
    return text;
  }

  /** The same number for cells with the same status and summary. */
  private stateId(s: CellState): number {
    let id = this.stateIds.get(s);
    if (id === undefined) {
      // A status holds no NUL: the first one ends it.
      const text = `${s.status}\u0000${s.summary}`;
      id = this.stateContent.get(text);
      if (id === undefined) {
        id = this.stateContent.size;
        this.stateContent.set(text, id);
      }
      this.stateIds.set(s, id);
    }
    return id;
  }

  /** Refused tokens in both versions (or in the one version where the slice exists) are "don't care". */
  private commonDontCare(o: SliceAccess, n: SliceAccess): Cube[] {
    const space = this.d.space;
    if (this.token < 0) return [];
    const mask = o.absent ? dontCareTokenMask(space, n.dontCare)
      : n.absent ? dontCareTokenMask(space, o.dontCare)
        : dontCareTokenMask(space, o.dontCare) & dontCareTokenMask(space, n.dontCare);
    if (mask === 0n) return [];
    const c = [...this.full];
    c[this.token] = mask;
    return [c];
  }
}

/** The id list and words of a group's sources. */
interface SourceList {
  /** The rows, ascending. */
  readonly rows: Int32Array;
  readonly ids: readonly string[];
  readonly text: string;
}

/**
 * diff14: the source lists of one diff, by content. Changes of the same rows (the same classes at
 * several destinations) share one frozen id list and its words instead of a copy each.
 */
class SourceLists {
  private readonly byHash = new Map<number, SourceList[]>();
  /** diff16: the ids by row, in one array (a list reads them without visiting each source object). */
  private readonly idByRow: readonly string[];

  public constructor(private readonly all: readonly MatrixSource[]) {
    this.idByRow = all.map((s) => s.id);
  }

  /** The list of ascending `rows`. */
  public of(rows: Int32Array): SourceList {
    const h = rowsHash(rows);
    let bucket = this.byHash.get(h);
    if (!bucket) {
      bucket = [];
      this.byHash.set(h, bucket);
    }
    for (const l of bucket) if (sameRows(l.rows, rows)) return l;
    // diffeval: a loop, not Array.from over a typed array (its slow path, for thousands of rows).
    const ids: string[] = [];
    const idByRow = this.idByRow;
    for (let i = 0; i < rows.length; i++) ids.push(idByRow[rows[i]]);
    const list: SourceList = { rows, ids: Object.freeze(ids), text: sourcesText(ids, this.all) };
    bucket.push(list);
    return list;
  }
}

/** A hash of a row list (FNV-1a over its values). */
function rowsHash(rows: Int32Array): number {
  let h = 0x811c9dc5 ^ rows.length;
  for (let i = 0; i < rows.length; i++) h = Math.imul(h ^ rows[i], 0x01000193);
  return h;
}

function sameRows(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
