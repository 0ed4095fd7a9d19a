/**
 * The access matrix: who may talk to whom, and how. Rows are source identities, columns are
 * destination workloads; a cell is `allowed` (every request on every port), `denied` (none) or
 * `partial`, with what is allowed summarized per port ("GET /ratings/* on port 9080").
 *
 * The cells come from the evaluator's own compiled policies, evaluated symbolically over the
 * destination's request classes (see `request-classes.ts`, `access-sets.ts`), so a cell says
 * "allowed" for a class of requests exactly when `evaluate` allows the requests of that class —
 * the property test in `test/analysis/matrix/matrix-consistency.test.ts` checks it on random requests.
 *
 * @see docs/matrix-and-diff.md
 * @module
 */
import { AccessRequest } from '../../semantics/access-request';
import {
  AccessAnalysisOptions, AccessStream, AnalyzedDestination, destinationAllows, streamAccess, workloadKey,
} from '../access/access-analysis';
import { accessStatus, AccessStatus, memoSliceComplete, SliceAccess } from '../access/access-sets';
import { DescribeMemo, describeSlices, PortAccessSummary, summaryText } from '../access/cell-summary';
import { MatrixDestination } from '../access/destinations';
import { SourceClassification } from '../access/source-classes';
import { MatrixSource } from '../access/sources';
import { IstioConfig } from '../config/istio-config';
import { MeshConfig } from '../config/mesh-config';

/** One cell: what a source may do at a destination. */
export interface MatrixCell {
  readonly status: AccessStatus;
  /** Words: "GET on port 9080"; `all` when allowed; empty when denied. */
  readonly summary: string;
  /** Per port and filter chain. */
  readonly ports: readonly PortAccessSummary[];
  /** Set when every port refuses the (plaintext) source for STRICT mTLS: the PeerAuthentication. */
  readonly refusedBy?: string;
  /** The Kubernetes NetworkPolicy (L4) verdict, when the input has NetworkPolicies (`network-cells.ts`). */
  readonly network?: NetworkCell;
}

/** The NetworkPolicy (L4) verdict of one cell. */
export interface NetworkCell {
  /** `allowed`: every port; `denied`: none; `partial`: the listed ports. */
  readonly status: 'allowed' | 'partial' | 'denied';
  /** Admitted ports (`'other'`: any port the policies do not name); empty when denied. */
  readonly ports: readonly (number | 'other')[];
  /** `L4 all ports`, `L4 port 5432`, `L4 none`. */
  readonly summary: string;
}

/** Sources that share one cell of a column. */
export interface MatrixCellGroup {
  /** Source ids, in row order. */
  readonly sources: readonly string[];
  readonly cell: MatrixCell;
}

/** One column with its distinct cells. */
export interface MatrixColumn {
  readonly destination: MatrixDestination;
  /** Every source is in exactly one group; groups in row order of their first source. */
  readonly groups: readonly MatrixCellGroup[];
}

/** The access matrix of one set of manifests. */
export interface AccessMatrix {
  readonly meshConfig: MeshConfig;
  readonly sources: readonly MatrixSource[];
  readonly destinations: readonly MatrixDestination[];
  readonly columns: readonly MatrixColumn[];
  /**
   * Sources whose sidecar refuses hosts outside the service registry (Sidecar or MeshConfig
   * `REGISTRY_ONLY`), in row order; set by `withNetworkLayer` when some source is restricted.
   */
  readonly registryOnly?: readonly { readonly source: string; readonly decidedBy: string }[];
  /** The cell of a source and a destination (by id), or undefined for unknown ids. */
  cell(sourceId: string, destinationId: string): MatrixCell | undefined;
  /**
   * The matrix's verdict on one concrete request: whether the class it belongs to is allowed;
   * undefined when the request is outside the matrix (unknown destination labels, an undeclared
   * port, a class no witness exhibits).
   */
  allows(request: AccessRequest): boolean | undefined;
}

