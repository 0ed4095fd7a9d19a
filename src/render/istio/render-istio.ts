import { IstioObjectSlot } from './istio-objects';
import { IstioManifest } from './manifest';
import { NO_EDGES } from '../../model/edges';
import { routesByService } from '../../model/ingress-gateway';
import { MeshModel } from '../../model/mesh-model';
import { appendAll } from '../../private/arrays';
import { objectTableFor } from '../istio-legacy/legacy-objects';

/**
 * Every Istio object of a mesh, in a stable order (root namespace, then each namespace in
 * declaration order, then the edge objects: egress Sidecars, Telemetry, gateways with their
 * policies and routes, ServiceEntries with their client-TLS DestinationRules, plaintext
 * exceptions). A pure function of the model, walking {@link ISTIO_OBJECTS} (its legacy
 * counterpart before Istio 1.5): the constructs synthesize exactly these.
 */
export function renderIstio(model: MeshModel): IstioManifest[] {
  const ISTIO_OBJECTS = objectTableFor(model.spec.istioVersion, model.spec.legacyAuthorization);
  const out: IstioManifest[] = [];
  const emit = <S>(slots: readonly IstioObjectSlot<S>[], subject: S): void => {
    for (const slot of slots) appendAll(out, slot.render(model, subject));
  };
  emit(ISTIO_OBJECTS.mesh, model.spec);
  for (const namespace of model.spec.namespaces) {
    emit(ISTIO_OBJECTS.namespace, namespace);
    for (const service of model.servicesIn(namespace.name)) emit(ISTIO_OBJECTS.service, { service, intentions: model.intentionsFor(service) });
  }
  const edges = model.spec.edges ?? NO_EDGES;
  for (const policy of edges.egressPolicies) emit(ISTIO_OBJECTS.egressPolicy, policy);
  for (const logging of edges.accessLogging) emit(ISTIO_OBJECTS.accessLogging, logging);
  for (const gateway of edges.gateways) {
    emit(ISTIO_OBJECTS.gateway, gateway);
    // The services a gateway routes to, in the order of their first route.
    for (const routes of routesByService(gateway).values()) emit(ISTIO_OBJECTS.gatewayRoute, { gateway, service: routes[0].service });
  }
  for (const external of edges.externalServices) emit(ISTIO_OBJECTS.externalService, external);
  for (const exception of edges.plaintextExceptions) emit(ISTIO_OBJECTS.plaintextException, exception);
  return out;
}
