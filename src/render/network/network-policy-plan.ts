/**
 * Kubernetes NetworkPolicies mirrored from the intent model, as plain data: the coarse L3/L4
 * outer ring around the AuthorizationPolicies (the fine L7 inner ring). The constructs build each
 * plan with cdk8s-plus-28's `NetworkPolicy`, peers and `NetworkPolicyPort`.
 *
 * Per declared namespace:
 * - `default-deny-ingress` (every pod) when the namespace's default access is DENY, and
 *   `default-deny-egress` when egress is locked down;
 * - `allow-ingress-to-<service>` for every service: an L4 allow from the pods of each enforced
 *   ALLOW intention's caller on the intention's workload ports, from the ingress gateway pods that
 *   route to it, and from the kubelet addresses when declared; a service whose L7 policy admits
 *   everyone (default access ALLOW and no enforced ALLOW intention) admits everyone at L4 too;
 * - with egress locked down, `allow-egress-from-<service>` (its calls to the destinations of its
 *   intentions) and `allow-mesh-egress` (every pod: istiod, DNS, external hosts, and the calls that
 *   namespace-wide or mesh-wide intentions allow).
 *
 * Everything is sorted and deduplicated, so the output never depends on declaration order.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 * @module
 */
import { IntentionSpec, PeerSpec, serviceKey } from '../../model/intention';
import { MeshModel } from '../../model/mesh-model';
import { ServiceSpec } from '../../model/mesh-spec';
import { appendAll } from '../../private/arrays';
import { formatLabels } from '../../semantics/labels';

