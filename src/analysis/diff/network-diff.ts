/**
 * The NetworkPolicy (L4) layer in the semantic diff: per source row and destination, the ports
 * the NetworkPolicies admit in each version (as the matrix computes them, `network-cells.ts`);
 * a difference is a change of its own, marked `layer: 'NetworkPolicy'`, next to the Istio changes.
 * Renaming or splitting NetworkPolicies with the same meaning shows no change.
 *
 * @module
 */
import { AccessChange, AccessChangeKind, AccessDiff, CHANGE_ORDER, changeWhat, diffAccess, diffAnalysis, sourcesText } from './diff';
import { AccessAnalysis, AccessAnalysisOptions, analyzeAccess } from '../access/access-analysis';
import { compareIds } from '../access/destinations';
import { IstioConfig } from '../config/istio-config';
import { NetworkCell } from '../matrix/matrix';
import { networkCells, rowEndpoints } from '../matrix/network-cells';
import { NetworkLayer } from '../network/network-layer';
import { isNetworkPolicy } from '../network/network-policy';

/**
 * Compares both layers of two versions: the Istio changes of `diffAccess` and the NetworkPolicy
 * changes, in one report (widening first, then by destination and source).
 *
 * @throws TrustmeshAggregateError `TM_CONFIG_INVALID` when a version has invalid security objects or NetworkPolicies.
 */
export function diffLayers(before: IstioConfig, after: IstioConfig, options: AccessAnalysisOptions = {}): AccessDiff {
  // diff10: without any NetworkPolicy there is no L4 change, and the Istio changes need only the
  // destinations whose inputs changed (the full analysis below costs as much as two matrices).
  if (![before, after].some((c) => c.unknown.some(isNetworkPolicy))) return diffAccess(before, after, options);
  const analysis = analyzeAccess([before, after], options);
  return withNetworkChanges(diffAnalysis(analysis), analysis, [before, after], options.allowInvalidConfig ?? false);
}

/** The diff with the NetworkPolicy changes added; the diff itself when neither version has a NetworkPolicy. */
export function withNetworkChanges(diff: AccessDiff, analysis: AccessAnalysis, configs: readonly [IstioConfig, IstioConfig],
  allowInvalidConfig = false): AccessDiff {
  const layers = configs.map((c) => NetworkLayer.fromConfig(c, { allowInvalidConfig }));
  if (layers.every((l) => l.empty)) return diff;
  const rows = configs.map((c) => rowEndpoints(analysis.sources, c.workloads));
  const added: (AccessChange & { firstRow: number })[] = [];
  for (const d of analysis.destinations) {
    const [v0, v1] = d.versions;
    if (!v0 || !v1) continue;
    const before = networkCells(v0, rows[0], configs[0].workloads, layers[0]);
    const after = networkCells(v1, rows[1], configs[1].workloads, layers[1]);
    const grouped = new Map<string, { change: Omit<AccessChange, 'sources' | 'text'>; rows: number[] }>();
    analysis.sources.forEach((_s, row) => {
      const b = before(row);
      const a = after(row);
      if (b.summary === a.summary) return;
      const change = networkChange(d.id, b, a);
      const key = JSON.stringify(change);
      const g = grouped.get(key);
      if (g) g.rows.push(row);
      else grouped.set(key, { change, rows: [row] });
    });
    for (const { change, rows: rs } of grouped.values()) {
      const sources = rs.map((r) => analysis.sources[r].id);
      added.push({ ...change, sources, text: `${sourcesText(sources, analysis.sources)} → ${d.id}: ${changeWhat(change)}`, firstRow: rs[0] });
    }
  }
  if (added.length === 0) return diff;
  const rowOf = new Map(analysis.sources.map((s, i) => [s.id, i]));
  const all = [...diff.changes.map((c) => ({ ...c, firstRow: rowOf.get(c.sources[0]) ?? 0 })), ...added];
  all.sort((a, b) => CHANGE_ORDER.indexOf(a.kind) - CHANGE_ORDER.indexOf(b.kind)
    || compareIds(a.destination, b.destination) || a.firstRow - b.firstRow || (a.layer ? 1 : 0) - (b.layer ? 1 : 0));
  const counts = { added: 0, widened: 0, changed: 0, narrowed: 0, removed: 0 };
  for (const c of all) counts[c.kind]++;
  return {
    ...diff,
    changes: all.map(({ firstRow: _f, ...c }) => c),
    counts,
    widens: counts.added + counts.widened + counts.changed > 0,
  };
}

function networkChange(destination: string, b: NetworkCell, a: NetworkCell): Omit<AccessChange, 'sources' | 'text'> {
  const covers = (x: NetworkCell, y: NetworkCell): boolean => x.status === 'allowed' || y.ports.every((p) => x.ports.includes(p));
  const kind: AccessChangeKind = b.status === 'denied' ? 'added'
    : a.status === 'denied' ? 'removed'
      : covers(a, b) ? 'widened'
        : covers(b, a) ? 'narrowed' : 'changed';
  return {
    kind,
    layer: 'NetworkPolicy',
    destination,
    added: [],
    removed: [],
    before: { status: b.status, summary: b.summary },
    after: { status: a.status, summary: a.summary },
  };
}
