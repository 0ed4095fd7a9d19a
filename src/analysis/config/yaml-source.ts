/**
 * Multi-document YAML (and JSON) parsing that keeps source positions, so every loaded object and
 * every field in it can be reported as `file:line:column`.
 *
 * @module
 */
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { Document, isMap, isNode, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import { mayHaveFlowColonScalars, readFlowColonScalars } from './flow-colon-scalars';
import { SourceLocation, TrustmeshError } from '../../errors';

/** A path into a parsed document: map keys and sequence indexes. */
export type FieldPath = readonly (string | number)[];

/** One parsed YAML document with its position helpers. */
export interface YamlDocument {
  /** The plain JavaScript value of the document (`null` for an empty document). */
  readonly value: unknown;
  /** 1-based line and column where the document's content starts. */
  readonly line: number;
  readonly column: number;
  /** Location of the node at `path` (falls back to the nearest existing parent). */
  locate(path: FieldPath): SourceLocation;
}

/**
 * Parses all documents of a YAML stream (JSON is accepted too, being YAML).
 *
 * Large outputs (a 1,000-service mesh is megabytes of YAML) are read with js-yaml's fast parser
 * and a scan for document starts; the position-keeping parse runs only for a document whose
 * fields are located (for a diagnostic), or for the whole stream when the fast path cannot be
 * trusted (a syntax error, or document boundaries it cannot line up).
 *
 * @throws TrustmeshError `TM_YAML_PARSE` at the first syntax error, with `file:line:column`.
 */
export function parseYamlDocuments(text: string, file: string): YamlDocument[] {
  return fastDocuments(text, file) ?? preciseDocuments(text, file);
}

function fastDocuments(text: string, file: string): YamlDocument[] | undefined {
  // js-yaml reads `[001:db8::]` as YAML 1.2 does, not as the API server does.
  if (mayHaveFlowColonScalars(text)) return undefined;
  let values: unknown[];
  try {
    // The YAML 1.2 core schema, as the position-keeping parser uses: no timestamps, no merge keys.
    values = loadAll(text, undefined, { schema: CORE_SCHEMA, filename: file }) as unknown[];
  } catch {
    return undefined;
  }
  const starts = documentStarts(text);
  if (starts.length !== values.length) return undefined;
  return values.map((value, i) => {
    const start = starts[i];
    let precise: YamlDocument | undefined;
    return {
      value: value === undefined ? null : value,
      line: start.contentLine,
      column: 1,
      locate(path: FieldPath): SourceLocation {
        // The document itself starts at its first content line (every object records this).
        if (path.length === 0) return { file, line: start.contentLine, column: 1 };
        // Only diagnostics need field positions: parse this one document precisely, once.
        precise ??= preciseDocuments(text.slice(start.offset, start.end), file, start.firstLine - 1)[0];
        return precise ? precise.locate(path) : { file, line: start.contentLine, column: 1 };
      },
    };
  });
}

interface DocumentStart {
  /** Character offsets of the document's text (from its `---` line, if any). */
  readonly offset: number;
  readonly end: number;
  /** 1-based line where the document's text starts. */
  readonly firstLine: number;
  /** 1-based line of its first content line (not a marker, comment or blank). */
  readonly contentLine: number;
}

/**
 * Document boundaries of a YAML stream: `---` lines at column 0 (and the implicit first
 * document). Returns the documents js-yaml would produce, including empty ones.
 */
function documentStarts(text: string): DocumentStart[] {
  const lines = text.split('\n');
  const starts: { offset: number; firstLine: number; contentLine?: number; explicit: boolean }[] = [];
  let offset = 0;
  let current: { offset: number; firstLine: number; contentLine?: number; explicit: boolean } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const marker = /^---(\s|$)/.test(line);
    if (marker) {
      current = { offset, firstLine: i + 1, explicit: true };
      starts.push(current);
      if (line.slice(3).trim() !== '' && !line.slice(3).trim().startsWith('#')) current.contentLine = i + 1;
    } else if (/^\.\.\.(\s|$)/.test(line)) {
      current = undefined;
    } else if (line.trim() !== '' && !line.trimStart().startsWith('#') && !line.startsWith('%')) {
      if (!current) {
        current = { offset, firstLine: i + 1, explicit: false };
        starts.push(current);
      }
      current.contentLine ??= i + 1;
    }
    offset += line.length + 1;
  }
  return starts.map((s, i) => ({
    offset: s.offset,
    end: i + 1 < starts.length ? starts[i + 1].offset : text.length,
    firstLine: s.firstLine,
    contentLine: s.contentLine ?? s.firstLine,
  }));
}

function preciseDocuments(text: string, file: string, lineOffset = 0): YamlDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
      const message = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new TrustmeshError('TM_YAML_PARSE', `YAML syntax error: ${message}`, {
        location: { file, line: pos.line + lineOffset, column: pos.col },
        fix: 'Fix the YAML at that position (indentation, unclosed brackets or quotes, a tab used for indentation).',
      });
    }
  }
  return list.map((doc) => {
    readFlowColonScalars(doc, text);
    const contents = doc.contents;
    const start = contents && isNode(contents) && contents.range ? contents.range[0] : 0;
    const linePos = (offset: number): { line: number; col: number } => {
      const p = lineCounter.linePos(offset);
      return { line: p.line + lineOffset, col: p.col };
    };
    const pos = linePos(start);
    return {
      value: contents === null ? null : (doc.toJS({ maxAliasCount: 1000 }) as unknown),
      line: pos.line,
      column: pos.col,
      locate(path: FieldPath): SourceLocation {
        // A map entry is reported at its key ("form:" rather than the value below it).
        const last = path[path.length - 1];
        if (typeof last === 'string') {
          const parent = doc.getIn(path.slice(0, -1), true);
          if (isMap(parent)) {
            const pair = parent.items.find((i) => isScalar(i.key) && String(i.key.value) === last);
            if (pair && isNode(pair.key) && pair.key.range) {
              const p = linePos(pair.key.range[0]);
              return { file, line: p.line, column: p.col, field: fieldString(path) };
            }
          }
        }
        for (let n = path.length; n >= 0; n--) {
          const node = doc.getIn(path.slice(0, n), true);
          if (isNode(node) && node.range) {
            const p = linePos(node.range[0]);
            return { file, line: p.line, column: p.col, field: fieldString(path) || undefined };
          }
        }
        return { file, line: pos.line, column: pos.col, field: fieldString(path) || undefined };
      },
    };
  });
}

/** `spec.rules[0].from[1]` for a field path. */
export function fieldString(path: FieldPath): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc === '' ? String(p) : `${acc}.${p}`), '');
}
