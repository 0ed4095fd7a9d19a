/**
 * The replay report as markdown (a pull-request comment: the verdict first, then one table per
 * category) or JSON (stable keys, sorted lists).
 *
 * @module
 */
import { ReplayCategory, ReplayGroup, ReplayResult } from './replay';
import { TrafficReadSummary } from './traffic-reader';
import { appendAll } from '../../private/arrays';

/** Output formats of `trustmesh replay`. */
export const REPLAY_FORMATS = ['markdown', 'json'] as const;
/** An output format. */
export type ReplayFormat = typeof REPLAY_FORMATS[number];

const TITLES: Record<ReplayCategory, string> = {
  'newly-denied': 'Served then, denied now',
  'newly-allowed': 'Denied then, allowed now',
  'still-denied': 'Denied then, still denied',
};

/** Formats the result with the reading summary. */
export function formatReplay(result: ReplayResult, read: TrafficReadSummary, format: ReplayFormat, limit = 100): string {
  if (format === 'json') return `${JSON.stringify({ ...result, read }, null, 2)}\n`;
  const t = result.totals;
  const then = result.baseline === 'log' ? 'the log' : 'the first policies';
  const out: string[] = ['## trustmesh replay', ''];
  out.push(t['newly-denied'] > 0
    ? `**${n(t['newly-denied'])} of ${n(result.requests)} recorded requests would now be denied** (${count(result.groups, 'newly-denied')} call paths).`
    : `No request allowed by ${then} would be denied now (${n(result.requests)} requests replayed).`);
  out.push('');
  out.push('| | requests |', '|---|---:|',
    `| allowed then and now | ${n(t.stillAllowed)} |`,
    `| served then, denied now | ${n(t['newly-denied'])} |`,
    `| denied then, allowed now | ${n(t['newly-allowed'])} |`,
    `| denied then and now | ${n(t['still-denied'])} |`);
  if (result.baseline === 'log') out.push(`| no decision recorded (upstream failure) | ${n(t.noDecisionThen)} |`);
  out.push(`| not decided (see below) | ${n(t.unresolved)} |`, '');
  for (const category of ['newly-denied', 'newly-allowed', 'still-denied'] as const) {
    const groups = result.groups.filter((g) => g.category === category);
    if (groups.length === 0) continue;
    out.push(`### ${TITLES[category]}`, '', '| source | destination | rule | outcome | requests | first seen | last seen | example |', '|---|---|---|---|---:|---|---|---|');
    const shown = limit > 0 ? groups.slice(0, limit) : groups;
    for (const g of shown) out.push(row(g));
    if (shown.length < groups.length) out.push('', `… and ${groups.length - shown.length} more call paths (--limit 0 shows all).`);
    out.push('');
  }
  if (result.unresolved.length > 0) {
    out.push('### Not decided', '', '| reason | requests | example |', '|---|---:|---|');
    for (const u of result.unresolved) out.push(`| ${esc(u.reason)} | ${n(u.count)} | ${u.example} |`);
    out.push('');
  }
  appendAll(out, readSummary(read));
  return `${out.join('\n')}\n`;
}

/** The reading summary: lines, entries, skipped and malformed lines with their locations. */
export function readSummary(read: TrafficReadSummary): string[] {
  const out = [`Read ${n(read.lines)} lines in ${read.files} file(s): ${n(read.records)} entries.`];
  for (const [reason, c] of Object.entries(read.skipped).sort()) out.push(`Skipped ${n(c)} ${reason}.`);
  if (read.malformedCount > 0) {
    out.push(`**${n(read.malformedCount)} malformed line(s)** (not replayed):`);
    for (const m of read.malformed) out.push(`- ${m.file}:${m.line}: ${m.reason}`);
    if (read.malformed.length < read.malformedCount) out.push(`- … ${n(read.malformedCount - read.malformed.length)} more`);
  }
  return out;
}

function row(g: ReplayGroup): string {
  return `| ${esc(g.source)} | ${esc(g.destination)} | ${esc(g.rule)} | ${g.outcome} | ${n(g.count)} | ${g.firstSeen ?? '-'} | ${g.lastSeen ?? '-'} | ${g.example.location} |`;
}

function count(groups: readonly ReplayGroup[], category: ReplayCategory): number {
  return groups.filter((g) => g.category === category).length;
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}

function esc(s: string): string {
  return s.replace(/\|/g, '\\|');
}
