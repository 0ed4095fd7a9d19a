/**
 * The access matrix as text: a markdown table for pull-request comments, stable JSON, a CSV grid
 * and a Mermaid flowchart of the allowed edges.
 *
 * @module
 */
import { matrixToConnectionList } from './connection-list';
import { AccessMatrix, MatrixCell } from './matrix';
import { networkMark } from './network-cells';
import { MatrixSource } from '../access/sources';

/** Output formats of `trustmesh matrix`. */
export type MatrixFormat = 'markdown' | 'json' | 'csv' | 'mermaid' | 'connlist';

/** The output formats, for option parsing. */
export const MATRIX_FORMATS: readonly MatrixFormat[] = ['markdown', 'json', 'csv', 'mermaid', 'connlist'];

/** Renders the matrix in one format (always ending with a newline): the join of {@link matrixPieces}. */
export function formatMatrix(matrix: AccessMatrix, format: MatrixFormat): string {
  if (format === 'connlist') return matrixToConnectionList(matrix);
  return [...matrixPieces(matrix, format)].join('');
}

/**
 * The matrix in one format as a sequence of pieces whose join is {@link formatMatrix} (matrixout10):
 * a piece is a line or a row/column's lines, so its size is bounded by one row or one column, and the
 * whole output (beyond V8's string limit at S=8,000) never has to be one string.
 */
export function* matrixPieces(matrix: AccessMatrix, format: MatrixFormat): Generator<string, void, undefined> {
  switch (format) {
    case 'json': yield* jsonPieces(matrix); return;
    case 'csv': yield* csvPieces(matrix); return;
    case 'mermaid': yield* mermaidPieces(matrix); return;
    case 'connlist': yield matrixToConnectionList(matrix); return;
    default: yield* markdownPieces(matrix);
  }
}

/**
 * The matrix as plain data: sources and destinations in order; per destination, groups of sources
 * sharing one cell (every source in exactly one group). Keys and lists are in a fixed order.
 */
export function matrixToJson(matrix: AccessMatrix): Record<string, unknown> {
  return {
    sources: matrix.sources.map(sourceJson),
    destinations: matrix.columns.map(destinationJson),
    ...(matrix.registryOnly ? { registryOnly: matrix.registryOnly } : {}),
  };
}

function sourceJson(s: MatrixSource): Record<string, unknown> {
  return { id: s.id, kind: s.kind, principal: s.principal, description: s.description };
}

function destinationJson(c: AccessMatrix['columns'][number]): Record<string, unknown> {
  const d = c.destination;
  return {
    id: d.id,
    kind: d.kind,
    namespace: d.namespace,
    labels: Object.fromEntries(Object.keys(d.labels).sort().map((k) => [k, d.labels[k]])),
    ...(d.ports ? { ports: d.ports.map((p) => ({ port: p.port, protocol: p.protocol })) } : {}),
    ...(d.serviceAccount ? { serviceAccount: d.serviceAccount } : {}),
    access: c.groups.map((g) => ({ sources: g.sources, ...g.cell })),
  };
}

