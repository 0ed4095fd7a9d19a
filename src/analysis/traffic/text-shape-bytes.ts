/**
 * The fast path for Istio's default TEXT format (see `envoy-text.ts`): finds a line's fields in
 * the bytes it was read in and writes the bytes of the fields that decide its judgement (its shape,
 * as `record-shape.ts` defines it) into a scratch key, with the line's time as a number — no
 * string, no record. It accepts only lines it reads exactly as {@link parseEnvoyText} does (with
 * `traffic-reader.ts`'s `kubectl logs --prefix` prefix): anything unusual (a prefix or time it
 * does not know, a field count or quote the full parser would complain about, a huge field) is
 * left to the full parser, so errors and their line numbers stay exact.
 *
 * @module
 */
/* eslint-disable no-bitwise -- the key hash (FNV-1a) and two-byte lengths are bit operations. */

/** The number of fields of the default format. */
const FIELDS = 22;
/** The fields that decide a TEXT entry's judgement (request, code, flags, details; authority, upstream host and cluster; downstream local; SNI). The caller's address is added without its port. */
const KEY_FIELDS = [1, 2, 3, 4, 5, 14, 15, 16, 18];
const REMOTE = 19;
const SNI = 20;
/** The first byte of a byte key: never the first byte of a string key (`shapeKey`). */
const TAG = 2;
/** Longest key: longer lines take the full parser (and are not kept as shapes). */
const MAX_KEY = 16 * 1024;

/** Reads lines' shapes from bytes; one line at a time, its results in its fields. */
export class TextShapeScanner {
  /** The key of the last line {@link scan} accepted: `key[0, length)`. */
  public readonly key = Buffer.allocUnsafe(MAX_KEY);
  public length = 0;
  /** Its FNV-1a hash (see `shape-store.ts`). */
  public hash = 0;
  /** Its time in milliseconds since the epoch, NaN when the entry has none (`-`). */
  public time = NaN;
  /** Reads JSON lines (`json-shape-bytes.ts`); without it they take the full parser. */
  public json?: { scan(bytes: Uint8Array, start: number, end: number, podStart: number, podEnd: number): boolean };
  private readonly starts = new Int32Array(FIELDS);
  private readonly ends = new Int32Array(FIELDS);
  private readonly day = Buffer.alloc(10);
  private dayMs = NaN;

  /**
   * Scans the line `bytes[start, end)` (no line end); false when it must take the full parser.
   * A line that starts `[pod/<name>/<container>] ` names its pod, whose name is part of the key; a
   * line without one is keyed as the reader's `--pod` (the same for every line of a read).
   */
  public scan(bytes: Uint8Array, start: number, end: number): boolean {
    let i = start;
    let podStart = -1;
    let podEnd = -1;
    if (end - start > 5 && bytes[i] === 91 && bytes[i + 1] === 112 && bytes[i + 2] === 111 && bytes[i + 3] === 100 && bytes[i + 4] === 47) {
      // `[pod/`: the name up to `/`, the container up to `] ` — printable ASCII only (else the full parser).
      i += 5;
      podStart = i;
      while (i < end && isPrintable(bytes[i]) && bytes[i] !== 47 && bytes[i] !== 93) i++;
      if (i === podStart || i >= end || bytes[i] !== 47) return false;
      podEnd = i++;
      const container = i;
      while (i < end && isPrintable(bytes[i]) && bytes[i] !== 93) i++;
      if (i === container || i + 1 >= end || bytes[i] !== 93 || bytes[i + 1] !== 32) return false;
      i += 2;
    }
    if (i < end && bytes[i] === 123 && this.json) return this.json.scan(bytes, i, end, podStart, podEnd);
    if (i >= end || bytes[i] !== 91) return false;
    if (!this.fields(bytes, i, end)) return false;
    const starts = this.starts;
    const ends = this.ends;
    // "METHOD PATH PROTOCOL", a response code of 1 to 3 digits (parseEnvoyText's checks).
    let spaces = 0;
    for (let j = starts[1]; j < ends[1]; j++) if (bytes[j] === 32) spaces++;
    if (spaces !== 2) return false;
    const codeLength = ends[2] - starts[2];
    if (codeLength < 1 || codeLength > 3) return false;
    for (let j = starts[2]; j < ends[2]; j++) if (!isDigit(bytes[j])) return false;
    if (!this.readTime(bytes, starts[0], ends[0])) return false;
    // The key: tag, pod, then each deciding field with its length.
    this.begin(TAG);
    if (podStart < 0) this.marker();
    else if (!this.put(bytes, podStart, podEnd)) return false;
    for (const f of KEY_FIELDS) if (!this.put(bytes, starts[f], ends[f])) return false;
    if (!this.putAddress(bytes, starts[REMOTE], ends[REMOTE]) || !this.put(bytes, starts[SNI], ends[SNI])) return false;
    this.end();
    return true;
  }

  /** Starts a key with its tag. */
  public begin(tag: number): void {
    this.length = 0;
    this.hash = 0x811c9dc5;
    this.byte(tag);
  }

  /** Ends the key (its hash as an unsigned number). */
  public end(): void {
    this.hash >>>= 0;
  }