/** Pods by namespace and labels (`{}`: every pod of the namespace). */
export interface NetworkPodsSpec {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Settings of the mirrored NetworkPolicies (resolved from the construct options). */
export interface NetworkPolicySettings {
  /** Whether pods may only call what intentions and the mesh need (default deny egress). */
  readonly lockDownEgress: boolean;
  /** The istiod pods sidecars fetch configuration and certificates from. */
  readonly istiod: NetworkPodsSpec;
  /** istiod's xDS/CA port (and any other istiod port the sidecars need). */
  readonly istiodPorts: readonly number[];
  /** The cluster DNS pods. */
  readonly dns: NetworkPodsSpec;
  /** The egress gateway pods external traffic leaves through, if any. */
  readonly egressGateway?: NetworkPodsSpec;
  /** Addresses of external hosts (`allowEgressTo`) reached directly, by host. */
  readonly externalIpBlocks: Readonly<Record<string, readonly string[]>>;
  /** Addresses the kubelet probes come from, when the CNI does not exempt node traffic. */
  readonly kubeletIpBlocks: readonly string[];
}

/** The ports sidecars need reachable from the kubelet: pilot-agent's rewritten app probes and the proxy's readiness. */
export const SIDECAR_PROBE_PORTS: readonly number[] = [15020, 15021];

/** One NetworkPolicy peer. */
export type NetworkPeerSpec =
  | ({ readonly kind: 'pods' } & NetworkPodsSpec)
  /** Every pod of every namespace. */
  | { readonly kind: 'allPods' }
  | { readonly kind: 'ipBlock'; readonly cidr: string };

/** A destination port. */
export interface NetworkPortSpec {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

/** One rule: a peer, on some ports (absent: every port). */
export interface NetworkRuleSpec {
  readonly peer: NetworkPeerSpec;
  readonly ports?: readonly NetworkPortSpec[];
}

/** One direction of a policy: isolated, with the rules that admit traffic (or everything). */
export interface NetworkDirectionSpec {
  /** Admit every peer on every port (the direction is open, but stated). */
  readonly allowAll: boolean;
  readonly rules: readonly NetworkRuleSpec[];
}

/** One NetworkPolicy. */
export interface NetworkPolicySpec {
  readonly name: string;
  readonly namespace: string;
  /** The pods it selects; absent: every pod of the namespace. */
  readonly selector?: Readonly<Record<string, string>>;
  readonly ingress?: NetworkDirectionSpec;
  readonly egress?: NetworkDirectionSpec;
}

/** An external host that egress lock-down cannot reach: no egress gateway and no declared addresses. */
export interface UnreachableExternalHost {
  readonly host: string;
  readonly namespaces: readonly string[];
}

/** The names of a namespace's and a service's NetworkPolicies. */
export const NETWORK_POLICY_NAMES = {
  defaultDenyIngress: 'default-deny-ingress',
  defaultDenyEgress: 'default-deny-egress',
  meshEgress: 'allow-mesh-egress',
  ingressTo: (service: string): string => `allow-ingress-to-${service}`,
  egressFrom: (service: string): string => `allow-egress-from-${service}`,
} as const;

/** The names of the namespace-wide policies a namespace gets. */
export function namespacePolicyNames(model: Pick<MeshModel, 'effectiveAccess'>, namespace: string, settings: NetworkPolicySettings): string[] {
  return namespacePolicyNamesFor(model.effectiveAccess(namespace) === 'DENY', settings);
}

/** The names of the namespace-wide policies, from whether the namespace denies by default. */
export function namespacePolicyNamesFor(denyByDefault: boolean, settings: NetworkPolicySettings): string[] {
  const names: string[] = [];
  if (denyByDefault) names.push(NETWORK_POLICY_NAMES.defaultDenyIngress);
  if (settings.lockDownEgress) names.push(NETWORK_POLICY_NAMES.defaultDenyEgress, NETWORK_POLICY_NAMES.meshEgress);
  return names;
}

/** The names of the policies a service gets. */
export function servicePolicyNames(service: string, settings: NetworkPolicySettings): string[] {
  const ingress = NETWORK_POLICY_NAMES.ingressTo(service);
  return settings.lockDownEgress ? [ingress, NETWORK_POLICY_NAMES.egressFrom(service)] : [ingress];
}

const ANY_IPV4 = '0.0.0.0/0';
const ANY_IPV6 = '::/0';

/** Every NetworkPolicy the model calls for, sorted by namespace and name. */
export function planNetworkPolicies(model: MeshModel, settings: NetworkPolicySettings): NetworkPolicySpec[] {
  const planner = new Planner(model, settings);
  const out: NetworkPolicySpec[] = [];
  for (const ns of model.spec.namespaces) {
    if (ns.name === model.spec.rootNamespace) continue;
    appendAll(out, planner.namespacePolicies(ns.name));
    for (const s of model.servicesIn(ns.name)) appendAll(out, planner.servicePolicies(s));
  }
  return out.sort((a, b) => compare(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
}

/** External hosts egress lock-down leaves unreachable (nothing routes them out at L4). */
export function unreachableExternalHosts(model: MeshModel, settings: NetworkPolicySettings): UnreachableExternalHost[] {
  if (!settings.lockDownEgress || settings.egressGateway) return [];
  const out: UnreachableExternalHost[] = [];
  for (const e of model.spec.edges?.externalServices ?? []) {
    if ((settings.externalIpBlocks[e.host] ?? []).length > 0) continue;
    const namespaces = model.spec.namespaces.map((n) => n.name).filter((n) => n !== model.spec.rootNamespace && externalVisibleIn(e, n));
    if (namespaces.length > 0) out.push({ host: e.host, namespaces: namespaces.sort() });
  }
  return out.sort((a, b) => compare(a.host, b.host));
}

class Planner {
  private readonly enforcedAllows = new Map<string, IntentionSpec[]>();
  /** Enforced ALLOW intentions whose peer is a service, by the peer's `namespace/name`. */
  private readonly allowsBySource = new Map<string, IntentionSpec[]>();
  private readonly openNamespaces: string[];

  public constructor(private readonly model: MeshModel, private readonly settings: NetworkPolicySettings) {
    for (const i of model.spec.intentions) {
      if (i.action !== 'ALLOW' || i.enforcement !== 'ENFORCE') continue;
      const key = serviceKey(i.destination);
      this.enforcedAllows.set(key, [...(this.enforcedAllows.get(key) ?? []), i]);
      if (i.peer.kind === 'service') {
        const source = serviceKey(i.peer);
        this.allowsBySource.set(source, [...(this.allowsBySource.get(source) ?? []), i]);
      }
    }
    this.openNamespaces = model.spec.namespaces.map((n) => n.name)
      .filter((n) => n !== model.spec.rootNamespace && model.effectiveAccess(n) === 'ALLOW').sort();
  }

  public namespacePolicies(namespace: string): NetworkPolicySpec[] {
    const out: NetworkPolicySpec[] = [];
    for (const name of namespacePolicyNames(this.model, namespace, this.settings)) {
      if (name === NETWORK_POLICY_NAMES.defaultDenyIngress) out.push({ name, namespace, ingress: { allowAll: false, rules: [] } });
      else if (name === NETWORK_POLICY_NAMES.defaultDenyEgress) out.push({ name, namespace, egress: { allowAll: false, rules: [] } });
      else out.push({ name, namespace, egress: { allowAll: false, rules: this.meshEgressRules(namespace) } });
    }
    return out;
  }

  public servicePolicies(service: ServiceSpec): NetworkPolicySpec[] {
    const selector = { ...service.labels };
    const out: NetworkPolicySpec[] = [{
      name: NETWORK_POLICY_NAMES.ingressTo(service.name),
      namespace: service.namespace,
      selector,
      ingress: this.openAtL7(service) ? { allowAll: true, rules: [] } : { allowAll: false, rules: this.ingressRules(service) },
    }];
    if (this.settings.lockDownEgress) {
      out.push({
        name: NETWORK_POLICY_NAMES.egressFrom(service.name),
        namespace: service.namespace,
        selector,
        egress: { allowAll: false, rules: this.egressRules(service) },
      });
    }
    return out;
  }

  /** Whether the service's AuthorizationPolicies admit every caller (so L4 must too). */
  private openAtL7(service: ServiceSpec): boolean {
    return this.model.effectiveAccess(service.namespace) === 'ALLOW' && !this.enforcedAllows.has(serviceKey(service));
  }

  private ingressRules(service: ServiceSpec): NetworkRuleSpec[] {
    const rules: NetworkRuleSpec[] = [];
    for (const i of this.enforcedAllows.get(serviceKey(service)) ?? []) {
      const ports = this.intentionPorts(service, i);
      for (const peer of this.peersOf(i.peer)) rules.push({ peer, ports });
    }
    for (const g of this.model.spec.edges?.gateways ?? []) {
      for (const r of g.routes) {
        if (serviceKey(r.service) !== serviceKey(service)) continue;
        const target = this.model.targetPorts(service, [r.servicePort]);
        rules.push({ peer: { kind: 'pods', namespace: g.namespace, labels: g.selector }, ports: tcp(target.length > 0 ? target : [r.servicePort]) });
      }
    }
    if (this.settings.kubeletIpBlocks.length > 0) {
      const probePorts = service.inMesh ? SIDECAR_PROBE_PORTS : service.ports.map((p) => p.targetPort);
      for (const cidr of this.settings.kubeletIpBlocks) rules.push({ peer: { kind: 'ipBlock', cidr }, ...(probePorts.length > 0 ? { ports: tcp(probePorts) } : {}) });
    }
    return mergeRules(rules);
  }

  private egressRules(source: ServiceSpec): NetworkRuleSpec[] {
    const rules: NetworkRuleSpec[] = [];
    for (const i of this.allowsBySource.get(serviceKey(source)) ?? []) {
      const dest = this.model.service(i.destination);
      if (dest) rules.push({ peer: podsOf(dest), ports: this.intentionPorts(dest, i) });
    }
    return mergeRules(rules);
  }

  private meshEgressRules(namespace: string): NetworkRuleSpec[] {
    const s = this.settings;
    const rules: NetworkRuleSpec[] = [
      { peer: { kind: 'pods', ...s.istiod }, ports: tcp(s.istiodPorts) },
      { peer: { kind: 'pods', ...s.dns }, ports: [{ port: 53, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] },
    ];
    for (const [, intentions] of this.enforcedAllows) {
      for (const i of intentions) {
        const p = i.peer;
        // Callers named by address may be pods of any namespace: every namespace may call.
        const mine = (p.kind === 'namespace' && p.namespace === namespace) || p.kind === 'anyMeshIdentity' || p.kind === 'anyone'
          || p.kind === 'ipBlocks' || (p.kind === 'service' && (p.ipBlocks ?? []).length > 0);
        const dest = this.model.service(i.destination);
        if (mine && dest) rules.push({ peer: podsOf(dest), ports: this.intentionPorts(dest, i) });
      }
    }
    // Where default access is ALLOW, workloads without ALLOW intentions (declared or not) take
    // every caller at L7: every pod may call there (their own ingress policies still narrow).
    for (const ns of this.openNamespaces) rules.push({ peer: { kind: 'pods', namespace: ns, labels: {} } });
    for (const e of this.model.spec.edges?.externalServices ?? []) {
      if (!externalVisibleIn(e, namespace)) continue;
      if (s.egressGateway) {
        rules.push({ peer: { kind: 'pods', ...s.egressGateway }, ports: tcp(e.ports.map((p) => p.number)) });
      } else {
        const ports = tcp(e.ports.map((p) => p.targetPort ?? p.number));
        for (const cidr of s.externalIpBlocks[e.host] ?? []) rules.push({ peer: { kind: 'ipBlock', cidr }, ports });
      }
    }
    return mergeRules(rules);
  }

  /** The workload ports an intention covers; absent: every port (as an ALLOW without ports). */
  private intentionPorts(service: ServiceSpec, intention: IntentionSpec): NetworkPortSpec[] | undefined {
    const ports = intention.match.ports;
    if (!ports || ports.length === 0) return undefined;
    const target = this.model.targetPorts(service, ports);
    return tcp(target.length > 0 ? target : ports);
  }

  /** The L4 peers of an intention's caller: never narrower than who the AuthorizationPolicy admits. */
  private peersOf(peer: PeerSpec): NetworkPeerSpec[] {
    switch (peer.kind) {
      case 'service': {
        const declared = this.model.service(peer);
        // NetworkPolicy cannot select a service account: an imported caller is its namespace.
        const pods: NetworkPeerSpec = declared ? podsOf(declared) : { kind: 'pods', namespace: peer.namespace, labels: {} };
        return [pods, ...(peer.ipBlocks ?? []).map((cidr): NetworkPeerSpec => ({ kind: 'ipBlock', cidr }))];
      }
      case 'namespace': return [{ kind: 'pods', namespace: peer.namespace, labels: {} }];
      case 'anyMeshIdentity': return [{ kind: 'allPods' }];
      case 'anyone': return anywhere();
      // remoteIpBlocks name the client behind proxies, not the connection's source: any source.
      case 'ipBlocks': return peer.remote ? anywhere() : peer.blocks.map((cidr): NetworkPeerSpec => ({ kind: 'ipBlock', cidr }));
    }
  }
}

function anywhere(): NetworkPeerSpec[] {
  return [{ kind: 'allPods' }, { kind: 'ipBlock', cidr: ANY_IPV4 }, { kind: 'ipBlock', cidr: ANY_IPV6 }];
}

function podsOf(service: ServiceSpec): NetworkPeerSpec {
  return { kind: 'pods', namespace: service.namespace, labels: { ...service.labels } };
}

function externalVisibleIn(e: { readonly namespace: string; readonly exportTo: readonly string[] }, namespace: string): boolean {
  return e.exportTo.includes('*') || e.namespace === namespace;
}

function tcp(ports: readonly number[]): NetworkPortSpec[] {
  return ports.map((port) => ({ port, protocol: 'TCP' }));
}

/** A stable key of a peer, for merging and sorting. */
export function peerKey(peer: NetworkPeerSpec): string {
  switch (peer.kind) {
    case 'pods': return `1 ${peer.namespace} ${formatLabels(peer.labels)}`;
    case 'allPods': return '0';
    case 'ipBlock': return `2 ${peer.cidr}`;
  }
}

/** One rule per peer, with the union of its ports (every port wins), sorted by peer then port. */
function mergeRules(rules: readonly NetworkRuleSpec[]): NetworkRuleSpec[] {
  const byPeer = new Map<string, { peer: NetworkPeerSpec; ports?: Map<string, NetworkPortSpec> }>();
  for (const r of rules) {
    const key = peerKey(r.peer);
    let entry = byPeer.get(key);
    if (!entry) {
      entry = { peer: r.peer, ports: new Map() };
      byPeer.set(key, entry);
    }
    if (!r.ports) entry.ports = undefined;
    else if (entry.ports) for (const p of r.ports) entry.ports.set(`${p.protocol}/${p.port}`, p);
  }
  return [...byPeer].sort(([a], [b]) => compare(a, b)).map(([, { peer, ports }]) => (ports
    ? { peer, ports: [...ports.values()].sort((a, b) => a.port - b.port || compare(a.protocol, b.protocol)) }
    : { peer }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
