/**
 * Resolution of the pre-1.6 objects for one destination: which Services (and service ports) the
 * workload backs, which authentication Policy applies (service-and-port-targeted Policy > the
 * namespace's `default` Policy > MeshPolicy `default`, 1.4 `push_context.go`
 * `AuthenticationPolicyForWorkload`), which RbacConfig is in force, and the namespace's roles and
 * bindings.
 *
 * @module
 */
import { selectorMatches } from '../../../semantics/labels';
import { AuthorizationPolicyResource, IstioConfig, ServiceResource } from '../../config/istio-config';
import {
  LegacyAuthnResource, LegacyPolicies, RbacConfigResource, ServiceRoleBindingResource, ServiceRoleResource,
} from '../../config/legacy-resources';

/** A Service port that reaches the destination's workload port. */
export interface LegacyServicePort {
  readonly service: ServiceResource;
  readonly port: number;
  readonly name?: string;
}

/** The authentication Policy in force for one workload port, and how it was chosen. */
export interface ResolvedLegacyAuthn {
  readonly policy?: LegacyAuthnResource;
  /** `target` (service and port), `namespace` (`default` Policy) or `mesh` (MeshPolicy `default`). */
  readonly scope?: 'target' | 'namespace' | 'mesh';
}

/** The Kubernetes cluster domain of service FQDNs (1.x default). */
export const CLUSTER_DOMAIN = 'svc.cluster.local';

/** `<svc>.<ns>.svc.cluster.local`. */
export function serviceFqdn(service: ServiceResource): string {
  return `${service.metadata.name}.${service.metadata.namespace}.${CLUSTER_DOMAIN}`;
}

/** The legacy objects of a config, indexed for per-request resolution. */
export class LegacyIndex {
  public readonly rbacConfig?: RbacConfigResource;
  private readonly legacy: LegacyPolicies;

  /** @param rootNamespace Istio's root namespace (mesh-wide AuthorizationPolicies of Istio 1.4) */
  public constructor(private readonly config: IstioConfig, private readonly rootNamespace = 'istio-system') {
    this.legacy = config.legacy;
    this.rbacConfig = resolveRbacConfig(config.legacy.rbacConfigs);
  }

  /** True when the config holds any legacy object. */
  public get present(): boolean {
    const l = this.legacy;
    return l.authn.length + l.rbacConfigs.length + l.roles.length + l.bindings.length > 0;
  }

  /** True when the config holds an authentication Policy or MeshPolicy (the 1.x authentication API). */
  public get hasAuthn(): boolean {
    return this.legacy.authn.length > 0;
  }

  /**
   * The `security.istio.io` AuthorizationPolicies Istio 1.4 applies to a workload: root namespace
   * and own namespace, selector matching (see legacy-authorization-policy.ts).
   */
  public authorizationPoliciesFor(namespace: string, labels: Readonly<Record<string, string>>): AuthorizationPolicyResource[] {
    return authorizationPoliciesFor(this.config, this.rootNamespace, namespace, labels);
  }

  /** Services in the namespace whose selector matches the labels (sorted by name). */
  public servicesOf(namespace: string, labels: Readonly<Record<string, string>>): ServiceResource[] {
    return this.config.services
      .filter((s) => s.metadata.namespace === namespace && Object.keys(s.selector).length > 0 && selectorMatches(s.selector, labels))
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  }

  /** Service ports of those Services whose target is the given workload port. */
  public servicePortsOf(namespace: string, labels: Readonly<Record<string, string>>, workloadPort: number): LegacyServicePort[] {
    const out: LegacyServicePort[] = [];
    for (const service of this.servicesOf(namespace, labels)) {
      for (const p of service.ports) {
        if (this.targetPortNumber(namespace, labels, p.targetPort) !== workloadPort) continue;
        out.push({ service, port: p.port, ...(p.name ? { name: p.name } : {}) });
      }
    }
    return out;
  }

