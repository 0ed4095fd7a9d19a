/**
 * Manifests read from a git revision — `git:<ref>:<path>` — so that CI can compare the base
 * branch's output with the pull request's without checking anything out. Runs the local `git`
 * (`ls-tree`, `cat-file --batch`); no network.
 *
 * @module
 */
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { assertObjectsFound, assertUniqueObjects } from './input-checks';
import { IstioConfig } from './istio-config';
import { loadConfig, LoadConfigOptions, MANIFEST_EXTENSIONS, mergeConfigs, parseConfigText } from './load-config';
import { TrustmeshError } from '../../errors';

/** A parsed `git:<ref>:<path>`. */
export interface GitSource {
  readonly ref: string;
  /** Path in the repository, relative to the working directory as `git` sees it; `.` for the whole tree. */
  readonly path: string;
}

/**
 * Parses `git:<ref>:<path>`; undefined for anything else.
 *
 * @throws TrustmeshError `TM_GIT_SOURCE_INVALID` for a malformed source, and for one without a path
 *   (`git:HEAD` would read every YAML file of the repository: CI configs, charts, fixtures)
 */
export function parseGitSource(spec: string): GitSource | undefined {
  if (!spec.startsWith('git:')) return undefined;
  const rest = spec.slice(4);
  const colon = rest.indexOf(':');
  const ref = colon < 0 ? rest : rest.slice(0, colon);
  const p = colon < 0 ? '' : rest.slice(colon + 1);
  if (ref !== '' && p === '') {
    throw new TrustmeshError('TM_GIT_SOURCE_INVALID', `git source "${spec}" names no path in the repository`, {
      value: spec,
      allowed: 'git:<ref>:<path>, e.g. git:origin/main:dist',
      fix: `Name the folder of the manifests, e.g. git:${ref}:dist (git:${ref}:. for the whole tree).`,
      callerLocation: false,
    });
  }
  if (ref === '' || ref.startsWith('-') || /[\s\0]/.test(ref) || /[\n\0]/.test(p)) {
    throw new TrustmeshError('TM_GIT_SOURCE_INVALID', 'not a valid git source', {
      value: spec,
      allowed: 'git:<ref>:<path>, e.g. git:origin/main:dist',
      fix: 'Name a branch, tag or commit, then the file or directory in it.',
      callerLocation: false,
    });
  }
  return { ref, path: p };
}

/** Options of {@link loadGitSource} and {@link loadConfigSources}. */
export interface GitSourceOptions extends LoadConfigOptions {
  /** Working directory of `git`. @default process.cwd() */
  readonly cwd?: string;
}

/**
 * Loads the manifests (`*.yaml`, `*.yml`, `*.json`, recursively, sorted) under a path at a git
 * revision. Locations read `git:<ref>:<file>`.
 *
 * @throws TrustmeshError `TM_GIT_FAILED` (no git, not a repository, unknown ref), `TM_FILE_NOT_FOUND`
 *   (nothing at that path), `TM_YAML_PARSE`, `TM_NO_OBJECTS` (unless `allowEmpty`), `TM_DUPLICATE_OBJECT`.
 */
export function loadGitSource(source: GitSource, options: GitSourceOptions = {}): IstioConfig {
  const cwd = options.cwd ?? process.cwd();
  const label = `git:${source.ref}:${source.path}`;
  git(['rev-parse', '--verify', '--quiet', `${source.ref}^{commit}`], cwd, label, `unknown git revision "${source.ref}"`);
  const listing = git(['ls-tree', '-r', '-z', '--full-name', '--name-only', source.ref, '--', source.path], cwd, label,
    'cannot list the files');
  const files = listing.toString('utf8').split('\0').filter((f) => f !== '' && MANIFEST_EXTENSIONS.includes(path.extname(f).toLowerCase())).sort();
  if (files.length === 0) {
    throw new TrustmeshError('TM_FILE_NOT_FOUND', `no YAML or JSON manifests at "${source.path}" in ${source.ref}`, {
      location: { file: label },
      fix: 'Check the path (relative to the current directory) and that the files are committed at that revision.',
    });
  }
  const blobs = catFiles(files.map((f) => `${source.ref}:${f}`), cwd, label);
  const config = mergeConfigs(files.map((f, i) => parseConfigText(blobs[i], `git:${source.ref}:${f}`, options)));
  if (!options.allowEmpty) assertObjectsFound(config.objects, [label], files.length);
  assertUniqueObjects(config.objects);
  return config;
}

/**
 * Loads files, directories and `git:<ref>:<path>` sources into one config. Like {@link loadConfig},
 * the sources together must hold at least one object (unless `allowEmpty`), each object once.
 *
 * @throws TrustmeshError as {@link loadConfig} and {@link loadGitSource}.
 */
export function loadConfigSources(specs: string | readonly string[], options: GitSourceOptions = {}): IstioConfig {
  const list = typeof specs === 'string' ? [specs] : specs;
  const parsed = list.map((s) => ({ spec: s, git: parseGitSource(s) }));
  if (parsed.every((p) => p.git === undefined)) return loadConfig(list, options);
  const each = { ...options, allowEmpty: true };
  const config = mergeConfigs(parsed.map((p) => (p.git ? loadGitSource(p.git, each) : loadConfig([p.spec], each))));
  if (!options.allowEmpty) assertObjectsFound(config.objects, list);
  assertUniqueObjects(config.objects);
  return config;
}

function git(args: readonly string[], cwd: string, label: string, summary: string): Buffer {
  try {
    return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1024 * 1024 * 1024 });
  } catch (e) {
    const stderr = typeof e === 'object' && e !== null && 'stderr' in e && Buffer.isBuffer(e.stderr) ? e.stderr.toString('utf8').trim() : '';
    throw new TrustmeshError('TM_GIT_FAILED', `${summary}${stderr ? `: ${stderr.split('\n')[0]}` : ''}`, {
      location: { file: label },
      fix: 'Run inside the repository (or fetch the ref first, e.g. git fetch origin main) and name an existing revision.',
      cause: e,
    });
  }
}

/** Reads many blobs with one `git cat-file --batch`. */
function catFiles(names: readonly string[], cwd: string, label: string): string[] {
  const r = spawnSync('git', ['cat-file', '--batch'], { cwd, input: `${names.join('\n')}\n`, maxBuffer: 1024 * 1024 * 1024 });
  if (r.status !== 0 || !Buffer.isBuffer(r.stdout)) {
    throw new TrustmeshError('TM_GIT_FAILED', `cannot read the files: ${r.stderr?.toString('utf8').trim() ?? String(r.error)}`, { location: { file: label } });
  }
  const out: string[] = [];
  const buf = r.stdout;
  let pos = 0;
  for (const name of names) {
    const eol = buf.indexOf(0x0a, pos);
    const header = buf.subarray(pos, eol).toString('utf8');
    const m = /^[0-9a-f]+ blob (\d+)$/.exec(header);
    if (!m) throw new TrustmeshError('TM_GIT_FAILED', `cannot read ${name}: ${header}`, { location: { file: label } });
    const size = Number(m[1]);
    out.push(buf.subarray(eol + 1, eol + 1 + size).toString('utf8'));
    pos = eol + 1 + size + 1;
  }
  return out;
}
