/**
 * The report of `trustmesh convert`: input object → output objects with the changes of meaning
 * made on purpose, refusals with their `file:line`, and the proof (requests evaluated, every
 * difference with both explanations). Markdown for a pull request, or JSON.
 *
 * @module
 */
import { Conversion } from './convert-types';
import { ConversionProof } from './proof';
import { formatDiagnostic } from '../../errors';
import { AccessRequest } from '../../semantics/access-request';

/** How many differences the markdown report lists (all are in the JSON). */
export const MARKDOWN_DIFFERENCE_LIMIT = 50;

/** One line describing a request. */
export function describeRequest(r: AccessRequest): string {
  const from = r.source.principal ?? `plaintext ${r.source.ip}`;
  const to = `${r.destination.namespace}/${Object.entries(r.destination.labels).map(([k, v]) => `${k}=${v}`).join(',')}:${r.destination.port}`;
  if (r.protocol === 'TCP') return `TCP ${from} → ${to}`;
  const jwt = r.jwt === null ? 'no token' : r.jwt.status === 'invalid' ? `${r.jwt.reason} token` : `token ${JSON.stringify(r.jwt.claims)}`;
  const headers = r.headers ? ` headers ${JSON.stringify(r.headers)}` : '';
  return `${r.method ?? 'GET'} ${r.path ?? '/'}${r.host ? ` host ${r.host}` : ''} ${from} → ${to}, ${jwt}${headers}`;
}

/** The markdown report. */
export function conversionMarkdown(c: Conversion, proof: ConversionProof, target: string): string {
  const out: string[] = ['# trustmesh convert', '', `Target: \`${target}\`. ${c.objects.length} objects generated from ${c.entries.length} legacy objects; ${c.refusals.length} refused.`, ''];
  out.push('## Objects', '', '| legacy object | at | converted to | changes of meaning |', '|---|---|---|---|');
  for (const e of c.entries) {
    out.push(`| ${e.input} | \`${e.at}\` | ${e.outputs.length > 0 ? e.outputs.join('<br>') : '(nothing)'} | ${e.notes.join('<br>') || '—'} |`);
  }
  out.push('');
  if (c.refusals.length > 0) {
    out.push('## Refused', '');
    for (const d of c.refusals) out.push(`- ${formatDiagnostic(d).replace(/\n/g, ' ')}`);
    out.push('');
  }
  out.push('## Proof', '');
  if (proof.differences.length === 0) {
    out.push(`equivalent over ${proof.requests} requests${proof.statusChanges > 0 ? ` (${proof.statusChanges} denials change status only, e.g. 401 → 403)` : ''}.`);
  } else {
    out.push(`${proof.differences.length} of ${proof.requests} requests are decided differently:`, '');
    out.push('| request | legacy | converted |', '|---|---|---|');
    for (const d of proof.differences.slice(0, MARKDOWN_DIFFERENCE_LIMIT)) {
      out.push(`| ${describeRequest(d.request)} | ${d.legacy.outcome}: ${d.legacy.explanation} | ${d.converted.outcome}: ${d.converted.explanation} |`);
    }
    if (proof.differences.length > MARKDOWN_DIFFERENCE_LIMIT) out.push('', `… and ${proof.differences.length - MARKDOWN_DIFFERENCE_LIMIT} more (use --output json for all).`);
  }
  return `${out.join('\n')}\n`;
}

/** The JSON report. */
export function conversionJson(c: Conversion, proof: ConversionProof, target: string): string {
  return `${JSON.stringify({
    target,
    objects: c.objects,
    entries: c.entries,
    refusals: c.refusals.map((d) => ({ code: d.code, message: d.message, location: d.location, fix: d.fix })),
    proof: {
      requests: proof.requests,
      equivalent: proof.differences.length === 0,
      statusChanges: proof.statusChanges,
      differences: proof.differences.map((d) => ({
        request: d.request,
        legacy: { outcome: d.legacy.outcome, explanation: d.legacy.explanation },
        converted: { outcome: d.converted.outcome, explanation: d.converted.explanation },
      })),
    },
  }, null, 2)}\n`;
}
