/**
 * How the plugin splits `cdk8s synth` output into clusters, the way `TrustmeshApp` does: each
 * top-level folder of the output directory is one mesh applied to one cluster (and analyzed on its
 * own), and the files at the top form one more group.
 *
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

/** The output directory `cdk8s synth` writes to when nothing says otherwise. */
const CDK8S_DEFAULT_OUTPUT = 'dist';

/**
 * The output directory of the `cdk8s synth` run: the given one, else `output` of `cdk8s.yaml` in
 * the working directory, else cdk8s's default `dist`.
 */
export function synthOutputDirectory(explicit: string | undefined, cwd: string = process.cwd()): string {
  if (explicit !== undefined) return explicit;
  const config = path.join(cwd, 'cdk8s.yaml');
  if (!fs.existsSync(config)) return CDK8S_DEFAULT_OUTPUT;
  try {
    const output = (parse(fs.readFileSync(config, 'utf8')) as { output?: unknown } | null)?.output;
    return typeof output === 'string' && output !== '' ? output : CDK8S_DEFAULT_OUTPUT;
  } catch {
    // cdk8s itself reports an unreadable cdk8s.yaml; the grouping falls back to one group.
    return CDK8S_DEFAULT_OUTPUT;
  }
}

/**
 * Groups manifest files by their top-level folder under `outdir` (`''` for files at its top), in
 * sorted order. When some file is not under `outdir`, every file is one group `''`.
 */
export function groupByOutputFolder(files: readonly string[], outdir: string): Map<string, string[]> {
  const root = path.resolve(outdir);
  const groups = new Map<string, string[]>();
  const relative = files.map((f) => path.relative(root, path.resolve(f)).split(path.sep));
  if (relative.some((r) => r[0] === '..' || path.isAbsolute(r.join(path.sep)))) return new Map([['', [...files]]]);
  files.forEach((file, i) => {
    const folder = relative[i].length > 1 ? relative[i][0] : '';
    groups.set(folder, [...(groups.get(folder) ?? []), file]);
  });
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
