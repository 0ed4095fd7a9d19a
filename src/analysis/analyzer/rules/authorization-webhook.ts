/**
 * The AuthorizationPolicy check that needs the mesh's configuration, next to the webhook's own
 * rules (`ValidateAuthorizationPolicy`, in `src/validate/webhook/authorization-policy.ts` and
 * reported by webhook-rules.ts: `TM_AUTHZ_ACTION_WITHOUT_RULES`, `TM_AUTHZ_EMPTY_MATCH`,
 * `TM_AUTHZ_CUSTOM_INVALID`, `TM_AUTHZ_CONDITION_INVALID`, …):
 *
 * - `TM_AUTHZ_UNKNOWN_PROVIDER`: a CUSTOM provider that the given MeshConfig does not define
 *   (istiod then generates a deny rule for the policy). Checked only when a MeshConfig was given.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { isRecord } from '../../../private/records';

const UNKNOWN_PROVIDER: AnalyzerCheck = {
  code: 'TM_AUTHZ_UNKNOWN_PROVIDER',
  severity: 'error',
  title: 'a CUSTOM AuthorizationPolicy names a provider the MeshConfig does not define',
};

/** The rule family. */
export const authorizationWebhookRule: AnalyzerRule = {
  name: 'authorization-webhook',
  checks: [UNKNOWN_PROVIDER],
  run(context) {
    const out: Diagnostic[] = [];
    if (context.mesh.file === undefined) return out;
    for (const ap of context.config.authorizationPolicies) {
      const rules = ap.body.spec && isRecord(ap.body.spec) ? ap.body.spec.rules : undefined;
      const provider = isRecord(ap.body.spec) && isRecord(ap.body.spec.provider) ? ap.body.spec.provider : undefined;
      const name = typeof provider?.name === 'string' ? provider.name : '';
      // Without rules or a provider name the webhook already rejects the policy (TM_AUTHZ_ACTION_WITHOUT_RULES, TM_AUTHZ_CUSTOM_INVALID).
      if (ap.spec.action !== 'CUSTOM' || !Array.isArray(rules) || rules.length === 0 || name === '') continue;
      if (context.mesh.extensionProviders.includes(name)) continue;
      out.push(finding(UNKNOWN_PROVIDER, ap, ['spec', 'provider', 'name'],
        `${objectRef(ap)}: provider "${name}" is not among the MeshConfig's extensionProviders (${context.mesh.extensionProviders.join(', ') || 'none'}); istiod replaces the policy with a deny rule`,
        'Define the provider under meshConfig.extensionProviders, or correct the name.'));
    }
    return out;
  },
};
