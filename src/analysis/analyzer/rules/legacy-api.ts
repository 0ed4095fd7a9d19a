/**
 * `TM_LEGACY_ISTIO_API` (warning, istioctl `IST0002` Deprecated): objects of the pre-1.6 APIs
 * `rbac.istio.io` (ClusterRbacConfig, RbacConfig, ServiceRole, ServiceRoleBinding) and
 * `authentication.istio.io` (Policy, MeshPolicy). Istio 1.6 and later ignore them: the access
 * control or mTLS they describe is **not in force**. Reported only when the analysis is given no
 * target release: with one (`istioVersion`, e.g. synth or `analyze --istio-version`),
 * `TM_API_NOT_IN_TARGET` reports them on 1.6+ (rules/api-in-target.ts), and on 1.0–1.5 they are
 * the API in force.
 *
 * @see https://istio.io/latest/blog/2021/migrate-alpha-policy/
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0002/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';

const CHECK: AnalyzerCheck = {
  code: 'TM_LEGACY_ISTIO_API',
  severity: 'warning',
  upstreamCode: 'IST0002',
  title: 'a leftover rbac.istio.io or authentication.istio.io object that Istio no longer enforces',
};

const REPLACEMENTS: Readonly<Record<string, string>> = {
  'rbac.istio.io': 'security.istio.io/v1 AuthorizationPolicy (ClusterRbacConfig ON → an allow-nothing policy `spec: {}` per namespace; ServiceRole + ServiceRoleBinding → ALLOW rules)',
  'authentication.istio.io': 'security.istio.io/v1 PeerAuthentication (peers.mtls) and RequestAuthentication + AuthorizationPolicy (origins.jwt)',
};

/** The rule. */
export const legacyApiRule: AnalyzerRule = {
  name: 'legacy-api',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    if (context.istioVersion) return out;
    for (const obj of context.config.objects) {
      const group = obj.apiVersion.includes('/') ? obj.apiVersion.slice(0, obj.apiVersion.indexOf('/')) : '';
      const replacement = REPLACEMENTS[group];
      if (!replacement) continue;
      out.push(finding(CHECK, obj, ['apiVersion'],
        `${objectRef(obj)} uses ${obj.apiVersion}, removed in Istio 1.6: current Istio ignores it, so what it ${group === 'rbac.istio.io' ? 'allows or denies' : 'requires (mTLS, JWT)'} is not enforced`,
        `Convert it to ${replacement}, then delete it.`));
    }
    return out;
  },
};
