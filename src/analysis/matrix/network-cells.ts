/**
 * The NetworkPolicy layer in the access matrix: for every cell, the ports of the destination the
 * Kubernetes NetworkPolicies let the source's pods connect to (L4), next to what Istio allows.
 * A cell the mesh denies but L4 lets through is a finding worth seeing (a pod that bypasses or
 * lacks its sidecar gets through); a cell Istio allows but L4 refuses is refused in practice.
 *
 * Rows are identities, so a row's pods are the workloads running as that service account (every
 * one must be admitted, as in `check`); `ns/*` rows are a pod of `ns` with no known labels;
 * plaintext, `*` and foreign rows are an unknown client, which only a rule without peers admits.
 * Ports are the column's ports (declared, plus those its policies name: `access/policy-ports.ts`);
 * without declared ports, the numbers the destination's ingress rules name plus "any other port".
 *
 * @module
 */
import { AccessMatrix, MatrixCell, MatrixCellGroup, MatrixColumn, NetworkCell } from './matrix';
import { MatrixDestination } from '../access/destinations';
import { MatrixSource } from '../access/sources';
import { IstioConfig, Workload } from '../config/istio-config';
import { NetworkEndpoint, NetworkLayer, NetworkPod } from '../network/network-layer';
import { OutboundLayer } from '../network/sidecar-egress';

/**
 * The matrix with each cell's NetworkPolicy verdict (`cell.network`); cells are regrouped so that
 * sources in one group share both layers. The matrix itself when the config has no NetworkPolicy.
 */
export function withNetworkLayer(matrix: AccessMatrix, config: IstioConfig, layer: NetworkLayer, outbound?: OutboundLayer): AccessMatrix {
  const rowPods = rowEndpoints(matrix.sources, config.workloads);
  const restricted = outbound && !outbound.empty ? registryOnlyRows(matrix.sources, rowPods, outbound) : [];
  const withOutbound = restricted.length > 0 ? { ...matrix, registryOnly: restricted } : matrix;
  if (layer.empty) return withOutbound;
  const rowOf = new Map(matrix.sources.map((s, i) => [s.id, i]));
  const built = matrix.columns.map((c) => networkColumn(c, rowOf, rowPods, config.workloads, layer));
  const columns = built.map((b) => b.column);
  const columnOf = new Map(columns.map((c, i) => [c.destination.id, i]));
  return {
    ...withOutbound,
    columns,
    cell: (sourceId, destinationId) => {
      const r = rowOf.get(sourceId);
      const c = columnOf.get(destinationId);
      return r === undefined || c === undefined ? undefined : columns[c].groups[built[c].groupOfRow[r]].cell;
    },
  };
}

/** `✅ L4` etc. for a cell mark; `''` when the cell has no network verdict. */
export function networkMark(cell: MatrixCell): string {
  const n = cell.network;
  if (!n) return '';
  const finding = cell.status === 'denied' && n.status !== 'denied' ? ' ⚠️ L4 open, mesh denies' : '';
  return ` · ${n.summary}${finding}`;
}

function networkColumn(column: MatrixColumn, rowOf: ReadonlyMap<string, number>, rowPods: readonly (readonly NetworkEndpoint[])[],
  workloads: readonly Workload[], layer: NetworkLayer): { column: MatrixColumn; groupOfRow: Int32Array } {
  const cells = networkCells(column.destination, rowPods, workloads, layer);
  // Groups keyed by (Istio group, L4 verdict) as one number: each distinct L4 summary gets a small id.
  const cellIds = new Map<string, number>();
  const groups = new Map<number, { first: number; sources: string[]; rows: number[]; cell: MatrixCell }>();
  column.groups.forEach((g: MatrixCellGroup, gi) => {
    for (const id of g.sources) {
      const row = rowOf.get(id)!;
      const net = cells(row);
      let netId = cellIds.get(net.summary);
      if (netId === undefined) {
        netId = cellIds.size;
        cellIds.set(net.summary, netId);
      }
      const key = gi * 1_000_003 + netId;
      const group = groups.get(key);
      if (group) {
        group.sources.push(id);
        group.rows.push(row);
      } else {
        groups.set(key, { first: row, sources: [id], rows: [row], cell: { ...g.cell, network: net } });
      }
    }
  });
  const ordered = [...groups.values()].sort((a, b) => a.first - b.first);
  const groupOfRow = new Int32Array(rowOf.size);
  ordered.forEach((g, gi) => {
    for (const r of g.rows) groupOfRow[r] = gi;
  });
  return { column: { destination: column.destination, groups: ordered.map((g) => ({ sources: g.sources, cell: g.cell })) }, groupOfRow };
}

/**
 * The L4 cells of one destination, per row (`rowPods` from {@link rowEndpoints}); rows standing
 * for the same pods are decided once.
 */
