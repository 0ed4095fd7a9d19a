/**
 * A lock file beside a directory, so that one process at a time updates it: `.<name>.lock` holding
 * the owner's process id. It is created complete (written under a temporary name, then hard-linked
 * into place, which fails when the lock exists), so a reader never sees an empty lock. A lock whose
 * process no longer runs (it was killed) is stale and taken over.
 *
 * @module
 * @internal
 */
import * as fs from 'fs';
import * as path from 'path';
import { isProcessAlive, ownerPid, removeEntry, systemErrorCode, temporarySuffix, writeDurableFile } from './durable-fs';
import { faultPoint } from './fault-point';

/** The lock is held by another running process. @internal */
export class LockBusyError extends Error {
  public constructor(public readonly lockFile: string, public readonly holder: number | undefined) {
    super(`${lockFile} is held by ${holder === undefined ? 'another process' : `process ${holder}`}`);
  }
}

/** The lock file of `dir` (absolute): `<parent>/.<name>.lock`. @internal */
export function lockFileOf(dir: string): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}.lock`);
}

/**
 * Takes the lock of `dir` (whose parent must exist) and returns the function that releases it.
 * @throws LockBusyError when a running process holds it; system errors as they come
 * @internal
 */
export function acquireLock(dir: string): () => void {
  const lock = lockFileOf(dir);
  removeStaleTemporaries(lock);
  const temporary = `${lock}-${temporarySuffix()}`;
  writeDurableFile(temporary, `${process.pid}\n`, 0o600);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (tryLink(temporary, lock)) return () => release(lock);
      const holder = readHolder(lock);
      if (holder === undefined || isProcessAlive(holder)) throw new LockBusyError(lock, holder);
      // Left by a process that was killed while it held the lock.
      removeEntry(lock);
    }
    throw new LockBusyError(lock, readHolder(lock));
  } finally {
    removeEntry(temporary);
  }
}

function tryLink(temporary: string, lock: string): boolean {
  faultPoint('link', `${lock} -> ${temporary}`);
  try {
    fs.linkSync(temporary, lock);
    return true;
  } catch (e) {
    const code = systemErrorCode(e);
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') return tryExclusiveCreate(lock);
    throw e;
  }
}

/** For file systems without hard links: create the lock exclusively and write the id into it. */
function tryExclusiveCreate(lock: string): boolean {
  try {
    writeDurableFile(lock, `${process.pid}\n`, 0o600);
    return true;
  } catch (e) {
    if (systemErrorCode(e) === 'EEXIST') return false;
    throw e;
  }
}

function readHolder(lock: string): number | undefined {
  try {
    const text = fs.readFileSync(lock, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

function release(lock: string): void {
  if (readHolder(lock) === process.pid) removeEntry(lock);
}

function removeStaleTemporaries(lock: string): void {
  const prefix = `${path.basename(lock)}-`;
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(lock)).filter((n) => n.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = ownerPid(name);
    if (pid !== undefined && !isProcessAlive(pid)) removeEntry(path.join(path.dirname(lock), name));
  }
}
