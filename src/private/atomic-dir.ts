import * as fs from 'fs';
import * as path from 'path';

/** One file to write: path relative to the directory, content, and POSIX mode. */
export interface StagedFile {
  readonly path: string;
  readonly content: string;
  readonly mode?: number;
}

/** Options for {@link replaceDirectory}. */
export interface ReplaceDirectoryOptions {
  /** Mode of the directory itself and of every sub-directory. @default 0o755 */
  readonly dirMode?: number;
  /** Mode of files that do not say otherwise. @default 0o644 */
  readonly fileMode?: number;
}

/**
 * Replaces `target` with a directory holding exactly `files`, so that a reader sees either the old
 * directory or the complete new one, never a half-written mix: the files are written into a staging
 * directory beside `target`, then swapped in with renames (atomic on one filesystem). If anything
 * fails before the swap, `target` is left untouched and the staging directory is removed.
 */
export function replaceDirectory(target: string, files: readonly StagedFile[], options: ReplaceDirectoryOptions = {}): void {
  const dirMode = options.dirMode ?? 0o755;
  const fileMode = options.fileMode ?? 0o644;
  const absolute = path.resolve(target);
  const parent = path.dirname(absolute);
  fs.mkdirSync(parent, { recursive: true });
  const base = path.basename(absolute);
  const staging = fs.mkdtempSync(path.join(parent, `.${base}.staging-`));
  try {
    fs.chmodSync(staging, dirMode);
    for (const file of files) {
      const dest = path.join(staging, file.path);
      if (!dest.startsWith(staging + path.sep)) {
        throw new TypeError(`output file path escapes its directory: ${file.path}`);
      }
      fs.mkdirSync(path.dirname(dest), { recursive: true, mode: dirMode });
      fs.writeFileSync(dest, file.content, { mode: file.mode ?? fileMode });
      // writeFileSync honours the umask; set the mode explicitly so 0600 means 0600.
      fs.chmodSync(dest, file.mode ?? fileMode);
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  let previous: string | undefined;
  if (fs.existsSync(absolute)) {
    previous = `${staging}.previous`;
    fs.renameSync(absolute, previous);
  }
  try {
    fs.renameSync(staging, absolute);
  } catch (e) {
    if (previous) fs.renameSync(previous, absolute);
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  if (previous) fs.rmSync(previous, { recursive: true, force: true });
}
