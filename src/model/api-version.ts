import { IstioFeature, IstioVersion, isLegacyTarget, supports } from './istio-version';

/** Kinds the Istio renderer emits. */
export type IstioKind =
  | 'AuthorizationPolicy'
  | 'PeerAuthentication'
  | 'RequestAuthentication'
  | 'DestinationRule'
  | 'Gateway'
  | 'VirtualService'
  | 'Sidecar'
  | 'ServiceEntry'
  | 'Telemetry'
  // The legacy target (Istio 1.0–1.4): authentication.istio.io and rbac.istio.io v1alpha1.
  | 'MeshPolicy'
  | 'Policy'
  | 'RbacConfig'
  | 'ClusterRbacConfig'
  | 'ServiceRole'
  | 'ServiceRoleBinding';

/** Kinds without a namespace (their metadata carries none). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<IstioKind> = new Set(['MeshPolicy', 'ClusterRbacConfig']);

/**
 * The apiVersion to emit for a kind and target release: `security.istio.io/v1` and
 * `networking.istio.io/v1` from Istio 1.22 (PeerAuthentication is only served as v1 from 1.22),
 * `v1beta1` before; `telemetry.istio.io/v1` from 1.22, `v1alpha1` before. The schemas are identical
 * across served versions. Before 1.5 (the legacy target) networking kinds are `v1alpha3` (v1beta1
 * arrived in 1.5), AuthorizationPolicy is `security.istio.io/v1beta1` (1.4 only), and the legacy
 * kinds are `authentication.istio.io/v1alpha1` and `rbac.istio.io/v1alpha1`.
 */
export function istioApiVersion(kind: IstioKind, version: IstioVersion): string {
  switch (kind) {
    case 'AuthorizationPolicy':
    case 'PeerAuthentication':
    case 'RequestAuthentication':
      return supports(version, IstioFeature.SECURITY_V1) ? 'security.istio.io/v1' : 'security.istio.io/v1beta1';
    case 'DestinationRule':
    case 'Gateway':
    case 'VirtualService':
    case 'Sidecar':
    case 'ServiceEntry':
      if (isLegacyTarget(version)) return 'networking.istio.io/v1alpha3';
      return supports(version, IstioFeature.NETWORKING_V1) ? 'networking.istio.io/v1' : 'networking.istio.io/v1beta1';
    case 'Telemetry':
      // Telemetry went from v1alpha1 straight to v1 (Istio 1.22); 1.30.3 still stores v1alpha1.
      return supports(version, IstioFeature.TELEMETRY_V1) ? 'telemetry.istio.io/v1' : 'telemetry.istio.io/v1alpha1';
    case 'MeshPolicy':
    case 'Policy':
      return 'authentication.istio.io/v1alpha1';
    case 'RbacConfig':
    case 'ClusterRbacConfig':
    case 'ServiceRole':
    case 'ServiceRoleBinding':
      return 'rbac.istio.io/v1alpha1';
  }
}
