/**
 * istiod's `ValidateTelemetry` (`validateTelemetryMetrics`, `validateTelemetryTracing`,
 * `validateTelemetryAccessLogging`, `validateTelemetryProviders`, and the access log filter's CEL
 * syntax) for what the 1.30 CRD does not already enforce.
 *
 * @see https://istio.io/latest/docs/reference/config/telemetry/
 * @module
 */
import { checkTargetRefs, checkWorkloadSelector } from './common-rules';
import { Findings, WebhookCheck, WebhookPath } from './webhook-types';
import { isRecord } from '../../private/records';

export const TELEMETRY_PROVIDER_INVALID: WebhookCheck = {
  code: 'TM_TELEMETRY_PROVIDER_INVALID',
  severity: 'error',
  title: 'a Telemetry provider reference without a name',
  istiod: 'validateTelemetryProviders',
};
export const TELEMETRY_METRICS_INVALID: WebhookCheck = {
  code: 'TM_TELEMETRY_METRICS_INVALID',
  severity: 'error',
  title: 'a metrics override istiod refuses or ignores (a tag override without a name)',
  istiod: 'validateTelemetryMetrics',
};
export const TELEMETRY_TRACING_INVALID: WebhookCheck = {
  code: 'TM_TELEMETRY_TRACING_INVALID',
  severity: 'error',
  title: 'tracing with an unnamed custom tag, or several tracing entries or providers istiod does not support',
  istiod: 'validateTelemetryTracing',
};
export const TELEMETRY_FILTER_INVALID: WebhookCheck = {
  code: 'TM_TELEMETRY_ACCESS_LOG_FILTER_INVALID',
  severity: 'error',
  title: 'an access log filter expression is not valid CEL',
  istiod: 'validateTelemetryAccessLogging → validateTelemetryFilter',
};

/** Every check of this module. */
export const TELEMETRY_CHECKS: readonly WebhookCheck[] = [TELEMETRY_PROVIDER_INVALID, TELEMETRY_METRICS_INVALID, TELEMETRY_TRACING_INVALID,
  TELEMETRY_FILTER_INVALID];

const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/** `ValidateTelemetry` on a spec. */
export function checkTelemetry(spec: Readonly<Record<string, unknown>>, out: Findings): void {
  checkWorkloadSelector(spec.selector, ['spec', 'selector'], out);
  checkTargetRefs(spec, out);
  list(spec.metrics).forEach((m, i) => {
    if (!isRecord(m)) return;
    checkProviders(m.providers, ['spec', 'metrics', i, 'providers'], out);
    list(m.overrides).forEach((o, j) => {
      const tags = isRecord(o) && isRecord(o.tagOverrides) ? o.tagOverrides : {};
      if ('' in tags) {
        out.warn(TELEMETRY_METRICS_INVALID, ['spec', 'metrics', i, 'overrides', j, 'tagOverrides'], 'tagOverrides.name may not be empty', 'Name the tag to override, e.g. request_protocol.');
      }
    });
  });
  const tracing = list(spec.tracing);
  if (tracing.length > 1) out.warn(TELEMETRY_TRACING_INVALID, ['spec', 'tracing'], 'multiple tracing is not currently supported', 'Keep one tracing entry.');
  tracing.forEach((t, i) => {
    if (!isRecord(t)) return;
    const at: WebhookPath = ['spec', 'tracing', i];
    if (list(t.providers).length > 1) out.warn(TELEMETRY_TRACING_INVALID, [...at, 'providers'], 'multiple providers is not currently supported', 'Keep one provider.');
    checkProviders(t.providers, [...at, 'providers'], out);
    if (isRecord(t.customTags) && '' in t.customTags) {
      out.add(TELEMETRY_TRACING_INVALID, [...at, 'customTags'], 'tag name may not be empty', 'Name the custom tag.');
    }
  });
  list(spec.accessLogging).forEach((l, i) => {
    if (!isRecord(l)) return;
    const at: WebhookPath = ['spec', 'accessLogging', i];
    if (isRecord(l.filter)) {
      const expression = typeof l.filter.expression === 'string' ? l.filter.expression : '';
      const reason = celSyntaxReason(expression);
      if (reason) {
        out.add(TELEMETRY_FILTER_INVALID, [...at, 'filter', 'expression'], `must be a valid CEL expression: ${reason}`,
          'Write a CEL expression over Envoy attributes, e.g. response.code >= 400.');
      }
    }
    // Access log providers require a name in the CRD.
  });
}

function checkProviders(providers: unknown, at: WebhookPath, out: Findings): void {
  // validateTelemetryProviders stops at the first unnamed provider. An empty name is the CRD's (minLength).
  const i = list(providers).findIndex((p) => isRecord(p) && p.name === undefined);
  if (i >= 0) out.add(TELEMETRY_PROVIDER_INVALID, [...at, i], 'providers.name may not be empty', 'Name one of meshConfig.extensionProviders (or envoy, prometheus, …).');
}

type Parse = (expression: string) => unknown;
let parse: Parse | undefined;

// Only the syntax, as istiod's celEnv.Parse does: the attributes are Envoy's, not known here.
function celSyntaxReason(expression: string): string | undefined {
  // The CEL parser is loaded on the first filter: most configurations have none.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  parse ??= (require('@bufbuild/cel') as { parse: Parse }).parse;
  try {
    parse(expression);
    return undefined;
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).split('\n')[0];
  }
}
