import { istioApiVersion } from './api-version';
import { AuthorizationRule, renderRules } from './authorization-rules';
import { DRY_RUN_ANNOTATION, IstioManifest, sortedPorts, sortedStrings } from './manifest';
import { ObjectNames } from './object-names';
import { Enforcement, IntentionAction } from '../../model/intention';
import { MeshModel } from '../../model/mesh-model';
import { ServiceSpec } from '../../model/mesh-spec';

/**
 * The AuthorizationPolicy of one destination for one action and enforcement, aggregating every
 * matching intention; `undefined` when there is none (Istio must never get a DENY without rules).
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
export function renderServicePolicy(model: MeshModel, service: ServiceSpec, action: IntentionAction,
  enforcement: Enforcement): IstioManifest | undefined {
  const intentions = model.intentionsFor(service).filter((i) => i.action === action && i.enforcement === enforcement);
  if (intentions.length === 0) return undefined;
  return policy(model, service.namespace, ObjectNames.policy(service.name, action, enforcement), enforcement, {
    selector: { matchLabels: { ...service.labels } },
    action,
    rules: renderRules(model, service, intentions),
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
  const operation: Record<string, string[]> = { ports: sortedPorts(model.httpTargetPorts(service)) };
  if (requirement.exceptPaths.length > 0) operation.notPaths = sortedStrings(requirement.exceptPaths);
  const rule: AuthorizationRule = {
    from: [{ source: { notRequestPrincipals: sortedStrings(requirement.issuers.map((i) => `${i}/*`)) } }],
    to: [{ operation }],
  };
  return policy(model, service.namespace, ObjectNames.requireJwt(service.name), requirement.enforcement, {
    selector: { matchLabels: { ...service.labels } },
    action: 'DENY',
    rules: [rule],
  });
}

/**
 * Allow-nothing for a default-deny namespace: an ALLOW policy without rules matches nothing, so
 * only what other ALLOW policies permit gets through.
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#AuthorizationPolicy (allow-nothing)
 */
export function renderDefaultDenyPolicy(model: MeshModel, namespace: string): IstioManifest | undefined {
  if (model.effectiveAccess(namespace) !== 'DENY') return undefined;
  return policy(model, namespace, ObjectNames.defaultDeny, 'ENFORCE', {});
}

function policy(model: MeshModel, namespace: string, name: string, enforcement: Enforcement, spec: Record<string, unknown>): IstioManifest {
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
