/**
 * js-yaml's `dump(doc, { lineWidth: -1, noRefs: true, noCompatMode: false })`, written directly for
 * the documents a synth emits: plain objects and arrays of strings, safe integers, booleans and
 * nulls, whose strings are printable ASCII on one line. {@link plainYaml} returns the very same text
 * as js-yaml for those, and `undefined` for anything else (then js-yaml writes the document): an
 * `undefined` member or hole, another number, another prototype (a Date, a Buffer, a class
 * instance), a string with a line break, a tab or any other character outside ' '..'~', or a key
 * longer than 1,024 characters (js-yaml writes those as explicit `? ` keys).
 *
 * Why: js-yaml's general emitter (type detection per value, a state object, string concatenation
 * per pair) was ~1.1 s of CPU for the 14,122 objects of an S=8,000 mesh (synth10). The walk
 * appends to one array of parts per document (joined once), a pair being two parts (its cached
 * head: new line, indent, key and colon; its value), instead of building a string per collection
 * that its parent copied into its own (yaml11).
 *
 * The rules followed, from js-yaml 4's dumper (`writeNode`, `writeBlockMapping`,
 * `writeBlockSequence`, `writeScalar`, `chooseScalarStyle`): block style with two-space indents,
 * sequences indented under their key, a nested collection starting on the next line and a
 * sequence item's first pair on the dash's line; `{}` and `[]` for empty ones; a string is plain
 * unless its characters forbid it or a YAML reader would take it for another type (then single
 * quotes), and YAML 1.1's booleans (`on`, `yes`, …) and base-60 numbers are quoted too.
 *
 * @internal
 * @module
 */
import * as jsYaml from 'js-yaml';

/** Thrown inside the walk when js-yaml must write the document. */
const DECLINE = Symbol('decline');

/** The parts of the document being written (joined once at its end). */
let out: string[] = [];
const IDLE: string[] = [];

/**
 * The YAML of one document, exactly as js-yaml dumps it with trustmesh's options (including the
 * final newline); `undefined` when the document needs js-yaml's general emitter.
 */
export function plainYaml(doc: unknown): string | undefined {
  out = [];
  try {
    writeCompact(doc, 0);
    out.push('\n');
    return out.join('');
  } catch (e) {
    if (e === DECLINE) return undefined;
    throw e;
  } finally {
    out = IDLE;
  }
}

const NEWLINES: string[] = [];

function newline(level: number): string {
  return (NEWLINES[level] ??= `\n${' '.repeat(2 * level)}`);
}

// js-yaml's writeNode with block = true (we never write flow collections but the empty `{}` and
// `[]`), split by where the node stands. A non-empty collection under a key starts on the next
// line; at the top and as a sequence item it starts on the same line (js-yaml's `compact`).

/** A node at the top or as a sequence item (after its `- `). */
function writeCompact(value: unknown, level: number): void {
  if (typeof value === 'object' && value !== null) {
    if (Array.isArray(value)) {
      if (value.length === 0) out.push('[]');
      else writeSequence(value, level, true);
    } else {
      const keys = ownKeys(value);
      if (keys.length === 0) out.push('{}');
      else writeMapping(value as Record<string, unknown>, keys, level, true);
    }
  } else {
    out.push(scalarNode(value));
  }
}

/** The keys of a plain object (as `for…in` with `hasOwnProperty` would list them). */
function ownKeys(o: object): string[] {
  const proto = Object.getPrototypeOf(o) as unknown;
  if (proto !== Object.prototype && proto !== null) throw DECLINE;
  return Object.keys(o);
}

/**
 * The pairs of a non-empty mapping, each on a new line but the first one when `inline` (at the
 * top or after a sequence item's dash). A pair is two parts: its head (new line, indent, key,
 * colon and the space before a value on the same line, cached) and its value.
 */
function writeMapping(o: Record<string, unknown>, keys: readonly string[], level: number, inline: boolean): void {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const v = o[key];
    const slot = inline && i === 0 ? 0 : 2 * level + 2;
    if (typeof v === 'object' && v !== null) {
      if (Array.isArray(v)) {
        if (v.length === 0) {
          out.push(head(key, slot + 1, level), '[]');
        } else {
          out.push(head(key, slot, level));
          writeSequence(v, level + 1, false);
        }
      } else {
        const vkeys = ownKeys(v);
        if (vkeys.length === 0) {
          out.push(head(key, slot + 1, level), '{}');
        } else {
          out.push(head(key, slot, level));
          writeMapping(v as Record<string, unknown>, vkeys, level + 1, false);
        }
      }
    } else {
      out.push(head(key, slot + 1, level), scalarNode(v));
    }
  }
}

