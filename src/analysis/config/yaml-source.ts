/**
 * Multi-document YAML (and JSON) parsing that keeps source positions, so every loaded object and
 * every field in it can be reported as `file:line:column`.
 *
 * @module
 */
import { CORE_SCHEMA, loadAll, LoadOptions, YAMLException } from 'js-yaml';
import { Document, isMap, isNode, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import { locateBlockField } from './block-locator';
import { mayHaveFlowColonScalars, readFlowColonScalars } from './flow-colon-scalars';
import { SourceLocation, TrustmeshError } from '../../errors';

/**
 * How deep a document may nest (maps and sequences): Kubernetes and Istio objects, CRD schemas
 * included, stay under 30 levels. Deeper input is refused as `TM_YAML_TOO_DEEP` before anything
 * walks it recursively.
 */
export const MAX_YAML_DEPTH = 100;

/**
 * How many alias uses a document may expand (the `yaml` library's `maxAliasCount`: uses weighted
 * by the aliases inside what they point to), a guard against "billion laughs" expansion; more is
 * refused as `TM_YAML_TOO_MANY_ALIASES`.
 */
export const MAX_YAML_ALIAS_COUNT = 1000;

// An anchor property, "&name" after white space or a flow indicator (a superset: quoted text matches too).
const ANCHOR = /(?:^|[\s[{,])&[^\s[\]{},]/m;

/** A path into a parsed document: map keys and sequence indexes. */
export type FieldPath = readonly (string | number)[];

/** One parsed YAML document with its position helpers. */
export interface YamlDocument {
  /** The plain JavaScript value of the document (`null` for an empty document). */
  readonly value: unknown;
  /** 1-based line and column where the document's content starts. */
  readonly line: number;
  readonly column: number;
  /**
   * diff14: the document's own text (from its `---` line to the next document's), when that text
   * alone decides `value`: two documents with the same `text` have values of the same content.
   * Set for documents the fast parser read from a stream without directives (`%YAML`, `%TAG`, which
   * apply to the document after them); undefined otherwise (the position-keeping parse, values the
   * caller gives).
   */
  readonly text?: string;
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
 * Aliases to maps or sequences are expanded by the position-keeping parser, which counts them
 * (see {@link MAX_YAML_ALIAS_COUNT}); nesting is limited to {@link MAX_YAML_DEPTH} levels.
 *
 * @throws TrustmeshError `TM_YAML_PARSE` at the first syntax error, with `file:line:column`;
 *   `TM_YAML_TOO_DEEP`, `TM_YAML_TOO_MANY_ALIASES`.
 */
export function parseYamlDocuments(text: string, file: string, shared?: SharedDocuments): YamlDocument[] {
  return fastDocuments(text, file, shared) ?? preciseDocuments(text, file);
}

/**
 * diff10: the values of documents already parsed, by their exact text, shared by the loads of two
 * versions of the same manifests (`trustmesh diff`): a document unchanged between them is parsed
 * once and both versions hold the same value (which nothing mutates).
 */
export type SharedDocuments = Map<string, unknown>;

function fastDocuments(text: string, file: string, shared?: SharedDocuments): YamlDocument[] | undefined {
  // js-yaml reads `[001:db8::]` as YAML 1.2 does, not as the API server does.
  if (mayHaveFlowColonScalars(text)) return undefined;
  // The YAML 1.2 core schema, as the position-keeping parser uses: no timestamps, no merge keys.
  const options: LoadOptions & { maxDepth: number } = { schema: CORE_SCHEMA, filename: file, maxDepth: MAX_YAML_DEPTH };
  if (shared) {
    const docs = sharedDocuments(text, file, shared, options);
    if (docs) return docs;
  }
  let values: unknown[];
  try {
    values = loadAll(text, undefined, options) as unknown[];
  } catch (e) {
    if (e instanceof YAMLException && /nesting exceeded maxDepth/.test(e.reason)) {
      throw tooDeep({ file, line: e.mark.line + 1, column: e.mark.column + 1 });
    }
    return undefined;
  }
  // js-yaml shares one object for every alias of a map or sequence: the precise parser expands
  // and counts them. Only a stream with an anchor (&name) can have aliases.
  if (ANCHOR.test(text) && values.some(sharesNodes)) return undefined;
  // js-yaml reads each document afresh (its anchors and tag handles are the document's own): only
  // a directive, written before a document's `---` (in the text of the one before), reaches across.
  return documentsAt(text, file, documentStarts(text), values, !hasDirectives(text));
}

/** Whether a stream may have a directive line (`%YAML`, `%TAG`); a `%` at the start of a line. */
function hasDirectives(text: string): boolean {
  // Most streams have no `%` at all: one fast scan for the character first.
  return text.includes('%') && /^\uFEFF?%|[\n\r]%/.test(text);
}

/**
 * The documents of a YAML stream whose values the caller already holds (a synthesizer's own
 * output): no second parse; positions are read from the text on demand, as
 * {@link parseYamlDocuments} reads them.
 * @returns undefined when the stream's document boundaries do not line up with the values
 */
export function documentsOfValues(text: string, file: string, values: readonly unknown[]): YamlDocument[] | undefined {
  return documentsAt(text, file, documentStarts(text), values);
}

/**
 * The documents of a stream parsed one by one, each looked up by its text first. Only for plain
 * streams, where a document's text alone decides its value: no directive (`%YAML`, `%TAG`), no
 * anchor; anything else, or any error, is left to the whole-stream parse (undefined).
 */
function sharedDocuments(text: string, file: string, shared: SharedDocuments, options: LoadOptions): YamlDocument[] | undefined {
  if (ANCHOR.test(text) || /^%/m.test(text)) return undefined;
  const starts = documentStarts(text);
  const values: unknown[] = [];
  for (const start of starts) {
    const own = text.slice(start.offset, start.end);
    let value = shared.get(own);
    if (value === undefined) {
      let parsed: unknown[];
      try {
        parsed = loadAll(own, undefined, options) as unknown[];
      } catch {
        return undefined;
      }
      if (parsed.length !== 1) return undefined;
      value = parsed[0] ?? null;
      shared.set(own, value);
    }
    values.push(value);
  }
  return documentsAt(text, file, starts, values, true);
}

/** @param keyed whether each value is what its document's text alone gives (then the documents have their `text`) */
function documentsAt(text: string, file: string, starts: readonly DocumentStart[], values: readonly unknown[],
  keyed = false): YamlDocument[] | undefined {
  if (starts.length !== values.length) return undefined;
  // Only diagnostics need field positions: the documents they name are parsed precisely, and the
  // most recent ones kept (keeping every one would hold a syntax tree per object of the input).
  const parsed = new Map<number, YamlDocument | undefined>();
  const precise = (i: number): YamlDocument | undefined => {
    if (parsed.has(i)) {
      const hit = parsed.get(i);
      parsed.delete(i);
      parsed.set(i, hit);
      return hit;
    }
    const start = starts[i];
    const doc = preciseDocuments(text.slice(start.offset, start.end), file, start.firstLine - 1, false)[0];
    parsed.set(i, doc);
    if (parsed.size > PRECISE_CACHE) parsed.delete(parsed.keys().next().value as number);
    return doc;
  };
  return values.map((value, i) => {
    const start = starts[i];
    return {
      value: value === undefined ? null : value,
      line: start.contentLine,
      column: 1,
      text: keyed ? text.slice(start.offset, start.end) : undefined,
      locate(path: FieldPath): SourceLocation {
        // The document itself starts at its first content line (every object records this).
        if (path.length === 0) return { file, line: start.contentLine, column: 1 };
        // Plain block YAML (what tools emit) is located from its lines; anything else is parsed.
        const fast = locateBlockField(text.slice(start.offset, start.end), path);
        if (fast) return { file, line: fast.line + start.firstLine - 1, column: fast.col, field: fieldString(path) };
        const doc = precise(i);
        return doc ? doc.locate(path) : { file, line: start.contentLine, column: 1 };
      },
    };
  });
}

// Diagnostics come grouped by object: a few recent documents cover the fields they locate.
const PRECISE_CACHE = 64;

const DASH = 0x2d;
const DOT = 0x2e;

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
  const starts: { offset: number; firstLine: number; contentLine?: number; explicit: boolean }[] = [];
  let offset = 0;
  let current: { offset: number; firstLine: number; contentLine?: number; explicit: boolean } | undefined;
  // Line by line without splitting the text (a copy of a large stream as line strings).
  for (let i = 0; offset <= text.length;) {
    const first = text.charCodeAt(offset);
    if (current?.contentLine !== undefined && first !== DASH && first !== DOT) {
      // Inside a document whose first content line is known only a line starting with - or . can
      // change anything: jump to the next one, only counting the lines on the way (this runs once
      // per synth, mostly before the JIT has compiled it: the fewer steps per line, the better).
      const candidate = nextDashOrDotLine(text, offset);
      if (candidate < 0) break;
      i += countNewlines(text, offset, candidate);
      offset = candidate;
      continue;
    }
    const newline = text.indexOf('\n', offset);
    const next = newline < 0 ? text.length + 1 : newline + 1;
    const line = text.slice(offset, next - 1);
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
    offset = next;
    i++;
  }
  return starts.map((s, i) => ({
    offset: s.offset,
    end: i + 1 < starts.length ? starts[i + 1].offset : text.length,
    firstLine: s.firstLine,
    contentLine: s.contentLine ?? s.firstLine,
  }));
}

// A line break followed by - or . (only a line starting with one can be a marker).
const DASH_OR_DOT_LINE = /\n[-.]/g;

/** Where the next line after the one at `offset` that starts with - or . starts, or -1. */
function nextDashOrDotLine(text: string, offset: number): number {
  DASH_OR_DOT_LINE.lastIndex = offset;
  const m = DASH_OR_DOT_LINE.exec(text);
  return m ? m.index + 1 : -1;
}

/** How many line breaks `text` has in [from, to). */
function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) n++;
  return n;
}

/**
 * Parses with positions. `withValues: false` is for locating fields of a document whose value the
 * fast parser already produced (and checked): its `value` is then `null`.
 */
function preciseDocuments(text: string, file: string, lineOffset = 0, withValues = true): YamlDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
      // The parser turns its own stack overflow on runaway nesting into an error of the document.
      if (/Maximum call stack size exceeded/.test(err.message)) throw tooDeep({ file, line: pos.line + lineOffset, column: pos.col });
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
    const at: SourceLocation = { file, line: pos.line, column: pos.col };
    const value = contents === null || !withValues ? null : documentValue(doc, at);
    const deep = tooDeepPath(value);
    if (deep) throw tooDeep(locateIn(doc, deep, linePos, at));
    return {
      value,
      line: pos.line,
      column: pos.col,
      locate(path: FieldPath): SourceLocation {
        return locateIn(doc, path, linePos, at);
      },
    };
  });
}