/**
 * Builds the access matrix of the manifests.
 *
 * @throws TrustmeshAggregateError `TM_CONFIG_INVALID` when the manifests have invalid security objects.
 * @example
 * const matrix = buildAccessMatrix(loadConfig('dist/bookinfo'));
 * matrix.cell('bookinfo/bookinfo-productpage', 'bookinfo/details')?.summary; // 'GET on any port'
 */
export function buildAccessMatrix(config: IstioConfig, options: AccessAnalysisOptions = {}): AccessMatrix {
  return matrixOf(streamAccess([config], options));
}

/**
 * The matrix of one version, built destination by destination. matrix10: a column keeps its groups
 * and its source classification, not the destination's analysis (request space and access sets):
 * {@link AccessMatrix.allows} analyzes the one destination it asks about again, so the matrix's
 * memory is its cells, not every destination's analysis.
 */
function matrixOf(stream: AccessStream): AccessMatrix {
  const sources = stream.sources;
  const rowIndex = new Map(sources.map((s, i) => [s.id, i]));
  const columns: MatrixColumn[] = [];
  // perf7: a cell is found through the column's class of the row and the group of that class.
  const groupOfClass: Int32Array[] = [];
  const classifications: SourceClassification[] = [];
  // The first destination of a workload answers for it, as in `AccessAnalysis.allows`.
  const byWorkload = new Map<string, string>();
  for (const d of stream.destinations()) {
    const shape = d.versions[0];
    if (!shape) continue;
    const { groups, classGroups } = columnGroups(sources, d, 0);
    columns.push({ destination: shape, groups });
    groupOfClass.push(classGroups);
    classifications.push(d.classification);
    const k = workloadKey(0, shape.namespace, shape.labels);
    if (!byWorkload.has(k)) byWorkload.set(k, d.id);
  }
  const columnIndex = new Map(columns.map((c, i) => [c.destination.id, i]));
  let last: AnalyzedDestination | undefined;
  return {
    meshConfig: stream.meshConfig,
    sources,
    destinations: columns.map((c) => c.destination),
    columns,
    cell: (sourceId, destinationId) => {
      const r = rowIndex.get(sourceId);
      const c = columnIndex.get(destinationId);
      if (r === undefined || c === undefined) return undefined;
      return columns[c].groups[groupOfClass[c][classifications[c].classOfRow(r)]].cell;
    },
    allows: (request) => {
      const id = byWorkload.get(workloadKey(0, request.destination.namespace, request.destination.labels));
      if (id === undefined) return undefined;
      if (last?.id !== id) last = stream.analyze(id);
      return last ? destinationAllows(last, request, 0) : undefined;
    },
  };
}

/**
 * The cells of a destination's source classes, in either version. A cell depends only on the
 * class's access sets, and many classes share them: each distinct set is described once.
 */
export function destinationCells(d: AnalyzedDestination, memo: DescribeMemo = new Map()): (version: number, cls: number) => MatrixCell {
  const bySlices = new Map<string, MatrixCell>();
  return (version, cls) => {
    const slices = d.access[version][cls];
    const key = slicesKey(slices);
    let cell = bySlices.get(key);
    if (!cell) {
      cell = cellOf(d, slices, memo);
      bySlices.set(key, cell);
    }
    return cell;
  };
}

function cellOf(d: AnalyzedDestination, slices: readonly SliceAccess[], memo: DescribeMemo): MatrixCell {
  const sizes = d.space.sizes;
  const complete = memoSliceComplete(sizes);
  const status = accessStatus(slices, complete);
  const served = slices.filter((s) => !s.absent);
  const refused = served.length > 0 && served.every((s) => s.refusedBy !== undefined) ? served[0].refusedBy : undefined;
  const ports = describeSlices(d.space, slices, complete, memo);
  return {
    status,
    summary: status === 'allowed' ? 'all' : status === 'denied' ? '' : summaryText(ports),
    ports,
    ...(refused ? { refusedBy: refused } : {}),
  };
}

