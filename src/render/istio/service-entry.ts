import { IstioManifest } from './manifest';
import { istioApiVersion } from '../../model/api-version';
import { ExternalServiceSpec } from '../../model/egress';
import { MeshModel } from '../../model/mesh-model';

/**
 * The ServiceEntry of an external host: `location: MESH_EXTERNAL` and `resolution: DNS` written
 * out (the zero values are MESH_EXTERNAL and NONE), ports sorted by number, `exportTo` explicit
 * (`*` for mesh-wide egress, `.` for one namespace's).
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/
 */
export function renderServiceEntry(model: MeshModel, external: ExternalServiceSpec): IstioManifest {
  const ports = [...external.ports].sort((a, b) => a.number - b.number).map((p) => ({
    number: p.number,
    name: p.name,
    protocol: p.protocol,
    ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
  }));
  return {
    apiVersion: istioApiVersion('ServiceEntry', model.spec.istioVersion),
    kind: 'ServiceEntry',
    metadata: { name: external.name, namespace: external.namespace },
    spec: {
      hosts: [external.host],
      exportTo: [...external.exportTo],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      ports,
    },
  };
}
