/**
 * Whether a workload's authorization depends on what metrics do not record: the method, path,
 * host, headers or end-user token of a request. Istio's metrics say who called whom and the
 * response code; a policy that decides by `to.operation` (other than ports) or by request
 * attributes cannot be replayed from them, and replay says so instead of guessing.
 *
 * @module
 */
import { asRecord } from '../../private/records';
import { WorkloadPolicies } from '../evaluator/policy-index';

const PORT_ONLY = new Set(['ports', 'notPorts']);

/** True when some enforced AuthorizationPolicy of the workload matches on request (L7) attributes. */
export function dependsOnRequestAttributes(wp: WorkloadPolicies): boolean {
  for (const policy of [...wp.custom, ...wp.deny, ...wp.allow]) {
    for (const rule of list(asRecord(policy.resource.body.spec).rules)) {
      const r = asRecord(rule);
      for (const to of list(r.to)) {
        if (Object.keys(asRecord(asRecord(to).operation)).some((k) => !PORT_ONLY.has(k))) return true;
      }
      for (const from of list(r.from)) {
        const source = asRecord(asRecord(from).source);
        if (source.requestPrincipals !== undefined || source.notRequestPrincipals !== undefined) return true;
      }
      for (const when of list(r.when)) {
        const key = asRecord(when).key;
        if (typeof key === 'string' && key.startsWith('request.')) return true;
      }
    }
  }
  return wp.jwtRules.length > 0;
}

function list(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}
