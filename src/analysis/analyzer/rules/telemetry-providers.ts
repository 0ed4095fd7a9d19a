/**
 * `TM_TELEMETRY_EMPTY_PROVIDERS` (warning, istioctl `IST0157` InvalidTelemetryProvider,
 * `telemetry.ProviderAnalyzer`): a Telemetry `accessLogging[]` entry that is not disabled and names
 * no `providers`, while the MeshConfig has no `defaultProviders.accessLogging`: there is no
 * provider to send the logs to, so the entry is ignored. Reported on the Telemetry at the entry.
 *
 * @see https://istio.io/latest/docs/reference/config/analysis/ist0157/
 * @see https://istio.io/latest/docs/tasks/observability/logs/access-log/
 * @module
 */
import { AnalyzerCheck, AnalyzerRule, finding, objectRef } from './rule-types';
import { list } from './virtual-service-routes';
import { Diagnostic } from '../../../errors';
import { asRecord } from '../../../private/records';

const CHECK: AnalyzerCheck = {
  code: 'TM_TELEMETRY_EMPTY_PROVIDERS',
  severity: 'warning',
  upstreamCode: 'IST0157',
  title: 'a Telemetry access log entry without providers and no default provider in the MeshConfig',
};

/** The rule. */
export const telemetryProvidersRule: AnalyzerRule = {
  name: 'telemetry-providers',
  checks: [CHECK],
  run(context) {
    const out: Diagnostic[] = [];
    const defaults = list(asRecord(context.mesh.raw?.defaultProviders).accessLogging);
    if (defaults.length > 0) return out;
    for (const t of context.config.telemetries) {
      list(t.spec.accessLogging).forEach((raw, i) => {
        const entry = asRecord(raw);
        if (asRecord(entry).disabled === true || list(entry.providers).length > 0) return;
        out.push(finding(CHECK, t, ['spec', 'accessLogging', i],
          `${objectRef(t)}: spec.accessLogging[${i}] has empty providers and the MeshConfig names no defaultProviders.accessLogging, so it will be ignored`,
          'Name a provider (providers: [{name: envoy}]) or set meshConfig.defaultProviders.accessLogging (with --mesh-config).'));
      });
    }
    return out;
  },
};
