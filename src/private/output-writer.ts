/**
 * Writing a synth's two outputs, `outdir` (reviewable) and `secretsOutdir` (key material), all or
 * nothing (see `atomic-dir.ts`), and turning file-system failures into `TM_OUTPUT_UNWRITABLE`.
 * @module
 * @internal
 */
import * as path from 'path';
import { Diagnostic, TrustmeshError } from '../errors';
import { DirectoryReplacement, DirectoryWriteError, recoverDirectories, replaceDirectories, StagedFile } from './atomic-dir';
import { systemErrorCode } from './durable-fs';

/** The two output directories, as the app's props name them. @internal */
export interface OutputDirs {
  readonly outdir: string;
  readonly secretsOutdir: string;
}

/** What a synth writes. @internal */
export interface Outputs {
  readonly files: readonly StagedFile[];
  readonly secretFiles: readonly StagedFile[];
}

const SECRETS_GITIGNORE: StagedFile = { path: '.gitignore', content: '# key material: never commit\n*\n', mode: 0o600 };

/**
 * Completes or clears what an interrupted earlier synth left beside the outputs, and says what it
 * did as `TM_OUTPUT_RECOVERED` warnings.
 * @throws TrustmeshError `TM_OUTPUT_UNWRITABLE`
 * @internal
 */
export function recoverOutputs(dirs: OutputDirs): Diagnostic[] {
  let notes: string[];
  try {
    notes = recoverDirectories([dirs.outdir, dirs.secretsOutdir]);
  } catch (e) {
    if (systemErrorCode(e) === undefined) throw e;
    const failed = typeof (e as { path?: unknown }).path === 'string' ? (e as { path: string }).path : dirs.outdir;
    throw unwritable(dirs, new DirectoryWriteError(path.resolve(dirs.outdir), failed, false, e));
  }
  return notes.map((message) => ({
    code: 'TM_OUTPUT_RECOVERED',
    severity: 'warning',
    message: `an earlier synth was interrupted: ${message}`,
    location: { file: dirs.outdir },
  }));
}

/**
 * Writes `outdir` (and `secretsOutdir` when there is key material) both or neither.
 * @throws TrustmeshError `TM_OUTPUT_UNWRITABLE` with the path, the system error and a fix
 * @internal
 */
export function writeOutputs(dirs: OutputDirs, outputs: Outputs): void {
  const replacements: DirectoryReplacement[] = [{ dir: dirs.outdir, files: outputs.files }];
  if (outputs.secretFiles.length > 0) {
    replacements.push({ dir: dirs.secretsOutdir, files: [SECRETS_GITIGNORE, ...outputs.secretFiles], options: { dirMode: 0o700, fileMode: 0o600 } });
  }
  try {
    replaceDirectories(replacements);
  } catch (e) {
    if (e instanceof DirectoryWriteError) throw unwritable(dirs, e);
    throw e;
  }
}

function unwritable(dirs: OutputDirs, e: DirectoryWriteError): TrustmeshError {
  const secrets = e.target === path.resolve(dirs.secretsOutdir) && e.target !== path.resolve(dirs.outdir);
  const prop = secrets ? 'secretsOutdir' : 'outdir';
  const dir = secrets ? dirs.secretsOutdir : dirs.outdir;
  const outcome = e.restored
    ? 'nothing was changed'
    : 'putting the previous output back failed too; the next synth completes this write from its journal';
  return new TrustmeshError('TM_OUTPUT_UNWRITABLE', `cannot write the ${secrets ? 'secrets' : 'output'} directory ${dir} (${e.code}); ${outcome}`, {
    location: { file: e.failedPath },
    value: e.code,
    fix: fixFor(e.code, dir, e.failedPath, prop),
    cause: e.cause,
  });
}

function fixFor(code: string, dir: string, failedPath: string, prop: string): string {
  const elsewhere = `or set ${prop} to a directory you can write`;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `free space on the file system of ${dir} (the synth needs room for the new output beside the old one), ${elsewhere}`;
    case 'EROFS':
      return `${dir} is on a read-only file system; ${elsewhere}`;
    case 'EACCES':
    case 'EPERM':
      return `give this user write permission on ${path.dirname(path.resolve(dir))} and ${dir}, ${elsewhere}`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `a part of ${failedPath} is a file where a directory is needed: move that file away, ${elsewhere}`;
    default:
      return `check ${dir} and its parent directory, ${elsewhere}`;
  }
}
