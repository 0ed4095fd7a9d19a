/**
 * A directory updated by switching one symbolic link: `<parent>/<name>` is a link to the committed
 * generation `<parent>/.<name>.gen-NNNN/`, and an update writes the next generation completely
 * (every file and directory fsynced) under a temporary name, renames it to `.<name>.gen-<N+1>`, and
 * then replaces the link with one atomic rename of a new link. That rename is the commit: a crash
 * at any instant leaves `<name>` pointing at a complete generation, the old one or the new one.
 * Paths through `<name>/` work as for a plain directory.
 *
 * A plain directory at `<name>` (the layout before generations) is migrated by the first update:
 * the new generation is written, the plain directory is renamed to `.<name>.gen-0000`, and the link
 * is created. Killed in between, `<name>` is missing and `.<name>.gen-0000` is the committed state.
 *
 * This module scans and commits; deciding what to do with leftovers is the caller's.
 *
 * @module
 * @internal
 */
import * as fs from 'fs';
import * as path from 'path';
import { maxOf } from './arrays';
import { makeParents, makeSymlink, ownerPid, removeEntry, renameEntry, StagedFile, syncDirectory, temporarySuffix, TreeModes, writeTree } from './durable-fs';

/** What is at the directory's path. @internal */
export type GenerationEntry =
  | { readonly kind: 'absent' }
  /** A link to a generation that exists. */
  | { readonly kind: 'generation'; readonly generation: number; readonly dir: string }
  /** A plain directory: the layout before generations (or made by hand). */
  | { readonly kind: 'directory'; readonly dir: string }
  /** A link to a generation that does not exist. */
  | { readonly kind: 'dangling'; readonly target: string }
  /** A file or anything else that is not a directory. */
  | { readonly kind: 'not-a-directory' };

/** Kinds of entries an interrupted update leaves beside the directory. @internal */
export type LeftoverKind =
  /** `.<name>.gen-NNNN` that the link does not point at. */
  | 'generation'
  /** `.<name>.next-<pid>-<rand>`: a generation being written. */
  | 'staging'
  /** `.<name>.link-<pid>-<rand>`: a new link not yet renamed into place. */
  | 'link'
  /** `.<name>.staging-XXXXXX`: the new directory of trustmesh 0.x's two-rename swap. */
  | 'legacy-staging'
  /** `.<name>.staging-XXXXXX.previous`: the old directory of that swap. */
  | 'legacy-previous';

/** One leftover beside the directory. @internal */
export interface Leftover {
  readonly kind: LeftoverKind;
  readonly name: string;
  readonly path: string;
  readonly generation?: number;
  /** The process that made it, when its name says. */
  readonly pid?: number;
}

/** The directory's path, what is there, and what lies beside it. @internal */
export interface GenerationScan {
  /** Absolute path of the directory (the link), after following links that are not ours. */
  readonly path: string;
  readonly parent: string;
  readonly name: string;
  readonly entry: GenerationEntry;
  /** Sorted by name. */
  readonly leftovers: readonly Leftover[];
}

/** `.<name>.gen-0007` for generation 7. @internal */
export function generationName(name: string, generation: number): string {
  return `.${name}.gen-${String(generation).padStart(4, '0')}`;
}

/**
 * Looks at `dir` and its siblings without changing anything. A link at `dir` that is not one of
 * ours (say `ca -> /secure/volume/ca`) is followed: the directory is where it points.
 * @internal
 */
export function scanGenerations(dir: string): GenerationScan {
  let full = path.resolve(dir);
  for (let hops = 0; hops < 16; hops++) {
    const target = readLink(full);
    if (target === undefined || generationOf(path.basename(full), target) !== undefined) break;
    full = path.resolve(path.dirname(full), target);
  }
  const parent = path.dirname(full);
  const name = path.basename(full);
  const entry = entryAt(full, parent, name);
  // The committed generation is the store, not a leftover.
  const leftovers = leftoversBeside(parent, name).filter((l) => entry.kind !== 'generation' || l.path !== entry.dir);
  return { path: full, parent, name, entry, leftovers };
}

/**
 * Writes `files` as the next generation and makes it the committed one (see the module). On an
 * error before the commit, removes what it wrote and puts a migrated plain directory back.
 * @returns the new generation's directory
 * @internal
 */
