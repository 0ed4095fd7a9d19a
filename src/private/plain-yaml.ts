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
 * per pair) was ~1.1 s of CPU for the 14,122 objects of an S=8,000 mesh (synth10).
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

/**
 * The YAML of one document, exactly as js-yaml dumps it with trustmesh's options (including the
 * final newline); `undefined` when the document needs js-yaml's general emitter.
 */
export function plainYaml(doc: unknown): string | undefined {
  try {
    return `${node(doc, 0, true)}\n`;
  } catch (e) {
    if (e === DECLINE) return undefined;
    throw e;
  }
}

const NEWLINES: string[] = [];

function newline(level: number): string {
  return (NEWLINES[level] ??= `\n${' '.repeat(2 * level)}`);
}

// writeNode with block = true (we never write flow collections but the empty `{}` and `[]`).
function node(value: unknown, level: number, compact: boolean): string {
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
      if (Array.isArray(value)) return value.length === 0 ? '[]' : sequence(value, level, compact);
      return mapping(value as Record<string, unknown>, level, compact);
    default:
      throw DECLINE;
  }
}

function mapping(o: Record<string, unknown>, level: number, compact: boolean): string {
  const proto = Object.getPrototypeOf(o) as unknown;
  if (proto !== Object.prototype && proto !== null) throw DECLINE;
  let out = '';
  for (const key in o) {
    if (!Object.prototype.hasOwnProperty.call(o, key)) continue;
    const v = o[key];
    if (v === undefined) throw DECLINE;
    const k = scalar(key);
    if (k.length > 1024) throw DECLINE;
    const d = node(v, level + 1, false);
    if (!compact || out !== '') out += newline(level);
    out += d.charCodeAt(0) === 10 ? `${k}:${d}` : `${k}: ${d}`;
  }
  return out === '' ? '{}' : out;
}

function sequence(a: readonly unknown[], level: number, compact: boolean): string {
  if (Object.getPrototypeOf(a) !== Array.prototype) throw DECLINE;
  let out = '';
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v === undefined) throw DECLINE;
    const d = node(v, level + 1, true);
    if (!compact || out !== '') out += newline(level);
    out += d.charCodeAt(0) === 10 ? `-${d}` : `- ${d}`;
  }
  return out;
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
// Characters a plain scalar may not start with (c-indicator and white space).
const NOT_FIRST = new Set('-?:,[]{}#&*!|=>\'"%@` ');

const SCALARS = new Map<string, string>();
const MAX_CACHED = 100_000;

/** writeScalar for a block-context string (a key or a value: the same, on one line). */
function scalar(s: string): string {
  let out = SCALARS.get(s);
  if (out === undefined) {
    out = computeScalar(s);
    // The same names, principals and namespaces recur across thousands of objects.
    if (SCALARS.size >= MAX_CACHED) SCALARS.clear();
    SCALARS.set(s, out);
  }
  return out;
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
  if (YAML11_BOOLEANS.has(s) || BASE60.test(s)) return `'${s}'`;
  if (plain && !IMPLICIT.some((t) => t.resolve(s))) return s;
  return `'${s.replace(/'/g, "''")}'`;
}
