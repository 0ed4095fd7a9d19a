/**
 * The one-screen summary `runSynth` prints after a successful synth, so that a run that wrote
 * output never looks like one that did nothing: the meshes (output folders) with their files and
 * object counts, the objects per kind, the key-material files, and the warnings.
 *
 * @module
 */
import { outputFolder } from './output-analysis';
import type { SynthOutput } from './trustmesh-app';
import { appendAll, maxOf } from '../private/arrays';

/** Where the output went, as the user named it. */
export interface SynthSummaryDirectories {
  readonly outdir: string;
  readonly secretsOutdir: string;
}

/** Output folders listed one per line; the rest are counted. */
const MAX_FOLDERS = 12;
/** Width the per-kind line wraps at. */
const WIDTH = 100;
/** Lines of objects per kind; the rarest kinds beyond are counted. */
const MAX_KIND_LINES = 3;

/**
 * The summary as text (ends with a newline).
 *
 * @example
 * // trustmesh synth: 2 meshes, 31 objects in 5 files under dist/, 0 warnings
 * //   bookinfo/  bookinfo.policy (8) · bookinfo.workloads (18) · istio-system.policy (3) · ca-summary.md
 * //   …
 * //   objects: 9 AuthorizationPolicy · 6 Deployment · …
 * //   key material: 1 file under .trustmesh/secrets/ (git-ignored; never commit it)
 */
export function formatSynthSummary(output: SynthOutput, dirs: SynthSummaryDirectories): string {
  const reviewable = output.manifests.filter((m) => !m.secret);
  const perFile = new Map<string, number>();
  for (const m of reviewable) perFile.set(m.file, (perFile.get(m.file) ?? 0) + 1);
  const folders = new Map<string, string[]>();
  for (const f of output.files) {
    const folder = outputFolder(f.path);
    const name = folder === '' ? f.path : f.path.slice(folder.length + 1);
    const count = perFile.get(f.path);
    const label = count === undefined ? name : `${name.replace(/\.k8s\.yaml$/, '')} (${count})`;
    folders.set(folder, [...(folders.get(folder) ?? []), label]);
  }
  const outdir = asDirectory(dirs.outdir);
  const warnings = output.warnings.length;
  const lines = [
    `trustmesh synth: ${plural([...folders.keys()].filter((f) => f !== '').length, 'mesh', 'meshes')}, `
    + `${plural(reviewable.length, 'object')} in ${plural(output.files.length, 'file')} under ${outdir}, `
    + `${plural(warnings, 'warning')}${warnings > 0 ? ' (printed above)' : ''}`,
  ];
  const width = Math.min(32, maxOf([...folders.keys()].map((f) => f.length + 1), 0)) + 2;
  for (const [folder, files] of [...folders].slice(0, MAX_FOLDERS)) {
    lines.push(`  ${(folder === '' ? '(top)' : `${folder}/`).padEnd(width)}${files.join(' · ')}`);
  }
  if (folders.size > MAX_FOLDERS) lines.push(`  … and ${folders.size - MAX_FOLDERS} more output folders`);
  appendAll(lines, wrap('  objects: ', kindCounts(reviewable.map((m) => String(m.manifest.kind)))));
  if (output.secretFiles.length > 0) {
    lines.push(`  key material: ${plural(output.secretFiles.length, 'file')} under ${asDirectory(dirs.secretsOutdir)} (git-ignored; never commit it)`);
  }
  return `${lines.join('\n')}\n`;
}

// `12 AuthorizationPolicy`, most frequent first, then by kind.
function kindCounts(kinds: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0)).map(([k, n]) => `${n} ${k}`);
}

// Items joined by ` · `, wrapped at WIDTH, at most MAX_KIND_LINES lines (the rest counted).
function wrap(head: string, items: readonly string[]): string[] {
  if (items.length === 0) return [`${head}none`];
  const out: string[] = [];
  let line = head;
  for (let i = 0; i < items.length; i++) {
    const next = line.trim() === '' || line === head ? `${line}${items[i]}` : `${line} · ${items[i]}`;
    if (next.length <= WIDTH || line === head) {
      line = next;
      continue;
    }
    if (out.length === MAX_KIND_LINES - 1) {
      let rest = items.length - i;
      while (`${line} · … ${rest} more kinds`.length > WIDTH && line.includes(' · ')) {
        line = line.slice(0, line.lastIndexOf(' · '));
        rest++;
      }
      out.push(`${line} · … ${rest} more kinds`);
      return out;
    }
    out.push(line);
    line = `${' '.repeat(head.length)}${items[i]}`;
  }
  out.push(line);
  return out;
}

function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

function asDirectory(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}