/** Location of the node at `path` in a parsed document (falls back to the nearest existing parent). */
function locateIn(doc: Document.Parsed, path: FieldPath, linePos: (offset: number) => { line: number; col: number },
  at: SourceLocation): SourceLocation {
  const file = at.file;
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
  return { file, line: at.line, column: at.column, field: fieldString(path) || undefined };
}

/** The document as plain data, aliases expanded up to {@link MAX_YAML_ALIAS_COUNT}. */
function documentValue(doc: Document.Parsed, at: SourceLocation): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT }) as unknown;
  } catch (e) {
    // yaml's guard: "Excessive alias count indicates a resource exhaustion attack".
    if (e instanceof ReferenceError && /alias/i.test(e.message)) {
      throw new TrustmeshError('TM_YAML_TOO_MANY_ALIASES', `the document expands more than ${MAX_YAML_ALIAS_COUNT} alias uses ("billion laughs")`, {
        location: at,
        allowed: `at most ${MAX_YAML_ALIAS_COUNT} alias uses per document, nested ones counting for what they expand to`,
        fix: 'Write the repeated content out instead of nesting aliases (*name) of anchors (&name); Kubernetes manifests need none.',
        cause: e,
      });
    }
    if (e instanceof RangeError) throw tooDeep(at);
    throw e;
  }
}

