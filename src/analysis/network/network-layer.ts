/**
 * The Kubernetes NetworkPolicy layer: one L3/L4 connection decided as the
 * [NetworkPolicy page](https://kubernetes.io/docs/concepts/services-networking/network-policies/)
 * describes it.
 *
 * - A pod is isolated for ingress (egress) when some NetworkPolicy of its namespace selects it and
 *   has `Ingress` (`Egress`) in its `policyTypes`; a pod no such policy selects allows everything
 *   in that direction ("no policy selects the pod = allowed").
 * - A connection is allowed when the source's egress **and** the destination's ingress allow it.
 *   An isolated direction allows what the union of its policies' rules admits; rules are
 *   additive, there is no deny rule.
 * - A rule admits a connection when one of its peers matches the other end (none listed: any
 *   peer) and one of its ports matches the destination port (none listed: any port).
 * - Peers: `podSelector` alone selects pods of the policy's namespace; `namespaceSelector` alone
 *   every pod of the namespaces it selects (by the Namespace's labels, which always include
 *   `kubernetes.io/metadata.name`); both together the selected pods of the selected namespaces;
 *   `ipBlock` the addresses in `cidr` outside every `except`, compared with the other end's `ip`.
 * - Ports: number and protocol (default TCP); `endPort` makes a range; a named port is resolved
 *   against the destination pod's container ports (same name and protocol).
 *
 * The source or destination may be a pod (namespace and labels), an address, or both; a policy
 * applies only to pods, so an address-only end has no NetworkPolicy of its own.
 *
 * @module
 */
import { formatLabelSelector, isEverything, LabelSelector, labelSelectorMatches } from './label-selector';
import {
  NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyResource, NetworkPolicyRule, NetworkProtocol, PolicyType, readNetworkPolicies,
} from './network-policy';
import { Diagnostic, TrustmeshAggregateError, TrustmeshError } from '../../errors';
import { cidrContains, IpAddress, parseIp } from '../../semantics/ip-match';
import { formatLabels } from '../../semantics/labels';
import { IstioConfig } from '../config/istio-config';

/** The label every namespace carries with its own name (Kubernetes ≥ 1.21). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A container port of a pod, for named ports. */
export interface NetworkPodPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: string;
}

/** A pod as the NetworkPolicy layer sees it. */
export interface NetworkPod {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Container ports (named ports resolve against them); unknown when omitted. */
  readonly ports?: readonly NetworkPodPort[];
}

/** One end of a connection: a pod, an address, or a pod with its address. */
export interface NetworkEndpoint {
  readonly pod?: NetworkPod;
  readonly ip?: string;
}

/** One L4 connection. */
export interface NetworkConnection {
  readonly source: NetworkEndpoint;
  readonly destination: NetworkEndpoint;
  /** Destination port. */
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: NetworkProtocol;
}

const LAYERS = new WeakMap<IstioConfig, NetworkLayer>();

/** A policy reference, `namespace/name`. */
export type NetworkPolicyName = string;

/** The verdict of one direction: the source's egress or the destination's ingress. */
export interface DirectionVerdict {
  readonly direction: 'ingress' | 'egress';
  /** True when some policy selects the pod for this direction. */
  readonly isolated: boolean;
  readonly allowed: boolean;
  /** The isolating policies, sorted. */
  readonly policies: readonly NetworkPolicyName[];
  /** The first policy and rule (in sorted order) that admits the connection. */
  readonly admittedBy?: { readonly policy: NetworkPolicyName; readonly rule: number };
  /** Why it is allowed or denied, e.g. `no ingress rule admits port 5432`. */
  readonly reason: string;
}

/** The NetworkPolicy verdict on a connection. */
export interface NetworkDecision {
  readonly allowed: boolean;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
  /** `denied by NetworkPolicy shop/default-deny (no ingress rule admits port 5432)`, … */
  readonly explanation: string;
}

