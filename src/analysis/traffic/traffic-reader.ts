/**
 * Reads recorded traffic files line by line (constant memory: one chunk of the file and the
 * line being parsed at a time; lines end at `\n`, `\r\n` or a lone `\r`, as Node's `readline`
 * splits them), picks each line's format — Istio's default TEXT, Istio JSON, the trustmesh format —
 * strips a `kubectl logs --prefix` prefix (`[pod/<name>/<container>] `), and counts what it
 * cannot read with file and line. A Prometheus query result is read whole (it is an aggregate).
 *
 * @module
 */
import * as fs from 'fs';
import { parseEnvoyJson } from './envoy-json';
import { parseEnvoyText } from './envoy-text';
import { JsonShapeScanner } from './json-shape-bytes';
import { isPrometheusResult, parsePrometheusResult } from './prometheus';
import { shapeKey } from './record-shape';
import { ShapeStore } from './shape-store';
import { isoMillis, TextShapeScanner } from './text-shape-bytes';
import { LogPod, MalformedLine, TrafficRecord } from './traffic-record';
import { TrustmeshError } from '../../errors';
import { readTextFile } from '../../private/fs-read';

/** Options of {@link readTraffic}. */
export interface TrafficReadOptions {
  /** The pod whose proxy wrote lines without a `--prefix` prefix (`namespace/name` or `name`). */
  readonly pod?: LogPod;
  /** Malformed lines kept for the report (all are counted). @default 20 */
  readonly keepMalformed?: number;
}

/** What reading found besides the records. */
export interface TrafficReadSummary {
  readonly files: number;
  readonly lines: number;
  readonly records: number;
  /** Lines that are not access-log entries, by reason (the proxy's own log lines, blank lines, zero samples). */
  readonly skipped: Readonly<Record<string, number>>;
  readonly malformedCount: number;
  /** The first malformed lines, in reading order. */
  readonly malformed: readonly MalformedLine[];
}

const PROXY_LOG = /^\d{4}-\d\d-\d\dT\S+\s+(debug|info|warn|warning|error|critical)\s/;

/**
 * Parses one line (prefix already stripped); a string says why it is not an entry. `pod` is the
 * logging pod of an entry that does not name its own.
 */
export function parseTrafficLine(line: string, file: string, lineNo: number, pod?: LogPod): TrafficRecord | string {
  const c = line.charCodeAt(0);
  if (c === 123 /* { */) return parseEnvoyJson(line, file, lineNo, pod);
  if (c === 91 /* [ */) return parseEnvoyText(line, file, lineNo, pod);
  return 'neither Istio\'s TEXT format (starts with "[time]") nor JSON (starts with "{")';
}

/**
 * Where records go. Logs repeat a few entry shapes (see `record-shape.ts`) millions of times: the
 * reader hands the sink the first record of each shape, keeps what the sink returns for it, and
 * for every later line of that shape passes only that value and the line's time — without
 * building a string or a record for the line when it is in Istio's TEXT format
 * (`text-shape-bytes.ts`).
 */
export interface TrafficSink<V> {
  /**
   * A record of a shape not seen yet (or without a shape: metric samples). Returns what later
   * records of the same shape need, or undefined to be given each of them whole.
   */
  first(record: TrafficRecord): V | undefined;
  /** Another record of a known shape: the value {@link first} returned, its time (ms since the epoch, NaN when none or when not Envoy's ISO form), and its time text when it is not in that form. */
  again(value: V, time: number, timeText: string | undefined): void;
}

/** Shapes (string keys) kept by the full parser's path; the byte path keeps its own. */
const MAX_STRING_SHAPES = 65_536;

/**
 * Streams the records of the files to `sink` (or to a callback, every record whole), in file
 * order then line order.
 *
 * @throws TrustmeshError `TM_FILE_NOT_FOUND` for a file that cannot be opened.
 */