export function networkCells(d: MatrixDestination, rowPods: readonly (readonly NetworkEndpoint[])[],
  workloads: readonly Workload[], layer: NetworkLayer): (row: number) => NetworkCell {
  const destination: NetworkPod = { namespace: d.namespace, labels: d.labels, ports: destinationWorkload(d, workloads)?.ports ?? [] };
  const ports = candidatePorts(d, destination, layer);
  const memo = new Map<readonly NetworkEndpoint[], NetworkCell>();
  return (row) => {
    const ends = rowPods[row];
    let net = memo.get(ends);
    if (!net) {
      net = networkCell(layer, ends, destination, ports);
      memo.set(ends, net);
    }
    return net;
  };
}

function networkCell(layer: NetworkLayer, sources: readonly NetworkEndpoint[], destination: NetworkPod, ports: readonly (number | 'other')[]): NetworkCell {
  const admitted = ports.filter((p) => sources.every((source) => layer.decide({
    source, destination: { pod: destination }, port: p === 'other' ? OTHER_PORT : p, protocol: 'TCP',
  }).allowed));
  const status = admitted.length === ports.length ? 'allowed' : admitted.length === 0 ? 'denied' : 'partial';
  const summary = status === 'allowed' ? 'L4 all ports' : status === 'denied' ? 'L4 none'
    : `L4 port${admitted.length === 1 ? '' : 's'} ${admitted.map((p) => (p === 'other' ? 'any other' : String(p))).join(', ')}`;
  return { status, ports: admitted, summary };
}

/** A port no policy names, standing for "any other port" (a rule naming it would be listed instead). */
const OTHER_PORT = 65535;

function candidatePorts(d: MatrixDestination, destination: NetworkPod, layer: NetworkLayer): (number | 'other')[] {
  if (d.ports && d.ports.length > 0) return [...new Set(d.ports.map((p) => p.port))].sort((a, b) => a - b);
  const named = new Set<number>();
  for (const p of layer.policiesFor(destination, 'Ingress')) {
    for (const r of p.ingress) for (const port of r.ports ?? []) if (typeof port.port === 'number') named.add(port.port);
  }
  named.delete(OTHER_PORT);
  return [...[...named].sort((a, b) => a - b), 'other'];
}

/** Workloads by `ns/name` (the first of a name), built once per workload list: a column looks its workload up in O(1). */
const workloadIndexes = new WeakMap<readonly Workload[], ReadonlyMap<string, Workload>>();

function destinationWorkload(d: MatrixDestination, workloads: readonly Workload[]): Workload | undefined {
  if (d.kind !== 'workload') return undefined;
  let index = workloadIndexes.get(workloads);
  if (!index) {
    const byId = new Map<string, Workload>();
    for (const w of workloads) {
      const id = `${w.metadata.namespace}/${w.metadata.name}`;
      if (!byId.has(id)) byId.set(id, w);
    }
    index = byId;
    workloadIndexes.set(workloads, index);
  }
  return index.get(d.id);
}

/** Each row's pods; rows standing for the same pods share one array (so their verdicts are computed once). */
export function rowEndpoints(sources: readonly MatrixSource[], workloads: readonly Workload[]): (readonly NetworkEndpoint[])[] {
  const bySa = new Map<string, Workload[]>();
  for (const w of workloads) {
    const key = `${w.metadata.namespace}/${w.serviceAccountName}`;
    bySa.set(key, [...(bySa.get(key) ?? []), w]);
  }
  const unknownClient: readonly NetworkEndpoint[] = [{}];
  const anyPodOf = new Map<string, readonly NetworkEndpoint[]>();
  const podOf = (ns: string): readonly NetworkEndpoint[] => {
    let e = anyPodOf.get(ns);
    if (!e) {
      e = [{ pod: { namespace: ns, labels: {} } }];
      anyPodOf.set(ns, e);
    }
    return e;
  };
  return sources.map((s) => {
    if (s.kind !== 'serviceAccount' && s.kind !== 'namespace') return unknownClient;
    const ns = s.id.slice(0, s.id.lastIndexOf('/'));
    const ws = s.kind === 'serviceAccount' ? bySa.get(s.id) ?? [] : [];
    return ws.length > 0 ? ws.map((w) => ({ pod: { namespace: ns, labels: w.podLabels, ports: w.ports } })) : podOf(ns);
  });
}

/** The rows whose pods' sidecars are REGISTRY_ONLY (every pod of the row), with what decided it. */
function registryOnlyRows(sources: readonly MatrixSource[], rowPods: readonly (readonly NetworkEndpoint[])[],
  outbound: OutboundLayer): { source: string; decidedBy: string }[] {
  const out: { source: string; decidedBy: string }[] = [];
  sources.forEach((s, i) => {
    const pods = rowPods[i].map((e) => e.pod).filter((p): p is NetworkPod => p !== undefined);
    if (pods.length === 0) return;
    const settings = pods.map((p) => outbound.setting(p));
    if (settings.every((x) => x.mode === 'REGISTRY_ONLY')) {
      const by = [...new Set(settings.map((x) => (x.sidecar ? `Sidecar ${x.sidecar}` : 'MeshConfig')))].sort();
      out.push({ source: s.id, decidedBy: by.join(', ') });
    }
  });
  return out;
}
