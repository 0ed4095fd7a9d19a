/**
 * From a recorded entry to the {@link AccessRequest} the destination sidecar decided, and what
 * the log says it decided then.
 *
 * - Caller identity: the peer SPIFFE ID when the format records it (trustmesh format, metrics);
 *   otherwise, on an inbound entry, the service account of the pod at the downstream address when
 *   the connection used Istio mTLS (its SNI is `outbound_.<port>_.<subset>_.<host>`), plaintext
 *   when not; on an outbound entry, the service account of the logging pod (auto mTLS).
 * - Destination: the logging pod (inbound), the pod at the upstream address, or the workload the
 *   upstream cluster's Service selects (outbound); port: the workload port.
 * - Verdict then: see {@link recordedVerdict}.
 *
 * @module
 */
import { InventoryWorkload, Inventory, Lookup } from './inventory';
import { RecordedVerdict, TrafficRecord } from './traffic-record';
import { parseUpstreamCluster, PASSTHROUGH_CLUSTERS, serviceOfHost } from './upstream-cluster';
import { AccessRequest, AccessRequestSource } from '../../semantics/access-request';
import { ServicePort } from '../config/istio-config';

/** A request ready to decide, with readable names for the report. */
export interface ResolvedRequest {
  readonly request: AccessRequest;
  /** `ns/sa`, or `plaintext <ip>`. */
  readonly source: string;
  /** `ns/<workload>:<port>`. */
  readonly destination: string;
  readonly destinationWorkload: InventoryWorkload;
  readonly verdict: RecordedVerdict;
}

/** A resolved request, or why the entry cannot be decided. */
export type Resolution = { readonly resolved: ResolvedRequest } | { readonly unresolved: string };

const NO_DECISION_FLAGS = ['UH', 'UF', 'UO', 'NR', 'URX', 'NC', 'DPE', 'UMSDR', 'NFCF', 'UC', 'LH', 'DC'];

/**
 * What the recorded response says was decided: `denied` for a 403 from Istio's RBAC filter (or
 * seen by the caller's proxy), a 401 from the JWT filter, an external authorizer's `UAEX`, a TCP
 * connection the RBAC network filter closed; `unknown` when the upstream failed before any
 * decision (`UF`, `UH`, `NR`, `URX`, `UC`, `DC` …, or no response); `served` otherwise.
 */
export function recordedVerdict(r: TrafficRecord, direction: 'inbound' | 'outbound' | undefined): RecordedVerdict {
  const flags = r.responseFlags.split(',');
  if (flags.includes('UAEX')) return 'denied';
  const details = r.responseCodeDetails ?? '';
  if (r.protocol === 'TCP') {
    if ((r.connectionTerminationDetails ?? '').startsWith('rbac_access_denied')) return 'denied';
    return flags.some((f) => NO_DECISION_FLAGS.includes(f)) ? 'unknown' : 'served';
  }
  if (details.startsWith('rbac_access_denied') || details.startsWith('jwt_authn_access_denied')) return 'denied';
  // The caller's proxy only sees the status: a 401/403 from the destination's sidecar is `via_upstream` there.
  if ((r.responseCode === 403 || r.responseCode === 401) && (direction === 'outbound' || r.format === 'prometheus')) return 'denied';
  if (r.responseCode === 0 || flags.some((f) => NO_DECISION_FLAGS.includes(f))) return 'unknown';
  return 'served';
}

/** Resolves an entry against the inventory. */
export function resolveRequest(r: TrafficRecord, inventory: Inventory, trustDomain = 'cluster.local'): Resolution {
  const cluster = parseUpstreamCluster(r.upstreamCluster);
  if (r.upstreamCluster !== undefined && PASSTHROUGH_CLUSTERS.includes(r.upstreamCluster)) {
    return { unresolved: `passthrough traffic (${r.upstreamCluster}): the destination is not a service of the mesh` };
  }
  // Without a cluster (a listener entry such as NR filter_chain_not_found), a connection addressed to a pod
  // was logged by that pod's sidecar, inbound; outbound connections are addressed to a Service or outside.
  const direction = r.direction ?? cluster?.direction ?? (r.format === 'prometheus' ? 'inbound' : undefined)
    ?? (r.downstreamLocal && 'found' in inventory.podByIp(r.downstreamLocal.ip) ? 'inbound' : undefined);
  if (direction === undefined) return { unresolved: `upstream cluster ${r.upstreamCluster ?? '-'} says neither inbound nor outbound` };
  const dest = direction === 'inbound' ? inboundDestination(r, inventory) : outboundDestination(r, inventory, cluster?.host, cluster?.port);
  if ('reason' in dest) return { unresolved: `destination: ${dest.reason}` };
  const src = source(r, direction, inventory, trustDomain);
  if ('reason' in src) return { unresolved: `source: ${src.reason}` };
  const { workload, port } = dest.found;
  const request: AccessRequest = {
    protocol: r.protocol,
    source: src.found,
    jwt: r.jwtClaims ? { status: 'valid', claims: r.jwtClaims } : null,
    destination: { namespace: workload.namespace, labels: workload.labels, port },
    ...(r.protocol === 'HTTP' ? {
      method: r.method ?? 'GET',
      path: r.path ?? '/',
      ...(r.authority !== undefined ? { host: r.authority } : {}),
    } : {}),
  };
  return {
    resolved: {
      request,
      source: src.found.principal ? shortPrincipal(src.found.principal) : `plaintext ${src.found.ip}`,
      destination: `${workload.namespace}/${workloadName(workload)}:${port}`,
      destinationWorkload: workload,
      verdict: recordedVerdict(r, direction),
    },
  };
}

