import { istioApiVersion } from './api-version';
import { IstioManifest } from './manifest';
import { ObjectNames } from './object-names';
import { MeshModel } from '../../model/mesh-model';
import { ServiceSpec } from '../../model/mesh-spec';

/**
 * Client side towards a service without a sidecar: an explicit `tls.mode: DISABLE` for exactly
 * that host, so the exception is reviewable intent rather than a side effect of auto-mTLS. The
 * mode is always written out: a DestinationRule `tls: {}` also means DISABLE (the enum's zero
 * value), silently.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings-TLSmode
 */
export function renderPlaintextDestinationRule(model: MeshModel, service: ServiceSpec): IstioManifest | undefined {
  if (service.inMesh) return undefined;
  return {
    apiVersion: istioApiVersion('DestinationRule', model.spec.istioVersion),
    kind: 'DestinationRule',
    metadata: { name: ObjectNames.plaintextDestinationRule(service.name), namespace: service.namespace },
    spec: {
      host: `${service.name}.${service.namespace}.svc.${model.spec.clusterDomain}`,
      trafficPolicy: { tls: { mode: 'DISABLE' } },
    },
  };
}
