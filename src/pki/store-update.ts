/**
 * One update of the key store, crash-safe at every step:
 *
 * 1. take the lock `.ca.lock` beside the store (one writer at a time; a killed writer's lock is stale);
 * 2. recover what an interrupted earlier command left (see `store-recovery.ts`), or refuse;
 * 3. read the committed store and compute the new one;
 * 4. unless nothing changed, write it as the next generation, every file and directory fsynced,
 *    and switch the `ca` link to it with one atomic rename (see `private/generation-dir.ts`);
 * 5. release the lock.
 *
 * A kill at any instant leaves the old store or the new one, byte for byte, and the next command
 * carries on from there.
 *
 * @module
 * @internal
 */
import { TrustmeshError } from '../errors';
import { STORE_FILES, StoreFiles } from './key-store-layout';
import { readStoreFiles } from './store-files';
import { committedStoreDir, recoverStore } from './store-recovery';
import { acquireLock, LockBusyError } from '../private/dir-lock';
import { makeParents, StagedFile, systemErrorCode } from '../private/durable-fs';
import { errnoCode } from '../private/fs-read';
import { commitGeneration, GenerationScan, scanGenerations } from '../private/generation-dir';

/** What an update computed: the store's new files (without the .gitignore), or none to keep it. @internal */
export interface StoreUpdate<T> {
  readonly files?: ReadonlyMap<string, string>;
  readonly result: T;
}

/** What an update did. @internal */
export interface StoreUpdateResult<T> {
  readonly result: T;
  /** Whether a new generation was written (false when the files were already exactly these). */
  readonly written: boolean;
  /** What the recovery of an interrupted earlier command did, one line per action. */
  readonly recovered: readonly string[];
}

const GITIGNORE = '# trustmesh CA key material: never commit anything in this directory\n*\n';

/**
 * Runs `compute` on the committed store's files under the store's lock and commits what it returns.
 * @param requireExisting fail with `TM_CA_STORE_MISSING` (creating nothing) when there is no store
 * @throws TrustmeshError `TM_CA_STORE_MISSING`, `TM_CA_STORE_BUSY`, `TM_CA_STORE_UNWRITABLE`, the
 * recovery's codes, the reading codes, and whatever `compute` throws
 * @internal
 */
export async function updateStore<T>(
  dir: string, requireExisting: boolean, compute: (files: StoreFiles | undefined) => Promise<StoreUpdate<T>>,
): Promise<StoreUpdateResult<T>> {
  const first = readable(dir, () => scanGenerations(dir));
  if (requireExisting && committedStoreDir(first) === undefined) throw missing(dir);
  const lock = takeLock(dir, first);
  try {
    const recovered = lock.readOnly ? { scan: first, notes: [] } : writable(dir, () => recoverStore(scanGenerations(dir)));
    const files = readStoreFiles(dir);
    if (requireExisting && !hasContent(files)) throw missing(dir);
    const update = await compute(files);
    if (!update.files || sameFiles(files, update.files)) return { result: update.result, written: false, recovered: recovered.notes };
    if (lock.readOnly) throw unwritable(dir, lock.error);
    const scan = recovered.scan;
    writable(dir, () => commitGeneration(scan, staged(update.files!), { dirMode: 0o700, fileMode: 0o600 }));
    return { result: update.result, written: true, recovered: recovered.notes };
  } finally {
    lock.release();
  }
}

/** Whether the files hold anything besides the .gitignore the store writes. @internal */
export function hasContent(files: StoreFiles | undefined): files is StoreFiles {
  return files !== undefined && [...files.keys()].some((f) => f !== STORE_FILES.gitignore);
}

/** A TM_CA_STORE_MISSING error. @internal */
export function missing(dir: string): TrustmeshError {
  return new TrustmeshError('TM_CA_STORE_MISSING', 'no CA key store here', {
    location: { file: dir },
    fix: 'create one with `trustmesh ca init --cluster <name>` (or pass --dir to point at an existing one)',
  });
}

interface HeldLock {
  readonly release: () => void;
  /** The folder cannot be written (a read-only mount): reads work, writes fail. */
  readonly readOnly: boolean;
  readonly error?: unknown;
}

function takeLock(dir: string, scan: GenerationScan): HeldLock {
  try {
    makeParents(scan.parent);
    return { release: acquireLock(scan.path), readOnly: false };
  } catch (e) {
    if (e instanceof LockBusyError) {
      throw new TrustmeshError('TM_CA_STORE_BUSY', `another trustmesh command${e.holder === undefined ? '' : ` (process ${e.holder})`} is updating the key store`, {
        location: { file: dir },
        value: e.lockFile,
        fix: `wait for it to finish; if no such process runs, delete ${e.lockFile}`,
      });
    }
    const code = systemErrorCode(e);
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return { release: () => undefined, readOnly: true, error: e };
    throw unwritable(dir, e);
  }
}

function sameFiles(existing: StoreFiles | undefined, rendered: ReadonlyMap<string, string>): boolean {
  return existing !== undefined
    && existing.get(STORE_FILES.gitignore)?.content === GITIGNORE
    && existing.size === rendered.size + 1
    && [...rendered].every(([rel, content]) => existing.get(rel)?.content === content)
    && [...existing.values()].every((f) => f.mode === 0o600);
}

function staged(files: ReadonlyMap<string, string>): StagedFile[] {
  const sorted = [...files.entries()]
    .filter(([p]) => p !== STORE_FILES.gitignore)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([p, content]) => ({ path: p, content, mode: 0o600 }));
  return [{ path: STORE_FILES.gitignore, content: GITIGNORE, mode: 0o600 }, ...sorted];
}

function readable<T>(dir: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    if (TrustmeshError.isTrustmeshError(e)) throw e;
    throw new TrustmeshError('TM_CA_STORE_UNREADABLE', `cannot read the key store (${errnoCode(e)})`, {
      location: { file: dir }, fix: 'check that the directory and its parent belong to you and are readable, or pass another --dir', cause: e,
    });
  }
}

function writable<T>(dir: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    if (TrustmeshError.isTrustmeshError(e) || systemErrorCode(e) === undefined) throw e;
    throw unwritable(dir, e);
  }
}

function unwritable(dir: string, cause: unknown): TrustmeshError {
  const where = typeof (cause as { path?: unknown })?.path === 'string' ? ` at ${(cause as { path: string }).path}` : '';
  return new TrustmeshError('TM_CA_STORE_UNWRITABLE', `cannot write the key store (${errnoCode(cause)}); nothing was changed`, {
    location: { file: dir },
    fix: `check that you may write to the directory and its parent${where}, or pass another --dir`,
    cause,
  });
}