/** The NetworkPolicies of one config, indexed by namespace, with the namespaces' labels. */
export class NetworkLayer {
  /**
   * Builds the layer of a loaded config (its NetworkPolicies and Namespace objects).
   *
   * @throws TrustmeshAggregateError `TM_CONFIG_INVALID` when a NetworkPolicy is invalid, unless
   *   `allowInvalidConfig` (then the invalid ones are left out, reported in `diagnostics`).
   */
  public static fromConfig(config: IstioConfig, options: { readonly allowInvalidConfig?: boolean } = {}): NetworkLayer {
    // One layer per loaded config: the matrix and the request space's policy-named ports share it.
    let layer = LAYERS.get(config);
    if (!layer) {
      const { policies, diagnostics } = readNetworkPolicies(config);
      const namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
      for (const ns of config.namespaces) namespaceLabels.set(ns.metadata.name, ns.metadata.labels);
      layer = new NetworkLayer(policies, namespaceLabels, diagnostics);
      LAYERS.set(config, layer);
    }
    if (!options.allowInvalidConfig) {
      const errors = layer.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0) {
        throw new TrustmeshAggregateError('TM_CONFIG_INVALID', `${errors.length} invalid NetworkPolic${errors.length === 1 ? 'y' : 'ies'} in the policies`,
          errors.map((d) => TrustmeshError.fromDiagnostic(d)));
      }
    }
    return layer;
  }

  private readonly byNamespace = new Map<string, NetworkPolicyResource[]>();
  private readonly selected = new Map<string, readonly NetworkPolicyResource[]>();
  private egressPorts?: ReadonlyMap<number, readonly { policy: NetworkPolicyResource; rule: NetworkPolicyRule }[]>;

  public constructor(
    /** The valid policies. */
    public readonly policies: readonly NetworkPolicyResource[],
    private readonly namespaceLabelMap: ReadonlyMap<string, Readonly<Record<string, string>>> = new Map(),
    /** Problems found reading them (invalid policies are left out). */
    public readonly diagnostics: readonly Diagnostic[] = [],
  ) {
    const sorted = [...policies].sort((a, b) => compare(policyName(a), policyName(b)));
    for (const p of sorted) {
      const list = this.byNamespace.get(p.metadata.namespace) ?? [];
      list.push(p);
      this.byNamespace.set(p.metadata.namespace, list);
    }
  }

  /** True when the config has no NetworkPolicy: every connection is allowed at L4. */
  public get empty(): boolean {
    return this.policies.length === 0;
  }

  /** A namespace's labels: its Namespace object's, plus `kubernetes.io/metadata.name`. */
  public namespaceLabels(namespace: string): Readonly<Record<string, string>> {
    return { ...this.namespaceLabelMap.get(namespace), [NAMESPACE_NAME_LABEL]: namespace };
  }

  /** The policies that select the pod for a direction, sorted by `namespace/name`. */
  public policiesFor(pod: NetworkPod, type: PolicyType): readonly NetworkPolicyResource[] {
    const inNamespace = this.byNamespace.get(pod.namespace);
    if (!inNamespace) return [];
    const key = `${type}|${pod.namespace}|${formatLabels(pod.labels)}`;
    let found = this.selected.get(key);
    if (!found) {
      found = inNamespace.filter((p) => p.policyTypes.includes(type) && labelSelectorMatches(p.podSelector, pod.labels));
      this.selected.set(key, found);
    }
    return found;
  }

  /**
   * The TCP port numbers the NetworkPolicies name for connections to this pod: the ports of the
   * ingress rules of the policies that select it, and of the egress rules (of any policy) whose
   * peers match it. A range counts by its two ends (`port` and `endPort`); a named port is one of
   * the pod's container ports, declared already, so it adds nothing. Sorted.
   */
  public portsNamedFor(pod: NetworkPod): number[] {
    const out = new Set<number>();
    const add = (rule: NetworkPolicyRule): void => {
      for (const p of rule.ports ?? []) {
        if (p.protocol !== 'TCP' || typeof p.port !== 'number') continue;
        out.add(p.port);
        if (p.endPort !== undefined) out.add(p.endPort);
      }
    };
    for (const p of this.policiesFor(pod, 'Ingress')) for (const r of p.ingress) add(r);
    for (const [port, rules] of this.egressPortIndex()) {
      if (out.has(port)) continue;
      if (rules.some(({ policy, rule }) => this.peersMatch(rule, policy, { pod }))) out.add(port);
    }
    return [...out].sort((a, b) => a - b);
  }

  /** Egress rules by each TCP port number they name (range ends included), built on first use. */
  private egressPortIndex(): ReadonlyMap<number, readonly { policy: NetworkPolicyResource; rule: NetworkPolicyRule }[]> {
    if (this.egressPorts) return this.egressPorts;
    const index = new Map<number, { policy: NetworkPolicyResource; rule: NetworkPolicyRule }[]>();
    for (const policy of this.policies) {
      if (!policy.policyTypes.includes('Egress')) continue;
      for (const rule of policy.egress) {
        for (const p of rule.ports ?? []) {
          if (p.protocol !== 'TCP' || typeof p.port !== 'number') continue;
          for (const port of p.endPort === undefined ? [p.port] : [p.port, p.endPort]) {
            const list = index.get(port) ?? [];
            if (!list.some((e) => e.rule === rule)) list.push({ policy, rule });
            index.set(port, list);
          }
        }
      }
    }
    this.egressPorts = index;
    return index;
  }

  /** Decides a connection: the source's egress, then the destination's ingress. */
  public decide(connection: NetworkConnection): NetworkDecision {
    const egress = this.direction(connection, 'egress');
    const ingress = this.direction(connection, 'ingress');
    const allowed = egress.allowed && ingress.allowed;
    return { allowed, egress, ingress, explanation: explain(egress, ingress) };
  }

  private direction(connection: NetworkConnection, direction: 'ingress' | 'egress'): DirectionVerdict {
    const self = direction === 'ingress' ? connection.destination : connection.source;
    const other = direction === 'ingress' ? connection.source : connection.destination;
    const protocol = connection.protocol ?? 'TCP';
    const where = `port ${connection.port}${protocol === 'TCP' ? '' : `/${protocol}`}`;
    if (!self.pod) {
      return { direction, isolated: false, allowed: true, policies: [], reason: `the ${direction === 'ingress' ? 'destination' : 'source'} is not a pod` };
    }
    const policies = this.policiesFor(self.pod, direction === 'ingress' ? 'Ingress' : 'Egress');
    if (policies.length === 0) {
      return { direction, isolated: false, allowed: true, policies: [], reason: `no NetworkPolicy selects the ${direction === 'ingress' ? 'destination' : 'source'} pod for ${direction}` };
    }
    const names = policies.map(policyName);
    let portMatched = false;
    for (const p of policies) {
      const rules = direction === 'ingress' ? p.ingress : p.egress;
      for (let i = 0; i < rules.length; i++) {
        if (!this.portsMatch(rules[i], connection, protocol)) continue;
        portMatched = true;
        if (this.peersMatch(rules[i], p, other)) {
          return { direction, isolated: true, allowed: true, policies: names, admittedBy: { policy: policyName(p), rule: i }, reason: `${direction} rule ${i} admits it` };
        }
      }
    }
    const reason = portMatched
      ? `no ${direction} rule admits ${direction === 'ingress' ? 'the source' : 'the destination'} ${describeEndpoint(other)} on ${where}`
      : `no ${direction} rule admits ${where}`;
    return { direction, isolated: true, allowed: false, policies: names, reason };
  }

  private portsMatch(rule: NetworkPolicyRule, connection: NetworkConnection, protocol: NetworkProtocol): boolean {
    if (!rule.ports) return true;
    return rule.ports.some((p) => portMatches(p, connection.port, protocol, connection.destination.pod));
  }

  private peersMatch(rule: NetworkPolicyRule, policy: NetworkPolicyResource, other: NetworkEndpoint): boolean {
    if (!rule.peers) return true;
    return rule.peers.some((peer) => this.peerMatches(peer, policy, other));
  }

  private peerMatches(peer: NetworkPolicyPeer, policy: NetworkPolicyResource, other: NetworkEndpoint): boolean {
    if (peer.ipBlock) {
      const address = other.ip === undefined ? undefined : parseIp(other.ip);
      return address !== undefined && inBlock(peer.ipBlock.cidr, peer.ipBlock.except, address);
    }
    if (!other.pod) return false;
    if (peer.namespaceSelector) {
      if (!labelSelectorMatches(peer.namespaceSelector, this.namespaceLabels(other.pod.namespace))) return false;
    } else if (other.pod.namespace !== policy.metadata.namespace) {
      return false;
    }
    return !peer.podSelector || labelSelectorMatches(peer.podSelector, other.pod.labels);
  }
}

