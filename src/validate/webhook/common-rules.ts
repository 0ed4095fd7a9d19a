/**
 * Webhook rules shared by several kinds: object metadata (`validateMetadata`,
 * `checkDryRunAnnotation`), workload selectors (`validateWorkloadSelector`,
 * `ValidateAlphaWorkloadSelector`), policy target references (`validatePolicyTargetReference`) and
 * `exportTo` (`validateExportTo`).
 *
 * Where the 1.30 CRD already has a CEL rule for the same condition (e.g. a wildcard in a
 * `matchLabels` value, a `targetRef.namespace`), the rule is left to the CRD validation and not
 * repeated here: see docs/validation.md.
 *
 * @module
 */
import { isIstioDnsLabel } from './istio-syntax';
import { Findings, WebhookCheck, WebhookMetadata, WebhookPath, show } from './webhook-types';
import { isRecord } from '../../private/records';

export const DRY_RUN_ANNOTATION_INVALID: WebhookCheck = {
  code: 'TM_DRY_RUN_ANNOTATION_INVALID',
  severity: 'error',
  title: 'the istio.io/dry-run annotation is on a kind, action or value istiod refuses',
  istiod: 'validateMetadata → checkDryRunAnnotation',
};
export const RESERVED_ANNOTATION: WebhookCheck = {
  code: 'TM_RESERVED_ANNOTATION',
  severity: 'error',
  title: 'an internal.istio.io annotation that users may not set',
  istiod: 'validateMetadata',
};
export const WORKLOAD_SELECTOR_INVALID: WebhookCheck = {
  code: 'TM_WORKLOAD_SELECTOR_INVALID',
  severity: 'error',
  title: 'a Sidecar or ServiceEntry workloadSelector label key is empty or has a wildcard',
  istiod: 'ValidateAlphaWorkloadSelector',
};
export const WORKLOAD_SELECTOR_WITHOUT_LABELS: WebhookCheck = {
  code: 'TM_WORKLOAD_SELECTOR_WITHOUT_LABELS',
  severity: 'warning',
  title: 'a workload selector without labels (it selects every workload in the namespace)',
  istiod: 'validateWorkloadSelector, ValidateAlphaWorkloadSelector',
};
export const TARGET_REF_INVALID: WebhookCheck = {
  code: 'TM_TARGET_REF_INVALID',
  severity: 'error',
  title: 'a policy targetRef to a kind istiod does not attach policies to',
  istiod: 'validatePolicyTargetReference',
};
export const EXPORT_TO_INVALID: WebhookCheck = {
  code: 'TM_EXPORT_TO_INVALID',
  severity: 'error',
  title: 'exportTo has a duplicate, an invalid entry, or mixes "*" or "~" with other entries',
  istiod: 'validateExportTo',
};

const DRY_RUN = 'istio.io/dry-run';
const RESERVED = ['internal.istio.io/webhook-always-reject', 'internal.istio.io/parent-namespace', 'internal.istio.io/parents'];
// Go's strconv.ParseBool.
const GO_BOOLS = ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'];

/** `validateMetadata`: the dry-run annotation (AuthorizationPolicy ALLOW/DENY only, a Go boolean) and reserved annotations. */
export function checkMetadata(kind: string, meta: WebhookMetadata, spec: Readonly<Record<string, unknown>>, out: Findings): void {
  const at: WebhookPath = ['metadata', 'annotations', DRY_RUN];
  const value = meta.annotations[DRY_RUN];
  if (value !== undefined) {
    if (kind !== 'AuthorizationPolicy') {
      out.add(DRY_RUN_ANNOTATION_INVALID, at, `${kind} has the annotation ${DRY_RUN}; only AuthorizationPolicy supports it`,
        `Remove the ${DRY_RUN} annotation.`);
    } else {
      const action = typeof spec.action === 'string' ? spec.action : 'ALLOW';
      if (action !== 'ALLOW' && action !== 'DENY') {
        out.add(DRY_RUN_ANNOTATION_INVALID, at, `the annotation ${DRY_RUN} currently only supports action ALLOW/DENY, found action ${action}`,
          'Remove the annotation, or test the policy with action ALLOW or DENY.');
      } else if (!GO_BOOLS.includes(value)) {
        out.add(DRY_RUN_ANNOTATION_INVALID, at, `annotation ${DRY_RUN} has the invalid value ${show(value)}; allowed: true or false (Go's ParseBool: 1, t, T, TRUE, true, True and their false forms)`,
          `Write ${DRY_RUN}: "true" (or "false").`);
      }
    }
  }
  for (const key of RESERVED) {
    if (meta.annotations[key] !== undefined) {
      out.add(RESERVED_ANNOTATION, ['metadata', 'annotations', key], `annotation ${key} is internal to istiod and may not be set by users`,
        `Remove the ${key} annotation.`);
    }
  }
}

/**
 * `validateWorkloadSelector` (security and telemetry kinds, DestinationRule `workloadSelector`):
 * only the "without labels" warning — the CRD's CEL rules reject empty keys and wildcards.
 */
export function checkWorkloadSelector(selector: unknown, path: WebhookPath, out: Findings): void {
  if (!isRecord(selector)) return;
  const labels = selector.matchLabels;
  if (!isRecord(labels) || Object.keys(labels).length === 0) {
    out.add(WORKLOAD_SELECTOR_WITHOUT_LABELS, path, 'workload selector specified without labels: it selects every workload in the namespace',
      'Add matchLabels, or remove the selector to say "every workload" explicitly.');
  }
}

/**
 * `ValidateAlphaWorkloadSelector` (Sidecar and ServiceEntry `workloadSelector.labels`): an empty
 * key or a `*` in a key is rejected (the CRD only checks values), no labels is a warning.
 * @returns false when istiod stops validating the object here (it returns the error at once)
 */
