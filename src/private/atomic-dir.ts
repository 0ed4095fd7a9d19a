/**
 * Replacing one or several output directories all or nothing (the synth's `dist/` and its secrets
 * directory), crash-safe at every step:
 *
 * 1. **stage**: each new directory is written beside its target as `.<name>.next-<pid>-<rand>`,
 *    every file and directory fsynced. A failure removes the staged trees; nothing changed.
 * 2. **commit**: a journal `.<first>.commit-<pid>-<rand>.json` naming every move is written and
 *    fsynced beside the first target. From here on the new outputs are the committed ones.
 * 3. **apply**: each target is renamed to `.<name>.previous-<pid>-<rand>` and its staged tree into
 *    its place. An error here (not a crash) renames everything back.
 * 4. **finish**: the previous trees and the journal are removed.
 *
 * A process killed at any point leaves either no journal (the old outputs stand; the staged trees
 * are leftovers) or a journal (the new outputs stand, maybe not all moved yet). The next
 * replacement of the same directories runs {@link recoverDirectories} first, which completes the
 * journal's moves and removes the leftovers of dead processes, and says what it did.
 *
 * @module
 * @internal
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  isProcessAlive, makeParents, ownerPid, removeEntry, renameEntry, StagedFile, syncDirectory, systemErrorCode,
  temporarySuffix, TreeModes, writeDurableFile, writeTree,
} from './durable-fs';

export { StagedFile } from './durable-fs';

/** Options for {@link replaceDirectory}. */
export interface ReplaceDirectoryOptions extends TreeModes {}

/** One directory to replace: its path and exactly the files it will hold. @internal */
export interface DirectoryReplacement {
  readonly dir: string;
  readonly files: readonly StagedFile[];
  readonly options?: ReplaceDirectoryOptions;
}

/**
 * A system error while replacing output directories. `target` is the output directory it concerns,
 * `failedPath` the path the system call failed on, `cause` the system error. When `restored` is
 * false, putting the old outputs back failed too, and the journal stays for the next run to complete.
 * @internal
 */
export class DirectoryWriteError extends Error {
  /** The errno code, e.g. `ENOSPC`. */
  public readonly code: string;
  public constructor(public readonly target: string, public readonly failedPath: string, public readonly restored: boolean, cause: unknown) {
    const code = systemErrorCode(cause) ?? 'unknown';
    super(`cannot write ${target} (${code} at ${failedPath})`, { cause });
    this.code = code;
  }
}

/** Names (after `.<target>.`) of what an interrupted replacement leaves: ours, and trustmesh 0.x's. */
const LEFTOVER: readonly RegExp[] = [/^(next|previous)-\d+-[0-9a-f]{8}$/, /^commit-\d+-[0-9a-f]{8}\.json\.tmp$/, /^staging-\w{6}(\.previous)?$/];

interface Move {
  readonly target: string;
  readonly staged: string;
  readonly previous: string;
}

interface Journal {
  readonly format: 'trustmesh-commit/v1';
  /** Paths relative to the journal's directory. */
  readonly moves: readonly Move[];
}

/** Replaces `target` with a directory holding exactly `files`, all or nothing. See the module. */
export function replaceDirectory(target: string, files: readonly StagedFile[], options: ReplaceDirectoryOptions = {}): void {
  replaceDirectories([{ dir: target, files, options }]);
}

/**
 * Replaces every directory in `replacements` with its files, all or nothing, crash-safe (see the
 * module). Returns what the recovery of an earlier interrupted run did, for the caller to report.
 * @throws DirectoryWriteError on a system error; nothing was changed then
 * @internal
 */
export function replaceDirectories(replacements: readonly DirectoryReplacement[]): string[] {
  const recovered = recoverDirectories(replacements.map((r) => r.dir));
  const suffix = temporarySuffix();
  const moves: Move[] = replacements.map((r) => {
    const target = path.resolve(r.dir);
    const sibling = (kind: string): string => path.join(path.dirname(target), `.${path.basename(target)}.${kind}-${suffix}`);
    return { target, staged: sibling('next'), previous: sibling('previous') };
  });
  const discardStaged = (): boolean => {
    moves.forEach((m) => removeQuietly(m.staged));
    return true;
  };
  replacements.forEach((r, i) => {
    const { target, staged } = moves[i];
    guarded(target, staged, () => {
      makeParents(path.dirname(target));
      writeTree(staged, r.files, r.options);
    }, discardStaged);
  });

  const journal = path.join(path.dirname(moves[0].target), `.${path.basename(moves[0].target)}.commit-${suffix}.json`);
  guarded(moves[0].target, journal, () => writeJournal(journal, moves), () => {
    removeQuietly(`${journal}.tmp`);
    removeQuietly(journal);
    return discardStaged();
  });

  const applied: Move[] = [];
  for (const move of moves) {
    guarded(move.target, move.target, () => {
      applyMove(move);
      applied.push(move);
    }, () => rollBack(applied.concat(move), journal, moves));
  }
  // Committed and in place: a failure from here on leaves leftovers the next run removes.
  try {
    finish(moves, journal);
  } catch {
    // nothing to undo
  }
  return recovered;
}

