/**
 * AuthorizationPolicy rules that Istio's validating webhook enforces but the CRD schema (and its
 * CEL rules) does not — so `kubectl apply --dry-run=client`, GitOps diff tools and schema
 * validation all accept them, and the cluster rejects them or istiod turns them into deny-all:
 *
 * - `TM_AUTHZ_ACTION_WITHOUT_RULES`: DENY or CUSTOM without `rules` ("meaningless as it will
 *   never be triggered"; use `rules: [{}]` to match everything).
 * - `TM_AUTHZ_EMPTY_MATCH`: `from: []`/`to: []`, a `null` rule or entry, a `from` without
 *   `source` or a `to` without `operation`, an empty `source`/`operation`, a `when` without
 *   `values`/`notValues`, an empty string value.
 * - `TM_AUTHZ_CUSTOM_INVALID`: CUSTOM without `provider.name`, `provider` with another action,
 *   CUSTOM rules using identity fields (`principals`, `namespaces`, `serviceAccounts`,
 *   `requestPrincipals`, …) or identity/`request.auth.*` conditions.
 * - `TM_AUTHZ_UNKNOWN_PROVIDER`: a CUSTOM provider that the given MeshConfig does not define
 *   (istiod then generates a deny rule for the policy). Checked only when a MeshConfig was given.
 *
 * Upstream: istioctl `IST0106` SchemaValidationError (it runs the webhook validators);
 * `pkg/config/validation/validation.go` `ValidateAuthorizationPolicy`.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, RuleContext, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { asRecord, isRecord } from '../../../private/records';
import { AuthorizationPolicyResource } from '../../config/istio-config';
import { OPERATION_FIELDS, SOURCE_FIELDS } from '../../config/security-resources';
import { FieldPath, fieldString } from '../../config/yaml-source';

const WITHOUT_RULES: AnalyzerCheck = {
  code: 'TM_AUTHZ_ACTION_WITHOUT_RULES',
  severity: 'error',
  upstreamCode: 'IST0106',
  title: 'a DENY or CUSTOM AuthorizationPolicy has no rules',
};
const EMPTY_MATCH: AnalyzerCheck = {
  code: 'TM_AUTHZ_EMPTY_MATCH',
  severity: 'error',
  upstreamCode: 'IST0106',
  title: 'an AuthorizationPolicy rule has an empty or null match the webhook rejects',
};
const CUSTOM_INVALID: AnalyzerCheck = {
  code: 'TM_AUTHZ_CUSTOM_INVALID',
  severity: 'error',
  upstreamCode: 'IST0106',
  title: 'a CUSTOM AuthorizationPolicy breaks the CUSTOM action restrictions',
};
const UNKNOWN_PROVIDER: AnalyzerCheck = {
  code: 'TM_AUTHZ_UNKNOWN_PROVIDER',
  severity: 'error',
  title: 'a CUSTOM AuthorizationPolicy names a provider the MeshConfig does not define',
};

const CUSTOM_FORBIDDEN_SOURCE = ['namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'principals', 'notPrincipals',
  'requestPrincipals', 'notRequestPrincipals', 'trustDomains', 'notTrustDomains'];
const CUSTOM_FORBIDDEN_KEYS = ['source.namespace', 'source.serviceAccount', 'source.principal', 'source.trustDomain'];

/** The rule family. */
const MATCH_LISTS = [['from', 'source', SOURCE_FIELDS], ['to', 'operation', OPERATION_FIELDS]] as const;

export const authorizationWebhookRule: AnalyzerRule = {
  name: 'authorization-webhook',
  checks: [WITHOUT_RULES, EMPTY_MATCH, CUSTOM_INVALID, UNKNOWN_PROVIDER],
  run(context) {
    const out: Diagnostic[] = [];
    for (const ap of context.config.authorizationPolicies) {
      checkPolicy(context, ap, out);
    }
    return out;
  },
};

