// The matrix's text formats: markdown for PR comments, stable JSON, a CSV grid, a Mermaid flowchart.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { buildAccessMatrix } from '../../../src/analysis/matrix/matrix';
import { formatMatrix, matrixToJson, mermaidText } from '../../../src/analysis/matrix/matrix-format';

// A header value with every character that needs escaping somewhere: " | # < > ` and a comma.
const TRICKY = '"q" <b>|x#1`,y';
const YAML = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, tier: front}}
    spec: {serviceAccountName: web, containers: [{name: web, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  template:
    metadata: {labels: {app: cart}}
    spec: {serviceAccountName: cart, containers: [{name: cart}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/cart]}}]
    to: [{operation: {methods: [GET]}}]
    when: [{key: "request.headers[x-q]", values: ['${TRICKY.replace(/'/g, "''")}']}]
`;

const matrix = buildAccessMatrix(parseConfigText(YAML, 'shop.yaml'));

describe('markdown', () => {
  const md = formatMatrix(matrix, 'markdown');
  const table = md.split('\n').filter((l) => l.startsWith('|'));

  it('is a table with a row per source and a column per destination', () => {
    expect(table[0]).toBe('| source ╲ destination | shop/cart | shop/web |');
    expect(table[1]).toBe('|---|---|---|');
    expect(table).toHaveLength(2 + matrix.sources.length);
    expect(md).toContain('| shop/cart | ✅ all | ◐ GET with header x-q: "q" \\<b\\>\\|x#1\\`,y on port 8080 |');
    expect(md).toContain('| \\* (any other mesh identity) |');
  });

  it('keeps every row to the header\'s number of cells (pipes in summaries are escaped)', () => {
    for (const row of table) expect(row.split(/(?<!\\)\|/).length).toBe(table[0].split('|').length);
  });
});

describe('csv', () => {
  it('is a grid with quoted fields where needed (RFC 4180)', () => {
    const lines = formatMatrix(matrix, 'csv').split('\r\n');
    expect(lines[0]).toBe('source,shop/cart,shop/web');
    expect(lines).toContain('shop/cart,allowed,"partial: GET with header x-q: ""q"" <b>|x#1`,y on port 8080"');
    expect(lines).toContain('*,allowed,denied');
  });
});

describe('json', () => {
  const json = matrixToJson(matrix);

  it('is stable: the same input prints the same bytes', () => {
    expect(formatMatrix(matrix, 'json')).toBe(formatMatrix(buildAccessMatrix(parseConfigText(YAML, 'shop.yaml')), 'json'));
  });

  it('puts every source in exactly one access group of each destination', () => {
    const ids = matrix.sources.map((s) => s.id).sort();
    for (const d of json.destinations as { access: { sources: string[] }[] }[]) {
      expect(d.access.flatMap((a) => a.sources).sort()).toEqual(ids);
    }
  });

  it('describes destinations with sorted labels, ports and service account', () => {
    expect((json.destinations as unknown[])[1]).toMatchObject({
      id: 'shop/web', kind: 'workload', namespace: 'shop', labels: { app: 'web', tier: 'front' }, ports: [{ port: 8080, protocol: 'HTTP' }], serviceAccount: 'web',
    });
  });
});

describe('mermaid', () => {
  const text = formatMatrix(matrix, 'mermaid');
  const lines = text.trimEnd().split('\n');

  it('is a flowchart whose every line is a node, a subgraph, an end, or an edge with a quoted label', () => {
    expect(lines[0]).toBe('flowchart LR');
    const grammar = [
      /^ {2}subgraph ns\d+\["[^"]*"\]$/,
      /^ {2}end$/,
      /^ {2,4}s\d+\(\["[^"]*"\]\)$/,
      /^ {2,4}d\d+\["[^"]*"\]$/,
      /^ {2}s\d+ (==>|-->)\|"[^"|]*"\| d\d+$/,
    ];
    for (const line of lines.slice(1)) expect(grammar.some((g) => g.test(line)), line).toBe(true);
  });

  it('escapes quotes, pipes, hashes, angle brackets and backticks in labels as Mermaid entity codes', () => {
    expect(mermaidText(TRICKY)).toBe('#quot;q#quot; #lt;b#gt;#124;x#35;1#96;,y');
    expect(text).toContain(`s0 -->|"GET with header x-q: ${mermaidText(TRICKY)} on port 8080"| d1`);
    // A "#" outside an entity code would start one.
    for (const line of lines) expect(line.replace(/#(quot|lt|gt|\d+);/g, '')).not.toContain('#');
  });

  it('draws a thick edge where everything is allowed and no edge where nothing is', () => {
    expect(text).toContain('s1 ==>|"all"| d0');
    expect(lines.filter((l) => / d1$/.test(l))).toHaveLength(1);
  });
});
