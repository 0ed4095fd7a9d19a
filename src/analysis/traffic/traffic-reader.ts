/**
 * Reads recorded traffic files line by line (constant memory: one line at a time through
 * `readline`), picks each line's format — Istio's default TEXT, Istio JSON, the trustmesh format —
 * strips a `kubectl logs --prefix` prefix (`[pod/<name>/<container>] `), and counts what it
 * cannot read with file and line. A Prometheus query result is read whole (it is an aggregate).
 *
 * @module
 */
import * as fs from 'fs';
import * as readline from 'readline';
import { parseEnvoyJson } from './envoy-json';
import { parseEnvoyText } from './envoy-text';
import { isPrometheusResult, parsePrometheusResult } from './prometheus';
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

const PREFIX = /^\[pod\/([^/\]\s]+)\/([^\]\s]+)\] /;
const PROXY_LOG = /^\d{4}-\d\d-\d\dT\S+\s+(debug|info|warn|warning|error|critical)\s/;

/** Parses one line (prefix already stripped); a string says why it is not an entry. */
export function parseTrafficLine(line: string, file: string, lineNo: number): TrafficRecord | string {
  const c = line.charCodeAt(0);
  if (c === 123 /* { */) return parseEnvoyJson(line, file, lineNo);
  if (c === 91 /* [ */) return parseEnvoyText(line, file, lineNo);
  return 'neither Istio\'s TEXT format (starts with "[time]") nor JSON (starts with "{")';
}

/**
 * Streams the records of the files to `onRecord`, in file order then line order.
 *
 * @throws TrustmeshError `TM_FILE_NOT_FOUND` for a file that cannot be opened.
 */
export async function readTraffic(
  files: readonly string[], options: TrafficReadOptions, onRecord: (record: TrafficRecord) => void,
): Promise<TrafficReadSummary> {
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
        onRecord(r);
      }
      continue;
    }
    let lineNo = 0;
    const input = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
    const rl = readline.createInterface({ input, crlfDelay: Infinity });
    await new Promise<void>((resolve, reject) => {
      input.on('error', (e) => reject(openError(file, e)));
      rl.on('line', (raw) => {
        lineNo++;
        let line = raw;
        let pod = options.pod;
        const prefix = PREFIX.exec(line);
        if (prefix) {
          pod = { name: prefix[1] };
          line = line.slice(prefix[0].length);
        }
        if (line.trim() === '') return skip('blank lines');
        if (PROXY_LOG.test(line)) return skip('the proxy\'s own log lines (not access-log entries)');
        const r = parseTrafficLine(line, file, lineNo);
        if (typeof r === 'string') return bad({ file, line: lineNo, reason: r });
        records++;
        onRecord(pod && !r.logPod ? { ...r, logPod: pod } : r);
      });
      rl.on('close', () => resolve());
    });
    lines += lineNo;
  }
  return { files: files.length, lines, records, skipped, malformedCount, malformed };
}

async function firstLine(file: string): Promise<string> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (e) {
    throw openError(file, e);
  }
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
