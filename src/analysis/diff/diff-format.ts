/**
 * The access diff as text: a markdown table fit for a pull-request comment (widened access first)
 * and stable JSON.
 *
 * @module
 */
import { AccessChangeKind, AccessDiff, CHANGE_ORDER, changeWhat, sourcesText } from './diff';
import { markdownCell } from '../matrix/matrix-format';

/** Output formats of `trustmesh diff`. */
export type DiffFormat = 'markdown' | 'json';

/** The output formats, for option parsing. */
export const DIFF_FORMATS: readonly DiffFormat[] = ['markdown', 'json'];

const WIDENING: ReadonlySet<AccessChangeKind> = new Set(['added', 'widened', 'changed']);

/** Options of {@link formatDiff}. */
export interface DiffFormatOptions {
  /**
   * Markdown: at most this many table rows (a PR comment holds 65,536 characters); the rest is
   * counted, widening changes are listed first anyway. 0 for no limit. JSON always has every change.
   * @default 100
   */
  readonly limit?: number;
}

/** Renders the diff in one format (always ending with a newline). */
export function formatDiff(diff: AccessDiff, format: DiffFormat, options: DiffFormatOptions = {}): string {
  return format === 'json' ? `${JSON.stringify(diffToJson(diff), null, 2)}\n` : diffToMarkdown(diff, options);
}

/** The diff as plain data, in report order. */
export function diffToJson(diff: AccessDiff): Record<string, unknown> {
  return {
    widens: diff.widens,
    counts: Object.fromEntries(CHANGE_ORDER.map((k) => [k, diff.counts[k]])),
    changes: diff.changes.map((c) => ({
      kind: c.kind,
      destination: c.destination,
      ...(c.destinationChange ? { destinationChange: c.destinationChange } : {}),
      sources: c.sources,
      text: c.text,
      before: c.before,
      after: c.after,
      added: c.added,
      removed: c.removed,
    })),
  };
}

/** A short summary line and one table row per change, widening first. */
export function diffToMarkdown(diff: AccessDiff, options: DiffFormatOptions = {}): string {
  const limit = options.limit ?? 100;
  const lines = ['### Access changes', ''];
  if (diff.changes.length === 0) {
    lines.push('No change in who may access what.');
    return `${lines.join('\n')}\n`;
  }
  const parts = CHANGE_ORDER.filter((k) => diff.counts[k] > 0).map((k) => `${WIDENING.has(k) ? '⚠️ ' : ''}${diff.counts[k]} ${k}`);
  const n = diff.changes.length;
  lines.push(`**${n} change${n === 1 ? '' : 's'}**: ${parts.join(', ')}.${diff.widens ? ' Widened access is listed first.' : ''}`, '');
  lines.push('| | change | source | destination | what changed |', '|---|---|---|---|---|');
  const shown = limit > 0 ? diff.changes.slice(0, limit) : diff.changes;
  for (const c of shown) {
    const what = changeWhat(c);
    const destination = `${c.destination}${c.destinationChange === 'added' ? ' (new)' : c.destinationChange === 'removed' ? ' (removed)' : ''}`;
    lines.push(`| ${WIDENING.has(c.kind) ? '⚠️' : ''} | ${c.kind} | ${markdownCell(sourcesText(c.sources, diff.sources))} | ${markdownCell(destination)} | ${markdownCell(what)} |`);
  }
  if (shown.length < diff.changes.length) {
    lines.push('', `… and ${diff.changes.length - shown.length} more change${diff.changes.length - shown.length === 1 ? '' : 's'} (all of them with \`--output json\`).`);
  }
  return `${lines.join('\n')}\n`;
}
