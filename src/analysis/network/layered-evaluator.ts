/**
 * A request decided through both layers, as the packets meet them: the Kubernetes NetworkPolicy
 * verdict on the connection first (L3/L4: the source pod's egress, the destination pod's
 * ingress), then the Istio decision of the destination's sidecar. A connection the NetworkPolicy
 * layer refuses never reaches the sidecar: the outcome is `DENY_CONN`, decided by the
 * NetworkPolicy, and the explanation names it (`denied by NetworkPolicy shop/default-deny (no
 * ingress rule admits port 5432)`).
 *
 * The request names the source by its mesh identity, so the source pod is the workload of the
 * config running as that service account in that namespace (every such workload is checked; the
 * connection is refused when one of them is refused). Without such a workload — or for a plaintext
 * client — the source is a pod of `source.namespace` with no known labels, or only an address.
 * The destination pod is the request's namespace and labels, with the container ports of the
 * workload those labels select (for named ports).
 *
 * Before both, the source's sidecar: when the request names a host (`host` for HTTP, `sni` for
 * TCP) and the source pod's Sidecar is REGISTRY_ONLY, a host outside the service registry (or not
 * in the Sidecar's `egress.hosts`) is refused at the source (`DENY_CONN`, decided by the Sidecar);
 * see `sidecar-egress.ts`.
 *
 * Input without NetworkPolicies and without REGISTRY_ONLY is decided by the Istio evaluator alone, unchanged.
 *
 * @module
 */
import { NetworkConnection, NetworkDecision, NetworkLayer, NetworkPod } from './network-layer';
import { OutboundLayer } from './sidecar-egress';
import { AccessDecision, AccessRequest } from '../../semantics/access-request';
import { selectorMatches } from '../../semantics/labels';
import { parseCanonicalPrincipal, principalNamespace } from '../../semantics/principal';
import { Workload } from '../config/istio-config';
import { Evaluator } from '../evaluator/evaluate';

/** Decides requests through the NetworkPolicy layer, then Istio. */
export interface LayeredEvaluator {
  readonly network: NetworkLayer;
  readonly istio: Evaluator;
  evaluate(request: AccessRequest): AccessDecision;
  /** The NetworkPolicy verdict alone (one per candidate source pod, the first refusal first). */
  decideNetwork(request: AccessRequest): NetworkDecision;
}

/** Wraps an Istio evaluator with the NetworkPolicy layer of the same config. */
export function layeredEvaluator(istio: Evaluator, network: NetworkLayer = NetworkLayer.fromConfig(istio.context.config),
  outbound: OutboundLayer = OutboundLayer.fromConfig(istio.context.config, istio.meshConfig)): LayeredEvaluator {
  // (NetworkLayer.fromConfig throws TM_CONFIG_INVALID for an invalid NetworkPolicy; pass a layer built with allowInvalidConfig to skip them.)
  const workloads = istio.context.config.workloads;
  const bySa = new Map<string, Workload[]>();
  for (const w of workloads) {
    const key = `${w.metadata.namespace}/${w.serviceAccountName}`;
    bySa.set(key, [...(bySa.get(key) ?? []), w]);
  }
  const decideNetwork = (request: AccessRequest): NetworkDecision => {
    const destination = destinationPod(request, workloads);
    let first: NetworkDecision | undefined;
    for (const source of sourcePods(request, bySa)) {
      const connection: NetworkConnection = {
        source: { ...(source ? { pod: source } : {}), ip: request.source.ip },
        destination: { pod: destination, ...(request.destination.ip ? { ip: request.destination.ip } : {}) },
        port: request.destination.port,
        protocol: 'TCP',
      };
      const d = network.decide(connection);
      if (!d.allowed) return d;
      first = first ?? d;
    }
    return first!;
  };
  return {
    network,
    istio,
    decideNetwork,
    evaluate(request: AccessRequest): AccessDecision {
      if (network.empty && outbound.empty) return istio.evaluate(request);
      const refusedOutbound = outboundRefusal(request, outbound, bySa);
      if (refusedOutbound) return refusedOutbound;
      if (network.empty) return istio.evaluate(request);
      const l4 = decideNetwork(request);
      const verdict = { allowed: l4.allowed, explanation: l4.explanation };
      if (l4.allowed) return { ...istio.evaluate(request), network: verdict };
      const refusing = l4.egress.allowed ? l4.ingress : l4.egress;
      return {
        outcome: 'DENY_CONN',
        allowed: false,
        decidedBy: refusing.policies.map((name) => {
          const slash = name.indexOf('/');
          return {
            kind: 'NetworkPolicy' as const,
            namespace: name.slice(0, slash),
            name: name.slice(slash + 1),
            action: refusing.direction === 'ingress' ? 'Ingress' : 'Egress',
            rule: null,
          };
        }),
        explanation: l4.explanation,
        network: verdict,
      };
    },
  };
}

/** A refusal by the source's sidecar (REGISTRY_ONLY) of the host the request names, if any. */
function outboundRefusal(request: AccessRequest, outbound: OutboundLayer,
  bySa: ReadonlyMap<string, readonly Workload[]>): AccessDecision | undefined {
  if (outbound.empty) return undefined;
  const named = request.protocol === 'HTTP' ? request.host : request.sni;
  if (!named) return undefined;
  const host = named.replace(/:\d+$/, '');
  for (const pod of sourcePods(request, bySa)) {
    if (!pod) continue;
    const v = outbound.decide(pod, host);
    if (v.allowed) continue;
    const slash = v.sidecar?.indexOf('/') ?? -1;
    const [namespace, name] = v.sidecar ? [v.sidecar.slice(0, slash), v.sidecar.slice(slash + 1)] : ['', 'MeshConfig'];
    return {
      outcome: 'DENY_CONN',
      allowed: false,
      decidedBy: [{ kind: 'Sidecar', namespace, name, action: 'REGISTRY_ONLY', rule: null }],
      explanation: v.explanation,
    };
  }
  return undefined;
}

/** The destination pod: the request's namespace and labels, with the selected workload's ports. */
function destinationPod(request: AccessRequest, workloads: readonly Workload[]): NetworkPod {
  const { namespace, labels } = request.destination;
  const w = workloads.find((x) => x.metadata.namespace === namespace && Object.keys(x.podLabels).length > 0
    && selectorMatches(x.podLabels, labels));
  return { namespace, labels, ...(w ? { ports: w.ports } : {}) };
}

/** The candidate source pods; `undefined` stands for "an address, not a pod we know of". */
function sourcePods(request: AccessRequest, bySa: ReadonlyMap<string, readonly Workload[]>): readonly (NetworkPod | undefined)[] {
  const principal = request.source.principal === null ? undefined : parseCanonicalPrincipal(request.source.principal);
  const namespace = principal?.namespace
    ?? (request.source.principal === null ? undefined : principalNamespace(request.source.principal))
    ?? request.source.namespace ?? undefined;
  if (principal) {
    const ws = bySa.get(`${principal.namespace}/${principal.serviceAccount}`) ?? [];
    if (ws.length > 0) return ws.map((w) => ({ namespace: w.metadata.namespace, labels: w.podLabels, ports: w.ports }));
  }
  return [namespace ? { namespace, labels: {} } : undefined];
}
