/**
 * Istio's default TEXT access-log format (MeshConfig `accessLogEncoding: TEXT`, no
 * `accessLogFormat`):
 *
 * ```
 * [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE%
 * %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
 * "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
 * %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%"
 * "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW%
 * %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS%
 * %REQUESTED_SERVER_NAME% %ROUTE_NAME%
 * ```
 *
 * Every unset value is `-`; TCP entries have `- - -` for method, path and protocol and response
 * code 0. Envoy replaces whitespace in the details fields with `_`, so they are single tokens.
 *
 * @see https://istio.io/latest/docs/tasks/observability/logs/access-log/#default-access-log-format
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#command-operators
 * @module
 */
import { Address, field, LogPod, parseAddress, TrafficRecord } from './traffic-record';

/** The number of fields of the default format. */
const FIELDS = 22;

/**
 * Scans a line into `[bracketed]`, `"quoted"` and bare tokens, writing the bounds of the first
 * `max` ones; the number of tokens, -1 when a quote or bracket is not closed.
 */
function scan(line: string, starts: Int32Array, ends: Int32Array, max: number): number {
  let count = 0;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) { i++; continue; }
    let start = i;
    let end: number;
    // Only the first field is bracketed ([%START_TIME%]); later brackets are IPv6 addresses.
    if (c === 34 /* " */ || (c === 91 /* [ */ && count === 0)) {
      const close = c === 34 ? '"' : ']';
      // A quoted value ends at a closing quote followed by a space or the end of the line (user agents may hold quotes).
      let j = line.indexOf(close, i + 1);
      while (j >= 0 && j + 1 < n && line.charCodeAt(j + 1) !== 32) j = line.indexOf(close, j + 1);
      if (j < 0) return -1;
      start = i + 1;
      end = j;
      i = j + 1;
    } else {
      end = line.indexOf(' ', i);
      if (end < 0) end = n;
      i = end;
    }
    if (count < max) {
      starts[count] = start;
      ends[count] = end;
    }
    count++;
  }
  return count;
}

/** Splits a line into `[bracketed]`, `"quoted"` and bare tokens; undefined when a quote or bracket is not closed. */
export function tokenize(line: string): string[] | undefined {
  const count = scan(line, EMPTY, EMPTY, 0);
  if (count < 0) return undefined;
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  scan(line, starts, ends, count);
  return Array.from(starts, (start, i) => line.slice(start, ends[i]));
}

const EMPTY = new Int32Array(0);

// The bounds of the line being parsed (parsing is synchronous: one line at a time).
const STARTS = new Int32Array(FIELDS);
const ENDS = new Int32Array(FIELDS);

/**
 * Parses one line of the default TEXT format; a string says why it is not one. `pod`: the logging
 * pod. The line is checked and its time read now; its shape and other fields when first asked for
 * (replay asks only once per shape, and the reader's byte path needs no shape string at all).
 */
export function parseEnvoyText(line: string, file: string, lineNo: number, pod?: LogPod): TrafficRecord | string {
  const count = scan(line, STARTS, ENDS, FIELDS);
  if (count < 0) return 'unclosed quote or bracket';
  if (count !== FIELDS) return `expected the ${FIELDS} fields of Istio's default TEXT format, found ${count}`;
  let spaces = 0;
  for (let i = STARTS[1]; i < ENDS[1]; i++) if (line.charCodeAt(i) === 32) spaces++;
  if (spaces !== 2) return `the request field "${line.slice(STARTS[1], ENDS[1])}" is not "METHOD PATH PROTOCOL"`;
  const codeLength = ENDS[2] - STARTS[2];
  let digits = codeLength >= 1 && codeLength <= 3;
  for (let i = STARTS[2]; digits && i < ENDS[2]; i++) digits = isDigit(line.charCodeAt(i));
  if (!digits) return `response code "${line.slice(STARTS[2], ENDS[2])}" is not a number`;
  return new TextRecord(file, lineNo, line, field(line.slice(STARTS[0], ENDS[0])), pod);
}

/**
 * The shape of a TEXT entry (see `shapeKey`): the logging pod, and the line's text from the request
 * to the connection termination details, from the authority to the upstream cluster, the
 * downstream local address, the caller's address without its port, and the SNI — each with its
 * length. Everything a record of the line holds but its time is a function of these.
 */
