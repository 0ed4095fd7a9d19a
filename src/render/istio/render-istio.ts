import { POLICY_SLOTS, renderDefaultDenyPolicy, renderRequireJwtPolicy, renderServicePolicy } from './authorization-policy';
import { renderPlaintextDestinationRule } from './destination-rule';
import { IstioManifest } from './manifest';
import { renderMeshPeerAuthentication, renderNamespacePeerAuthentication, renderServicePeerAuthentication } from './peer-authentication';
import { renderEdges } from './render-edges';
import { renderRequestAuthentication } from './request-authentication';
import { MeshModel } from '../../model/mesh-model';
import { appendAll } from '../../private/arrays';

/**
 * Every Istio object of a mesh, in a stable order (root namespace, then each namespace in
 * declaration order, then the edge objects: gateways, egress, telemetry). A pure function of the
 * model: the constructs synthesize exactly these.
 */
export function renderIstio(model: MeshModel): IstioManifest[] {
  const out: (IstioManifest | undefined)[] = [renderMeshPeerAuthentication(model)];
  for (const ns of model.spec.namespaces) {
    out.push(renderNamespacePeerAuthentication(model, ns.name), renderDefaultDenyPolicy(model, ns.name));
    for (const service of model.servicesIn(ns.name)) {
      out.push(
        renderServicePeerAuthentication(model, service),
        renderRequestAuthentication(model, service),
        renderRequireJwtPolicy(model, service),
        ...POLICY_SLOTS.map(([action, enforcement]) => renderServicePolicy(model, service, action, enforcement)),
        renderPlaintextDestinationRule(model, service),
      );
    }
  }
  appendAll(out, renderEdges(model));
  return out.filter((m): m is IstioManifest => m !== undefined);
}
