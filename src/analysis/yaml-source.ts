/**
 * Multi-document YAML (and JSON) parsing that keeps source positions, so every loaded object and
 * every field in it can be reported as `file:line:column`.
 *
 * @module
 */
import { Document, isMap, isNode, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import { SourceLocation, TrustmeshError } from '../errors';

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
 * @throws TrustmeshError `TM_YAML_PARSE` at the first syntax error, with `file:line:column`.
 */
export function parseYamlDocuments(text: string, file: string): YamlDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
      const message = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new TrustmeshError('TM_YAML_PARSE', `YAML syntax error: ${message}`, {
        location: { file, line: pos.line, column: pos.col },
        fix: 'Fix the YAML at that position (indentation, unclosed brackets or quotes, a tab used for indentation).',
      });
    }
  }
  return list.map((doc) => {
    const contents = doc.contents;
    const start = contents && isNode(contents) && contents.range ? contents.range[0] : 0;
    const pos = lineCounter.linePos(start);
    const fieldString = (path: FieldPath): string => path.reduce<string>(
      (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc === '' ? String(p) : `${acc}.${p}`), '');
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
              const p = lineCounter.linePos(pair.key.range[0]);
              return { file, line: p.line, column: p.col, field: fieldString(path) };
            }
          }
        }
        for (let n = path.length; n >= 0; n--) {
          const node = doc.getIn(path.slice(0, n), true);
          if (isNode(node) && node.range) {
            const p = lineCounter.linePos(node.range[0]);
            return { file, line: p.line, column: p.col, field: fieldString(path) || undefined };
          }
        }
        return { file, line: pos.line, column: pos.col, field: fieldString(path) || undefined };
      },
    };
  });
}
