import * as kplus from 'cdk8s-plus-28';
import { Container, Probe, ResourceRequirements, Volume } from '../../model/pod-types';

/**
 * Converts plain Kubernetes JSON (what the pure renderers return) into the shape cdk8s-plus's L1
 * classes serialize. JSON patches on a cdk8s-plus object are applied *before* its typed
 * `toJson_*` conversion, which reads quantities and int-or-strings through `k8s.Quantity` /
 * `k8s.IntOrString` and silently drops plain strings and numbers there. Only the fields the
 * renderers emit are converted: resource quantities, probe ports and acronym field names.
 */
export function toL1Container(container: Container): Record<string, unknown> {
  const out: Record<string, unknown> = { ...container };
  if (container.resources) out.resources = toL1Resources(container.resources);
  for (const field of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    const probe = container[field];
    if (probe) out[field] = toL1Probe(probe);
  }
  return out;
}

function toL1Resources(resources: ResourceRequirements): Record<string, unknown> {
  const quantities = (values: Readonly<Record<string, string>> | undefined) => values === undefined ? undefined
    : Object.fromEntries(Object.entries(values).map(([k, v]) => [k, kplus.k8s.Quantity.fromString(v)]));
  return { limits: quantities(resources.limits), requests: quantities(resources.requests) };
}

function toL1Probe(probe: Probe): Record<string, unknown> {
  const port = (p: number | string) => typeof p === 'number' ? kplus.k8s.IntOrString.fromNumber(p) : kplus.k8s.IntOrString.fromString(p);
  return {
    ...probe,
    ...(probe.httpGet ? { httpGet: { ...probe.httpGet, port: port(probe.httpGet.port) } } : {}),
    ...(probe.tcpSocket ? { tcpSocket: { ...probe.tcpSocket, port: port(probe.tcpSocket.port) } } : {}),
  };
}

/** A volume in the L1 shape: cdk8s import spells `downwardAPI` as `downwardApi`. */
export function toL1Volume(volume: Volume): Record<string, unknown> {
  const { downwardAPI, ...rest } = volume;
  return downwardAPI ? { ...rest, downwardApi: downwardAPI } : { ...rest };
}