/** `namespace/name` of a policy. */
export function policyName(p: NetworkPolicyResource): NetworkPolicyName {
  return `${p.metadata.namespace}/${p.metadata.name}`;
}

/** True when a `ports[]` entry admits the port (a named port needs the destination pod's ports). */
export function portMatches(p: NetworkPolicyPort, port: number, protocol: NetworkProtocol, destination?: NetworkPod): boolean {
  if (p.protocol !== protocol) return false;
  if (p.port === undefined) return true;
  if (typeof p.port === 'number') return p.endPort === undefined ? p.port === port : p.port <= port && port <= p.endPort;
  return (destination?.ports ?? []).some((cp) => cp.name === p.port && cp.containerPort === port && (cp.protocol || 'TCP') === protocol);
}

function inBlock(cidr: Parameters<typeof cidrContains>[0], except: readonly Parameters<typeof cidrContains>[0][], address: IpAddress): boolean {
  return cidrContains(cidr, address) && !except.some((e) => cidrContains(e, address));
}

/** `shop/web{app=web}`, `10.1.2.3`, `shop/web{app=web} (10.1.2.3)`. */
export function describeEndpoint(e: NetworkEndpoint): string {
  const pod = e.pod ? `${e.pod.namespace}/pod{${formatLabels(e.pod.labels)}}` : undefined;
  if (pod && e.ip) return `${pod} (${e.ip})`;
  return pod ?? e.ip ?? 'with no address';
}

/** `app=web` or `(all)`, for explanations. */
export function describeSelector(s: LabelSelector): string {
  return isEverything(s) ? '(all pods)' : formatLabelSelector(s);
}

function explain(egress: DirectionVerdict, ingress: DirectionVerdict): string {
  const denied = [egress, ingress].filter((v) => !v.allowed);
  if (denied.length > 0) {
    return denied.map((v) => `denied by NetworkPolic${v.policies.length === 1 ? 'y' : 'ies'} ${v.policies.join(', ')} (${v.reason})`).join('; ');
  }
  const parts = [egress, ingress].map((v) => (v.admittedBy
    ? `${v.direction} allowed by NetworkPolicy ${v.admittedBy.policy} rule ${v.admittedBy.rule}`
    : `${v.direction} allowed: ${v.reason}`));
  return parts.join('; ');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