export function commitGeneration(scan: GenerationScan, files: readonly StagedFile[], modes: TreeModes): string {
  const { entry, parent, name } = scan;
  if (entry.kind === 'dangling' || entry.kind === 'not-a-directory') throw new TypeError(`cannot commit over a ${entry.kind} entry at ${scan.path}`);
  const generations = scan.leftovers.filter((l) => l.kind === 'generation').map((l) => l.generation ?? 0);
  const next = maxOf([entry.kind === 'generation' ? entry.generation : 0, ...generations], 0) + 1;
  const suffix = temporarySuffix();
  const staging = path.join(parent, `.${name}.next-${suffix}`);
  const generationDir = path.join(parent, generationName(name, next));
  const link = path.join(parent, `.${name}.link-${suffix}`);
  const migrated = entry.kind === 'directory' ? path.join(parent, generationName(name, 0)) : undefined;
  let moved = false;
  try {
    makeParents(parent);
    writeTree(staging, files, modes);
    renameEntry(staging, generationDir);
    syncDirectory(parent);
    if (migrated) {
      renameEntry(scan.path, migrated);
      moved = true;
      syncDirectory(parent);
    }
    makeSymlink(path.basename(generationDir), link);
    renameEntry(link, scan.path);
    syncDirectory(parent);
  } catch (e) {
    quietly(() => removeEntry(link));
    if (moved && migrated) quietly(() => renameEntry(migrated, scan.path));
    quietly(() => removeEntry(staging));
    quietly(() => removeEntry(generationDir));
    throw e;
  }
  const retired = entry.kind === 'generation' ? entry.dir : migrated;
  if (retired) {
    // Committed: a failure from here on leaves a leftover that the next update removes.
    quietly(() => {
      removeEntry(retired);
      syncDirectory(parent);
    });
  }
  return generationDir;
}

/**
 * Makes `dir` point at an existing generation (to finish an interrupted migration), with the same
 * atomic link rename as a commit. @internal
 */
export function pointAt(scan: GenerationScan, generationDir: string): void {
  const link = path.join(scan.parent, `.${scan.name}.link-${temporarySuffix()}`);
  makeSymlink(path.basename(generationDir), link);
  renameEntry(link, scan.path);
  syncDirectory(scan.parent);
}

function entryAt(full: string, parent: string, name: string): GenerationEntry {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(full);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT' || (e as { code?: string }).code === 'ENOTDIR') return { kind: 'absent' };
    throw e;
  }
  if (stat.isSymbolicLink()) {
    const target = readLink(full) ?? '';
    const generation = generationOf(name, target);
    const dir = path.join(parent, target);
    return generation !== undefined && isDirectory(dir) ? { kind: 'generation', generation, dir } : { kind: 'dangling', target };
  }
  return stat.isDirectory() ? { kind: 'directory', dir: full } : { kind: 'not-a-directory' };
}

function leftoversBeside(parent: string, name: string): Leftover[] {
  let names: string[];
  try {
    names = fs.readdirSync(parent).sort();
  } catch {
    return [];
  }
  const prefix = `.${name}.`;
  const out: Leftover[] = [];
  for (const entry of names.filter((n) => n.startsWith(prefix))) {
    const rest = entry.slice(prefix.length);
    const kind: LeftoverKind | undefined = /^gen-\d{4,}$/.test(rest) ? 'generation'
      : /^next-\d+-[0-9a-f]{8}$/.test(rest) ? 'staging'
        : /^link-\d+-[0-9a-f]{8}$/.test(rest) ? 'link'
          : /^staging-\w{6}$/.test(rest) ? 'legacy-staging'
            : /^staging-\w{6}\.previous$/.test(rest) ? 'legacy-previous'
              : undefined;
    if (!kind) continue;
    const pid = ownerPid(entry);
    out.push({
      kind,
      name: entry,
      path: path.join(parent, entry),
      ...(kind === 'generation' ? { generation: Number(rest.slice(4)) } : {}),
      ...(pid !== undefined ? { pid } : {}),
    });
  }
  return out;
}

/** The generation a link target names, if it is one of ours for `name`. */
function generationOf(name: string, target: string): number | undefined {
  const m = /^\.(.+)\.gen-(\d{4,})$/.exec(target);
  return m && m[1] === name ? Number(m[2]) : undefined;
}

function readLink(p: string): string | undefined {
  try {
    return fs.readlinkSync(p);
  } catch {
    return undefined;
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function quietly(step: () => void): void {
  try {
    step();
  } catch {
    // cleanup must not hide the error being reported; a leftover is cleared by the next update
  }
}