  /** Appends the two bytes that stand for "no prefix: the reader's --pod" (no length is that large). */
  public marker(): void {
    this.byte(255);
    this.byte(255);
  }

  /**
   * Appends the address `bytes[start, end)` without its port when the port is one parseAddress
   * accepts (1 to 5 digits; the caller's ephemeral port decides nothing), with a byte that says so.
   */
  public putAddress(bytes: Uint8Array, start: number, end: number): boolean {
    let colon = end - 1;
    while (colon >= start && bytes[colon] !== 58) colon--;
    let port = colon >= start && end - colon - 1 >= 1 && end - colon - 1 <= 5;
    for (let j = colon + 1; port && j < end; j++) port = isDigit(bytes[j]);
    return this.put(bytes, start, port ? colon : end) && this.byte(port ? 112 : 119);
  }

  /** The bounds of the 22 fields, as `envoy-text.ts` scans them; false when there are not exactly 22 or a quote is open. */
  private fields(bytes: Uint8Array, from: number, end: number): boolean {
    const starts = this.starts;
    const ends = this.ends;
    let count = 0;
    let i = from;
    while (i < end) {
      const c = bytes[i];
      if (c === 32 || c === 9) {
        i++;
        continue;
      }
      if (count === FIELDS) return false;
      if (c === 34 || (c === 91 && count === 0)) {
        const close = c === 34 ? 34 : 93;
        // A quoted value ends at a closing quote followed by a space or the end of the line.
        let j = i + 1;
        while (j < end && (bytes[j] !== close || (j + 1 < end && bytes[j + 1] !== 32))) j++;
        if (j >= end) return false;
        starts[count] = i + 1;
        ends[count] = j;
        i = j + 1;
      } else {
        let j = i;
        while (j < end && bytes[j] !== 32) j++;
        starts[count] = i;
        ends[count] = j;
        i = j;
      }
      count++;
    }
    return count === FIELDS;
  }

  /** `-` (no time) or `YYYY-MM-DDTHH:MM:SS.mmmZ` (Envoy's `%START_TIME%`), which a number gives back exactly: into {@link time}. */
  public readTime(bytes: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if (n === 0 || (n === 1 && bytes[start] === 45)) {
      this.time = NaN;
      return true;
    }
    if (n !== 24 || bytes[start + 4] !== 45 || bytes[start + 7] !== 45 || bytes[start + 10] !== 84 || bytes[start + 13] !== 58
      || bytes[start + 16] !== 58 || bytes[start + 19] !== 46 || bytes[start + 23] !== 90) return false;
    let same = !Number.isNaN(this.dayMs);
    for (let j = 0; same && j < 10; j++) same = this.day[j] === bytes[start + j];
    if (!same && !this.readDay(bytes, start)) return false;
    const h = digits(bytes, start + 11, 2);
    const m = digits(bytes, start + 14, 2);
    const s = digits(bytes, start + 17, 2);
    const ms = digits(bytes, start + 20, 3);
    if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59 || ms < 0) return false;
    this.time = this.dayMs + ((h * 60 + m) * 60 + s) * 1000 + ms;
    return true;
  }

  private readDay(bytes: Uint8Array, start: number): boolean {
    const y = digits(bytes, start, 4);
    const mo = digits(bytes, start + 5, 2);
    const d = digits(bytes, start + 8, 2);
    if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > 31) return false;
    const ms = Date.UTC(y, mo - 1, d);
    const date = new Date(ms);
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return false;
    for (let j = 0; j < 10; j++) this.day[j] = bytes[start + j];
    this.dayMs = ms;
    return true;
  }

  /** Appends a byte; false when the key is full. */
  public byte(b: number): boolean {
    if (this.length >= MAX_KEY) return false;
    this.key[this.length++] = b;
    this.hash = Math.imul(this.hash ^ b, 0x01000193);
    return true;
  }

  /** Appends `bytes[start, end)` with its length (two bytes); false when the key would be too long. */
  public put(bytes: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if (n > 0xfffe || this.length + n + 2 > MAX_KEY) return false;
    this.byte(n >>> 8);
    this.byte(n & 255);
    const key = this.key;
    let at = this.length;
    let h = this.hash;
    for (let j = start; j < end; j++) {
      const b = bytes[j];
      key[at++] = b;
      h = Math.imul(h ^ b, 0x01000193);
    }
    this.length = at;
    this.hash = h;
    return true;
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isPrintable(c: number): boolean {
  return c > 32 && c < 127;
}

/** The number written by `n` ASCII digits at `at`, -1 when one is not a digit. */
function digits(bytes: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let j = at; j < at + n; j++) {
    const c = bytes[j];
    if (c < 48 || c > 57) return -1;
    v = v * 10 + c - 48;
  }
  return v;
}

/**
 * A time string's number when it is Envoy's `YYYY-MM-DDTHH:MM:SS.mmmZ` (which the number gives
 * back exactly, `new Date(ms).toISOString()`), else NaN.
 */
export function isoMillis(time: string | undefined): number {
  if (time === undefined || time.length !== 24 || time.charCodeAt(23) !== 90) return NaN;
  const ms = Date.parse(time);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === time ? ms : NaN;
}