export async function readTraffic<V>(
  files: readonly string[], options: TrafficReadOptions, sink: TrafficSink<V> | ((record: TrafficRecord) => void),
): Promise<TrafficReadSummary> {
  const to: TrafficSink<V> = typeof sink === 'function' ? { first: (r) => { sink(r); return undefined; }, again: () => undefined } : sink;
  const keep = options.keepMalformed ?? 20;
  const malformed: MalformedLine[] = [];
  const skipped: Record<string, number> = {};
  let malformedCount = 0;
  let lines = 0;
  let records = 0;
  const bad = (m: MalformedLine): void => {
    malformedCount++;
    if (malformed.length < keep) malformed.push(m);
  };
  const skip = (reason: string, n = 1): void => {
    skipped[reason] = (skipped[reason] ?? 0) + n;
  };
  // One read's shapes: lines without a prefix are the same --pod's.
  const shapes = new ShapeStore<V>();
  const stringShapes = new Map<string, V>();
  const scanner = new TextShapeScanner();
  scanner.json = new JsonShapeScanner(scanner);
  for (const file of files) {
    const first = await firstLine(file);
    if (isPrometheusResult(first)) {
      const text = readTextFile(file, 'cannot read the traffic file');
      lines += text.split('\n').length;
      const result = parsePrometheusResult(text, file);
      result.malformed.forEach(bad);
      if (result.skipped > 0) skip('Prometheus samples (zero, or reported by the source as well as the destination)', result.skipped);
      for (const r of result.records) {
        records++;
        to.first(r);
      }
      continue;
    }
    let lineNo = 0;
    /** The full parser's path; `byteKey`: the line's byte key is in the scanner, to keep with the shape. */
    const onLine = (raw: string, byteKey: boolean): void => {
      let line = raw;
      let pod = options.pod;
      const prefixEnd = podPrefixEnd(line);
      if (prefixEnd > 0) {
        pod = { name: line.slice(5, line.indexOf('/', 5)) };
        line = line.slice(prefixEnd);
      }
      const c = line.charCodeAt(0);
      // Entries start with `[` or `{`: only other lines can be blank or the proxy's own.
      if (c !== 91 && c !== 123) {
        if (line.trim() === '') return skip('blank lines');
        if (c >= 48 && c <= 57 && PROXY_LOG.test(line)) return skip('the proxy\'s own log lines (not access-log entries)');
      }
      const r = parseTrafficLine(line, file, lineNo, pod);
      if (typeof r === 'string') return bad({ file, line: lineNo, reason: r });
      records++;
      if (byteKey) {
        const value = to.first(r);
        if (value !== undefined) shapes.set(scanner.key, scanner.length, scanner.hash, value);
        return;
      }
      const key = shapeKey(r);
      const known = key === undefined ? undefined : stringShapes.get(key);
      if (known !== undefined) {
        const time = isoMillis(r.time);
        return to.again(known, time, Number.isNaN(time) ? r.time : undefined);
      }
      const value = to.first(r);
      if (value !== undefined && key !== undefined) {
        if (stringShapes.size >= MAX_STRING_SHAPES) stringShapes.clear();
        stringShapes.set(key, value);
      }
    };
    const onBytes = (bytes: Buffer, start: number, end: number): void => {
      lineNo++;
      if (scanner.scan(bytes, start, end)) {
        const known = shapes.get(scanner.key, scanner.length, scanner.hash);
        if (known !== undefined) {
          records++;
          return to.again(known, scanner.time, undefined);
        }
        return onLine(bytes.toString('utf8', start, end), true);
      }
      onLine(bytes.toString('utf8', start, end), false);
    };
    await forEachLine(file, onBytes, (line) => {
      lineNo++;
      onLine(line, false);
    });
    lines += lineNo;
  }
  return { files: files.length, lines, records, skipped, malformedCount, malformed };
}

/**
 * The end of a `kubectl logs --prefix` prefix (`[pod/<name>/<container>] `) at the start of the
 * line, 0 when there is none: the name holds no `/`, `]` or white space, the container no `]` or
 * white space.
 */
export function podPrefixEnd(line: string): number {
  if (!line.startsWith('[pod/')) return 0;
  const n = line.length;
  let i = 5;
  while (i < n && !isSpace(line.charCodeAt(i)) && line.charCodeAt(i) !== 47 /* / */ && line.charCodeAt(i) !== 93 /* ] */) i++;
  if (i === 5 || i >= n || line.charCodeAt(i) !== 47) return 0;
  const container = ++i;
  while (i < n && !isSpace(line.charCodeAt(i)) && line.charCodeAt(i) !== 93) i++;
  if (i === container || i + 1 >= n || line.charCodeAt(i) !== 93 || line.charCodeAt(i + 1) !== 32) return 0;
  return i + 2;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(String.fromCharCode(c)));
}