export function checkAlphaWorkloadSelector(selector: unknown, path: WebhookPath, kind: string, out: Findings): boolean {
  if (!isRecord(selector)) return true;
  const labels = isRecord(selector.labels) ? selector.labels : {};
  let ok = true;
  for (const key of Object.keys(labels)) {
    if (key === '' || key.includes('*')) {
      ok = false;
      out.add(WORKLOAD_SELECTOR_INVALID, [...path, 'labels', key],
        key === '' ? 'empty key is not supported in selector' : `wildcard is not supported in selector: ${show(key)}`,
        'Select workloads by exact label keys.');
    }
  }
  if (ok && Object.keys(labels).length === 0) {
    out.add(WORKLOAD_SELECTOR_WITHOUT_LABELS, path, `workload selector specified without labels: the ${kind} will be applied to all services in the namespace`,
      'Add labels, or remove workloadSelector.');
  }
  return ok;
}

// validatePolicyTargetReference: Service, ServiceEntry, Gateway API Gateway and GatewayClass; the group is compared canonically ("" is "core").
const TARGET_KINDS: readonly (readonly [string, string])[] = [
  ['core', 'Service'], ['networking.istio.io', 'ServiceEntry'], ['gateway.networking.k8s.io', 'Gateway'], ['gateway.networking.k8s.io', 'GatewayClass'],
];

/** `validatePolicyTargetReference` for `targetRef` and each of `targetRefs`. */
export function checkTargetRefs(spec: Readonly<Record<string, unknown>>, out: Findings): void {
  const one = (ref: unknown, path: WebhookPath): void => {
    if (!isRecord(ref)) return;
    const group = typeof ref.group === 'string' ? ref.group : '';
    const kind = typeof ref.kind === 'string' ? ref.kind : '';
    const canonical = group === '' ? 'core' : group;
    if (!TARGET_KINDS.some(([g, k]) => g === canonical && k === kind)) {
      out.add(TARGET_REF_INVALID, path, `targetRef must be to a Service (group ""), ServiceEntry (networking.istio.io), Gateway or GatewayClass (gateway.networking.k8s.io), but was ${show(group)}/${show(kind)}`,
        kind === 'Service' || kind === 'ServiceEntry' || kind === 'Gateway' || kind === 'GatewayClass'
          ? `Use the group of ${kind}: ${TARGET_KINDS.find(([, k]) => k === kind)![0].replace('core', '""')}.`
          : 'Attach the policy to a Service, ServiceEntry or Gateway API Gateway, or select workloads with selector.');
    }
  };
  one(spec.targetRef, ['spec', 'targetRef']);
  if (Array.isArray(spec.targetRefs)) spec.targetRefs.forEach((r, i) => one(r, ['spec', 'targetRefs', i]));
}

/** Options of {@link checkExportTo}. */
export interface ExportToOptions {
  /** ServiceEntries may be exported to no one (`~`). */
  readonly serviceEntry?: boolean;
  /** A DestinationRule with a workloadSelector may only be exported to its own namespace. */
  readonly workloadSelector?: boolean;
}

/** `validateExportTo`. */
export function checkExportTo(namespace: string, exportTo: unknown, out: Findings, options: ExportToOptions = {}): void {
  if (!Array.isArray(exportTo) || exportTo.length === 0) return;
  const path: WebhookPath = ['spec', 'exportTo'];
  const seen = new Set<string>();
  const fix = 'Write "." (this namespace), "*" (every namespace) or namespace names, each once.';
  exportTo.forEach((entry: unknown, i) => {
    if (typeof entry !== 'string') return;
    // "." is the object's own namespace, so ". and <namespace>" is a duplicate.
    const key = entry === '.' ? namespace : entry;
    if (seen.has(key)) {
      out.add(EXPORT_TO_INVALID, [...path, i], key !== entry
        ? `duplicate entries in exportTo: . and current namespace ${namespace}` : `duplicate entries in exportTo for entry ${entry}`, fix);
    } else if (options.serviceEntry && entry === '~') {
      seen.add(key);
    } else if (key === '~') {
      out.add(EXPORT_TO_INVALID, [...path, i], 'exportTo ~ (none) is not allowed for Istio configuration objects', 'Only a ServiceEntry can be exported to no one; remove "~".');
    } else if (key !== '*' && key !== '.' && !isIstioDnsLabel(key)) {
      out.add(EXPORT_TO_INVALID, [...path, i], `${show(entry)}: only ., *, or a valid DNS 1123 label is allowed as exportTo entry`, fix);
    } else {
      seen.add(key);
    }
  });
  if (options.workloadSelector && seen.size > 0) {
    if (!seen.has(namespace)) {
      out.add(EXPORT_TO_INVALID, path, 'destination rule with workload selector cannot have exportTo beyond current namespace', 'Write exportTo: ["."], or remove exportTo.');
    } else if (seen.size > 1) {
      out.add(EXPORT_TO_INVALID, path, 'destination rule with workload selector cannot have multiple entries in exportTo', 'Write exportTo: ["."], or remove exportTo.');
    }
  }
  if (seen.has('*') && exportTo.length > 1) {
    out.add(EXPORT_TO_INVALID, path, 'cannot have both public (*) and non-public exportTo values for a resource', 'Write exportTo: ["*"] alone.');
  }
  if (seen.has('~') && exportTo.length > 1) {
    out.add(EXPORT_TO_INVALID, path, 'cannot export service entry to no one (~) and someone', 'Write exportTo: ["~"] alone, or remove "~".');
  }
}
