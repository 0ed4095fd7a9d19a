import { IstioManifest } from './manifest';
import { istioApiVersion } from '../../model/api-version';
import { EdgeObjectNames } from '../../model/edge-names';
import { EgressPolicySpec } from '../../model/egress';
import { MeshModel } from '../../model/mesh-model';

/**
 * The outbound traffic policy of the mesh (a selector-less Sidecar in the root namespace) or of
 * one namespace (its selector-less Sidecar, which replaces the mesh default there entirely).
 *
 * `outboundTrafficPolicy.mode` is always written: when the field is present without `mode`,
 * istiod takes the enum's zero value REGISTRY_ONLY rather than the MeshConfig setting (Kiali
 * KIA1007). REGISTRY_ONLY makes calls to hosts outside the service registry fail; it is not a
 * firewall (a workload can still bypass its sidecar), which needs an egress gateway and network
 * policy.
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/#OutboundTrafficPolicy
 */
export function renderEgressSidecar(model: MeshModel, policy: EgressPolicySpec): IstioManifest {
  const namespace = policy.scope.kind === 'mesh' ? model.spec.rootNamespace : policy.scope.namespace;
  return {
    apiVersion: istioApiVersion('Sidecar', model.spec.istioVersion),
    kind: 'Sidecar',
    metadata: { name: EdgeObjectNames.egressSidecar, namespace },
    spec: { outboundTrafficPolicy: { mode: policy.mode } },
  };
}