/**
 * Calls `onBytes` (most lines: the chunk and the line's bounds, without its line end) or `onLine`
 * (lines split at a `\r`, and the last line: decoded) with every line of the file, in order. Lines
 * are split on the bytes (a line end never falls inside a UTF-8 sequence); a line decoded is
 * decoded on its own, so a value kept from it (a group's example) keeps that line alive, never
 * the whole chunk it was read in.
 */
async function forEachLine(
  file: string, onBytes: (bytes: Buffer, start: number, end: number) => void, onLine: (line: string) => void,
): Promise<void> {
  const handle = await openTraffic(file);
  try {
    // One buffer for the whole file (no chunk allocated per read: a 3 GB log would make the
    // collector chase external memory): each read fills it after the unfinished line it keeps.
    let buffer = Buffer.allocUnsafe(1024 * 1024);
    let kept = 0;
    for (;;) {
      if (kept === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, kept);
        buffer = bigger;
      }
      let read: number;
      try {
        read = (await handle.read(buffer, kept, buffer.length - kept, null)).bytesRead;
      } catch (e) {
        throw openError(file, e);
      }
      if (read === 0) break;
      const bytes = buffer.subarray(0, kept + read);
      let start = 0;
      // The next \r at or after `start` (-1: none in the chunk): most logs have none, so it is searched rarely.
      let cr = bytes.indexOf(13);
      let nl = bytes.indexOf(10);
      while (nl >= 0) {
        if (cr >= 0 && cr < nl) {
          emitSplitAtCr(bytes, start, nl, onLine);
          cr = bytes.indexOf(13, nl + 1);
        } else {
          onBytes(bytes, start, nl);
        }
        start = nl + 1;
        nl = bytes.indexOf(10, start);
      }
      buffer.copyWithin(0, start, bytes.length);
      kept = bytes.length - start;
    }
    if (kept === 0) return;
    const rest = buffer.subarray(0, kept);
    const end = rest[rest.length - 1] === 13 ? rest.length - 1 : rest.length;
    const cr = rest.indexOf(13);
    if (cr >= 0 && cr < end) emitSplitAtCr(rest, 0, end, onLine);
    else onLine(rest.toString('utf8', 0, end));
  } finally {
    await handle.close();
  }
}

/** Emits the lines of `bytes[start, end)` split at every \r (a \r just before `end` ends the last one). */
function emitSplitAtCr(bytes: Buffer, start: number, end: number, onLine: (line: string) => void): void {
  let s = start;
  let cr = bytes.indexOf(13, s);
  while (cr >= 0 && cr < end) {
    onLine(bytes.toString('utf8', s, cr));
    s = cr + 1;
    if (s === end) return;
    cr = bytes.indexOf(13, s);
  }
  onLine(bytes.toString('utf8', s, end));
}

/** Opens a traffic file for reading; a coded error names the file when it cannot be opened. */
async function openTraffic(file: string): Promise<fs.promises.FileHandle> {
  try {
    return await fs.promises.open(file, 'r');
  } catch (e) {
    throw openError(file, e);
  }
}

async function firstLine(file: string): Promise<string> {
  const handle = await openTraffic(file);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new TrustmeshError('TM_INPUT_NOT_A_FILE', 'the traffic file is not a regular file', { location: { file }, fix: 'Pass an access-log file (kubectl logs … > file) or a Prometheus query result.' });
    }
    const buffer = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buffer, 0, 256, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').split('\n')[0];
  } finally {
    await handle.close();
  }
}

function openError(file: string, e: unknown): TrustmeshError {
  return new TrustmeshError('TM_FILE_NOT_FOUND', 'cannot read the traffic file', {
    location: { file }, fix: 'Pass an access-log file (kubectl logs --prefix … > file) or a Prometheus query result as JSON.', cause: e,
  });
}

/** `namespace/name` or `name` → a {@link LogPod}. */
export function parseLogPod(value: string): LogPod {
  const parts = value.split('/');
  if (parts.length > 2 || parts.some((p) => !/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(p))) {
    throw new TrustmeshError('TM_OPTION_INVALID', 'option --pod is not a pod name', {
      value, allowed: '<namespace>/<pod> or <pod>', fix: 'Name the pod whose proxy wrote the log, e.g. --pod shop/payments-7d9f8-x2x4k.', callerLocation: false,
    });
  }
  return parts.length === 2 ? { namespace: parts[0], name: parts[1] } : { name: parts[0] };
}