/**
 * The groups of a column and the group of each source class. perf7: a group's `sources` are listed
 * when read (an enumerable getter), so that building the matrix costs the classes of each column,
 * not its rows: only output that shows every source pays for every source.
 */
function columnGroups(ids: readonly MatrixSource[], d: AnalyzedDestination, version: number): { groups: MatrixCellGroup[]; classGroups: Int32Array } {
  const classification = d.classification;
  const classes = classification.classes;
  const found: { first: number; members: number[]; cell: MatrixCell }[] = [];
  const foundOfClass = new Int32Array(classes.length);
  const cellOfClass = destinationCells(d);
  // Groups by cell content. perf7: candidates by status and summary first; a cell is stringified
  // only when another cell object shares them.
  const byCell = new Map<MatrixCell, number>();
  const byWords = new Map<string, number[]>();
  const json = new Map<number, string>();
  const jsonOf = (g: number): string => {
    let j = json.get(g);
    if (j === undefined) {
      j = JSON.stringify(found[g].cell);
      json.set(g, j);
    }
    return j;
  };
  const groupOf = (cell: MatrixCell, first: number): number => {
    const words = `${cell.status}\u0000${cell.summary}\u0000${cell.refusedBy ?? ''}`;
    const candidates = byWords.get(words);
    if (candidates) {
      const text = JSON.stringify(cell);
      const same = candidates.find((g) => jsonOf(g) === text);
      if (same !== undefined) return same;
    }
    const g = found.length;
    found.push({ first, members: [], cell });
    if (candidates) candidates.push(g);
    else byWords.set(words, [g]);
    return g;
  };
  classes.forEach((cls, i) => {
    const cell = cellOfClass(version, i);
    let g = byCell.get(cell);
    if (g === undefined) {
      g = groupOf(cell, cls.first);
      byCell.set(cell, g);
    }
    found[g].members.push(i);
    found[g].first = Math.min(found[g].first, cls.first);
    foundOfClass[i] = g;
  });
  const order = found.map((_g, i) => i).sort((a, b) => found[a].first - found[b].first);
  const renumber = new Int32Array(found.length);
  order.forEach((old, gi) => {
    renumber[old] = gi;
  });
  const classGroups = foundOfClass.map((g) => renumber[g]);
  const groups = order.map((old, gi) => lazyGroup(found[old].cell, found[old].members, gi, classification, classGroups, ids));
  return { groups, classGroups };
}

/**
 * One group whose `sources` are listed when read. matrix10: built apart from {@link columnGroups}
 * so that the getter holds the classification and the source ids only, not the destination's
 * analysis that the column's cells were computed from.
 */
function lazyGroup(cell: MatrixCell, members: readonly number[], gi: number, classification: SourceClassification, classGroups: Int32Array,
  ids: readonly MatrixSource[]): MatrixCellGroup {
  const sourcesOf = (): string[] => {
    const out: string[] = [];
    if (members.includes(classification.rest)) {
      const all = classification.classOfRows();
      for (let row = 0; row < all.length; row++) if (classGroups[all[row]] === gi) out.push(ids[row].id);
      return out;
    }
    const rows: number[] = [];
    for (const c of members) for (const r of classification.rows(c)) rows.push(r);
    if (members.length > 1) rows.sort((a, b) => a - b);
    for (const r of rows) out.push(ids[r].id);
    return out;
  };
  return Object.defineProperties({} as { sources: string[]; cell: MatrixCell }, {
    sources: { get: sourcesOf, enumerable: true },
    cell: { value: cell, enumerable: true },
  });
}

function slicesKey(slices: readonly SliceAccess[]): string {
  // Brackets keep the empty set apart from the set holding the empty cube (everything, when the
  // destination has no request dimensions).
  const cubes = (set: readonly (readonly bigint[])[]): string => set.map((c) => `[${c.join(',')}]`).join('');
  return slices.map((s) => `${s.absent ? 'a' : ''}|${s.refusedBy ?? ''}|${cubes(s.allowed)}|${cubes(s.dontCare)}`).join('\n');
}
