import * as fs from 'fs';
import { TrustmeshError } from '../errors';

/**
 * Reads a UTF-8 text file the user named.
 *
 * @param file the path as the user gave it; the error's location
 * @param summary what could not be read, in the caller's terms, e.g. `cannot read the CRD file`
 * @param fix what the user should pass instead
 * @throws TrustmeshError `TM_FILE_NOT_FOUND` when the file cannot be read, with the I/O error as cause
 */
export function readTextFile(file: string, summary: string, fix?: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new TrustmeshError('TM_FILE_NOT_FOUND', summary, { location: { file }, ...(fix ? { fix } : {}), cause: e });
  }
}

/** The `code` of a Node.js system error (`ENOENT`, `EACCES`, …), or `unknown`. */
export function errnoCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'unknown';
}