/** The items of a non-empty sequence, each after a new line and its dash (the first one after just the dash when `inline`). */
function writeSequence(a: readonly unknown[], level: number, inline: boolean): void {
  if (Object.getPrototypeOf(a) !== Array.prototype) throw DECLINE;
  const dash = (DASHES[level] ??= `${newline(level)}- `);
  for (let i = 0; i < a.length; i++) {
    out.push(inline && i === 0 ? '- ' : dash);
    writeCompact(a[i], level + 1);
  }
}

const DASHES: string[] = [];

/**
 * Pair heads by slot: 0 and 1 for a mapping's first key on its dash's line (or at the top), 2 × level
 * + 2 and + 3 for a key on its own line at that level; even slots end with the colon (the value is
 * a collection on the next lines), odd ones with `: ` (the value follows on the same line).
 */
const HEADS: Map<string, string>[] = [];

function head(key: string, slot: number, level: number): string {
  const heads = (HEADS[slot] ??= new Map<string, string>());
  let h = heads.get(key);
  if (h === undefined) {
    h = `${slot < 2 ? '' : newline(level)}${keyScalar(key)}${slot % 2 === 0 ? ':' : ': '}`;
    if (heads.size >= MAX_CACHED) heads.clear();
    heads.set(key, h);
  }
  return h;
}

/** A node that is not a collection: a string, a safe integer, a boolean or null. */
function scalarNode(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return scalar(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // js-yaml's int type: `toString(10)` of an integer that is not -0; floats have their own rules.
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
      throw DECLINE;
    case 'object':
      if (value === null) return 'null';
      throw DECLINE;
    default:
      // undefined (a member or a hole), a symbol, a function, a bigint.
      throw DECLINE;
  }
}

/** A mapping key; keys longer than 1,024 characters are written by js-yaml as `? ` keys. */
function keyScalar(key: string): string {
  const k = scalar(key);
  if (k.length > 1024) throw DECLINE;
  return k;
}

// js-yaml 4 dumper: DEPRECATED_BOOLEANS_SYNTAX and DEPRECATED_BASE60_SYNTAX (written when noCompatMode is off).
const YAML11_BOOLEANS: ReadonlySet<string> = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF',
]);
const BASE60 = /^[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?$/;
// The default schema's implicit types (js-yaml exports them as `types`; @types/js-yaml omits it): a
// string one of them resolves must be quoted.
const types = (jsYaml as unknown as { readonly types: Readonly<Record<string, jsYaml.Type>> }).types;
const IMPLICIT: readonly jsYaml.Type[] = [types.null, types.bool, types.int, types.float, types.timestamp, types.merge];
/** A first character no implicit type but null and bool, nor a base-60 number, starts with. */
const LETTER_OR_SLASH = /^[A-Za-z/]/;
/** What js-yaml's null and bool types resolve among strings that start with a letter. */
const NULL_OR_BOOL: ReadonlySet<string> = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);
// Characters a plain scalar may not start with (c-indicator and white space).
const NOT_FIRST = new Set('-?:,[]{}#&*!|=>\'"%@` ');

const SCALARS = new Map<string, string>();
const MAX_CACHED = 100_000;

/** writeScalar for a block-context string (a key or a value: the same, on one line). */
function scalar(s: string): string {
  let written = SCALARS.get(s);
  if (written === undefined) {
    written = computeScalar(s);
    // The same names, principals and namespaces recur across thousands of objects.
    if (SCALARS.size >= MAX_CACHED) SCALARS.clear();
    SCALARS.set(s, written);
  }
  return written;
}

function computeScalar(s: string): string {
  if (s.length === 0) return "''";
  // Only printable ASCII on one line: anything else may need double quotes or a block scalar.
  let plain = !NOT_FIRST.has(s[0]);
  let prev = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw DECLINE;
    // isPlainSafe in a block context: '#' only after a non-space, ': ' never.
    if (c === 0x23 /* # */ ? (prev === -1 || prev === 0x20) : (c === 0x20 && prev === 0x3a /* : */)) plain = false;
    prev = c;
  }
  if (prev === 0x20 || prev === 0x3a) plain = false; // isPlainSafeLast
  if (YAML11_BOOLEANS.has(s)) return `'${s}'`;
  // Most names and paths: a YAML 1.1 base-60 number, an int, a float, a timestamp, `~` and `<<`
  // start with none of these, so of the implicit types only null and bool can take them.
  if (plain && LETTER_OR_SLASH.test(s)) return NULL_OR_BOOL.has(s) ? `'${s}'` : s;
  if (BASE60.test(s)) return `'${s}'`;
  if (plain && !IMPLICIT.some((t) => t.resolve(s))) return s;
  return `'${s.replace(/'/g, "''")}'`;
}
