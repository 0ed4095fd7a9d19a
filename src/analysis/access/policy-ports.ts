/**
 * Policies apply to every port of a workload, not only the ports it declares: Istio's sidecar
 * enforces AuthorizationPolicies and PeerAuthentication on any inbound port, and the CNI enforces
 * NetworkPolicies on any port. So a column with declared ports (container ports, Service target
 * ports) also gets, as sniffed (`auto`) ports, the numbers its policies name:
 *
 * - AuthorizationPolicy `to.operation.ports` / `notPorts` (and `destination.port` conditions) of
 *   the policies that select it, and the `portLevelMtls` keys of its PeerAuthentication;
 * - NetworkPolicy ports of the ingress rules that select it and of the egress rules whose peers
 *   match it; a range (`port`..`endPort`) by its two ends.
 *
 * The numbers named in any version are added to every version of the column, so that the diff
 * compares both versions on the same ports. A column without declared ports already uses the
 * ports its policies name plus "any other port".
 *
 * @module
 */
import { MatrixDestination } from './destinations';
import { DeclaredPort, policyPortNumbers } from './request-classes';
import { MeshConfig } from '../config/mesh-config';
import { Evaluator } from '../evaluator/evaluate';
import { NetworkLayer } from '../network/network-layer';

/**
 * One column in every version, its declared ports completed with the ports its policies (Istio
 * and NetworkPolicy) name in any version; the column itself when it declares no port or the
 * policies name nothing new.
 */
export function withPolicyNamedPorts(versions: readonly (MatrixDestination | undefined)[], evaluators: readonly Evaluator[],
  layers: readonly NetworkLayer[], mesh: MeshConfig): (MatrixDestination | undefined)[] {
  if (!versions.some((d) => d?.ports !== undefined)) return [...versions];
  const named = new Set<number>();
  versions.forEach((d, v) => {
    if (!d) return;
    for (const port of policyPortNumbers(evaluators[v].policiesFor(d.namespace, d.labels), mesh)) named.add(port);
    if (!layers[v].empty) for (const port of layers[v].portsNamedFor({ namespace: d.namespace, labels: d.labels })) named.add(port);
  });
  return versions.map((d) => {
    if (!d?.ports) return d;
    const declared = new Set(d.ports.map((p) => p.port));
    const extra = [...named].filter((port) => !declared.has(port));
    if (extra.length === 0) return d;
    const ports: DeclaredPort[] = [...d.ports, ...extra.map((port) => ({ port, protocol: 'auto' as const }))].sort((a, b) => a.port - b.port);
    return { ...d, ports };
  });
}
