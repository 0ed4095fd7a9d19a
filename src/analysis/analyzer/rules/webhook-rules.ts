/**
 * istiod's validating webhook rules (`src/validate/webhook/`) as analyzer findings, for every kind
 * they cover: each finding is located at its field, keeps the family's `TM_…` code and says what
 * istioctl would report — `IST0106` SchemaValidationError for a rejection, `IST0133` SchemaWarning
 * for a warning (istioctl runs the same validators).
 *
 * Three webhook checks are reported by their own analyzer rules, which cover more than istiod
 * checks: `TM_DENY_HTTP_FIELDS_WITHOUT_PORTS` (deny-http-fields-without-ports.ts) and the
 * VirtualService SNI checks (virtual-service-tls-routes.ts). Security objects the loader refused
 * (`TM_POLICY_INVALID`) are not checked again.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0106/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { Diagnostic, ErrorCode } from '../../../errors';
import { validateWebhook, WEBHOOK_CHECKS, webhookPathString, type WebhookResults } from '../../../validate/webhook/validate-webhook';
import { IstioConfig, LoadedObject } from '../../config/istio-config';

/** Webhook codes other analyzer rules report. */
const REPORTED_ELSEWHERE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'TM_DENY_HTTP_FIELDS_WITHOUT_PORTS', 'TM_VIRTUAL_SERVICE_SNI_OUTSIDE_HOSTS', 'TM_VIRTUAL_SERVICE_TLS_WITHOUT_SNI',
]);

const SCHEMA_ERROR = 'IST0106';
const SCHEMA_WARNING = 'IST0133';

const CHECKS: readonly AnalyzerCheck[] = WEBHOOK_CHECKS.filter((c) => !REPORTED_ELSEWHERE.has(c.code)).map((c) => ({
  code: c.code,
  severity: c.severity,
  upstreamCode: c.severity === 'error' ? SCHEMA_ERROR : SCHEMA_WARNING,
  title: c.title,
}));
const BY_CODE = new Map(CHECKS.map((c) => [c.code, c]));

/** The objects the webhook rules run on: the loaded security objects, and the networking and telemetry kinds. */
function webhookObjects(config: IstioConfig): LoadedObject[] {
  return [...config.authorizationPolicies, ...config.peerAuthentications, ...config.requestAuthentications, ...config.destinationRules,
    ...config.gateways, ...config.virtualServices, ...config.sidecars, ...config.serviceEntries, ...config.telemetries];
}

/**
 * The webhook findings of one object, as located diagnostics.
 * @param results findings already computed for the same object, if any
 */
export function webhookDiagnostics(obj: LoadedObject, results?: WebhookResults): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const f of results ? results.validate(obj.body, obj.metadata) : validateWebhook(obj.body, obj.metadata)) {
    const check = BY_CODE.get(f.code);
    if (!check) continue;
    const field = f.path.length > 1 ? `${webhookPathString(f.path)}: ` : '';
    out.push(finding(check, obj, f.path, `${objectRef(obj)}: ${field}${f.message}`, f.fix,
      { severity: f.severity, upstreamCode: f.severity === 'error' ? SCHEMA_ERROR : SCHEMA_WARNING }));
  }
  return out;
}

/** The rule family. */
export const webhookRules: AnalyzerRule = {
  name: 'webhook-rules',
  checks: CHECKS,
  run(context) {
    return webhookObjects(context.config).flatMap((obj) => webhookDiagnostics(obj, context.webhookResults));
  },
};
