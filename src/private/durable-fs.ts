/**
 * File-system steps that survive a crash: every file is fsynced before it counts as written, and
 * every directory whose entries changed is fsynced before the next step relies on it, so that after
 * a kill or power loss the disk holds exactly what the steps before it wrote. Each step first
 * passes a {@link faultPoint}, where the crash tests kill the process or inject an error.
 *
 * @module
 * @internal
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { faultPoint } from './fault-point';

/** One file to write: path relative to the directory, content, and POSIX mode. */
export interface StagedFile {
  readonly path: string;
  readonly content: string;
  readonly mode?: number;
}

/** Modes of a written tree. @internal */
export interface TreeModes {
  /** Mode of the directory itself and of every sub-directory. @default 0o755 */
  readonly dirMode?: number;
  /** Mode of files that do not say otherwise. @default 0o644 */
  readonly fileMode?: number;
}

/** Creates one directory (its parent must exist) with exactly `mode`, whatever the umask. @internal */
export function makeDirectory(dir: string, mode: number): void {
  faultPoint('mkdir', dir);
  fs.mkdirSync(dir, { mode });
  fs.chmodSync(dir, mode);
}

/** Creates `dir` and its missing ancestors (mode 0755 under the umask, like `mkdir -p`). @internal */
export function makeParents(dir: string): void {
  if (fs.existsSync(dir)) return;
  faultPoint('mkdir', dir);
  fs.mkdirSync(dir, { recursive: true });
}

/** Writes a new file (it must not exist) with exactly `mode`, and fsyncs it. @internal */
export function writeDurableFile(file: string, content: string, mode: number): void {
  faultPoint('write', file);
  const fd = fs.openSync(file, 'wx', mode);
  try {
    fs.fchmodSync(fd, mode);
    writeAll(fd, content);
    faultPoint('fsync', file);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes all of `content` as UTF-8 at the file's offset. Node encodes a string into a native buffer
 * it frees at once, where `Buffer.from` would leave a copy of every file as garbage outside the
 * heap until the next collection (the peak memory of a large synth is reached while writing). A
 * short write, rare for regular files, writes the rest from a buffer.
 */
function writeAll(fd: number, content: string): void {
  const written = fs.writeSync(fd, content, null, 'utf8');
  const data = written < Buffer.byteLength(content, 'utf8') ? Buffer.from(content, 'utf8') : undefined;
  for (let at = written; data && at < data.length;) at += fs.writeSync(fd, data, at, data.length - at);
}

/** Fsyncs a directory, so that the entries created, renamed or removed in it are on disk. @internal */
export function syncDirectory(dir: string): void {
  faultPoint('fsync', dir);
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Renames `from` to `to` (atomic within one file system). The caller fsyncs the parent. @internal */
export function renameEntry(from: string, to: string): void {
  faultPoint('rename', `${from} -> ${to}`);
  fs.renameSync(from, to);
}

/** Creates a symbolic link `link` pointing at `target` (taken as written, so relative stays relative). @internal */
export function makeSymlink(target: string, link: string): void {
  faultPoint('symlink', `${link} -> ${target}`);
  fs.symlinkSync(target, link);
}

/** Removes a file, link or directory tree; nothing when it does not exist. @internal */
export function removeEntry(entry: string): void {
  faultPoint('remove', entry);
  fs.rmSync(entry, { recursive: true, force: true });
}

/**
 * Creates `dir` (which must not exist; its parent must) holding exactly `files`, each fsynced, and
 * fsyncs every directory of the tree, deepest first, so the whole tree is on disk when this returns.
 * The caller fsyncs the parent once it has renamed the tree into place.
 * @throws TypeError when a file path escapes the directory
 * @internal
 */
export function writeTree(dir: string, files: readonly StagedFile[], modes: TreeModes = {}): void {
  const dirMode = modes.dirMode ?? 0o755;
  const fileMode = modes.fileMode ?? 0o644;
  makeDirectory(dir, dirMode);
  const dirs = new Set<string>([dir]);
  for (const file of files) {
    const dest = path.resolve(dir, file.path);
    if (!dest.startsWith(dir + path.sep)) throw new TypeError(`output file path escapes its directory: ${file.path}`);
    for (let d = path.dirname(dest), missing: string[] = []; ; d = path.dirname(d)) {
      if (dirs.has(d)) {
        for (const m of missing.reverse()) {
          makeDirectory(m, dirMode);
          dirs.add(m);
        }
        break;
      }
      missing.push(d);
    }
    writeDurableFile(dest, file.content, file.mode ?? fileMode);
  }
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) syncDirectory(d);
}

/** `<pid>-<random>`: names a temporary entry and says which process made it. @internal */
export function temporarySuffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** The process id in a name made with {@link temporarySuffix}, if any. @internal */
export function ownerPid(name: string): number | undefined {
  const m = /-(\d+)-[0-9a-f]{8}(?:\.json(?:\.tmp)?)?$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Whether a process with this id runs on this machine (EPERM: it runs, as another user). @internal */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** The errno-style `code` of a system error (`ENOSPC`, `EACCES`, …), or `undefined` for other errors. @internal */
export function systemErrorCode(e: unknown): string | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}
