/**
 * `TM_SELECTOR_ON_GATEWAY_API_POD` (warning, istioctl `IST0166` IneffectiveSelector,
 * `k8sgateway.SelectorAnalyzer`): an AuthorizationPolicy, RequestAuthentication, Telemetry or
 * WasmPlugin whose `selector` matches the pods of a Gateway API gateway (pods labelled
 * `gateway.networking.k8s.io/gateway-name`). Policies for Gateway API gateways attach with
 * `targetRefs`; for those pods a selector has no effect, so the policy silently does not apply.
 *
 * Reported once per policy and gateway, at `spec.selector`. Judged on the pods (and pod templates)
 * of the input in the policy's namespace.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0166/
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { WorkloadIndex } from './selector-index';
import { Diagnostic } from '../../../errors';
import { asRecord, stringEntries } from '../../../private/records';
import { LoadedObject } from '../../config/istio-config';

const CHECK: AnalyzerCheck = {
  code: 'TM_SELECTOR_ON_GATEWAY_API_POD',
  severity: 'warning',
  upstreamCode: 'IST0166',
  title: 'a policy selector matches a Gateway API gateway pod, where selectors have no effect',
};

const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
const POLICY_KINDS: ReadonlySet<string> = new Set([
  'security.istio.io/AuthorizationPolicy', 'security.istio.io/RequestAuthentication',
  'telemetry.istio.io/Telemetry', 'extensions.istio.io/WasmPlugin',
]);

/** The rule. */
export const gatewayApiSelectorsRule: AnalyzerRule = {
  name: 'gateway-api-selectors',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    const gatewayPods = context.inventory.workloads.filter((w) => GATEWAY_NAME_LABEL in w.podLabels);
    if (gatewayPods.length === 0) return out;
    const index = new WorkloadIndex(gatewayPods);
    for (const obj of context.config.objects) {
      if (!POLICY_KINDS.has(`${obj.apiVersion.split('/')[0]}/${obj.kind}`)) continue;
      const spec = asRecord(obj.body.spec);
      if (spec.targetRef !== undefined || (Array.isArray(spec.targetRefs) && spec.targetRefs.length > 0)) continue;
      if (spec.selector === undefined || spec.selector === null) continue;
      const gateways = new Set(index.select(stringEntries(asRecord(spec.selector).matchLabels), obj.metadata.namespace)
        .map((pod) => pod.podLabels[GATEWAY_NAME_LABEL]));
      for (const gateway of [...gateways].sort()) out.push(ineffective(obj, gateway));
    }
    return out;
  },
};

function ineffective(obj: LoadedObject, gateway: string): Diagnostic {
  return finding(CHECK, obj, ['spec', 'selector'],
    `${objectRef(obj)}: ineffective selector on Kubernetes Gateway ${gateway}: its selector matches the gateway's pods, but policies attach to Gateway API gateways only through targetRefs`,
    `Replace spec.selector with targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: ${gateway}}].`);
}
