/**
 * Envoy cluster names as Istio builds them (`%UPSTREAM_CLUSTER_RAW%`):
 * `outbound|<port>|<subset>|<host>` for calls to a service, `inbound|<port>||` (older releases:
 * `inbound|<port>|<name>|<host>`) for calls a sidecar receives, and the passthrough / blackhole
 * clusters for traffic outside the registry.
 *
 * @see https://istio.io/latest/docs/ops/diagnostic-tools/proxy-cmd/
 * @module
 */
import { TrafficDirection } from './traffic-record';

/** A parsed cluster name. */
export interface UpstreamCluster {
  readonly direction: TrafficDirection;
  readonly port: number;
  readonly subset?: string;
  /** Service FQDN for outbound clusters, e.g. `payments.shop.svc.cluster.local`. */
  readonly host?: string;
}

/** The clusters that carry traffic outside the service registry (no destination workload). */
export const PASSTHROUGH_CLUSTERS: readonly string[] = [
  'PassthroughCluster', 'InboundPassthroughCluster', 'InboundPassthroughClusterIpv4', 'InboundPassthroughClusterIpv6', 'BlackHoleCluster',
];

/** Parses an Istio cluster name; undefined for anything else (passthrough, gateway, custom). */
export function parseUpstreamCluster(name: string | undefined): UpstreamCluster | undefined {
  if (name === undefined) return undefined;
  const parts = name.split('|');
  if (parts.length !== 4 || (parts[0] !== 'inbound' && parts[0] !== 'outbound') || !/^\d{1,5}$/.test(parts[1])) return undefined;
  return {
    direction: parts[0],
    port: Number(parts[1]),
    ...(parts[2] !== '' ? { subset: parts[2] } : {}),
    ...(parts[3] !== '' ? { host: parts[3] } : {}),
  };
}

/** `name.namespace.svc.<domain>` (or `name.namespace`) → service name and namespace. */
export function serviceOfHost(host: string): { readonly name: string; readonly namespace: string } | undefined {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.svc(\..+)?)?$/.exec(host);
  return m ? { name: m[1], namespace: m[3] } : undefined;
}
