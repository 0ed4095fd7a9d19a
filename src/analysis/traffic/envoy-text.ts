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
import { field, LogPod, parseAddress, TrafficRecord } from './traffic-record';

/** The number of fields of the default format. */
const FIELDS = 22;

/** Splits a line into `[bracketed]`, `"quoted"` and bare tokens; undefined when a quote or bracket is not closed. */
export function tokenize(line: string): string[] | undefined {
  const tokens: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) { i++; continue; }
    // Only the first field is bracketed ([%START_TIME%]); later brackets are IPv6 addresses.
    if (c === 34 /* " */ || (c === 91 /* [ */ && tokens.length === 0)) {
      const close = c === 34 ? '"' : ']';
      // A quoted value ends at a closing quote followed by a space or the end of the line (user agents may hold quotes).
      let j = line.indexOf(close, i + 1);
      while (j >= 0 && j + 1 < n && line.charCodeAt(j + 1) !== 32) j = line.indexOf(close, j + 1);
      if (j < 0) return undefined;
      tokens.push(line.slice(i + 1, j));
      i = j + 1;
      continue;
    }
    let j = line.indexOf(' ', i);
    if (j < 0) j = n;
    tokens.push(line.slice(i, j));
    i = j;
  }
  return tokens;
}

/** Parses one line of the default TEXT format; a string says why it is not one. `pod`: the logging pod. */
export function parseEnvoyText(line: string, file: string, lineNo: number, pod?: LogPod): TrafficRecord | string {
  const t = tokenize(line);
  if (!t) return 'unclosed quote or bracket';
  if (t.length !== FIELDS) return `expected the ${FIELDS} fields of Istio's default TEXT format, found ${t.length}`;
  const request = t[1].split(' ');
  if (request.length !== 3) return `the request field "${t[1]}" is not "METHOD PATH PROTOCOL"`;
  if (!/^\d{1,3}$/.test(t[2])) return `response code "${t[2]}" is not a number`;
  const method = field(request[0]);
  const path = field(request[1]);
  const tcp = field(request[2]) === undefined && method === undefined;
  // Built field by field (absent fields stay absent): this runs once per log line.
  const r: Mutable<TrafficRecord> = { file, line: lineNo, format: 'text', protocol: tcp ? 'TCP' : 'HTTP', responseCode: Number(t[2]), responseFlags: t[3], raw: line };
  set(r, 'time', field(t[0]));
  set(r, 'method', method);
  set(r, 'path', path);
  set(r, 'authority', field(t[14]));
  set(r, 'responseCodeDetails', field(t[4]));
  set(r, 'connectionTerminationDetails', field(t[5]));
  set(r, 'upstreamHost', parseAddress(t[15]));
  set(r, 'upstreamCluster', field(t[16]));
  set(r, 'downstreamLocal', parseAddress(t[18]));
  set(r, 'downstreamRemote', parseAddress(t[19]));
  set(r, 'requestedServerName', field(t[20]));
  set(r, 'logPod', pod);
  return r;
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
