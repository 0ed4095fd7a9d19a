/**
 * The access matrix as a connection list (`trustmesh matrix --output connlist`, like np-guard's
 * connlist): one line per allowed source → destination port and layer, written destination by
 * destination as each is analyzed, so the full matrix is never held.
 *
 * ```
 * bookinfo/bookinfo-productpage => bookinfo/details : 9080/HTTP istio GET
 * shop/web => shop/db : 5432/TCP istio all
 * shop/web => shop/db : 5432/TCP L4
 * plaintext => shop/web : 8080/TCP L4 (mesh denies)
 * ```
 *
 * Order: destinations by id (the matrix's column order); per destination, sources in row order;
 * per source, the Istio lines in the destination's port order (`other` — any port the policies do
 * not name — last), then the NetworkPolicy (`L4`) lines, ascending. The lines of one cell depend on
 * that cell alone, so the streamed list equals {@link matrixToConnectionList} of the full matrix.
 *
 * @see docs/matrix-and-diff.md
 * @module
 */
import { AccessMatrix, destinationCells, MatrixCell, NetworkCell } from './matrix';
import { networkCells, rowEndpoints } from './network-cells';
import { AccessAnalysisOptions, streamAccess } from '../access/access-analysis';
import { IstioConfig } from '../config/istio-config';
import { NetworkLayer } from '../network/network-layer';

/** What {@link writeConnectionList} wrote. */
export interface ConnectionListStats {
  readonly sources: number;
  readonly destinations: number;
  readonly lines: number;
}

/** The first line: what the fields are. */
export const CONNECTION_LIST_HEADER = '# source => destination : port/protocol layer what';

/** The lines of one cell (each ending with a newline); empty when no layer allows anything. */
export function cellConnections(source: string, destination: string, cell: MatrixCell, net: NetworkCell | undefined = cell.network): string {
  const out: string[] = [];
  cellLines(source, destination, cell, net, out);
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

function cellLines(source: string, destination: string, cell: MatrixCell, net: NetworkCell | undefined, out: string[]): void {
  const head = `${source} => ${destination} : `;
  if (cell.status !== 'denied') {
    for (const p of cell.ports) {
      if (p.status === 'denied') continue;
      const what = p.status === 'allowed' ? 'all' : p.allowed.map((r) => r.text).join(' or ');
      out.push(`${head}${p.port}/${p.protocol} istio ${what}`);
    }
  }
  if (net) {
    const note = cell.status === 'denied' ? ' (mesh denies)' : '';
    for (const port of net.ports) out.push(`${head}${port}/TCP L4${note}`);
  }
}

/** The connection list of a full matrix (the same text {@link writeConnectionList} streams). */
export function matrixToConnectionList(matrix: AccessMatrix): string {
  const parts = [`${CONNECTION_LIST_HEADER}\n`];
  for (const c of matrix.columns) {
    const id = c.destination.id;
    for (const s of matrix.sources) parts.push(cellConnections(s.id, id, matrix.cell(s.id, id) as MatrixCell));
  }
  return parts.join('');
}

/**
 * Analyzes the manifests destination by destination and writes each one's connections as soon as
 * it is analyzed. Memory: one destination's analysis and the rows, whatever the mesh size.
 *
 * @param network the NetworkPolicy layer; its `L4` lines are written when it is not empty.
 * @throws TrustmeshAggregateError `TM_CONFIG_INVALID` when the manifests have invalid security objects.
 */
export function writeConnectionList(config: IstioConfig, options: AccessAnalysisOptions, network: NetworkLayer | undefined,
  write: (text: string) => void): ConnectionListStats {
  const stream = streamAccess([config], options);
  const sources = stream.sources;
  const layer = network && !network.empty ? network : undefined;
  const rowPods = layer ? rowEndpoints(sources, config.workloads) : [];
  write(`${CONNECTION_LIST_HEADER}\n`);
  let destinations = 0;
  let lines = 0;
  for (const d of stream.destinations()) {
    const shape = d.versions[0];
    if (!shape) continue;
    destinations++;
    const cellOfClass = destinationCells(d);
    const classification = d.classification;
    const classes = classification.classes;
    const out: string[] = [];
    if (layer) {
      // Every row: L4 may open a connection the mesh denies.
      const rowClass = classification.classOfRows();
      const netOf = networkCells(shape, rowPods, config.workloads, layer);
      for (let r = 0; r < sources.length; r++) {
        cellLines(sources[r].id, d.id, cellOfClass(0, rowClass[r]), netOf(r), out);
      }
    } else {
      // Only the rows of classes with some access, in row order (perf7: every row is visited only
      // when the rest class — the rows no policy of the destination names — has access).
      const open = classes.map((_c, i) => cellOfClass(0, i)).map((cell) => (cell.status === 'denied' ? undefined : cell));
      if (classification.rest >= 0 && open[classification.rest]) {
        const rowClass = classification.classOfRows();
        for (let r = 0; r < rowClass.length; r++) {
          const cell = open[rowClass[r]];
          if (cell) cellLines(sources[r].id, d.id, cell, cell.network, out);
        }
      } else {
        const rows: { row: number; cell: MatrixCell }[] = [];
        open.forEach((cell, i) => {
          if (cell) for (const row of classification.rows(i)) rows.push({ row, cell });
        });
        rows.sort((a, b) => a.row - b.row);
        for (const { row, cell } of rows) cellLines(sources[row].id, d.id, cell, cell.network, out);
      }
    }
    if (out.length > 0) {
      lines += out.length;
      write(`${out.join('\n')}\n`);
    }
  }
  return { sources: sources.length, destinations, lines };
}
