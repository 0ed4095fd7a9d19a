import { IstioFeature, IstioVersion, supports } from './istio-version';

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
  | 'Telemetry';

/**
 * The apiVersion to emit for a kind and target release: `security.istio.io/v1` and
 * `networking.istio.io/v1` from Istio 1.22 (PeerAuthentication is only served as v1 from 1.22),
 * `v1beta1` before; `telemetry.istio.io/v1` from 1.22, `v1alpha1` before. The schemas are identical
 * across served versions.
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
      return supports(version, IstioFeature.NETWORKING_V1) ? 'networking.istio.io/v1' : 'networking.istio.io/v1beta1';
    case 'Telemetry':
      // Telemetry went from v1alpha1 straight to v1 (Istio 1.22); 1.30.3 still stores v1alpha1.
      return supports(version, IstioFeature.TELEMETRY_V1) ? 'telemetry.istio.io/v1' : 'telemetry.istio.io/v1alpha1';
  }
}