/** `cluster.local/ns/shop/sa/web` → `shop/web`. */
export function shortPrincipal(principal: string): string {
  const m = /\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(principal);
  return m ? `${m[1]}/${m[2]}` : principal;
}

/** A workload's readable name: its `app` label, else its name. */
export function workloadName(w: InventoryWorkload): string {
  return w.labels.app ?? w.labels['app.kubernetes.io/name'] ?? w.name;
}

type Destination = Lookup<{ readonly workload: InventoryWorkload; readonly port: number }>;

function inboundDestination(r: TrafficRecord, inventory: Inventory): Destination {
  if (r.format === 'prometheus') return metricsDestination(r, inventory);
  const port = r.downstreamLocal?.port ?? parseUpstreamCluster(r.upstreamCluster)?.port;
  let w: Lookup<InventoryWorkload> | undefined;
  if (r.logPod) w = inventory.podByName(r.logPod.name, r.logPod.namespace ?? r.destinationWorkload?.namespace);
  if ((!w || 'reason' in w) && r.destinationWorkload?.serviceAccount) {
    const bySa = inventory.workloadByServiceAccount(r.destinationWorkload.namespace, r.destinationWorkload.serviceAccount);
    if ('found' in bySa) w = bySa;
  }
  if ((!w || 'reason' in w) && r.downstreamLocal) {
    const byIp = inventory.podByIp(r.downstreamLocal.ip);
    if ('found' in byIp || !w) w = byIp;
  }
  if (!w) return { reason: 'the entry names no pod (use kubectl logs --prefix, or --pod)' };
  if ('reason' in w) return w;
  if (port === undefined) return { reason: 'the entry records no destination port' };
  return { found: { workload: w.found, port } };
}

/** Metrics name the destination Service and workload, not the port: the Service must have one. */
function metricsDestination(r: TrafficRecord, inventory: Inventory): Destination {
  if (!r.destinationService) return { reason: 'the sample has no destination_service_name' };
  const { namespace, name } = r.destinationService;
  const s = inventory.serviceWorkload(namespace, name);
  if ('reason' in s) return s;
  const ports = s.found.service.ports;
  if (ports.length !== 1 || typeof ports[0].targetPort !== 'number') {
    return { reason: `metrics name no port, and Service ${namespace}/${name} has ${ports.length} ports (or a named target port)` };
  }
  return { found: { workload: s.found.workload, port: ports[0].targetPort } };
}

function outboundDestination(r: TrafficRecord, inventory: Inventory, host: string | undefined, servicePort: number | undefined): Destination {
  if (r.upstreamHost) {
    const pod = inventory.podByIp(r.upstreamHost.ip);
    if ('found' in pod) return { found: { workload: pod.found, port: r.upstreamHost.port } };
  }
  const service = host !== undefined ? serviceOfHost(host) : undefined;
  if (!service) {
    return { reason: `upstream host ${r.upstreamHost?.ip ?? '-'} is not a pod of the inventory and cluster ${r.upstreamCluster ?? '-'} names no Service` };
  }
  const s = inventory.serviceWorkload(service.namespace, service.name);
  if ('reason' in s) return s;
  const port = r.upstreamHost?.port ?? targetPortOf(s.found.service.ports, servicePort);
  if (port === undefined) return { reason: `Service ${service.namespace}/${service.name} has no numeric target port for port ${servicePort ?? '-'}` };
  return { found: { workload: s.found.workload, port } };
}

function targetPortOf(ports: readonly ServicePort[], port: number | undefined): number | undefined {
  const p = ports.find((x) => x.port === port);
  return p && typeof p.targetPort === 'number' ? p.targetPort : undefined;
}

function source(r: TrafficRecord, direction: 'inbound' | 'outbound', inventory: Inventory, trustDomain: string): Lookup<AccessRequestSource> {
  const ip = r.downstreamRemote?.ip ?? '0.0.0.0';
  const principal = r.peerUriSan ?? r.sourcePrincipal;
  if (principal !== undefined) return { found: principalSource(principal, ip) };
  if (r.format === 'trustmesh' || r.format === 'prometheus') return { found: { principal: null, namespace: null, ip } };
  if (direction === 'inbound') {
    if (!r.requestedServerName?.startsWith('outbound_.')) return { found: { principal: null, namespace: null, ip } };
    const pod = inventory.podByIp(ip);
    if ('reason' in pod) return { reason: `the caller used mTLS but ${pod.reason}` };
    return { found: podSource(pod.found, ip, trustDomain) };
  }
  const pod = r.logPod ? inventory.podByName(r.logPod.name, r.logPod.namespace) : inventory.podByIp(ip);
  if ('reason' in pod) return pod;
  return { found: podSource(pod.found, ip, trustDomain) };
}

function principalSource(spiffe: string, ip: string): AccessRequestSource {
  const principal = spiffe.replace(/^spiffe:\/\//, '');
  const ns = /\/ns\/([^/]+)\//.exec(principal)?.[1] ?? null;
  return { principal, namespace: ns, ip };
}

function podSource(pod: InventoryWorkload, ip: string, trustDomain: string): AccessRequestSource {
  return { principal: `${trustDomain}/ns/${pod.namespace}/sa/${pod.serviceAccount}`, namespace: pod.namespace, ip };
}