  /** The workload's service account, when a loaded workload with these labels says. */
  public serviceAccountOf(namespace: string, labels: Readonly<Record<string, string>>): string | undefined {
    const w = this.config.workloads.find((x) => x.metadata.namespace === namespace
      && Object.keys(x.podLabels).length > 0 && selectorMatches(x.podLabels, labels));
    return w?.serviceAccountName;
  }

  /** The Policy that applies to a workload port (1.x resolution order). */
  public authnFor(namespace: string, labels: Readonly<Record<string, string>>, workloadPort: number): ResolvedLegacyAuthn {
    const matches = this.targetMatcher(namespace, labels);
    const targeted = this.legacy.authn
      .filter((p) => p.kind === 'Policy' && p.metadata.namespace === namespace)
      .filter((p) => p.spec.targets.some((t) => matches(t.name, workloadPort, t.ports)))
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
    if (targeted.length > 0) return { policy: targeted[0], scope: 'target' };
    const ns = this.legacy.authn.find((p) => p.kind === 'Policy' && p.metadata.namespace === namespace && p.metadata.name === 'default');
    if (ns) return { policy: ns, scope: 'namespace' };
    const mesh = this.legacy.authn.find((p) => p.kind === 'MeshPolicy' && p.metadata.name === 'default');
    return mesh ? { policy: mesh, scope: 'mesh' } : {};
  }

  /** Roles and bindings of a namespace. */
  public rolesIn(namespace: string): { roles: ServiceRoleResource[]; bindings: ServiceRoleBindingResource[] } {
    return {
      roles: this.legacy.roles.filter((r) => r.metadata.namespace === namespace),
      bindings: this.legacy.bindings.filter((b) => b.metadata.namespace === namespace),
    };
  }

  private targetMatcher(namespace: string, labels: Readonly<Record<string, string>>):
  (serviceName: string, workloadPort: number, targetPorts: readonly ({ number: number } | { name: string })[]) => boolean {
    return (serviceName: string, workloadPort: number, targetPorts: readonly ({ number: number } | { name: string })[]): boolean => {
      const matching = this.servicePortsOf(namespace, labels, workloadPort).filter((p) => p.service.metadata.name === serviceName);
      if (matching.length === 0) return false;
      if (targetPorts.length === 0) return true;
      return matching.some((m) => targetPorts.some((t) => ('number' in t ? t.number === m.port : t.name === m.name)));
    };
  }

  private targetPortNumber(namespace: string, labels: Readonly<Record<string, string>>, targetPort: number | string): number | undefined {
    if (typeof targetPort === 'number') return targetPort;
    const w = this.config.workloads.find((x) => x.metadata.namespace === namespace && selectorMatches(x.podLabels, labels)
      && x.ports.some((p) => p.name === targetPort));
    return w?.ports.find((p) => p.name === targetPort)?.containerPort;
  }
}

/** The policies that select a workload, in (namespace, name) order: root namespace first. */
function authorizationPoliciesFor(config: IstioConfig, rootNamespace: string, namespace: string,
  labels: Readonly<Record<string, string>>): AuthorizationPolicyResource[] {
  const namespaces = namespace === rootNamespace ? [rootNamespace] : [rootNamespace, namespace];
  return config.authorizationPolicies
    .filter((p) => namespaces.includes(p.metadata.namespace) && p.spec.targetRefs.length === 0
      && selectorMatches(p.spec.selector?.matchLabels ?? {}, labels))
    .sort((a, b) => {
      const ka = `${namespaces.indexOf(a.metadata.namespace)}/${a.metadata.name}`;
      const kb = `${namespaces.indexOf(b.metadata.namespace)}/${b.metadata.name}`;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
}

/** ClusterRbacConfig `default` (1.1+), else the deprecated RbacConfig `default`. */
function resolveRbacConfig(configs: readonly RbacConfigResource[]): RbacConfigResource | undefined {
  return configs.find((c) => c.kind === 'ClusterRbacConfig' && c.metadata.name === 'default')
    ?? configs.find((c) => c.kind === 'RbacConfig' && c.metadata.name === 'default');
}
