/**
 * The access matrix as text: a markdown table for pull-request comments, stable JSON, a CSV grid
 * and a Mermaid flowchart of the allowed edges.
 *
 * @module
 */
import { matrixToConnectionList } from './connection-list';
import { AccessMatrix, MatrixCell } from './matrix';
import { networkMark } from './network-cells';
import { appendAll } from '../../private/arrays';
import { MatrixSource } from '../access/sources';

/** Output formats of `trustmesh matrix`. */
export type MatrixFormat = 'markdown' | 'json' | 'csv' | 'mermaid' | 'connlist';

/** The output formats, for option parsing. */
export const MATRIX_FORMATS: readonly MatrixFormat[] = ['markdown', 'json', 'csv', 'mermaid', 'connlist'];

/** Renders the matrix in one format (always ending with a newline). */
export function formatMatrix(matrix: AccessMatrix, format: MatrixFormat): string {
  switch (format) {
    case 'json': return `${JSON.stringify(matrixToJson(matrix), null, 2)}\n`;
    case 'csv': return matrixToCsv(matrix);
    case 'mermaid': return matrixToMermaid(matrix);
    case 'connlist': return matrixToConnectionList(matrix);
    default: return matrixToMarkdown(matrix);
  }
}

/**
 * The matrix as plain data: sources and destinations in order; per destination, groups of sources
 * sharing one cell (every source in exactly one group). Keys and lists are in a fixed order.
 */
export function matrixToJson(matrix: AccessMatrix): Record<string, unknown> {
  return {
    sources: matrix.sources.map((s) => ({ id: s.id, kind: s.kind, principal: s.principal, description: s.description })),
    destinations: matrix.columns.map((c) => {
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
    }),
    ...(matrix.registryOnly ? { registryOnly: matrix.registryOnly } : {}),
  };
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
  const counts = { allowed: 0, partial: 0, denied: 0 };
  const rows = matrix.sources.map((s) => {
    const cells = matrix.columns.map((c) => {
      const cell = matrix.cell(s.id, c.destination.id) as MatrixCell;
      counts[cell.status]++;
      return markdownCell(cellMark(cell));
    });
    return `| ${markdownCell(sourceLabel(s))} | ${cells.join(' | ')} |`;
  });
  const lines = [
    '### Access matrix',
    '',
    `${matrix.sources.length} sources × ${matrix.columns.length} destinations: ${counts.allowed} allowed, ${counts.partial} partial, ${counts.denied} denied.`
    + ' ✅ every request · ◐ only what is listed · — nothing · 🔒 plaintext refused (STRICT mTLS).',
    '',
  ];
  if (matrix.columns.some((c) => c.groups.some((g) => g.cell.network))) {
    lines.splice(3, 0, '', 'Two layers per cell: Istio (above), then `L4`, the ports the Kubernetes NetworkPolicies let the source\'s pods connect to;'
      + ' ⚠️ marks a connection L4 lets through while the mesh denies it.');
  }
  if (matrix.columns.length === 0) return `${[...lines, 'No destination workloads or policy selectors found.'].join('\n')}\n`;
  lines.push(`| source ╲ destination | ${matrix.columns.map((c) => markdownCell(c.destination.id)).join(' | ')} |`);
  lines.push(`|---|${matrix.columns.map(() => '---').join('|')}|`);
  appendAll(lines, rows);
  if (matrix.registryOnly) {
    lines.push('', 'Outbound to hosts outside the service registry (REGISTRY_ONLY): refused for '
      + `${matrix.registryOnly.map((r) => `${markdownCell(r.source)} (${markdownCell(r.decidedBy)})`).join(', ')}; allowed for every other source with a sidecar.`);
  }
  return `${lines.join('\n')}\n`;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A grid: header `source,<destination ids>`; cells `allowed`, `denied` or `partial: <summary>`. */
export function matrixToCsv(matrix: AccessMatrix): string {
  const lines = [['source', ...matrix.columns.map((c) => c.destination.id)].map(csvField).join(',')];
  for (const s of matrix.sources) {
    const cells = matrix.columns.map((c) => {
      const cell = matrix.cell(s.id, c.destination.id) as MatrixCell;
      return `${cell.status === 'partial' ? `partial: ${cell.summary}` : cell.status}${cell.network ? `; ${cell.network.summary}` : ''}`;
    });
    lines.push([s.id, ...cells].map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
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
  const lines = ['flowchart LR'];
  const namespaces = new Map<string, string[]>();
  const loose: string[] = [];
  const place = (ns: string | undefined, node: string): void => {
    if (ns === undefined) {
      loose.push(node);
      return;
    }
    namespaces.set(ns, [...(namespaces.get(ns) ?? []), node]);
  };
  matrix.sources.forEach((s, i) => {
    const ns = s.kind === 'serviceAccount' || s.kind === 'namespace' ? s.id.slice(0, s.id.lastIndexOf('/')) : undefined;
    place(ns, `s${i}(["${mermaidText(sourceLabel(s))}"])`);
  });
  matrix.columns.forEach((c, i) => place(c.destination.namespace, `d${i}["${mermaidText(c.destination.id)}"]`));
  [...namespaces.keys()].sort().forEach((ns, i) => {
    lines.push(`  subgraph ns${i}["${mermaidText(ns)}"]`);
    for (const node of namespaces.get(ns) ?? []) lines.push(`    ${node}`);
    lines.push('  end');
  });
  for (const node of loose) lines.push(`  ${node}`);
  matrix.sources.forEach((s, si) => {
    matrix.columns.forEach((c, di) => {
      const cell = matrix.cell(s.id, c.destination.id) as MatrixCell;
      if (cell.status === 'allowed') lines.push(`  s${si} ==>|"all"| d${di}`);
      else if (cell.status === 'partial') lines.push(`  s${si} -->|"${mermaidText(cell.summary)}"| d${di}`);
    });
  });
  return `${lines.join('\n')}\n`;
}
