/**
 * Reading the key store's files from its committed generation, for every command. Reading changes
 * nothing: leftovers of an interrupted update are looked past (the next update removes them).
 * @module
 * @internal
 */
import * as fs from 'fs';
import * as path from 'path';
import { TrustmeshError } from '../errors';
import { StoreFiles } from './key-store-layout';
import { committedStoreDir } from './store-recovery';
import { errnoCode } from '../private/fs-read';
import { GenerationScan, scanGenerations } from '../private/generation-dir';

/** The committed store as read, with the scan it was found by. @internal */
export interface StoreView {
  readonly scan: GenerationScan;
  /** `undefined` when there is no store (and no key material beside it). */
  readonly files?: StoreFiles;
}

/**
 * Every file of the committed store, or `undefined` when there is none.
 * @throws TrustmeshError `TM_CA_STORE_UNREADABLE`, `TM_CA_STORE_CORRUPT`, `TM_CA_STORE_INTERRUPTED`
 * @internal
 */
export function readStoreFiles(dir: string): StoreFiles | undefined {
  return readStoreView(dir).files;
}

/** {@link readStoreFiles} with the scan, for `ca inspect`'s report of leftovers. @internal */
export function readStoreView(dir: string): StoreView {
  // An update that commits while we read removes the generation we are reading: read again.
  for (let attempt = 0; ; attempt++) {
    const scan = unreadable(dir, () => scanGenerations(dir));
    const committed = committedStoreDir(scan);
    if (committed === undefined) return { scan };
    try {
      return { scan, files: readTree(committed) };
    } catch (e) {
      const moved = attempt < 3 && !TrustmeshError.isTrustmeshError(e)
        && committedStoreDir(unreadable(dir, () => scanGenerations(dir))) !== committed;
      if (!moved) return unreadable(dir, () => { throw e; });
    }
  }
}

/** Reads every file under `root`: regular files, and links to regular files. */
function readTree(root: string): StoreFiles {
  const files: StoreFiles = new Map();
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      const full = path.join(root, rel);
      if (entry.isDirectory()) {
        walk(rel);
        continue;
      }
      const stat = fs.statSync(full);
      if (!stat.isFile()) {
        throw new TrustmeshError('TM_CA_STORE_UNREADABLE', `${rel} in the key store is not a regular file`, {
          location: { file: full },
          fix: 'the store holds only directories and 0600 files; move this entry out of it',
        });
      }
      files.set(rel, { content: fs.readFileSync(full, 'utf8'), mode: stat.mode % 0o1000 });
    }
  };
  walk('');
  return files;
}

/** Runs `read`, turning system errors into `TM_CA_STORE_UNREADABLE` at `dir`. */
function unreadable<T>(dir: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (TrustmeshError.isTrustmeshError(e)) throw e;
    throw new TrustmeshError('TM_CA_STORE_UNREADABLE', `cannot read the key store (${errnoCode(e)})`, {
      location: { file: dir },
      fix: 'check that the directory and its files belong to you and are readable (the store is 0700, files 0600), or pass another --dir',
      cause: e,
    });
  }
}
