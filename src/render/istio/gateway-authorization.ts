import { authorizationPolicy, requireJwtRule } from './authorization-policy';
import { renderRules } from './authorization-rules';
import { IstioManifest } from './manifest';
import { requestAuthentication } from './request-authentication';
import { EdgeObjectNames } from '../../model/edge-names';
import { gatewayWorkload, IngressGatewaySpec } from '../../model/ingress-gateway';
import { Enforcement, IntentionAction } from '../../model/intention';
import { MeshModel } from '../../model/mesh-model';

/**
 * The gateway workload's AuthorizationPolicy for one action and enforcement, in the gateway's
 * namespace, selecting the gateway pods. The rules are rendered exactly like a service's (a DENY
 * with HTTP-only fields is scoped to the ports where the gateway terminates TLS, so it does not
 * close passthrough connections). `undefined` when there is no such intention.
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/
 */
export function renderGatewayPolicy(model: MeshModel, gateway: IngressGatewaySpec, action: IntentionAction,
  enforcement: Enforcement): IstioManifest | undefined {
  const intentions = gateway.intentions.filter((i) => i.action === action && i.enforcement === enforcement);
  if (intentions.length === 0) return undefined;
  return authorizationPolicy(model, gateway.namespace, EdgeObjectNames.gatewayPolicy(gateway.name, action, enforcement), enforcement, {
    action,
    rules: renderRules(model, gatewayWorkload(gateway), intentions),
    selector: { matchLabels: { ...gateway.selector } },
  });
}

/**
 * "A token is required at the gateway": a DENY of requests without a request principal from the
 * required issuers, on the gateway's HTTP ports, for the required hosts, except on exempt paths.
 */
export function renderGatewayRequireJwtPolicy(model: MeshModel, gateway: IngressGatewaySpec): IstioManifest | undefined {
  const requirement = gateway.jwtRequirement;
  if (!requirement) return undefined;
  return authorizationPolicy(model, gateway.namespace, EdgeObjectNames.gatewayRequireJwt(gateway.name), requirement.enforcement, {
    action: 'DENY',
    rules: [requireJwtRule(requirement, model.httpTargetPorts(gatewayWorkload(gateway)), requirement.hosts)],
    selector: { matchLabels: { ...gateway.selector } },
  });
}

/** The gateway's RequestAuthentication: every issuer its requirement and intentions name. */
export function renderGatewayRequestAuthentication(model: MeshModel, gateway: IngressGatewaySpec): IstioManifest | undefined {
  return requestAuthentication(model, gateway.namespace, EdgeObjectNames.gatewayRequestAuthentication(gateway.name), gateway.selector,
    model.gatewayIssuers(gateway));
}
