/**
 * istiod's `ValidateDestinationRule`: the host, the traffic policies (see traffic-policy.ts), the
 * subsets, `exportTo` and the workload selector.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/
 * @module
 */
import { checkExportTo, checkWorkloadSelector } from './common-rules';
import { isIstioDnsLabel, labelReasons, wildcardDomainReason } from './istio-syntax';
import { checkTrafficPolicy } from './traffic-policy';
import { Findings, WebhookCheck, WebhookMetadata, show } from './webhook-types';
import { isRecord } from '../../private/records';

export const DESTINATION_RULE_HOST_INVALID: WebhookCheck = {
  code: 'TM_DESTINATION_RULE_HOST_INVALID',
  severity: 'error',
  title: 'a DestinationRule host is not a (wildcard) domain name',
  istiod: 'ValidateDestinationRule → agent.ValidateWildcardDomain',
};
export const SUBSET_INVALID: WebhookCheck = {
  code: 'TM_DESTINATION_RULE_SUBSET_INVALID',
  severity: 'error',
  title: 'a DestinationRule subset has a duplicate or invalid name, or invalid labels',
  istiod: 'ValidateDestinationRule, validateSubset',
};

/** Every check of this module (the traffic policy checks are in TRAFFIC_POLICY_CHECKS). */
export const DESTINATION_RULE_CHECKS: readonly WebhookCheck[] = [DESTINATION_RULE_HOST_INVALID, SUBSET_INVALID];

/** `ValidateDestinationRule` on an object. */
export function checkDestinationRule(meta: WebhookMetadata, spec: Readonly<Record<string, unknown>>, out: Findings): void {
  const host = typeof spec.host === 'string' ? spec.host : undefined;
  const reason = host === undefined ? undefined : wildcardDomainReason(host);
  if (reason) {
    out.add(DESTINATION_RULE_HOST_INVALID, ['spec', 'host'], `host ${show(host)}: ${reason}`,
      'Write the service\'s host name (reviews, reviews.bookinfo.svc.cluster.local) or a wildcard as the first label only (*.example.com).');
  }
  checkTrafficPolicy(meta.namespace, spec.trafficPolicy, ['spec', 'trafficPolicy'], out);
  const names = new Set<string>();
  (Array.isArray(spec.subsets) ? spec.subsets : []).forEach((subset, i) => {
    if (!isRecord(subset)) return;
    if (typeof subset.name !== 'string') return;
    const name = subset.name;
    if (names.has(name)) out.add(SUBSET_INVALID, ['spec', 'subsets', i, 'name'], `duplicate subset names: ${name}`, 'Give each subset its own name.');
    names.add(name);
    if (name === '') out.add(SUBSET_INVALID, ['spec', 'subsets', i], 'subset name cannot be empty', 'Name the subset, e.g. v1.');
    else if (!isIstioDnsLabel(name)) out.add(SUBSET_INVALID, ['spec', 'subsets', i, 'name'], `subset name is invalid: ${name}`, 'Use a DNS-1123 label: letters, digits and "-", e.g. v1.');
    for (const l of labelReasons(subset.labels)) out.add(SUBSET_INVALID, ['spec', 'subsets', i, 'labels'], l, 'Use Kubernetes label syntax for keys and values.');
    checkTrafficPolicy(meta.namespace, subset.trafficPolicy, ['spec', 'subsets', i, 'trafficPolicy'], out);
  });
  checkExportTo(meta.namespace, spec.exportTo, out, { workloadSelector: isRecord(spec.workloadSelector) });
  checkWorkloadSelector(spec.workloadSelector, ['spec', 'workloadSelector'], out);
}
