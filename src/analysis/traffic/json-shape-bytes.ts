/**
 * The fast path for JSON access-log lines (Istio's JSON encoding and the trustmesh format, see
 * `envoy-json.ts`): reads a line's members from its bytes and writes into a scratch key the
 * members {@link parseEnvoyJson} reads (name and raw value, in order: `JSON.parse` keeps the last
 * of a repeated name, and so does the key), the caller's address without its port, and the line's
 * time as a number. Every other member is only checked to be valid JSON, since it cannot change the
 * record. It accepts only a flat object whose strings hold no escape (a nested object, the JWT
 * payload, is kept as its raw bytes); anything else is left to the full parser, so errors and
 * their line numbers stay exact.
 *
 * @module
 */
/* eslint-disable no-bitwise -- the key hash (FNV-1a) and two-byte lengths are bit operations. */
import { TextShapeScanner } from './text-shape-bytes';

/** The members parseEnvoyJson reads, besides `start_time` and `downstream_remote_address`. */
const READ = [
  'trustmesh', 'method', 'path', 'protocol', 'authority', 'response_code', 'response_flags', 'response_code_details',
  'connection_termination_details', 'upstream_host', 'upstream_cluster', 'downstream_local_address', 'requested_server_name',
  'peer_uri_san', 'pod_name', 'pod_namespace', 'service_account', 'jwt',
];
const TIME = READ.length;
const REMOTE = READ.length + 1;
const NAMES = [...READ, 'start_time', 'downstream_remote_address'].map((n) => Buffer.from(n));
/** The first byte of a JSON byte key (TEXT byte keys start with 2, string keys with a printable character or 1). */
const TAG = 3;

/** Name length → the indexes of the names of that length. */
const BY_LENGTH: number[][] = [];
NAMES.forEach((n, i) => (BY_LENGTH[n.length] ??= []).push(i));

/** Reads JSON lines' shapes from bytes, one line at a time; shares the TEXT scanner's key and time. */
export class JsonShapeScanner {
  /** @param out the TEXT scanner whose key and time this one writes (set it as its `json`) */
  public constructor(private readonly out: TextShapeScanner) {}

  /**
   * Scans the JSON object `bytes[start, end)`; false when it must take the full parser. `podStart`
   * and `podEnd` bound the `kubectl logs --prefix` pod name (-1: none, the `--pod`).
   */
  public scan(bytes: Uint8Array, start: number, end: number, podStart: number, podEnd: number): boolean {
    const out = this.out;
    out.begin(TAG);
    if (podStart < 0) out.marker();
    else if (!out.put(bytes, podStart, podEnd)) return false;
    out.time = NaN;
    let i = ws(bytes, start, end);
    if (i >= end || bytes[i] !== 123) return false;
    i = ws(bytes, i + 1, end);
    if (i < end && bytes[i] === 125) return false; // `{}`: the full parser says why
    for (;;) {
      // "name"
      if (i >= end || bytes[i] !== 34) return false;
      const nameStart = i + 1;
      const nameEnd = stringEnd(bytes, nameStart, end);
      if (nameEnd < 0) return false;
      i = ws(bytes, nameEnd + 1, end);
      if (i >= end || bytes[i] !== 58) return false;
      i = ws(bytes, i + 1, end);
      const valueStart = i;
      const valueEnd = valueEndAt(bytes, i, end);
      if (valueEnd < 0) return false;
      const name = nameOf(bytes, nameStart, nameEnd);
      if (name === TIME) {
        if (!this.time(bytes, valueStart, valueEnd)) return false;
      } else if (name === REMOTE) {
        if (!out.byte(REMOTE) || !this.remote(bytes, valueStart, valueEnd)) return false;
      } else if (name >= 0) {
        if (!out.byte(name) || !out.put(bytes, valueStart, valueEnd)) return false;
      } else if (bytes[valueStart] === 123 || bytes[valueStart] === 91) {
        return false; // a nested value left out of the key would go unchecked
      }
      i = ws(bytes, valueEnd, end);
      if (i >= end) return false;
      if (bytes[i] === 125) break;
      if (bytes[i] !== 44) return false;
      i = ws(bytes, i + 1, end);
    }
    if (ws(bytes, i + 1, end) !== end) return false;
    out.end();
    return true;
  }

