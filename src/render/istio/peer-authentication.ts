import { IstioManifest } from './manifest';
import { istioApiVersion } from '../../model/api-version';
import { MeshModel } from '../../model/mesh-model';
import { ServiceSpec } from '../../model/mesh-spec';
import { ObjectNames } from '../../model/object-names';

/**
 * Mesh-wide mTLS: a selector-less PeerAuthentication in the root namespace. Always emitted, so the
 * mesh's mode is explicit rather than Istio's implicit PERMISSIVE.
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
 */
export function renderMeshPeerAuthentication(model: MeshModel): IstioManifest {
  return peerAuthentication(model, model.spec.rootNamespace, ObjectNames.defaultPeerAuthentication, { mtls: { mode: model.spec.mtls } });
}

/** Namespace-wide mTLS override; `undefined` when the namespace inherits the mesh's mode. */
export function renderNamespacePeerAuthentication(model: MeshModel, namespace: string): IstioManifest | undefined {
  const mode = model.namespace(namespace)?.mtls;
  if (!mode) return undefined;
  return peerAuthentication(model, namespace, ObjectNames.defaultPeerAuthentication, { mtls: { mode } });
}

/**
 * Workload-level mTLS override, with `portLevelMtls` keyed by *workload* port (Istio's rule);
 * `undefined` when the service and its ports inherit.
 */
export function renderServicePeerAuthentication(model: MeshModel, service: ServiceSpec): IstioManifest | undefined {
  const portLevel: Record<string, { mode: string }> = {};
  for (const port of [...service.ports].sort((a, b) => a.targetPort - b.targetPort)) {
    if (port.mtls) portLevel[String(port.targetPort)] = { mode: port.mtls };
  }
  if (!service.mtls && Object.keys(portLevel).length === 0) return undefined;
  return peerAuthentication(model, service.namespace, ObjectNames.servicePeerAuthentication(service.name), {
    selector: { matchLabels: { ...service.labels } },
    ...(service.mtls ? { mtls: { mode: service.mtls } } : {}),
    ...(Object.keys(portLevel).length > 0 ? { portLevelMtls: portLevel } : {}),
  });
}

function peerAuthentication(model: MeshModel, namespace: string, name: string, spec: Record<string, unknown>): IstioManifest {
  return {
    apiVersion: istioApiVersion('PeerAuthentication', model.spec.istioVersion),
    kind: 'PeerAuthentication',
    metadata: { name, namespace },
    spec,
  };
}
