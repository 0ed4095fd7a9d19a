/**
 * `TM_API_NOT_IN_TARGET`: an Istio object whose API (group/version and kind) the target release
 * does not serve — only when the analysis is given a target (`trustmesh analyze --istio-version`,
 * the cdk8s plugin's `istioVersion`, synth's mesh `istioVersion`).
 *
 * - An API the target does not serve *yet* (e.g. `security.istio.io/v1beta1` AuthorizationPolicy
 *   on 1.3, `security.istio.io/v1` before 1.22): error — the API server has no such kind, so the
 *   apply fails.
 * - An API the target no longer serves (`rbac.istio.io` and `authentication.istio.io`, removed in
 *   1.6): warning, with istioctl's `IST0002` — a leftover CRD may still accept the object, but
 *   nothing enforces it. With a target this replaces `TM_LEGACY_ISTIO_API`, which reports the same
 *   objects when no target is given.
 *
 * Kinds not in the table (other groups, kinds trustmesh does not know) are not reported.
 * Sources: istio/api release tags (the protos at 1.0.0 … 1.4.10 in ../shared/istio/legacy, the
 * CRDs of 1.5.10 and 1.30.3 in ../shared/istio) and docs/legacy-target.md's version table.
 *
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { compareIstioVersions, formatIstioVersion, IstioVersion } from '../../../model/istio-version';

const CHECK: AnalyzerCheck = {
  code: 'TM_API_NOT_IN_TARGET',
  severity: 'error',
  title: 'an Istio object whose API version or kind the target Istio release does not serve',
};

type Served = readonly [since: string, until?: string];

const v = (s: string): IstioVersion => {
  const [major, minor] = s.split('.').map(Number);
  return { major, minor };
};

/** apiVersion → kind → [first release serving it, first release no longer serving it]. */
const SERVED: Readonly<Record<string, Readonly<Record<string, Served>>>> = {
  'authentication.istio.io/v1alpha1': { Policy: ['1.0', '1.6'], MeshPolicy: ['1.0', '1.6'] },
  'rbac.istio.io/v1alpha1': {
    RbacConfig: ['1.0', '1.6'], ClusterRbacConfig: ['1.1', '1.6'], ServiceRole: ['1.0', '1.6'], ServiceRoleBinding: ['1.0', '1.6'],
  },
  'security.istio.io/v1beta1': { AuthorizationPolicy: ['1.4'], PeerAuthentication: ['1.5'], RequestAuthentication: ['1.5'] },
  'security.istio.io/v1': { AuthorizationPolicy: ['1.22'], PeerAuthentication: ['1.22'], RequestAuthentication: ['1.22'] },
  'networking.istio.io/v1alpha3': {
    Gateway: ['1.0'], VirtualService: ['1.0'], DestinationRule: ['1.0'], ServiceEntry: ['1.0'], EnvoyFilter: ['1.0'], Sidecar: ['1.1'],
  },
  'networking.istio.io/v1beta1': { Gateway: ['1.5'], VirtualService: ['1.5'], DestinationRule: ['1.5'], ServiceEntry: ['1.5'], Sidecar: ['1.5'] },
  'networking.istio.io/v1': { Gateway: ['1.22'], VirtualService: ['1.22'], DestinationRule: ['1.22'], ServiceEntry: ['1.22'], Sidecar: ['1.22'] },
  'telemetry.istio.io/v1alpha1': { Telemetry: ['1.11'] },
  'telemetry.istio.io/v1': { Telemetry: ['1.22'] },
};

/** The rule. */
export const apiInTargetRule: AnalyzerRule = {
  name: 'api-in-target',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    const target = context.istioVersion;
    if (!target) return out;
    const at = formatIstioVersion(target);
    for (const obj of context.config.objects) {
      const served = SERVED[obj.apiVersion]?.[obj.kind];
      if (!served) continue;
      const [since, until] = served;
      if (compareIstioVersions(target, v(since)) < 0) {
        out.push(finding(CHECK, obj, ['apiVersion'],
          `${objectRef(obj)} uses ${obj.apiVersion} ${obj.kind}, which Istio ${at} does not serve (from ${since} on): the API server rejects it`,
          obj.apiVersion.startsWith('security.istio.io/') && compareIstioVersions(target, v('1.4')) < 0
            ? `For Istio ${at} express it with authentication.istio.io/v1alpha1 Policy and rbac.istio.io/v1alpha1 ServiceRole/ServiceRoleBinding (trustmesh renders them with new Mesh(app, id, { istioVersion: '${at}' })), or upgrade to ${since}.`
            : `Use the apiVersion Istio ${at} serves for ${obj.kind}, or upgrade to ${since}.`));
      } else if (until !== undefined && compareIstioVersions(target, v(until)) >= 0) {
        out.push(finding(CHECK, obj, ['apiVersion'],
          `${objectRef(obj)} uses ${obj.apiVersion}, which Istio ${at} no longer serves (removed in ${until}): what it ${obj.apiVersion.startsWith('rbac.') ? 'allows or denies' : 'requires (mTLS, JWT)'} is not enforced`,
          `Convert it with \`trustmesh convert --to ${at}\`, then delete it.`,
          { severity: 'warning', upstreamCode: 'IST0002' }));
      }
    }
    return out;
  },
};
