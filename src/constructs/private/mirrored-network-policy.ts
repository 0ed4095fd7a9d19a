import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MeshModel } from '../../model/mesh-model';
import {
  namespacePolicyNamesFor, NetworkDirectionSpec, NetworkPeerSpec, NetworkPolicySettings, NetworkPolicySpec, NetworkPortSpec,
  planNetworkPolicies, servicePolicyNames,
} from '../../render/network/network-policy-plan';
import type { Mesh } from '../mesh';
import type { MeshNamespace } from '../mesh-namespace';
import type { MeshService } from '../mesh-service';

type KubeSpec = ReturnType<kplus.NetworkPolicy['_toKube']>;

/**
 * @internal A cdk8s-plus NetworkPolicy created eagerly when its namespace or service is declared,
 * whose spec is the one the mesh's model calls for at synth. cdk8s-plus adds rules imperatively
 * (`addIngressRule`), where trustmesh objects are filled lazily from the whole declaration; so the
 * planned policy is built with the same cdk8s-plus classes in a detached tree per model, and this
 * object's spec is that policy's.
 */
export class MirroredNetworkPolicy extends kplus.NetworkPolicy {
  public constructor(scope: Construct, id: string, private readonly mesh: Mesh, private readonly policyName: string, namespace: string) {
    super(scope, id, { metadata: { name: policyName, namespace } });
  }

  /** @internal */
  public override _toKube(): KubeSpec {
    const settings = this.mesh._networkPolicySettings();
    const key = `${this.metadata.namespace}/${this.policyName}`;
    const spec = settings && builtSpecs(this.mesh.model, settings).get(key);
    // The objects created eagerly and the planned ones follow the same naming functions; a gap is a
    // trustmesh bug, never something to paper over with a guessed policy.
    if (!spec) throw new Error(`internal error: NetworkPolicy ${key} was created but is not planned`);
    return spec;
  }
}

/** @internal creates the namespace-wide NetworkPolicies of a namespace, when the mesh mirrors intentions. */
export function ensureNamespaceNetworkPolicies(ns: MeshNamespace): void {
  const settings = ns.mesh._networkPolicySettings();
  if (!settings) return;
  const denyByDefault = (ns.defaultAccess ?? ns.mesh.defaultAccess) === 'DENY';
  for (const name of namespacePolicyNamesFor(denyByDefault, settings)) ensure(ns, ns.mesh, name, ns.namespaceName);
}

/** @internal creates the NetworkPolicies of a service, when the mesh mirrors intentions. */
export function ensureServiceNetworkPolicies(service: MeshService): void {
  const settings = service.mesh._networkPolicySettings();
  if (!settings) return;
  for (const name of servicePolicyNames(service.name, settings)) ensure(service, service.mesh, name, service.namespace);
}

function ensure(scope: Construct, mesh: Mesh, name: string, namespace: string): void {
  const id = `NetworkPolicy-${name}`;
  if (!scope.node.tryFindChild(id)) new MirroredNetworkPolicy(scope, id, mesh, name, namespace);
}

const built = new WeakMap<MeshModel, Map<string, KubeSpec>>();

/** Every planned policy of a model, built with cdk8s-plus (once per model). */
function builtSpecs(model: MeshModel, settings: NetworkPolicySettings): Map<string, KubeSpec> {
  let specs = built.get(model);
  if (!specs) {
    specs = new Map();
    const scratch = new Chart(new App(), 'network-policies', { disableResourceNameHashes: true });
    planNetworkPolicies(model, settings).forEach((plan, i) => {
      specs!.set(`${plan.namespace}/${plan.name}`, buildPolicy(new Construct(scratch, `P${i}`), plan)._toKube());
    });
    built.set(model, specs);
  }
  return specs;
}

/** A planned policy as cdk8s-plus builds it. */
export function buildPolicy(scope: Construct, plan: NetworkPolicySpec): kplus.NetworkPolicy {
  const traffic = (d: NetworkDirectionSpec | undefined): kplus.NetworkPolicyTraffic | undefined => d && {
    default: d.allowAll ? kplus.NetworkPolicyTrafficDefault.ALLOW : kplus.NetworkPolicyTrafficDefault.DENY,
  };
  const policy = new kplus.NetworkPolicy(scope, 'Policy', {
    metadata: { name: plan.name, namespace: plan.namespace },
    ...(plan.selector ? { selector: kplus.Pods.select(scope, 'Selector', { labels: { ...plan.selector } }) } : {}),
    ...(plan.ingress ? { ingress: traffic(plan.ingress) } : {}),
    ...(plan.egress ? { egress: traffic(plan.egress) } : {}),
  });
  plan.ingress?.rules.forEach((r, i) => policy.addIngressRule(peer(scope, `From${i}`, r.peer, plan.namespace), ports(r.ports)));
  plan.egress?.rules.forEach((r, i) => policy.addEgressRule(peer(scope, `To${i}`, r.peer, plan.namespace), ports(r.ports)));
  return policy;
}

function peer(scope: Construct, id: string, p: NetworkPeerSpec, policyNamespace: string): kplus.INetworkPolicyPeer {
  switch (p.kind) {
    case 'allPods': return kplus.Namespaces.all(scope, id);
    case 'ipBlock': return p.cidr.includes(':')
      ? kplus.NetworkPolicyIpBlock.ipv6(scope, id, withPrefix(p.cidr, 128))
      : kplus.NetworkPolicyIpBlock.ipv4(scope, id, withPrefix(p.cidr, 32));
    case 'pods': {
      // The policy's own namespace needs no namespace selector; another one is selected by name.
      const namespaces = p.namespace === policyNamespace ? undefined : kplus.Namespaces.select(scope, `${id}Namespace`, { names: [p.namespace] });
      return kplus.Pods.select(scope, id, { labels: { ...p.labels }, ...(namespaces ? { namespaces } : {}) });
    }
  }
}

/** A single address as the block of that one address (NetworkPolicy `cidr` needs a prefix length). */
function withPrefix(cidr: string, bits: number): string {
  return cidr.includes('/') ? cidr : `${cidr}/${bits}`;
}

function ports(list: readonly NetworkPortSpec[] | undefined): kplus.NetworkPolicyPort[] | undefined {
  return list?.map((p) => (p.protocol === 'UDP' ? kplus.NetworkPolicyPort.udp(p.port) : kplus.NetworkPolicyPort.tcp(p.port)));
}