function textShape(line: string, pod: LogPod | undefined): string {
  scan(line, STARTS, ENDS, FIELDS);
  // The caller's port is left out only when it is one parseAddress accepts (1 to 5 digits).
  const remoteStart = STARTS[19];
  const remoteEnd = ENDS[19];
  const colon = line.lastIndexOf(':', remoteEnd - 1);
  let port = colon >= remoteStart && remoteEnd - colon - 1 >= 1 && remoteEnd - colon - 1 <= 5;
  for (let i = colon + 1; port && i < remoteEnd; i++) port = isDigit(line.charCodeAt(i));
  const remote = port ? colon : remoteEnd;
  // One concatenation (no intermediate strings): lengths and text of each part.
  return `\u0001T${pod === undefined ? '-' : `${pod.name.length}:${pod.name}${pod.namespace === undefined ? '-' : `${pod.namespace.length}:${pod.namespace}`}`}`
    + `${ENDS[5] - STARTS[1]}:${line.slice(STARTS[1], ENDS[5])}${ENDS[16] - STARTS[14]}:${line.slice(STARTS[14], ENDS[16])}`
    + `${remote - STARTS[18]}:${line.slice(STARTS[18], remote)}${port ? 'p' : 'w'}${ENDS[20] - STARTS[20]}:${line.slice(STARTS[20], ENDS[20])}`;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The fields of a TEXT entry read when first asked for. */
interface TextFields {
  readonly protocol: 'HTTP' | 'TCP';
  readonly method?: string;
  readonly path?: string;
  readonly authority?: string;
  readonly responseCode: number;
  readonly responseFlags: string;
  readonly responseCodeDetails?: string;
  readonly connectionTerminationDetails?: string;
  readonly upstreamHost?: Address;
  readonly upstreamCluster?: string;
  readonly downstreamLocal?: Address;
  readonly downstreamRemote?: Address;
  readonly requestedServerName?: string;
}

/** A checked TEXT entry whose fields are read on first use. */
class TextRecord implements TrafficRecord {
  public readonly format = 'text';
  private fields?: TextFields;
  private shapeKey?: string;

  public constructor(
    public readonly file: string,
    public readonly line: number,
    public readonly raw: string,
    public readonly time: string | undefined,
    public readonly logPod: LogPod | undefined,
  ) {}

  public get shape(): string {
    return this.shapeKey ??= textShape(this.raw, this.logPod);
  }

  private get f(): TextFields {
    return this.fields ??= textFields(this.raw);
  }

  public get protocol(): 'HTTP' | 'TCP' { return this.f.protocol; }
  public get method(): string | undefined { return this.f.method; }
  public get path(): string | undefined { return this.f.path; }
  public get authority(): string | undefined { return this.f.authority; }
  public get responseCode(): number { return this.f.responseCode; }
  public get responseFlags(): string { return this.f.responseFlags; }
  public get responseCodeDetails(): string | undefined { return this.f.responseCodeDetails; }
  public get connectionTerminationDetails(): string | undefined { return this.f.connectionTerminationDetails; }
  public get upstreamHost(): Address | undefined { return this.f.upstreamHost; }
  public get upstreamCluster(): string | undefined { return this.f.upstreamCluster; }
  public get downstreamLocal(): Address | undefined { return this.f.downstreamLocal; }
  public get downstreamRemote(): Address | undefined { return this.f.downstreamRemote; }
  public get requestedServerName(): string | undefined { return this.f.requestedServerName; }
}

/** The fields of a line {@link parseEnvoyText} accepted. */
function textFields(line: string): TextFields {
  scan(line, STARTS, ENDS, FIELDS);
  const t = (i: number): string => line.slice(STARTS[i], ENDS[i]);
  const [method, path, protocol] = t(1).split(' ').map(field);
  return {
    protocol: protocol === undefined && method === undefined ? 'TCP' : 'HTTP',
    method,
    path,
    authority: field(t(14)),
    responseCode: Number(t(2)),
    responseFlags: t(3),
    responseCodeDetails: field(t(4)),
    connectionTerminationDetails: field(t(5)),
    upstreamHost: parseAddress(t(15)),
    upstreamCluster: field(t(16)),
    downstreamLocal: parseAddress(t(18)),
    downstreamRemote: parseAddress(t(19)),
    requestedServerName: field(t(20)),
  };
}

/** A record while it is built. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Sets `record[key]` when the value is defined. */
export function set<K extends keyof TrafficRecord>(record: Mutable<TrafficRecord>, key: K, value: TrafficRecord[K] | undefined): void {
  if (value !== undefined) record[key] = value;
}

/** `{ key: value }` when the value is defined, else `{}`. */
export function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
