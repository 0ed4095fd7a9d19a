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
import { ByteChunks, utf8 } from './byte-chunks';
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
  const tails = cellTails(cell, net);
  if (tails.length === 0) return '';
  const head = `${source} => ${destination} : `;
  return tails.map((t) => `${head}${t}\n`).join('');
}

/** What follows `source => destination : ` on each line of a cell, in line order. */
function cellTails(cell: MatrixCell, net: NetworkCell | undefined): string[] {
  const out: string[] = [];
  if (cell.status !== 'denied') {
    for (const p of cell.ports) {
      if (p.status === 'denied') continue;
      const what = p.status === 'allowed' ? 'all' : p.allowed.map((r) => r.text).join(' or ');
      out.push(`${p.port}/${p.protocol} istio ${what}`);
    }
  }
  if (net) {
    const note = cell.status === 'denied' ? ' (mesh denies)' : '';
    for (const port of net.ports) out.push(`${port}/TCP L4${note}`);
  }
  return out;
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
 * matrix10: the text is written as UTF-8 bytes: each source's `id => ` and each distinct cell's
 * `destination : tail` lines are encoded once per destination and copied into 1 MB chunks, instead
 * of a string built, joined and encoded per line (17 million lines, 2.3 GB at S=8,000).
 *
 * @param network the NetworkPolicy layer; its `L4` lines are written when it is not empty.
 * @param write receives the text in chunks of UTF-8 bytes: the header, then at least one chunk per
 *   destination with connections, flushed when the destination is done.
 * @throws TrustmeshAggregateError `TM_CONFIG_INVALID` when the manifests have invalid security objects.
 */
export function writeConnectionList(config: IstioConfig, options: AccessAnalysisOptions, network: NetworkLayer | undefined,
  write: (chunk: Uint8Array) => void): ConnectionListStats {
  const chunks = connectionListChunks(config, options, network);
  for (let next = chunks.next(); ; next = chunks.next()) {
    if (next.done) return next.value;
    write(next.value);
  }
}

/**
 * {@link writeConnectionList} as a generator of its chunks (matrixout10), yielded after each
 * destination, so a consumer can wait for a slow reader between them; returns the same counts.
 */
export function* connectionListChunks(config: IstioConfig, options: AccessAnalysisOptions,
  network: NetworkLayer | undefined): Generator<Uint8Array, ConnectionListStats, undefined> {
  const stream = streamAccess([config], options);
  const sources = stream.sources;
  const layer = network && !network.empty ? network : undefined;
  const rowPods = layer ? rowEndpoints(sources, config.workloads) : [];
  const ready: Uint8Array[] = [];
  const out = new ByteChunks((chunk) => ready.push(chunk));
  out.push(utf8(`${CONNECTION_LIST_HEADER}\n`));
  out.flush();
  yield* ready.splice(0);
  const sourceHeads: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(sources.length);
  const headOf = (row: number): Uint8Array => (sourceHeads[row] ??= utf8(`${sources[row].id} => `));
  let destinations = 0;
  let lines = 0;
  for (const d of stream.destinations()) {
    const shape = d.versions[0];
    if (!shape) continue;
    destinations++;
    const cellOfClass = destinationCells(d);
    const classification = d.classification;
    const classes = classification.classes;
    // Each distinct (cell, L4 verdict) of the destination: its `destination : tail` lines, encoded once.
    const encoded = new Map<MatrixCell, Map<NetworkCell | undefined, readonly Uint8Array[]>>();
    const tailsOf = (cell: MatrixCell, net: NetworkCell | undefined): readonly Uint8Array[] => {
      let perNet = encoded.get(cell);
      if (!perNet) {
        perNet = new Map();
        encoded.set(cell, perNet);
      }
      let tails = perNet.get(net);
      if (!tails) {
        tails = cellTails(cell, net).map((t) => utf8(`${d.id} : ${t}\n`));
        perNet.set(net, tails);
      }
      return tails;
    };
    const emit = (row: number, cell: MatrixCell, net: NetworkCell | undefined): void => {
      const tails = tailsOf(cell, net);
      if (tails.length === 0) return;
      const head = headOf(row);
      for (const t of tails) {
        out.push(head);
        out.push(t);
      }
      lines += tails.length;
    };
    if (layer) {
      // Every row: L4 may open a connection the mesh denies.
      const rowClass = classification.classOfRows();
      const netOf = networkCells(shape, rowPods, config.workloads, layer);
      for (let r = 0; r < sources.length; r++) emit(r, cellOfClass(0, rowClass[r]), netOf(r));
    } else {
      // Only the rows of classes with some access, in row order (perf7: every row is visited only
      // when the rest class — the rows no policy of the destination names — has access).
      const open = classes.map((_c, i) => cellOfClass(0, i)).map((cell) => (cell.status === 'denied' ? undefined : cell));
      if (classification.rest >= 0 && open[classification.rest]) {
        const rowClass = classification.classOfRows();
        for (let r = 0; r < rowClass.length; r++) {
          const cell = open[rowClass[r]];
          if (cell) emit(r, cell, cell.network);
        }
      } else {
        const rows: { row: number; cell: MatrixCell }[] = [];
        open.forEach((cell, i) => {
          if (cell) for (const row of classification.rows(i)) rows.push({ row, cell });
        });
        rows.sort((a, b) => a.row - b.row);
        for (const { row, cell } of rows) emit(row, cell, cell.network);
      }
    }
    out.flush();
    yield* ready.splice(0);
  }
  return { sources: sources.length, destinations, lines };
}
