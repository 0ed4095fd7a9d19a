/**
 * What the key store's folder means after a crash, and how it is brought back to one committed
 * store. The rule that matters: a root is never created while any root key lies in the folder, and
 * nothing holding a root key the committed store lacks is ever removed without asking.
 *
 * Readers ({@link committedStoreDir}) only pick: the generation the link points at, or the plain
 * directory, or, when the path is missing, the one committed state an interrupted update left
 * (`.ca.gen-0000` of an interrupted migration, or the `.ca.staging-X.previous` of an older
 * trustmesh killed between its two renames). Writers ({@link recoverStore}, under the lock) make
 * that pick the store again and remove the leftovers the protocol proves uncommitted or retired.
 *
 * @module
 * @internal
 */
import * as fs from 'fs';
import * as path from 'path';
import { TrustmeshError } from '../errors';
import { STORE_FILES } from './key-store-layout';
import { removeEntry, renameEntry, syncDirectory } from '../private/durable-fs';
import { generationName, GenerationScan, Leftover, pointAt, scanGenerations } from '../private/generation-dir';

/** The key store folder brought back to a committed store, and what was done. @internal */
export interface RecoveredStore {
  readonly scan: GenerationScan;
  /** One line per action, for the command's output. */
  readonly notes: readonly string[];
}

/**
 * The directory holding the committed key store, or `undefined` when there is none and nothing
 * that holds key material lies beside it.
 * @throws TrustmeshError `TM_CA_STORE_UNREADABLE` (not a directory), `TM_CA_STORE_CORRUPT` (a link
 * to a missing generation), `TM_CA_STORE_INTERRUPTED` (no committed store, but leftovers with key
 * material), `TM_CA_STORE_AMBIGUOUS` (a leftover of an older trustmesh holds a root key the store lacks)
 * @internal
 */
export function committedStoreDir(scan: GenerationScan): string | undefined {
  const { entry } = scan;
  switch (entry.kind) {
    case 'generation':
    case 'directory':
      assertNoOtherRoot(scan, entry.dir, []);
      return entry.dir;
    case 'not-a-directory':
      throw new TrustmeshError('TM_CA_STORE_UNREADABLE', 'the key store path is not a directory', {
        location: { file: scan.path },
        fix: 'pass a directory with --dir (default .trustmesh/ca)',
      });
    case 'dangling':
      throw new TrustmeshError('TM_CA_STORE_CORRUPT', `the key store link points to ${entry.target}, which does not exist`, {
        location: { file: scan.path },
        value: listing(scan.leftovers),
        fix: `restore ${path.join(scan.parent, entry.target)} from a backup (it was deleted); trustmesh never removes the generation the link points to`,
      });
    case 'absent': {
      const picked = interruptedPick(scan);
      if (picked) {
        // The uncommitted twin of an older trustmesh's previous directory may hold anything (a --force).
        assertNoOtherRoot(scan, picked.path, [picked.name, picked.name.replace(/\.previous$/, '')]);
        return picked.path;
      }
      const material = scan.leftovers.filter(holdsKeyMaterial);
      if (material.length === 0) return undefined;
      throw interrupted(scan, material);
    }
  }
}

/**
 * Under the store's lock: makes the committed state the store again (finishing an interrupted
 * migration or restoring an older trustmesh's previous directory), then removes every leftover the
 * protocol proves uncommitted or retired.
 * @throws TrustmeshError `TM_CA_STORE_INTERRUPTED` as {@link committedStoreDir};
 * `TM_CA_STORE_AMBIGUOUS` when a leftover of an older trustmesh holds a root key the store lacks
 * @internal
 */
export function recoverStore(first: GenerationScan): RecoveredStore {
  const notes: string[] = [];
  let scan = first;
  // Every refusal happens here, before anything is changed.
  committedStoreDir(scan);
  if (scan.entry.kind === 'absent') {
    const picked = interruptedPick(scan);
    if (picked?.kind === 'generation') {
      pointAt(scan, picked.path);
      notes.push(`pointed ${scan.name} at ${picked.name}, the store as it was before an interrupted update`);
    } else if (picked) {
      renameEntry(picked.path, scan.path);
      syncDirectory(scan.parent);
      notes.push(`renamed ${picked.name} to ${scan.name}: the store as it was before an update of an older trustmesh was interrupted`);
    }
    scan = scanGenerations(scan.path);
  }
  for (const leftover of scan.leftovers) remove(leftover, notes);
  return { scan: scanGenerations(scan.path), notes };
}

