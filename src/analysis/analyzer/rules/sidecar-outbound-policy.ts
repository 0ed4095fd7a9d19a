/**
 * `TM_SIDECAR_OUTBOUND_MODE_MISSING` (warning, Kiali `KIA1007`): a Sidecar with
 * `outboundTrafficPolicy` but no `mode`. istiod falls back to the MeshConfig only when the whole
 * field is absent (`pilot/pkg/model/sidecar.go`); a present field with the mode omitted takes the
 * enum's zero value, **REGISTRY_ONLY** — the opposite of the mesh default ALLOW_ANY — so calls to
 * hosts outside the registry start failing.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/#OutboundTrafficPolicy
 * @see https://github.com/kiali/kiali/issues/5882
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic } from '../../../errors';
import { isRecord } from '../../../private/records';

const CHECK: AnalyzerCheck = {
  code: 'TM_SIDECAR_OUTBOUND_MODE_MISSING',
  severity: 'warning',
  upstreamCode: 'KIA1007',
  title: 'a Sidecar outboundTrafficPolicy without mode means REGISTRY_ONLY',
};

/** The rule. */
export const sidecarOutboundPolicyRule: AnalyzerRule = {
  name: 'sidecar-outbound-policy',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    for (const sc of context.config.sidecars) {
      const otp = sc.spec.outboundTrafficPolicy;
      if (otp === undefined || otp === null) continue;
      if (isRecord(otp) && typeof otp.mode === 'string' && otp.mode !== '') continue;
      out.push(finding(CHECK, sc, ['spec', 'outboundTrafficPolicy'],
        `${objectRef(sc)}: spec.outboundTrafficPolicy has no mode, so istiod uses the zero value REGISTRY_ONLY (not the mesh default): calls to hosts outside the service registry fail`,
        'Set outboundTrafficPolicy.mode explicitly (REGISTRY_ONLY or ALLOW_ANY), or remove outboundTrafficPolicy to inherit the MeshConfig setting.'));
    }
    return out;
  },
};
