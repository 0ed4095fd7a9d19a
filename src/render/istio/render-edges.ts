import { POLICY_SLOTS } from './authorization-policy';
import { renderEgressTlsDestinationRules, renderPlaintextExceptionDestinationRule } from './destination-rule';
import { renderGateway } from './gateway';
import { renderGatewayPolicy, renderGatewayRequestAuthentication, renderGatewayRequireJwtPolicy } from './gateway-authorization';
import { IstioManifest } from './manifest';
import { renderServiceEntry } from './service-entry';
import { renderEgressSidecar } from './sidecar';
import { renderAccessLogging } from './telemetry';
import { renderGatewayRoute } from './virtual-service';
import { NO_EDGES } from '../../model/edges';
import { IngressGatewaySpec, routesByService } from '../../model/ingress-gateway';
import { ServiceRef } from '../../model/intention';
import { MeshModel } from '../../model/mesh-model';
import { appendAll } from '../../private/arrays';

/**
 * Every edge object of a mesh — gateways with their policies and routes, egress Sidecars,
 * ServiceEntries, client-TLS DestinationRules, Telemetry — in declaration order. A pure function
 * of the model.
 */
export function renderEdges(model: MeshModel): IstioManifest[] {
  const edges = model.spec.edges ?? NO_EDGES;
  const out: (IstioManifest | undefined)[] = [];
  for (const policy of edges.egressPolicies) out.push(renderEgressSidecar(model, policy));
  for (const logging of edges.accessLogging) out.push(renderAccessLogging(model, logging));
  for (const gateway of edges.gateways) {
    out.push(
      renderGateway(model, gateway),
      renderGatewayRequestAuthentication(model, gateway),
      renderGatewayRequireJwtPolicy(model, gateway),
      ...POLICY_SLOTS.map(([action, enforcement]) => renderGatewayPolicy(model, gateway, action, enforcement)),
    );
    appendAll(out, routedServices(gateway).map((service) => renderGatewayRoute(model, gateway, service)));
  }
  for (const external of edges.externalServices) out.push(renderServiceEntry(model, external), ...renderEgressTlsDestinationRules(model, external));
  for (const exception of edges.plaintextExceptions) out.push(renderPlaintextExceptionDestinationRule(model, exception));
  return out.filter((m): m is IstioManifest => m !== undefined);
}

/** The services a gateway routes to, in the order of their first route. */
function routedServices(gateway: IngressGatewaySpec): ServiceRef[] {
  return [...routesByService(gateway).values()].map((routes) => routes[0].service);
}
