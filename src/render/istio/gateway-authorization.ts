import { istioApiVersion } from './api-version';
import { AuthorizationRule, RuleOperation, renderRules } from './authorization-rules';
import { EdgeObjectNames } from './edge-names';
import { DRY_RUN_ANNOTATION, IstioManifest, sortedPorts, sortedStrings } from './manifest';
import { renderJwtRule } from './request-authentication';
import { gatewayIssuerNames, gatewayWorkload, IngressGatewaySpec } from '../../model/ingress-gateway';
import { Enforcement, IntentionAction } from '../../model/intention';
import { JwtIssuerSpec } from '../../model/jwt-issuer';
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
  return policy(model, gateway, EdgeObjectNames.gatewayPolicy(gateway.name, action, enforcement), enforcement, {
    selector: { matchLabels: { ...gateway.selector } },
    action,
    rules: renderRules(model, gatewayWorkload(gateway), intentions),
  });
}

/**
 * "A token is required at the gateway": a DENY of requests without a request principal from the
 * required issuers, on the gateway's HTTP ports, for the required hosts, except on exempt paths.
 */
export function renderGatewayRequireJwtPolicy(model: MeshModel, gateway: IngressGatewaySpec): IstioManifest | undefined {
  const requirement = gateway.jwtRequirement;
  if (!requirement) return undefined;
  const operation: RuleOperation = { ports: sortedPorts(model.httpTargetPorts(gatewayWorkload(gateway))) };
  if (requirement.hosts.length > 0) operation.hosts = sortedStrings(requirement.hosts);
  if (requirement.exceptPaths.length > 0) operation.notPaths = sortedStrings(requirement.exceptPaths);
  const rule: AuthorizationRule = {
    from: [{ source: { notRequestPrincipals: sortedStrings(requirement.issuers.map((i) => `${i}/*`)) } }],
    to: [{ operation }],
  };
  return policy(model, gateway, EdgeObjectNames.gatewayRequireJwt(gateway.name), requirement.enforcement, {
    selector: { matchLabels: { ...gateway.selector } },
    action: 'DENY',
    rules: [rule],
  });
}

/** The gateway's RequestAuthentication: every issuer its requirement and intentions name. */
export function renderGatewayRequestAuthentication(model: MeshModel, gateway: IngressGatewaySpec): IstioManifest | undefined {
  const issuers = gatewayIssuerNames(gateway).map((n) => model.issuer(n)).filter((i): i is JwtIssuerSpec => i !== undefined);
  if (issuers.length === 0) return undefined;
  return {
    apiVersion: istioApiVersion('RequestAuthentication', model.spec.istioVersion),
    kind: 'RequestAuthentication',
    metadata: { name: EdgeObjectNames.gatewayRequestAuthentication(gateway.name), namespace: gateway.namespace },
    spec: { selector: { matchLabels: { ...gateway.selector } }, jwtRules: issuers.map(renderJwtRule) },
  };
}

function policy(model: MeshModel, gateway: IngressGatewaySpec, name: string, enforcement: Enforcement, spec: Record<string, unknown>): IstioManifest {
  return {
    apiVersion: istioApiVersion('AuthorizationPolicy', model.spec.istioVersion),
    kind: 'AuthorizationPolicy',
    metadata: {
      name,
      namespace: gateway.namespace,
      ...(enforcement === 'DRY_RUN' ? { annotations: { [DRY_RUN_ANNOTATION]: 'true' } } : {}),
    },
    spec,
  };
}
