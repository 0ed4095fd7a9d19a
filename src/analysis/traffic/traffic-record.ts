/**
 * One recorded request (or TCP connection), as read from an access log, whatever its format:
 * the fields replay and learn need, with where it came from.
 *
 * @module
 */

/** Which sidecar wrote the entry: the destination's (`inbound`) or the caller's (`outbound`). */
export type TrafficDirection = 'inbound' | 'outbound';

/** A `host:port` (IPv4, or IPv6 in brackets) split. */
export interface Address {
  readonly ip: string;
  readonly port: number;
}

/** The pod whose proxy wrote the log (`kubectl logs --prefix`, `--pod`, or the trustmesh format). */
export interface LogPod {
  readonly name: string;
  readonly namespace?: string;
}

/** What the recorded response says the mesh decided then. */
export type RecordedVerdict =
  /** The request reached the application (any response it produced). */
  | 'served'
  /** Authorization or authentication refused it (403/401 from RBAC or the JWT filter, a TCP RBAC close). */
  | 'denied'
  /** No decision can be read: the upstream failed or was unreachable (`UF`, `UH`, `NR` …). */
  | 'unknown';

/** One entry. Absent fields were `-` in the log. */
export interface TrafficRecord {
  /** `file:line` of the entry. */
  readonly file: string;
  readonly line: number;
  /** `text`, `json`, `trustmesh` or `prometheus`. */
  readonly format: 'text' | 'json' | 'trustmesh' | 'prometheus';
  readonly time?: string;
  readonly direction?: TrafficDirection;
  readonly protocol: 'HTTP' | 'TCP';
  readonly method?: string;
  readonly path?: string;
  readonly authority?: string;
  /** 0 for TCP and for requests that got no response. */
  readonly responseCode: number;
  /** Envoy response flags, `-` when none. */
  readonly responseFlags: string;
  readonly responseCodeDetails?: string;
  readonly connectionTerminationDetails?: string;
  /** `%UPSTREAM_CLUSTER_RAW%`, e.g. `outbound|8080||payments.shop.svc.cluster.local`. */
  readonly upstreamCluster?: string;
  readonly upstreamHost?: Address;
  readonly downstreamLocal?: Address;
  readonly downstreamRemote?: Address;
  readonly requestedServerName?: string;
  /** `%DOWNSTREAM_PEER_URI_SAN%` (trustmesh format): the caller's SPIFFE ID. */
  readonly peerUriSan?: string;
  readonly logPod?: LogPod;
  /** Destination workload (trustmesh format): namespace, service account, labels. */
  readonly destinationWorkload?: { readonly namespace: string; readonly serviceAccount?: string; readonly labels?: Readonly<Record<string, string>> };
  /** JWT payload the JWT filter verified (trustmesh format, from its dynamic metadata). */
  readonly jwtClaims?: Readonly<Record<string, unknown>>;
  /** Prometheus: the requests this sample stands for. @default 1 */
  readonly count?: number;
  /** Prometheus: source and destination principals and workloads (no address). */
  readonly sourcePrincipal?: string;
  readonly destinationPrincipal?: string;
  readonly destinationService?: { readonly namespace: string; readonly name: string };
  /** The line as read (for the report's example). */
  readonly raw: string;
  /** The entry's shape key when the parser has it (see `shapeKey`). */
  readonly shape?: string;
}

/** A line that could not be read. */
export interface MalformedLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/** Splits `10.0.0.1:8080` or `[fd00::1]:8080`; undefined for `-` or anything else. */
export function parseAddress(value: string | undefined): Address | undefined {
  if (value === undefined || value === '-' || value === '') return undefined;
  const v6 = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(value);
  if (v6) return { ip: v6[1].toLowerCase(), port: Number(v6[2]) };
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(value);
  if (v4) return { ip: v4[1], port: Number(v4[2]) };
  return undefined;
}

/** `-` and empty become undefined. */
export function field(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const s = typeof value === 'string' ? value : String(value);
  return s === '-' || s === '' ? undefined : s;
}
