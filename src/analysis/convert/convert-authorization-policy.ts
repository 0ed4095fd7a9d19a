/**
 * Istio 1.4's `security.istio.io/v1beta1` AuthorizationPolicies (beside the 1.x authentication
 * API, e.g. trustmesh's 1.4 output with `legacyAuthorization: AUTHORIZATION_POLICY`) → ALLOW
 * AuthorizationPolicies of the target apiVersion, adapted so that they decide as 1.4 did
 * (docs/legacy-target.md; pilot/pkg/security/authz at 1.4.10):
 *
 * - A policy is 1.4's when it is `v1beta1`, says no `action` (1.4 has none: every policy allows)
 *   and has no `provider` or `targetRef(s)`, in a config that holds the 1.x authentication API.
 *   It becomes `action: ALLOW`, same name, namespace, selector.
 * - `*` needs a value in both (1.4 wrote it as the regex `.+`): `principals: ["*"]` is any
 *   authenticated caller, kept as is.
 * - A `source` with nothing to match matched nobody in 1.4 (v1: anybody): that `from` entry is
 *   dropped, and a rule whose every entry matched nobody is dropped.
 *
 * Refused: `principals`/`namespaces` where the authentication Policy of a selected Service's port binds the principal to the origin (USE_ORIGIN), and a config that also enables RBAC
 * (1.4 consulted RBAC only for workloads no AuthorizationPolicy selected; 1.5+ would apply both).
 *
 * @module
 */
import { object } from './convert-authn';
import { ConversionBuilder } from './convert-types';
import { selectorMatches } from '../../semantics/labels';
import { AuthorizationPolicyResource, AuthorizationRule, AuthorizationSource, IstioConfig } from '../config/istio-config';
import { LegacyIndex } from '../evaluator/legacy/legacy-index';

/** Whether a loaded AuthorizationPolicy has the shape only Istio 1.4 gave it (no action, provider, target refs). */
export function isIstio14Policy(ap: AuthorizationPolicyResource): boolean {
  const spec = (ap.body.spec ?? {}) as Record<string, unknown>;
  return ap.apiVersion === 'security.istio.io/v1beta1' && spec.action === undefined && spec.provider === undefined
    && spec.targetRef === undefined && spec.targetRefs === undefined;
}

/** The Istio 1.4 AuthorizationPolicies of a config, if it is a 1.4-era config (1.x authentication API present). */
export function istio14Policies(config: IstioConfig): AuthorizationPolicyResource[] {
  if (config.legacy.authn.length === 0) return [];
  return config.authorizationPolicies.filter(isIstio14Policy);
}

const SOURCE_KEYS: readonly (keyof AuthorizationSource)[] = ['principals', 'requestPrincipals', 'namespaces', 'ipBlocks'];

/** Converts the 1.4 AuthorizationPolicies; returns those it replaced. */
export function convertAuthorizationPolicies(config: IstioConfig, b: ConversionBuilder): AuthorizationPolicyResource[] {
  const policies = istio14Policies(config);
  if (policies.length === 0) return [];
  const rbac = config.legacy.rbacConfigs.find((c) => c.spec.mode !== 'OFF');
  const index = new LegacyIndex(config);
  // Whether the authentication Policy of some port of a Service the policy selects binds the
  // principal to the peer (without such Services: whether one of the namespace or the MeshPolicy does).
  const usePeer = (ap: AuthorizationPolicyResource): boolean => {
    const ns = ap.metadata.namespace;
    const selector = ap.spec.selector?.matchLabels ?? {};
    const services = config.services
      .filter((s) => s.metadata.namespace === ns && Object.keys(s.selector).length > 0 && selectorMatches(selector, s.selector));
    if (services.length === 0) {
      return config.legacy.authn.some((p) => (p.kind === 'MeshPolicy' || p.metadata.namespace === ns) && p.spec.principalBinding !== 'USE_ORIGIN');
    }
    return services.some((s) => s.ports.some((p) => typeof p.targetPort === 'number'
      && index.authnFor(ns, s.selector, p.targetPort).policy?.spec.principalBinding !== 'USE_ORIGIN'));
  };
  const replaced: AuthorizationPolicyResource[] = [];
  for (const ap of policies) {
    if (rbac) {
      b.refuse('TM_CONVERT_UNSUPPORTED', ap, ['spec'], `Istio 1.4 consulted RBAC (${rbac.kind} ${rbac.metadata.name} mode ${rbac.spec.mode}) only for workloads no AuthorizationPolicy selected; 1.5+ would apply this policy and the converted RBAC together`,
        'Convert RBAC and AuthorizationPolicy one at a time: remove the ServiceRoles of the workloads this policy selects (1.4 ignored them), then convert again.');
      continue;
    }
    const rules: AuthorizationRule[] = [];
    let refused = false;
    ap.spec.rules.forEach((rule, i) => {
      if (rule === null || refused) return;
      const principalConditions = (rule.when ?? []).some((c) => c.key.startsWith('source.') || c.key.startsWith('request.'));
      let from: { source: AuthorizationSource }[] | undefined;
      const anyone = rule.from === undefined || rule.from.length === 0;
      if (!anyone) {
        from = [];
        for (const [j, entry] of (rule.from ?? []).entries()) {
          const source = entry.source;
          if (!source) continue;
          if ((source.requestPrincipals ?? []).length > 0 && usePeer(ap)) {
            b.refuse('TM_CONVERT_UNSUPPORTED', ap, ['spec', 'rules', i, 'from', j, 'source', 'requestPrincipals'], 'requestPrincipals under principalBinding USE_PEER (request.auth.principal is then the peer\'s principal, not the token\'s)',
              'Bind the principal to the origin (USE_ORIGIN) in the authentication Policy, then convert again.');
            refused = true;
            return;
          }
          const adapted: Record<string, readonly string[]> = {};
          for (const key of SOURCE_KEYS) {
            const values = source[key];
            if (values && values.length > 0) adapted[key] = values;
          }
          if (Object.keys(adapted).length === 0 && !principalConditions) {
            b.note(ap, `rules[${i}].from[${j}]: a source with nothing to match matched nobody in 1.4; dropped`);
            continue;
          }
          from.push({ source: adapted as AuthorizationSource });
        }
        if (!anyone && from.length === 0) {
          b.note(ap, `rules[${i}]: every source matched nobody in 1.4; the rule is dropped`);
          return;
        }
      }
      const out: Record<string, unknown> = {};
      if (!anyone && from) out.from = from;
      if (rule.to && rule.to.length > 0) out.to = rule.to;
      if (rule.when && rule.when.length > 0) out.when = rule.when;
      rules.push(out as AuthorizationRule);
    });
    if (refused) continue;
    const spec: Record<string, unknown> = {};
    if (ap.spec.selector) spec.selector = ap.spec.selector;
    spec.action = 'ALLOW';
    if (ap.spec.rules.length > 0) spec.rules = rules;
    b.add(ap, object(b, 'AuthorizationPolicy', ap.metadata.name, ap.metadata.namespace, spec));
    b.note(ap, 'Istio 1.4 AuthorizationPolicy (no action: ALLOW)');
    replaced.push(ap);
  }
  return replaced;
}
