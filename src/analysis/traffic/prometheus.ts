/**
 * Istio's standard metrics as a Prometheus HTTP API query result — e.g. the JSON of
 * `sum by (reporter, source_principal, source_workload, source_workload_namespace,
 * destination_principal, destination_workload, destination_workload_namespace,
 * destination_service_name, destination_service_namespace, request_protocol, response_code,
 * response_flags) (increase(istio_requests_total[7d]))`, or `istio_tcp_connections_opened_total`:
 * who talked to whom and how often, without paths or methods.
 *
 * Samples reported by the source proxy (`reporter="source"`) count the same requests as the
 * destination's, so they are skipped (and counted as skipped) when the result holds any
 * destination-reported sample.
 *
 * @see https://prometheus.io/docs/prometheus/latest/querying/api/#instant-vectors
 * @see https://istio.io/latest/docs/reference/config/metrics/
 * @module
 */
import { opt } from './envoy-text';
import { field, MalformedLine, TrafficRecord } from './traffic-record';

/** The records of a query result, what was skipped, and the samples that could not be read. */
export interface PrometheusRecords {
  readonly records: TrafficRecord[];
  readonly skipped: number;
  readonly malformed: MalformedLine[];
}

/** True when the text looks like a Prometheus API response. */
export function isPrometheusResult(firstLine: string): boolean {
  return /^\s*\{\s*"status"\s*:/.test(firstLine);
}

/** Reads a Prometheus query result (vector or matrix). */
export function parsePrometheusResult(text: string, file: string): PrometheusRecords {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { records: [], skipped: 0, malformed: [{ file, line: 1, reason: `not valid JSON (${(e as Error).message})` }] };
  }
  const data = (doc as { data?: { resultType?: unknown; result?: unknown } } | null)?.data;
  if (!data || !Array.isArray(data.result) || (data.resultType !== 'vector' && data.resultType !== 'matrix')) {
    return { records: [], skipped: 0, malformed: [{ file, line: 1, reason: 'not a Prometheus vector or matrix result (data.resultType, data.result)' }] };
  }
  const samples = data.result as unknown[];
  const hasDestination = samples.some((s) => metricOf(s).reporter === 'destination');
  const records: TrafficRecord[] = [];
  const malformed: MalformedLine[] = [];
  let skipped = 0;
  samples.forEach((sample, i) => {
    const m = metricOf(sample);
    const where = `data.result[${i}]`;
    if (hasDestination && m.reporter === 'source') {
      skipped++;
      return;
    }
    const s = sample as { value?: unknown; values?: unknown };
    const pair = Array.isArray(s.value) ? s.value : Array.isArray(s.values) ? s.values[s.values.length - 1] : undefined;
    const count = Array.isArray(pair) ? Math.round(Number(pair[1])) : NaN;
    if (!Number.isFinite(count) || count < 0) {
      malformed.push({ file, line: i + 1, reason: `${where}: no numeric value` });
      return;
    }
    if (count === 0) {
      skipped++;
      return;
    }
    const dns = field(m.destination_service_namespace) ?? field(m.destination_workload_namespace);
    const dname = field(m.destination_service_name);
    if (dns === undefined) {
      malformed.push({ file, line: i + 1, reason: `${where}: no destination_service_namespace or destination_workload_namespace label` });
      return;
    }
    const tcp = m.request_protocol === 'tcp' || m.response_code === undefined;
    const code = Number(m.response_code ?? 0);
    const sourcePrincipal = field(m.source_principal);
    const destinationPrincipal = field(m.destination_principal);
    const workloadNs = field(m.destination_workload_namespace) ?? dns;
    records.push({
      file,
      line: i + 1,
      format: 'prometheus',
      protocol: tcp ? 'TCP' : 'HTTP',
      responseCode: Number.isFinite(code) ? code : 0,
      responseFlags: field(m.response_flags) ?? '-',
      count,
      ...opt('sourcePrincipal', sourcePrincipal === 'unknown' ? undefined : sourcePrincipal),
      ...opt('destinationPrincipal', destinationPrincipal === 'unknown' ? undefined : destinationPrincipal),
      ...opt('destinationService', dname !== undefined && dname !== 'unknown' ? { namespace: dns, name: dname } : undefined),
      destinationWorkload: { namespace: workloadNs, ...opt('serviceAccount', saOf(destinationPrincipal)) },
      ...opt('logPod', field(m.destination_workload) !== undefined ? { name: m.destination_workload, namespace: workloadNs } : undefined),
      raw: JSON.stringify(m),
    });
  });
  return { records, skipped, malformed };
}

function metricOf(sample: unknown): Record<string, string> {
  const metric = (sample as { metric?: unknown } | null)?.metric;
  if (typeof metric !== 'object' || metric === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metric)) if (typeof v === 'string') out[k] = v;
  return out;
}

function saOf(principal: string | undefined): string | undefined {
  return principal ? /\/sa\/([^/]+)$/.exec(principal)?.[1] : undefined;
}
