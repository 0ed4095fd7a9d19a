import type { CertificateAuthorityProps } from './certificate-authority';
import type { DefaultAccess, LegacyAuthorization, MtlsMode } from './enums';
import type { NetworkPolicies } from './network-policies';
import type { ReferenceWorkloadOptions } from './reference-workload';
import type { PathNormalization } from '../semantics/path-normalization';

/** Options of {@link Mesh.useCertificateAuthority}. */
export interface MeshCertificateAuthorityOptions extends Omit<CertificateAuthorityProps, 'material' | 'clusters' | 'istiodNamespace' | 'chart'> {
  /**
   * The cluster (key store intermediate) this mesh's output is applied to.
   * @default - the mesh name
   */
  readonly cluster?: string;
}

/** Props of {@link Mesh}. */
export interface MeshProps {
  /**
   * Mesh name: the output folder (`dist/<name>/`) and the name in messages.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * SPIFFE trust domain of workload identities.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * Other trust domains Istio treats as this one (MeshConfig `trustDomainAliases`).
   * @default - none
   */
  readonly trustDomainAliases?: string[];
  /**
   * Istio's root namespace (MeshConfig `rootNamespace`): mesh-wide policies live there.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * Target Istio release, e.g. "1.30" or "1.21.4". Chooses API versions and rejects features the
   * release lacks.
   * @default '1.30'
   */
  readonly istioVersion?: string;
  /**
   * Istio 1.4 only: the authorization API ALLOW intentions are rendered in. 1.4 serves both the
   * 1.x `rbac.istio.io` API and `security.istio.io/v1beta1` AuthorizationPolicy (ALLOW only); for a
   * workload that some AuthorizationPolicy selects, 1.4 ignores RBAC. RBAC is the default because
   * it is what every 1.x release reads, so the same output also applies to a cluster still on 1.0–1.3
   * and `trustmesh convert` turns it into 1.5+ policy. `AUTHORIZATION_POLICY` on 1.0–1.3 is
   * `TM_VERSION_UNSUPPORTED_FEATURE` (needs 1.4); from 1.5 on AuthorizationPolicy is the only
   * API trustmesh renders, so `AUTHORIZATION_POLICY` changes nothing and `RBAC` is refused.
   * @default LegacyAuthorization.RBAC
   * @see docs/legacy-target.md
   */
  readonly legacyAuthorization?: LegacyAuthorization;
  /**
   * Mesh-wide mTLS mode, written explicitly as the root-namespace PeerAuthentication.
   * @default MtlsMode.STRICT - zero trust: every call is authenticated
   */
  readonly mtls?: MtlsMode;
  /**
   * What happens to requests no ALLOW intention covers, in every namespace that does not say.
   * @default DefaultAccess.DENY - zero trust: an allow-nothing policy per namespace
   */
  readonly defaultAccess?: DefaultAccess;
  /**
   * Kubernetes cluster DNS domain for service host names.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Emit a reference workload (ServiceAccount, Service, Deployment with the Istio sidecar) for
   * every service, with these defaults; services refine them with their `workload` prop.
   * @default - no reference workloads unless a service asks for one
   */
  readonly referenceWorkloads?: ReferenceWorkloadOptions;
  /**
   * The path normalization your MeshConfig sets (`pathNormalization.normalization`; trustmesh does
   * not emit MeshConfig). Synth's analyzer pass judges path-based DENY intentions by it: under
   * `BASE`, `//charge` slips past a DENY on `/charge` (`TM_PATH_NORMALIZATION_BYPASS`).
   * @default 'BASE' - Istio's default
   * @see https://istio.io/latest/docs/ops/best-practices/security/#customize-your-system-on-path-normalization
   */
  readonly pathNormalization?: PathNormalization;
  /**
   * Kubernetes NetworkPolicies emitted next to the Istio policy, in each namespace's policy file:
   * the L3/L4 outer ring around the AuthorizationPolicies (see docs/network-policies.md).
   * @default - no NetworkPolicies
   * @example networkPolicies: NetworkPolicies.mirrorIntentions({ lockDownEgress: true })
   */
  readonly networkPolicies?: NetworkPolicies;
}
