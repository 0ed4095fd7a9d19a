// The text formats as they were built before matrixout10 (the whole output as one array of lines,
// joined once), kept as the reference the piecewise formatter is compared with.
import { MatrixSource } from '../../../src/analysis/access/sources';
import { AccessMatrix, MatrixCell } from '../../../src/analysis/matrix/matrix';
import { cellMark, markdownCell, matrixToJson, mermaidText } from '../../../src/analysis/matrix/matrix-format';

function sourceLabel(s: MatrixSource): string {
  if (s.kind === 'other') return '* (any other mesh identity)';
  if (s.kind === 'plaintext') return 'plaintext (no mTLS)';
  return s.id;
}

/** JSON, as one `JSON.stringify`. */
export function referenceJson(matrix: AccessMatrix): string {
  return `${JSON.stringify(matrixToJson(matrix), null, 2)}\n`;
}

/** The markdown table, as one array of lines. */
export function referenceMarkdown(matrix: AccessMatrix): string {
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
  for (const row of rows) lines.push(row);
  if (matrix.registryOnly) {
    lines.push('', 'Outbound to hosts outside the service registry (REGISTRY_ONLY): refused for '
      + `${matrix.registryOnly.map((r) => `${markdownCell(r.source)} (${markdownCell(r.decidedBy)})`).join(', ')}; allowed for every other source with a sidecar.`);
  }
  return `${lines.join('\n')}\n`;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV grid, as one array of lines. */
export function referenceCsv(matrix: AccessMatrix): string {
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

/** The Mermaid flowchart, as one array of lines. */
export function referenceMermaid(matrix: AccessMatrix): string {
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
