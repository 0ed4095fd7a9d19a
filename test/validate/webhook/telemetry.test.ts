// istiod's ValidateTelemetry (validateTelemetryMetrics, validateTelemetryTracing,
// validateTelemetryAccessLogging, validateTelemetryFilter, validateTelemetryProviders) in
// pkg/config/validation/validation.go and validation_istiod.go.
import { describe, it } from 'vitest';
import { expectFindings, expectValid, run } from './helpers';

const TM = 'Telemetry';

describe('ValidateTelemetry', () => {
  it('admits the documented shapes', () => {
    expectValid(run(TM, { accessLogging: [{ providers: [{ name: 'envoy' }], filter: { expression: 'response.code >= 400' } }] }));
    expectValid(run(TM, {
      selector: { matchLabels: { app: 'a' } },
      tracing: [{ providers: [{ name: 'zipkin' }], randomSamplingPercentage: 10, customTags: { env: { literal: { value: 'prod' } } } }],
      metrics: [{ providers: [{ name: 'prometheus' }], overrides: [{ match: { metric: 'REQUEST_COUNT' }, tagOverrides: { request_protocol: { operation: 'REMOVE' } } }] }],
    }));
  });

  it('rejects an access log filter that is not CEL, and metrics providers without a name', () => {
    expectFindings(run(TM, { accessLogging: [{ filter: { expression: 'response.code >=' } }], metrics: [{ providers: [{ name: 'p' }, {}] }] }), [
      ['error TM_TELEMETRY_PROVIDER_INVALID spec.metrics[0].providers[1]', /providers\.name may not be empty/],
      ['error TM_TELEMETRY_ACCESS_LOG_FILTER_INVALID spec.accessLogging[0].filter.expression', /must be a valid CEL expression/],
    ]);
  });

  it('warns about several tracing entries or providers, and rejects an unnamed custom tag', () => {
    expectFindings(run(TM, { tracing: [{ providers: [{ name: 'a' }, { name: 'b' }], customTags: { '': { literal: { value: 'x' } } } }, {}] }), [
      ['warning TM_TELEMETRY_TRACING_INVALID spec.tracing', /multiple tracing is not currently supported/],
      ['warning TM_TELEMETRY_TRACING_INVALID spec.tracing[0].providers', /multiple providers/],
      ['error TM_TELEMETRY_TRACING_INVALID spec.tracing[0].customTags', /tag name may not be empty/],
    ]);
  });

  it('warns about a tag override without a name, and rejects targetRefs istiod does not attach to', () => {
    expectFindings(run(TM, { metrics: [{ overrides: [{ tagOverrides: { '': { operation: 'REMOVE' } } }] }], targetRefs: [{ kind: 'Pod', name: 'p' }] }), [
      ['error TM_TARGET_REF_INVALID spec.targetRefs[0]'],
      ['warning TM_TELEMETRY_METRICS_INVALID spec.metrics[0].overrides[0].tagOverrides', /tagOverrides\.name may not be empty/],
    ]);
  });
});
