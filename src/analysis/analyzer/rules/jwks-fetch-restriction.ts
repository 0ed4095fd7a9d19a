/**
 * `TM_JWKS_FETCH_UNRESTRICTED` (warning, istioctl `IST0175` JwksUriFetchUnrestricted,
 * `authn.BlockedCIDRsAnalyzer`): RequestAuthentications exist, and the istiod Deployment (label
 * `app: istiod`) sets no `BLOCKED_CIDRS_IN_JWKS_URIS`. istiod fetches every `jwksUri` itself, so
 * whoever may write a RequestAuthentication can make istiod request internal addresses (the cloud
 * metadata endpoint, the API server): a server-side request forgery vector.
 *
 * Reported on the istiod Deployment, naming up to five RequestAuthentications. Judged only when
 * the input holds istiod (exported cluster state or the installation manifests).
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0175/
 * @see https://istio.io/latest/docs/reference/commands/pilot-discovery/#envvars
 * @module
 */
import { podContainers, podTemplate } from './pod-spec';
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { asRecord } from '../../../private/records';

const CHECK: AnalyzerCheck = {
  code: 'TM_JWKS_FETCH_UNRESTRICTED',
  severity: 'warning',
  upstreamCode: 'IST0175',
  title: 'istiod fetches JWKS URIs without BLOCKED_CIDRS_IN_JWKS_URIS',
};

const SHOWN = 5;

/** The rule. */
export const jwksFetchRestrictionRule: AnalyzerRule = {
  name: 'jwks-fetch-restriction',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    const { config } = context;
    if (config.requestAuthentications.length === 0) return out;
    const names = config.requestAuthentications.map((ra) => `${ra.metadata.namespace}/${ra.metadata.name}`);
    const listed = names.length <= SHOWN ? names.join(', ') : `${names.slice(0, SHOWN).join(', ')}, and ${names.length - SHOWN} more`;
    for (const d of config.workloads) {
      if (d.kind !== 'Deployment' || d.metadata.labels.app !== 'istiod') continue;
      const template = podTemplate(d);
      const containers = template ? podContainers(template, false) : [];
      const restricted = containers.some((c) => (Array.isArray(c.body.env) ? c.body.env : [])
        .some((e) => asRecord(e).name === 'BLOCKED_CIDRS_IN_JWKS_URIS' && typeof asRecord(e).value === 'string' && asRecord(e).value !== ''));
      if (restricted) continue;
      const discovery = containers.find((c) => c.name === 'discovery') ?? containers[0];
      out.push(finding(CHECK, d, discovery ? [...discovery.path, 'env'] : ['metadata', 'name'],
        `${objectRef(d)}: BLOCKED_CIDRS_IN_JWKS_URIS is not configured but ${names.length} RequestAuthentication resource(s) exist (${listed}); istiod fetches their jwksUri from any address, internal ones included`,
        'Set the istiod env BLOCKED_CIDRS_IN_JWKS_URIS to the internal ranges istiod must not fetch from (e.g. "169.254.0.0/16,10.0.0.0/8"), e.g. with --set pilot.env.BLOCKED_CIDRS_IN_JWKS_URIS=…'));
    }
    return out;
  },
};