function checkPolicy(context: RuleContext, ap: AuthorizationPolicyResource, out: Diagnostic[]): void {
  const spec = asRecord(ap.body.spec);
  const action = ap.spec.action;
  const ref = objectRef(ap);
  const rules = Array.isArray(spec.rules) ? spec.rules as unknown[] : [];
  if ((action === 'DENY' || action === 'CUSTOM') && rules.length === 0) {
    out.push(finding(WITHOUT_RULES, ap, 'action' in spec ? ['spec', 'action'] : ['spec'],
      `${ref}: action ${action} without rules never matches anything (the webhook rejects it as meaningless)`,
      action === 'DENY'
        ? 'To deny every request to the selected workloads write rules: [{}]; otherwise add the rules to deny, or delete the policy.'
        : 'To send every request to the external authorizer write rules: [{}]; otherwise add the rules that select requests.'));
  }
  const provider = isRecord(spec.provider) ? spec.provider : undefined;
  if (action === 'CUSTOM' && rules.length > 0) {
    const name = typeof provider?.name === 'string' ? provider.name : '';
    if (name === '') {
      out.push(finding(CUSTOM_INVALID, ap, provider ? ['spec', 'provider'] : ['spec', 'action'],
        `${ref}: action CUSTOM needs provider.name (the extension provider that decides)`,
        'Set provider.name to one of meshConfig.extensionProviders[].name.'));
    } else if (context.mesh.file !== undefined && !context.mesh.extensionProviders.includes(name)) {
      out.push(finding(UNKNOWN_PROVIDER, ap, ['spec', 'provider', 'name'],
        `${ref}: provider "${name}" is not among the MeshConfig's extensionProviders (${context.mesh.extensionProviders.join(', ') || 'none'}); istiod replaces the policy with a deny rule`,
        'Define the provider under meshConfig.extensionProviders, or correct the name.'));
    }
  } else if (provider && action !== 'CUSTOM') {
    out.push(finding(CUSTOM_INVALID, ap, ['spec', 'provider'],
      `${ref}: provider is only allowed with action CUSTOM, not ${action}`,
      'Remove provider, or set action: CUSTOM.'));
  }
  rules.forEach((rule, i) => checkRule(ap, ref, action, rule, i, out));
}

function checkRule(ap: AuthorizationPolicyResource, ref: string, action: string, rule: unknown, i: number, out: Diagnostic[]): void {
  const base: FieldPath = ['spec', 'rules', i];
  const empty = (path: FieldPath, what: string, fix: string): void => {
    out.push(finding(EMPTY_MATCH, ap, path, `${ref}: ${fieldString(path)}: ${what}`, fix));
  };
  if (!isRecord(rule)) {
    empty(base, 'a rule must not be null', 'Write {} for a rule that matches every request, or delete the entry.');
    return;
  }
  for (const [list, entry, fields] of MATCH_LISTS) {
    const value = rule[list];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) {
      empty([...base, list], `\`${list}: []\` is rejected (omit ${list} to match any ${entry})`, `Delete the empty ${list} list.`);
      continue;
    }
    (Array.isArray(value) ? value : []).forEach((e: unknown, j) => {
      // Paths are built only for findings: this runs for every entry of every policy at synth.
      const at = (): FieldPath => [...base, list, j];
      const inner = isRecord(e) ? e[entry] : undefined;
      if (!isRecord(inner)) {
        empty(at(), `a ${list} entry needs a non-null ${entry}`, `Give the entry a ${entry} with at least one field, or delete it.`);
        return;
      }
      let set = 0;
      for (const f of fields) {
        const values = inner[f];
        if (!Array.isArray(values)) continue;
        if (values.length > 0) set++;
        values.forEach((v: unknown, k) => {
          if (v === '') empty([...at(), entry, f, k], 'values must not be empty strings', 'Delete the empty value (an empty string never matches).');
        });
        if (action === 'CUSTOM' && CUSTOM_FORBIDDEN_SOURCE.includes(f) && values.length > 0) {
          out.push(finding(CUSTOM_INVALID, ap, [...at(), entry, f],
            `${ref}: ${list}.${entry}.${f} is not supported with action CUSTOM`,
            'Let the external authorizer check identities, or move this match to an ALLOW/DENY policy.'));
        }
      }
      if (set === 0) {
        empty([...at(), entry], `${list}.${entry} must not be empty`, `Add a field to the ${entry} (e.g. ${list === 'from' ? 'principals' : 'ports'}), or delete the entry.`);
      }
    });
  }
  const when = Array.isArray(rule.when) ? rule.when as unknown[] : [];
  when.forEach((w: unknown, j) => {
    const at: FieldPath = [...base, 'when', j];
    const cond = asRecord(w);
    const key = typeof cond.key === 'string' ? cond.key : '';
    const count = (x: unknown): number => (Array.isArray(x) ? x.length : 0);
    if (count(cond.values) + count(cond.notValues) === 0) {
      empty(at, `condition ${key || '(no key)'} needs values or notValues`, 'Add values (or notValues) to the condition, or delete it.');
    }
    if (action === 'CUSTOM' && (CUSTOM_FORBIDDEN_KEYS.includes(key) || key.startsWith('request.auth.'))) {
      out.push(finding(CUSTOM_INVALID, ap, [...at, 'key'],
        `${ref}: condition ${key} is not supported with action CUSTOM`,
        'Let the external authorizer check this, or move the condition to an ALLOW/DENY policy.'));
    }
  });
}