/** One line per leftover, for messages and `ca inspect`. @internal */
export function describeLeftover(leftover: Leftover): string {
  const what: Record<Leftover['kind'], string> = {
    'generation': 'a generation the store does not point at',
    'staging': 'a generation being written',
    'link': 'a link not yet renamed into place',
    'legacy-staging': 'the new directory of an interrupted update by an older trustmesh',
    'legacy-previous': 'the old directory of an interrupted update by an older trustmesh',
  };
  return `${leftover.path} (${what[leftover.kind]}${leftover.pid !== undefined ? `, process ${leftover.pid}` : ''})`;
}

/** The one committed state an interrupted update left when the store path is missing, if there is exactly one. */
function interruptedPick(scan: GenerationScan): { kind: 'generation' | 'legacy'; path: string; name: string } | undefined {
  const migration = scan.leftovers.filter((l) => l.kind === 'generation' && l.name === generationName(scan.name, 0));
  const previous = scan.leftovers.filter((l) => l.kind === 'legacy-previous');
  const candidates = [...migration, ...previous];
  if (candidates.length !== 1) return undefined;
  const [c] = candidates;
  return { kind: c.kind === 'generation' ? 'generation' : 'legacy', path: c.path, name: c.name };
}

/**
 * Refuses when a leftover of an older trustmesh (whose two-rename swap could lose the store, after
 * which it created a new root) holds a root key that the committed store lacks. A leftover key that
 * is a prefix of a known one is a half-written copy of it, not another key.
 */
function assertNoOtherRoot(scan: GenerationScan, committed: string, exempt: readonly string[]): void {
  const legacy = scan.leftovers.filter((l) => (l.kind === 'legacy-staging' || l.kind === 'legacy-previous') && !exempt.includes(l.name));
  if (legacy.length === 0) return;
  const known = rootKeys(committed);
  for (const leftover of legacy) {
    if (rootKeys(leftover.path).some((k) => !known.some((c) => c.startsWith(k)))) throw ambiguous(scan, leftover);
  }
}

function remove(leftover: Leftover, notes: string[]): void {
  removeEntry(leftover.path);
  notes.push(`removed ${describeLeftover(leftover)}`);
}

/** Whether a leftover holds any file besides a .gitignore (links hold nothing). */
function holdsKeyMaterial(leftover: Leftover): boolean {
  if (leftover.kind === 'link') return false;
  const walk = (dir: string): boolean => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return true;
    }
    return entries.some((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name !== STORE_FILES.gitignore));
  };
  return walk(leftover.path);
}

/** The root keys a store directory holds (current, next and previous root), trimmed; unreadable ones as `?`. */
function rootKeys(dir: string): string[] {
  const out: string[] = [];
  for (const rel of [STORE_FILES.rootKey, `${STORE_FILES.nextRootDir}/${STORE_FILES.rootKey}`, `${STORE_FILES.previousRootDir}/${STORE_FILES.rootKey}`]) {
    const file = path.join(dir, rel);
    if (!fs.existsSync(file)) continue;
    try {
      out.push(fs.readFileSync(file, 'utf8').trim());
    } catch {
      out.push('?');
    }
  }
  return out;
}

function listing(leftovers: readonly Leftover[]): string[] {
  return leftovers.map(describeLeftover);
}

function interrupted(scan: GenerationScan, material: readonly Leftover[]): TrustmeshError {
  const newest = material[material.length - 1];
  return new TrustmeshError('TM_CA_STORE_INTERRUPTED',
    `no committed key store at ${scan.path}, but an interrupted command left key material beside it; no new root is created while it is there`, {
      location: { file: scan.path },
      value: listing(material),
      fix: `if one of these holds the CA your clusters use, move it into place (e.g. \`mv ${newest.path} ${scan.path}\`) and check it with \`trustmesh ca inspect\`; `
        + 'if they come from a first `ca init` that never finished (nothing was rolled out), delete them and run `trustmesh ca init` again',
    });
}

function ambiguous(scan: GenerationScan, leftover: Leftover): TrustmeshError {
  return new TrustmeshError('TM_CA_STORE_AMBIGUOUS',
    `${leftover.name} beside the key store holds a root key that ${scan.name} does not have; an older trustmesh may have created a new root after an interrupted update`, {
      location: { file: leftover.path },
      value: describeLeftover(leftover),
      fix: `find the root your clusters trust (compare \`openssl x509 -noout -fingerprint -sha256 -in ${path.join(leftover.path, STORE_FILES.rootCert)}\` `
        + `with the same for ${path.join(scan.path, STORE_FILES.rootCert)} and with the trustmesh-ca-root-cert ConfigMap in a cluster); `
        + `keep that store at ${scan.path} and move the other out of ${scan.parent}`,
    });
}
