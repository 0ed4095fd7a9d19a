/**
 * The shape of a recorded entry: every field that decides how replay and learn resolve and judge
 * it, and none that only varies from request to request (time, request ID, byte counts, the
 * caller's ephemeral port, where it was read). Logs repeat a few shapes millions of times, so
 * what follows from a shape is worked out once.
 *
 * @module
 */
import { Address, TrafficRecord } from './traffic-record';

/**
 * A string that two entries share exactly when their shapes are equal. Each string field is
 * written with its length (`5:/api/`), absent ones as `-`, so no value can be mistaken for a
 * separator. Metric samples (`count`, principals, the destination Service) are not access-log
 * shapes: undefined for them.
 */
export function shapeKey(r: TrafficRecord): string | undefined {
  if (r.format === 'prometheus') return undefined;
  if (r.shape !== undefined) return r.shape;
  const pod = r.logPod;
  const w = r.destinationWorkload;
  return r.format + r.protocol + (r.direction ?? '') + ' ' + r.responseCode + ' '
    + s(r.method) + s(r.path) + s(r.authority) + s(r.responseFlags) + s(r.responseCodeDetails) + s(r.connectionTerminationDetails)
    + s(r.upstreamCluster) + address(r.upstreamHost) + address(r.downstreamLocal) + s(r.downstreamRemote?.ip)
    + s(r.requestedServerName) + s(r.peerUriSan) + s(pod?.name) + s(pod?.namespace)
    + (w === undefined ? '-' : `w${s(w.namespace)}${s(w.serviceAccount)}${s(w.labels && JSON.stringify(w.labels))}`)
    + s(r.jwtClaims && JSON.stringify(r.jwtClaims));
}

function s(value: string | undefined): string {
  return value === undefined ? '-' : `${value.length}:${value}`;
}

function address(a: Address | undefined): string {
  return a === undefined ? '-' : `${a.ip.length}:${a.ip}${a.port}:`;
}
