/**
 * Access-log lines in JSON: Istio's JSON encoding (MeshConfig `accessLogEncoding: JSON`, keys as
 * in Istio's default JSON format — `start_time`, `method`, `path`, `protocol`, `response_code`,
 * `response_flags`, `response_code_details`, `upstream_cluster`, `upstream_host`,
 * `downstream_local_address`, `downstream_remote_address`, `requested_server_name`, …) and the
 * trustmesh format (the same keys plus `trustmesh`, `peer_uri_san`, `pod_name`, `pod_namespace`,
 * `service_account`, `jwt`; see `TRUSTMESH_ACCESS_LOG_LABELS`).
 *
 * @see https://istio.io/latest/docs/tasks/observability/logs/access-log/
 * @module
 */
import { Mutable, opt, set } from './envoy-text';
import { field, LogPod, parseAddress, TrafficRecord } from './traffic-record';

/** Parses one JSON line; a string says why it is not an access-log entry. `pod`: the logging pod unless the entry names it. */
export function parseEnvoyJson(line: string, file: string, lineNo: number, pod?: LogPod): TrafficRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return `not valid JSON (${(e as Error).message})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a JSON line that is not an object';
  const o = value as Record<string, unknown>;
  const code = o.response_code;
  const codeNumber = typeof code === 'number' ? code : typeof code === 'string' && /^\d{1,3}$/.test(code) ? Number(code) : undefined;
  if (codeNumber === undefined) return 'no numeric "response_code": not an Envoy access-log entry';
  if (!('upstream_cluster' in o) && !('downstream_local_address' in o)) {
    return 'neither "upstream_cluster" nor "downstream_local_address": not an Istio access-log entry';
  }
  const trustmesh = o.trustmesh !== undefined;
  const method = field(o.method);
  const protocol = field(o.protocol);
  const podName = field(o.pod_name);
  const podNamespace = field(o.pod_namespace);
  const serviceAccount = field(o.service_account);
  const r: Mutable<TrafficRecord> = {
    file,
    line: lineNo,
    format: trustmesh ? 'trustmesh' : 'json',
    protocol: method === undefined && protocol === undefined ? 'TCP' : 'HTTP',
    responseCode: codeNumber,
    responseFlags: field(o.response_flags) ?? '-',
    raw: line,
  };
  set(r, 'time', field(o.start_time));
  set(r, 'method', method);
  set(r, 'path', field(o.path));
  set(r, 'authority', field(o.authority));
  set(r, 'responseCodeDetails', field(o.response_code_details));
  set(r, 'connectionTerminationDetails', field(o.connection_termination_details));
  set(r, 'upstreamHost', parseAddress(field(o.upstream_host)));
  set(r, 'upstreamCluster', field(o.upstream_cluster));
  set(r, 'downstreamLocal', parseAddress(field(o.downstream_local_address)));
  set(r, 'downstreamRemote', parseAddress(field(o.downstream_remote_address)));
  set(r, 'requestedServerName', field(o.requested_server_name));
  set(r, 'peerUriSan', field(o.peer_uri_san));
  // The entry's own pod (trustmesh format) comes before the prefix's or --pod.
  set(r, 'logPod', podName !== undefined ? { name: podName, ...opt('namespace', podNamespace) } : pod);
  set(r, 'destinationWorkload', trustmesh && podNamespace !== undefined ? { namespace: podNamespace, ...opt('serviceAccount', serviceAccount) } : undefined);
  set(r, 'jwtClaims', jwtClaims(o.jwt));
  return r;
}

/** The JWT filter's metadata is `{ <issuer>: <payload> }` (Istio's `payload_in_metadata`); the first payload. */
function jwtClaims(value: unknown): Readonly<Record<string, unknown>> | undefined {
  let v = value;
  if (typeof v === 'string') {
    if (v === '-' || v === '') return undefined;
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  if (typeof v !== 'object' || v === null) return undefined;
  for (const payload of Object.values(v)) {
    if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) return payload as Record<string, unknown>;
  }
  return undefined;
}