/** Whether a value reached the same map or sequence twice (js-yaml's aliases); iterative, each node once. */
function sharesNodes(value: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x !== 'object' || x === null) continue;
    if (seen.has(x)) return true;
    seen.add(x);
    for (const child of Object.values(x)) stack.push(child);
  }
  return false;
}

/** The path to the first node nested deeper than {@link MAX_YAML_DEPTH}, or undefined; iterative. */
function tooDeepPath(value: unknown): FieldPath | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: x, path } = stack.pop()!;
    if (typeof x !== 'object' || x === null) continue;
    if (path.length >= MAX_YAML_DEPTH) return path;
    for (const [k, child] of Object.entries(x)) stack.push({ value: child, path: [...path, Array.isArray(x) ? Number(k) : k] });
  }
  return undefined;
}

function tooDeep(location: SourceLocation): TrustmeshError {
  return new TrustmeshError('TM_YAML_TOO_DEEP', `the document nests more than ${MAX_YAML_DEPTH} levels of maps and sequences`, {
    location: { file: location.file, line: location.line, column: location.column },
    allowed: `at most ${MAX_YAML_DEPTH} levels (Kubernetes and Istio objects, CRD schemas included, need fewer than 30)`,
    fix: 'Look for runaway brackets ([[[…) or indentation at that position; the file is not a Kubernetes manifest as written.',
  });
}

/** `spec.rules[0].from[1]` for a field path. */
export function fieldString(path: FieldPath): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc === '' ? String(p) : `${acc}.${p}`), '');
}
