/**
 * Field positions in one plain block-style YAML document, read from its lines — the shape every
 * Kubernetes tool emits — without the position-keeping parser. Locating the fields of a flagged
 * document with `yaml` costs a full parse per document; on an export of 155,000 policies, each
 * with a finding, that parse was most of the analysis.
 *
 * Conservative: anything but plain block maps and sequences on the way to the field (flow
 * collections, quotes, anchors, tags, block scalars, comments, tabs, a missing key) returns
 * `undefined`, and the caller parses precisely. A property test checks that every answer equals
 * the precise parser's.
 *
 * @module
 */
/** A path into a document: map keys and sequence indexes (yaml-source's `FieldPath`). */
type FieldPath = readonly (string | number)[];

/** `{ line, col }`, 1-based, of the field at `path` (the key of a map entry, the start of a sequence item); undefined when unsure. */
export function locateBlockField(text: string, path: FieldPath): { line: number; col: number } | undefined {
  if (path.length === 0) return undefined;
  const lines = text.split('\n');
  let first = 0;
  // The document's own `---` marker line (bare) starts the text; content follows.
  if (lines[0] !== undefined && /^---\s*$/.test(lines[0])) first = 1;
  for (let i = first; i < lines.length; i++) {
    const bare = withoutQuoted(lines[i]);
    if (bare === undefined || UNSAFE.test(bare) || !balanced(bare)) return undefined;
  }
  let end = lines.length;
  while (end > first && lines[end - 1].trim() === '') end--;
  // The current node: a block map whose keys start at `col`, or a block sequence whose dashes do.
  let node: Node = { kind: 'map', col: 0, from: first, to: end };
  for (let p = 0; p < path.length; p++) {
    const step = path[p];
    const last = p === path.length - 1;
    if (typeof step === 'string') {
      if (node.kind !== 'map' || !PLAIN_KEY.test(step)) return undefined;
      const at = findKey(lines, node, step);
      if (at < 0) return undefined;
      if (last) return { line: at + 1, col: node.col + 1 };
      const rest = lines[at].slice(node.col + step.length + 1);
      if (rest.trim() !== '') return undefined;
      const value = blockValue(lines, at + 1, node.to, node.col);
      if (!value) return undefined;
      node = value;
    } else {
      if (node.kind !== 'seq') return undefined;
      const item = findItem(lines, node, step);
      if (!item) return undefined;
      if (last) return { line: item.line + 1, col: item.col + 1 };
      const content = lines[item.line].slice(item.col);
      if (!KEY_LINE.test(content)) return undefined;
      node = { kind: 'map', col: item.col, from: item.line, to: item.to };
    }
  }
  return undefined;
}

interface Node {
  readonly kind: 'map' | 'seq';
  /** Column (0-based) of the keys, or of the dashes. */
  readonly col: number;
  /** Line range [from, to), 0-based; the first line may start with a sequence dash. */
  readonly from: number;
  readonly to: number;
}

// Anything whose positions a line scan could get wrong: tabs, comments, quotes, anchors, aliases,
// tags, block scalars, complex keys, directives and document markers, flow collections split
// over lines.
const UNSAFE = /\t|#|[&*!%|>]|^\s*\?|^(---|\.\.\.)/;
const PLAIN_KEY = /^[A-Za-z0-9_.\/-]+$/;
const KEY_LINE = /^[A-Za-z0-9_.\/-]+:(\s|$)/;

function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && line[i] === ' ') i++;
  return i;
}

/** The line with its quoted scalars emptied (`""`), or undefined when a quote does not close on the line. */
function withoutQuoted(line: string): string | undefined {
  let q = nextQuote(line, 0);
  if (q < 0) return line;
  // Copies the runs between quoted scalars (not character by character: this runs on every line
  // of every flagged document).
  let out = '';
  let from = 0;
  while (q >= 0) {
    out += line.slice(from, q);
    const ch = line[q];
    let j = q + 1;
    for (; j < line.length; j++) {
      if (ch === '"' && line[j] === '\\') {
        j++; // an escaped character
      } else if (line[j] === ch) {
        if (ch === "'" && line[j + 1] === "'") j++;
        else break;
      }
    }
    if (j >= line.length) return undefined;
    out += '""';
    from = j + 1;
    q = nextQuote(line, from);
  }
  return out + line.slice(from);
}

function nextQuote(line: string, from: number): number {
  const d = line.indexOf('"', from);
  const s = line.indexOf("'", from);
  return d < 0 ? s : s < 0 ? d : Math.min(d, s);
}

function balanced(line: string): boolean {
  let square = 0;
  let curly = 0;
  for (const ch of line) {
    if (ch === '[') square++;
    else if (ch === ']') square--;
    else if (ch === '{') curly++;
    else if (ch === '}') curly--;
  }
  return square === 0 && curly === 0;
}

function findKey(lines: readonly string[], node: Node, key: string): number {
  let found = -1;
  for (let l = node.from; l < node.to; l++) {
    const line = lines[l];
    if (line.trim() === '') continue;
    if (!balanced(line)) return -1;
    // The first line of a sequence item's map carries the dash before the key column.
    const indentOk = l === node.from ? line.length > node.col : indentOf(line) === node.col;
    if (!indentOk) {
      if (indentOf(line) < node.col) return -1;
      continue;
    }
    const rest = line.slice(node.col);
    if (rest.startsWith(`${key}:`) && (rest.length === key.length + 1 || rest[key.length + 1] === ' ')) {
      if (found >= 0) return -1; // duplicate keys: let the precise parser say what it says
      found = l;
    }
  }
  return found;
}

/** The block map or sequence below a key at `keyCol`, starting at line `from`. */
function blockValue(lines: readonly string[], from: number, to: number, keyCol: number): Node | undefined {
  let start = from;
  while (start < to && lines[start].trim() === '') start++;
  if (start >= to) return undefined;
  const col = indentOf(lines[start]);
  const isSeq = lines[start].slice(col).startsWith('- ') || lines[start].slice(col) === '-';
  if (isSeq ? col < keyCol : col <= keyCol) return undefined;
  let end = start + 1;
  for (; end < to; end++) {
    const line = lines[end];
    if (line.trim() === '') continue;
    const ind = indentOf(line);
    // (A map's lines at its own column may be a compact sequence under one of its keys.)
    if (ind < col) break;
    if (isSeq && ind === col && !line.slice(col).startsWith('- ') && line.slice(col) !== '-') break;
  }
  return { kind: isSeq ? 'seq' : 'map', col, from: start, to: end };
}

/** The `index`-th item of a block sequence: its line, content column and the end of its lines. */
function findItem(lines: readonly string[], node: Node, index: number): { line: number; col: number; to: number } | undefined {
  const items: number[] = [];
  for (let l = node.from; l < node.to; l++) {
    const line = lines[l];
    if (line.trim() === '') continue;
    if (!balanced(line)) return undefined;
    if (indentOf(line) === node.col) {
      if (!line.slice(node.col).startsWith('- ')) return undefined;
      items.push(l);
    }
  }
  const line = items[index];
  if (line === undefined) return undefined;
  const text = lines[line];
  const col = node.col + 2 + indentOf(text.slice(node.col + 2));
  // A nested sequence on the dash line ("- - a") is not handled.
  if (text.slice(col).startsWith('- ')) return undefined;
  return { line, col, to: index + 1 < items.length ? items[index + 1] : node.to };
}