  /** `start_time`: null, `"-"`, `""` (no time) or Envoy's ISO time. */
  private time(bytes: Uint8Array, start: number, end: number): boolean {
    const out = this.out;
    if (end - start === 4 && bytes[start] === 110) {
      out.time = NaN;
      return true;
    }
    if (bytes[start] !== 34) return false;
    return out.readTime(bytes, start + 1, end - 1);
  }

  /** The caller's address: a string's port is left out when it is one parseAddress accepts (as in TEXT). */
  private remote(bytes: Uint8Array, start: number, end: number): boolean {
    if (bytes[start] !== 34) return this.out.put(bytes, start, end) && this.out.byte(119);
    return this.out.putAddress(bytes, start + 1, end - 1);
  }
}

function ws(bytes: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = bytes[i];
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

/** The closing quote of a string whose content starts at `i`; -1 for an escape, a control character or no end. */
function stringEnd(bytes: Uint8Array, i: number, end: number): number {
  for (; i < end; i++) {
    const c = bytes[i];
    if (c === 34) return i;
    if (c === 92 || c < 32) return -1;
  }
  return -1;
}

/** The end of the JSON value at `i` (valid as JSON.parse reads it), -1 when it cannot tell. */
function valueEndAt(bytes: Uint8Array, i: number, end: number): number {
  if (i >= end) return -1;
  const c = bytes[i];
  if (c === 34) {
    const close = stringEnd(bytes, i + 1, end);
    return close < 0 ? -1 : close + 1;
  }
  if (c === 123 || c === 91) return nestedEnd(bytes, i, end);
  if (c === 110) return literal(bytes, i, end, NULL);
  if (c === 116) return literal(bytes, i, end, TRUE);
  if (c === 102) return literal(bytes, i, end, FALSE);
  return numberEnd(bytes, i, end);
}

const NULL = Buffer.from('null');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');

function literal(bytes: Uint8Array, i: number, end: number, word: Buffer): number {
  if (i + word.length > end) return -1;
  for (let j = 0; j < word.length; j++) if (bytes[i + j] !== word[j]) return -1;
  return i + word.length;
}

/** `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?` */
function numberEnd(bytes: Uint8Array, i: number, end: number): number {
  if (i < end && bytes[i] === 45) i++;
  if (i >= end || !isDigit(bytes[i])) return -1;
  if (bytes[i] === 48) i++;
  else while (i < end && isDigit(bytes[i])) i++;
  if (i < end && bytes[i] === 46) {
    i++;
    if (i >= end || !isDigit(bytes[i])) return -1;
    while (i < end && isDigit(bytes[i])) i++;
  }
  if (i < end && (bytes[i] === 101 || bytes[i] === 69)) {
    i++;
    if (i < end && (bytes[i] === 43 || bytes[i] === 45)) i++;
    if (i >= end || !isDigit(bytes[i])) return -1;
    while (i < end && isDigit(bytes[i])) i++;
  }
  return i;
}

/**
 * The end of a nested object or array: its brackets matched outside strings. Its content is not
 * checked here: a member kept in the key is kept byte for byte, so every line with that key has
 * the same content, which the full parser judged on the first; one left out of the key must be
 * checked, and is not: a nested value of a member not read takes the full parser.
 */
function nestedEnd(bytes: Uint8Array, i: number, end: number): number {
  let depth = 0;
  for (; i < end; i++) {
    const c = bytes[i];
    if (c === 34) {
      i = stringEnd(bytes, i + 1, end);
      if (i < 0) return -1;
    } else if (c === 123 || c === 91) {
      depth++;
    } else if (c === 125 || c === 93) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The index of the name `bytes[start, end)` in {@link NAMES}, -1 when parseEnvoyJson does not read it. */
function nameOf(bytes: Uint8Array, start: number, end: number): number {
  const candidates = BY_LENGTH[end - start];
  if (candidates === undefined) return -1;
  for (const n of candidates) {
    const name = NAMES[n];
    let j = 0;
    while (j < name.length && name[j] === bytes[start + j]) j++;
    if (j === name.length) return n;
  }
  return -1;
}
