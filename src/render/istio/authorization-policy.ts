import { AuthorizationRule, renderRules, RuleOperation } from './authorization-rules';
import { DRY_RUN_ANNOTATION, IstioManifest, sortedPorts, sortedStrings } from './manifest';
import { istioApiVersion } from '../../model/api-version';
import { Enforcement, IntentionAction, JwtRequirementSpec } from '../../model/intention';
import { MeshModel } from '../../model/mesh-model';
import { ServiceSpec } from '../../model/mesh-spec';
import { ObjectNames } from '../../model/object-names';

/** The AuthorizationPolicies of one workload, by action and enforcement, in output order. */
export const POLICY_SLOTS: readonly [IntentionAction, Enforcement][] = [
  ['ALLOW', 'ENFORCE'], ['ALLOW', 'DRY_RUN'], ['DENY', 'ENFORCE'], ['DENY', 'DRY_RUN'], ['AUDIT', 'ENFORCE'],
];

/**
 * The AuthorizationPolicy of one destination for one action and enforcement, aggregating every
 * matching intention; `undefined` when there is none (Istio must never get a DENY without rules).
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
export function renderServicePolicy(model: MeshModel, service: ServiceSpec, action: IntentionAction,
  enforcement: Enforcement): IstioManifest | undefined {
  const intentions = model.intentionsFor(service).filter((i) => i.action === action && i.enforcement === enforcement);
  if (intentions.length === 0) return undefined;
  return authorizationPolicy(model, service.namespace, ObjectNames.policy(service.name, action, enforcement), enforcement, {
    action,
    rules: renderRules(model, service, intentions),
    selector: { matchLabels: { ...service.labels } },
  });
}

/**
 * "A token is required": Istio accepts requests without a token (they simply carry no identity),
 * so the requirement is a DENY of requests without a request principal from the required issuers,
 * on the service's HTTP ports, except on the exempt paths.
 * @see https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#require-a-valid-token
 */
export function renderRequireJwtPolicy(model: MeshModel, service: ServiceSpec): IstioManifest | undefined {
  const requirement = service.jwtRequirement;
  if (!requirement) return undefined;
  return authorizationPolicy(model, service.namespace, ObjectNames.requireJwt(service.name), requirement.enforcement, {
    action: 'DENY',
    rules: [requireJwtRule(requirement, model.httpTargetPorts(service))],
    selector: { matchLabels: { ...service.labels } },
  });
}

/**
 * The DENY rule of a token requirement: requests without a request principal from the required
 * issuers, on the given (HTTP) ports, for the given hosts (every host when none), except on the
 * exempt paths.
 */
export function requireJwtRule(requirement: JwtRequirementSpec, ports: readonly number[], hosts: readonly string[] = []): AuthorizationRule {
  // Keys in ascending order, as renderRules writes them (see authorization-rules).
  const operation: RuleOperation = {};
  if (hosts.length > 0) operation.hosts = sortedStrings(hosts);
  if (requirement.exceptPaths.length > 0) operation.notPaths = sortedStrings(requirement.exceptPaths);
  operation.ports = sortedPorts(ports);
  return {
    from: [{ source: { notRequestPrincipals: sortedStrings(requirement.issuers.map((i) => `${i}/*`)) } }],
    to: [{ operation }],
  };
}

/**
 * Allow-nothing for a default-deny namespace: an ALLOW policy without rules matches nothing, so
 * only what other ALLOW policies permit gets through.
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#AuthorizationPolicy (allow-nothing)
 */
export function renderDefaultDenyPolicy(model: MeshModel, namespace: string): IstioManifest | undefined {
  if (model.effectiveAccess(namespace) !== 'DENY') return undefined;
  return authorizationPolicy(model, namespace, ObjectNames.defaultDeny, 'ENFORCE', {});
}

/** An AuthorizationPolicy object; dry-run ones carry the `istio.io/dry-run` annotation. */
export function authorizationPolicy(model: MeshModel, namespace: string, name: string, enforcement: Enforcement,
  spec: Record<string, unknown>): IstioManifest {
  return {
    apiVersion: istioApiVersion('AuthorizationPolicy', model.spec.istioVersion),
    kind: 'AuthorizationPolicy',
    metadata: {
      name,
      namespace,
      ...(enforcement === 'DRY_RUN' ? { annotations: { [DRY_RUN_ANNOTATION]: 'true' } } : {}),
    },
    spec,
  };
}
