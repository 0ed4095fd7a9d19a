/**
 * Decides one request by the Istio 1.x rules: authentication Policy (peers, origins,
 * principalBinding), then RBAC (RbacConfig mode, ServiceRole + ServiceRoleBinding). Denials:
 * `DENY_CONN` for plaintext on STRICT, `DENY_401` for origin failures, `DENY_403`
 * ("RBAC: access denied") on HTTP and `DENY_CONN` on TCP for RBAC.
 *
 * Istio 1.4 (`legacyAuthorization: AUTHORIZATION_POLICY`): v1beta1 AuthorizationPolicies (ALLOW
 * only) beside the 1.x authentication Policy; for a workload some of them select, they decide
 * instead of RBAC (legacy-authorization-policy.ts).
 *
 * Istio 1.5 coexistence (the only release serving both generations): for a workload that any
 * v1beta1 policy selects, the v1beta1 policy takes precedence
 * (https://istio.io/latest/blog/2021/migrate-alpha-policy/); {@link usesLegacy} makes that call
 * for the whole decision.
 *
 * @module
 */
import { legacyAuthenticate } from './legacy-authn';
import { findPolicyGrant } from './legacy-authorization-policy';
import { LegacyIndex } from './legacy-index';
import { findGrant, LegacyRbacRequest, rbacEnabled } from './legacy-rbac';
import { AccessDecision, AccessRequest, DecidingPolicy } from '../../../semantics/access-request';
import { WorkloadPolicies } from '../policy-index';

/**
 * True when the config has legacy objects and no v1beta1/v1 security policy of the 1.5+ generation
 * applies to the workload. ALLOW AuthorizationPolicies alone are Istio 1.4's (it has no other
 * action): where the 1.x authentication API is present they are decided with it, by the 1.4 rules.
 */
export function usesLegacy(index: LegacyIndex, wp: WorkloadPolicies): boolean {
  if (!index.present) return false;
  const v1 = wp.peerAuthentication.source !== undefined || wp.peerAuthentication.ports.size > 0 || wp.requestAuthentications.length > 0
    || wp.deny.length + wp.custom.length + wp.audit.length + wp.dryRun.length > 0 || (wp.allow.length > 0 && !index.hasAuthn);
  return !v1;
}

/** Decides a request by the 1.x rules. */
export function decideLegacy(index: LegacyIndex, request: AccessRequest): AccessDecision {
  const d = request.destination;
  const authn = index.authnFor(d.namespace, d.labels, d.port);
  const policyRef: DecidingPolicy[] = authn.policy
    ? [{ kind: authn.policy.kind, namespace: authn.policy.metadata.namespace, name: authn.policy.metadata.name, action: 'AUTHN', rule: null }]
    : [];
  const a = legacyAuthenticate(authn, request);
  if (a.kind === 'reject') return decision(a.outcome, policyRef, a.explanation);
  const notes = [...a.notes];
  const services = index.servicesOf(d.namespace, d.labels);
  const config = index.rbacConfig;
  const suffix = (): string => (notes.length > 0 ? ` (${[...new Set(notes)].join('; ')})` : '');
  const destinationUser = index.serviceAccountOf(d.namespace, d.labels);
  const rbacRequest: LegacyRbacRequest = {
    request,
    services,
    ...(a.principal ? { principal: a.principal } : {}),
    ...(a.requestPrincipal ? { origin: a.requestPrincipal } : {}),
    ...(a.claims ? { claims: a.claims } : {}),
    ...(destinationUser ? { destinationUser } : {}),
  };
  // Istio 1.4: v1beta1 AuthorizationPolicies that select the workload replace RBAC for it.
  const policies = index.authorizationPoliciesFor(d.namespace, d.labels);
  if (policies.length > 0) {
    const granted = findPolicyGrant(policies, rbacRequest, notes);
    if (granted) {
      const { namespace, name } = granted.policy.metadata;
      return decision('ALLOW', [{ kind: 'AuthorizationPolicy', namespace, name, action: 'ALLOW', rule: granted.rule }],
        `allowed by AuthorizationPolicy ${namespace}/${name} rule ${granted.rule} (Istio 1.4: the workload's v1beta1 policies replace RBAC)${suffix()}`);
    }
    const outcome = request.protocol === 'TCP' ? 'DENY_CONN' : 'DENY_403';
    const who = a.principal ? `principal ${a.principal}` : 'no principal';
    return decision(outcome, policies.map((p) => ({ kind: 'AuthorizationPolicy', namespace: p.metadata.namespace, name: p.metadata.name, action: 'ALLOW', rule: null })),
      `${outcome === 'DENY_CONN' ? 'connection closed' : 'denied (403 "RBAC: access denied")'}: no rule of the AuthorizationPolicies selecting the workload (${policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(', ')}) allows the request (${who}; Istio 1.4: they replace RBAC for it)${suffix()}`);
  }
  const rbacRef: DecidingPolicy[] = config
    ? [{ kind: config.kind, namespace: config.metadata.namespace, name: config.metadata.name, action: config.spec.mode, rule: null }]
    : [];
  if (!rbacEnabled(config, d.namespace, services)) {
    const why = config ? `${config.kind} ${config.metadata.name} mode ${config.spec.mode} does not enable RBAC for this service` : 'no ClusterRbacConfig/RbacConfig enables RBAC';
    return decision('ALLOW', rbacRef, `allowed: ${why}${suffix()}`);
  }
  const grant = findGrant(index, rbacRequest, notes);
  if (grant) {
    return decision('ALLOW', [
      { kind: 'ServiceRole', namespace: d.namespace, name: grant.role, action: 'ALLOW', rule: grant.rule },
      { kind: 'ServiceRoleBinding', namespace: d.namespace, name: grant.binding, action: 'ALLOW', rule: grant.subject },
    ], `allowed by ServiceRole ${d.namespace}/${grant.role} rule ${grant.rule} bound by ServiceRoleBinding ${d.namespace}/${grant.binding} subject ${grant.subject}${suffix()}`);
  }
  const who = a.principal ? `principal ${a.principal}` : 'no principal';
  if (config?.spec.enforcementMode === 'PERMISSIVE') {
    return decision('ALLOW', rbacRef, `allowed: RBAC would deny (${who}: no ServiceRole bound to it grants the request) but ${config.kind} ${config.metadata.name} enforcementMode is PERMISSIVE (logged, not enforced)${suffix()}`);
  }
  const outcome = request.protocol === 'TCP' ? 'DENY_CONN' : 'DENY_403';
  return decision(outcome, rbacRef, `${outcome === 'DENY_CONN' ? 'connection closed' : 'denied (403 "RBAC: access denied")'}: RBAC is ON for ${services.length > 0 ? services.map((s) => s.metadata.name).join(', ') : 'the workload'} and no ServiceRole bound by a ServiceRoleBinding grants the request (${who})${suffix()}`);
}

function decision(outcome: AccessDecision['outcome'], decidedBy: readonly DecidingPolicy[], explanation: string): AccessDecision {
  return { outcome, allowed: outcome === 'ALLOW', decidedBy, explanation };
}