/** `JSON.stringify(value, null, 2)` of a value nested `depth` levels deep (JSON strings hold no raw line breaks). */
function nestedJson(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

/** An array member of the top-level object, element by element, as `JSON.stringify(…, null, 2)` writes it. */
function* jsonArrayPieces<T>(key: string, items: readonly T[], toJson: (item: T) => unknown, last: boolean): Generator<string, void, undefined> {
  const end = last ? '' : ',';
  if (items.length === 0) {
    yield `  ${JSON.stringify(key)}: []${end}\n`;
    return;
  }
  yield `  ${JSON.stringify(key)}: [\n`;
  for (let i = 0; i < items.length; i++) yield `    ${nestedJson(toJson(items[i]), 2)}${i < items.length - 1 ? ',' : ''}\n`;
  yield `  ]${end}\n`;
}

/** {@link matrixToJson} as `JSON.stringify(…, null, 2)` writes it, a source or a destination per piece. */
function* jsonPieces(matrix: AccessMatrix): Generator<string, void, undefined> {
  yield '{\n';
  yield* jsonArrayPieces('sources', matrix.sources, sourceJson, false);
  yield* jsonArrayPieces('destinations', matrix.columns, destinationJson, !matrix.registryOnly);
  if (matrix.registryOnly) yield `  "registryOnly": ${nestedJson(matrix.registryOnly, 1)}\n`;
  yield '}\n';
}

/** `✅ all`, `◐ GET on port 9080`, `—`, `🔒 mTLS` (plaintext refused). */
export function cellMark(cell: MatrixCell): string {
  return `${istioMark(cell)}${networkMark(cell)}`;
}

function istioMark(cell: MatrixCell): string {
  if (cell.status === 'allowed') return '✅ all';
  if (cell.status === 'partial') return `◐ ${cell.summary}`;
  return cell.refusedBy ? '🔒 mTLS' : '—';
}

function sourceLabel(s: MatrixSource): string {
  if (s.kind === 'other') return '* (any other mesh identity)';
  if (s.kind === 'plaintext') return 'plaintext (no mTLS)';
  return s.id;
}

/**
 * Text for a markdown table cell: backslash-escapes the characters that would end the cell (`|`) or
 * start emphasis, code or HTML (`*` in `/static/*`, `_`, backticks, `<`, `>`), line breaks become spaces.
 */
export function markdownCell(text: string): string {
  return text.replace(/[\\|*_`<>]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** A table: a row per source, a column per destination. */
export function matrixToMarkdown(matrix: AccessMatrix): string {
  return [...markdownPieces(matrix)].join('');
}

/** {@link matrixToMarkdown}, a line (a table row) per piece. */
function* markdownPieces(matrix: AccessMatrix): Generator<string, void, undefined> {
  // The summary line comes first, so the cells are counted from the columns' groups (each source is
  // in exactly one group of a column), before the rows are rendered.
  const counts = { allowed: 0, partial: 0, denied: 0 };
  for (const c of matrix.columns) for (const g of c.groups) counts[g.cell.status] += g.sources.length;
  yield '### Access matrix\n\n';
  yield `${matrix.sources.length} sources × ${matrix.columns.length} destinations: ${counts.allowed} allowed, ${counts.partial} partial, ${counts.denied} denied.`
    + ' ✅ every request · ◐ only what is listed · — nothing · 🔒 plaintext refused (STRICT mTLS).\n';
  if (matrix.columns.some((c) => c.groups.some((g) => g.cell.network))) {
    yield '\nTwo layers per cell: Istio (above), then `L4`, the ports the Kubernetes NetworkPolicies let the source\'s pods connect to;'
      + ' ⚠️ marks a connection L4 lets through while the mesh denies it.\n';
  }
  yield '\n';
  if (matrix.columns.length === 0) {
    yield 'No destination workloads or policy selectors found.\n';
    return;
  }
  yield `| source ╲ destination | ${matrix.columns.map((c) => markdownCell(c.destination.id)).join(' | ')} |\n`;
  yield `|---|${matrix.columns.map(() => '---').join('|')}|\n`;
  // A matrix has few distinct cells (its columns' groups): each one's text is escaped once.
  const marks = new Map<MatrixCell, string>();
  const markOf = (cell: MatrixCell): string => {
    let mark = marks.get(cell);
    if (mark === undefined) {
      mark = markdownCell(cellMark(cell));
      marks.set(cell, mark);
    }
    return mark;
  };
  for (const s of matrix.sources) {
    const cells = matrix.columns.map((c) => markOf(matrix.cell(s.id, c.destination.id) as MatrixCell));
    yield `| ${markdownCell(sourceLabel(s))} | ${cells.join(' | ')} |\n`;
  }
  if (matrix.registryOnly) {
    yield '\nOutbound to hosts outside the service registry (REGISTRY_ONLY): refused for '
      + `${matrix.registryOnly.map((r) => `${markdownCell(r.source)} (${markdownCell(r.decidedBy)})`).join(', ')}; allowed for every other source with a sidecar.\n`;
  }
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A grid: header `source,<destination ids>`; cells `allowed`, `denied` or `partial: <summary>`. */
export function matrixToCsv(matrix: AccessMatrix): string {
  return [...csvPieces(matrix)].join('');
}

/** {@link matrixToCsv}, a line per piece. */
function* csvPieces(matrix: AccessMatrix): Generator<string, void, undefined> {
  yield `${['source', ...matrix.columns.map((c) => c.destination.id)].map(csvField).join(',')}\r\n`;
  for (const s of matrix.sources) {
    const cells = matrix.columns.map((c) => {
      const cell = matrix.cell(s.id, c.destination.id) as MatrixCell;
      return `${cell.status === 'partial' ? `partial: ${cell.summary}` : cell.status}${cell.network ? `; ${cell.network.summary}` : ''}`;
    });
    yield `${[s.id, ...cells].map(csvField).join(',')}\r\n`;
  }
}

/**
 * Text for a double-quoted Mermaid label: `"`, `#`, `|`, `<`, `>` and backticks become entity codes
 * (Mermaid reads `#quot;`, `#35;` … inside labels), line breaks become spaces.
 */
export function mermaidText(text: string): string {
  return text
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/\|/g, '#124;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/`/g, '#96;')
    .replace(/\r?\n/g, ' ');
}

/**
 * A Mermaid flowchart: sources (rounded) and destinations (boxes), grouped by namespace; a thick
 * edge where every request is allowed, a thin one labelled with what is allowed where some are.
 * Node ids are generated (`s0`, `d0`), labels are quoted and escaped.
 */
export function matrixToMermaid(matrix: AccessMatrix): string {
  return [...mermaidPieces(matrix)].join('');
}

/** {@link matrixToMermaid}: the nodes a line per piece, then a source's edges per piece. */
function* mermaidPieces(matrix: AccessMatrix): Generator<string, void, undefined> {
  yield 'flowchart LR\n';
  const namespaces = new Map<string, string[]>();
  const loose: string[] = [];
  const place = (ns: string | undefined, node: string): void => {
    if (ns === undefined) {
      loose.push(node);
      return;
    }
    let nodes = namespaces.get(ns);
    if (!nodes) {
      nodes = [];
      namespaces.set(ns, nodes);
    }
    nodes.push(node);
  };
  matrix.sources.forEach((s, i) => {
    const ns = s.kind === 'serviceAccount' || s.kind === 'namespace' ? s.id.slice(0, s.id.lastIndexOf('/')) : undefined;
    place(ns, `s${i}(["${mermaidText(sourceLabel(s))}"])`);
  });
  matrix.columns.forEach((c, i) => place(c.destination.namespace, `d${i}["${mermaidText(c.destination.id)}"]`));
  const sorted = [...namespaces.keys()].sort();
  for (let i = 0; i < sorted.length; i++) {
    yield `  subgraph ns${i}["${mermaidText(sorted[i])}"]\n`;
    for (const node of namespaces.get(sorted[i]) ?? []) yield `    ${node}\n`;
    yield '  end\n';
  }
  for (const node of loose) yield `  ${node}\n`;
  for (let si = 0; si < matrix.sources.length; si++) {
    const s = matrix.sources[si];
    let edges = '';
    matrix.columns.forEach((c, di) => {
      const cell = matrix.cell(s.id, c.destination.id) as MatrixCell;
      if (cell.status === 'allowed') edges += `  s${si} ==>|"all"| d${di}\n`;
      else if (cell.status === 'partial') edges += `  s${si} -->|"${mermaidText(cell.summary)}"| d${di}\n`;
    });
    if (edges) yield edges;
  }
}
