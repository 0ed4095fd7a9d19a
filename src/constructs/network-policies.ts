import { TrustmeshError } from '../errors';
import { parseIpBlock } from '../model/ip-block';
import { assertDnsLabel } from '../model/names';
import { NetworkPodsSpec, NetworkPolicySettings } from '../render/network/network-policy-plan';

/** Pods by namespace and labels, for {@link MirrorIntentionsOptions}. */
export interface NetworkPodSelection {
  /** The pods' namespace. */
  readonly namespace: string;
  /** The pods' labels (all of them must match). */
  readonly labels: Record<string, string>;
}

/** Options of {@link NetworkPolicies.mirrorIntentions}. */
export interface MirrorIntentionsOptions {
  /**
   * Also deny egress by default: pods may then call only the destinations of their intentions,
   * istiod, the cluster DNS and the external hosts of `allowEgressTo` (through `egressGateway`,
   * or the addresses in `externalIpBlocks`).
   * @default false - egress stays open at L4 (Istio's Sidecar `outboundTrafficPolicy` still applies)
   */
  readonly lockDownEgress?: boolean;
  /**
   * The istiod pods sidecars reach for configuration and certificates (port 15012).
   * @default - `app: istiod` in the mesh's root namespace
   */
  readonly istiod?: NetworkPodSelection;
  /**
   * The cluster DNS pods (port 53, UDP and TCP).
   * @default - `k8s-app: kube-dns` in `kube-system`
   */
  readonly dns?: NetworkPodSelection;
  /**
   * The egress gateway pods external traffic leaves through: with egress locked down, pods may
   * reach them on the ports of every `allowEgressTo` host instead of the hosts themselves.
   * @default - no egress gateway: external hosts are reached at `externalIpBlocks`
   */
  readonly egressGateway?: NetworkPodSelection;
  /**
   * The addresses of external hosts declared with `allowEgressTo`, by host, for egress lock-down
   * without an egress gateway (a NetworkPolicy knows addresses, not host names).
   * @default - none: with egress locked down and no egress gateway, each external host is an error
   */
  readonly externalIpBlocks?: Record<string, string[]>;
  /**
   * Where kubelet probes come from, for CNIs that do not exempt the pod's own node: admitted on
   * the sidecar's probe ports (15020, where the sidecar rewrites application probes, and 15021) of
   * mesh services, and on every port of services without a sidecar.
   * @default - none: Kubernetes lets a node's own traffic reach its pods
   */
  readonly kubeletIpBlocks?: string[];
}

/**
 * Kubernetes NetworkPolicies a mesh emits next to its Istio policy: the coarse L3/L4 outer ring
 * around the AuthorizationPolicies. See docs/network-policies.md.
 *
 * @example new Mesh(app, 'shop', { networkPolicies: NetworkPolicies.mirrorIntentions({ lockDownEgress: true }) })
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class NetworkPolicies {
  /**
   * Mirrors every intention as an L4 allow: per namespace a default deny (ingress, and egress
   * when locked down), per service an allow from the pods of its callers on the intention's ports,
   * and what the mesh itself needs (istiod, DNS, the ingress gateway, probes, external hosts).
   */
  public static mirrorIntentions(options: MirrorIntentionsOptions = {}): NetworkPolicies {
    return new NetworkPolicies(options);
  }

  private constructor(private readonly options: MirrorIntentionsOptions) {
    for (const s of [options.istiod, options.dns, options.egressGateway]) if (s) checkSelection(s);
    for (const blocks of Object.values(options.externalIpBlocks ?? {})) for (const b of blocks) parseIpBlock(b);
    for (const b of options.kubeletIpBlocks ?? []) parseIpBlock(b);
  }

  /** @internal the settings the planner reads, for a mesh with this root namespace. */
  public _settings(rootNamespace: string): NetworkPolicySettings {
    const o = this.options;
    const external: Record<string, readonly string[]> = {};
    for (const [host, blocks] of Object.entries(o.externalIpBlocks ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
      external[host] = [...new Set(blocks.map((b) => parseIpBlock(b).text))].sort();
    }
    return {
      lockDownEgress: o.lockDownEgress ?? false,
      istiod: pods(o.istiod ?? { namespace: rootNamespace, labels: { app: 'istiod' } }),
      istiodPorts: [15012],
      dns: pods(o.dns ?? { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }),
      ...(o.egressGateway ? { egressGateway: pods(o.egressGateway) } : {}),
      externalIpBlocks: external,
      kubeletIpBlocks: [...new Set((o.kubeletIpBlocks ?? []).map((b) => parseIpBlock(b).text))].sort(),
    };
  }
}

function pods(s: NetworkPodSelection): NetworkPodsSpec {
  return { namespace: s.namespace, labels: { ...s.labels } };
}

function checkSelection(s: NetworkPodSelection): void {
  assertDnsLabel(s.namespace, 'NetworkPolicy peer namespace');
  if (Object.keys(s.labels ?? {}).length === 0) {
    throw new TrustmeshError('TM_INVALID_LABEL', `the pods of namespace ${s.namespace} are selected with no labels`, {
      value: JSON.stringify(s.labels ?? {}),
      allowed: 'at least one label, e.g. { app: "istiod" }',
      fix: 'give the labels of exactly the pods meant (an empty selector would admit every pod of the namespace)',
    });
  }
}