/**
 * Completes or clears what an interrupted replacement of these directories left beside them:
 * journals of dead processes are applied (their outputs were committed), staged and previous trees
 * of dead processes are removed, and so are the `.staging-*` leftovers of trustmesh 0.x. Entries
 * of other processes that still run are left alone (this process's own are from an earlier call
 * that failed: a replacement runs start to end without yielding). Returns one line per action.
 * @internal
 */
export function recoverDirectories(dirs: readonly string[]): string[] {
  const notes: string[] = [];
  const targets = dirs.map((d) => path.resolve(d));
  for (const target of targets) {
    const parent = path.dirname(target);
    const prefix = `.${path.basename(target)}.`;
    const names = listDirectory(parent).filter((n) => n.startsWith(prefix));
    for (const name of names.filter((n) => n.startsWith(`${prefix}commit-`) && n.endsWith('.json'))) {
      if (inFlight(name)) continue;
      const journal = path.join(parent, name);
      const moves = readJournal(journal);
      moves.forEach(applyMove);
      finish(moves, journal);
      notes.push(`completed the interrupted write of ${moves.map((m) => m.target).join(' and ')} (journal ${journal})`);
    }
    for (const name of names) {
      const full = path.join(parent, name);
      const leftover = LEFTOVER.some((pattern) => pattern.test(name.slice(prefix.length)));
      if (!leftover || !fs.existsSync(full)) continue;
      if (inFlight(name)) continue;
      if (name.endsWith('.previous') && !fs.existsSync(target)) {
        // trustmesh 0.x was killed between its two renames: its previous output is the committed one.
        renameEntry(full, target);
        syncDirectory(parent);
        notes.push(`restored ${target} from ${full}, left by an interrupted write`);
        continue;
      }
      removeEntry(full);
      notes.push(`removed ${full}, left by an interrupted write`);
    }
  }
  return notes;
}

/** Whether a journal or leftover belongs to another process that still runs. */
function inFlight(name: string): boolean {
  const pid = ownerPid(name);
  return pid !== undefined && pid !== process.pid && isProcessAlive(pid);
}

/**
 * Runs one step; on an error runs `undo` (which says whether it put everything back) and throws
 * {@link DirectoryWriteError} for a system error, the error itself otherwise.
 */
function guarded(target: string, where: string, step: () => void, undo: () => boolean): void {
  try {
    step();
  } catch (e) {
    const restored = undo();
    if (systemErrorCode(e) === undefined) throw e;
    const failedPath = typeof (e as { path?: unknown }).path === 'string' ? (e as { path: string }).path : where;
    throw new DirectoryWriteError(target, failedPath, restored, e);
  }
}

function writeJournal(journal: string, moves: readonly Move[]): void {
  const dir = path.dirname(journal);
  const relative = (p: string): string => path.relative(dir, p) || '.';
  const body: Journal = {
    format: 'trustmesh-commit/v1',
    moves: moves.map((m) => ({ target: relative(m.target), staged: relative(m.staged), previous: relative(m.previous) })),
  };
  const temporary = `${journal}.tmp`;
  writeDurableFile(temporary, `${JSON.stringify(body, undefined, 2)}\n`, 0o600);
  renameEntry(temporary, journal);
  syncDirectory(dir);
}

function readJournal(journal: string): Move[] {
  const dir = path.dirname(journal);
  const body = JSON.parse(fs.readFileSync(journal, 'utf8')) as Journal;
  if (body.format !== 'trustmesh-commit/v1' || !Array.isArray(body.moves)) throw new Error(`unknown journal format in ${journal}`);
  const resolve = (p: string): string => path.resolve(dir, p);
  return body.moves.map((m) => ({ target: resolve(m.target), staged: resolve(m.staged), previous: resolve(m.previous) }));
}

/** Moves the target aside and the staged tree in; does nothing for a move already done. */
function applyMove(move: Move): void {
  if (!fs.existsSync(move.staged)) return;
  if (exists(move.target)) renameEntry(move.target, move.previous);
  renameEntry(move.staged, move.target);
  syncDirectory(path.dirname(move.target));
}

/**
 * After an error (not a crash) while moving: puts the old targets back, then removes the journal
 * and the staged trees. When putting back fails, keeps the journal, so that the next run completes
 * the write instead (both new outputs are complete), and returns false.
 */
function rollBack(applied: readonly Move[], journal: string, all: readonly Move[]): boolean {
  try {
    for (const move of [...applied].reverse()) {
      // Moved in already: take the new tree out again (it is removed below with the other staged trees).
      if (!fs.existsSync(move.staged) && exists(move.target)) renameEntry(move.target, move.staged);
      if (!exists(move.target) && exists(move.previous)) renameEntry(move.previous, move.target);
    }
    for (const dir of new Set(all.map((m) => path.dirname(m.target)))) syncDirectory(dir);
  } catch {
    return false;
  }
  removeQuietly(journal);
  for (const move of all) removeQuietly(move.staged);
  return true;
}

function finish(moves: readonly Move[], journal: string): void {
  for (const move of moves) removeEntry(move.previous);
  removeEntry(journal);
  syncDirectory(path.dirname(journal));
}

function removeQuietly(entry: string): void {
  try {
    removeEntry(entry);
  } catch {
    // cleanup after a failure must not hide the failure; a leftover is removed by the next run
  }
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function listDirectory(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}
