import * as fs from 'fs';
import { TrustmeshError } from '../errors';

/**
 * The environment variable that sets the largest input file trustmesh reads (manifests, requests,
 * mesh config, CRDs, stdin): bytes, or a number with `K`, `M` or `G` (powers of 1024).
 */
export const MAX_FILE_SIZE_ENV = 'TRUSTMESH_MAX_FILE_SIZE';

/**
 * The largest input file read when {@link MAX_FILE_SIZE_ENV} is not set: 256 MiB, five times the
 * 50 MB of 155,000 AuthorizationPolicies, and half of the longest string V8 can hold.
 */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Reads a UTF-8 text file the user named: a regular file no larger than {@link maxFileBytes}.
 * Devices (`/dev/zero`), FIFOs and sockets are refused before anything is read, so a wrong path
 * never hangs or exhausts memory.
 *
 * @param file the path as the user gave it; the error's location
 * @param summary what could not be read, in the caller's terms, e.g. `cannot read the CRD file`
 * @param fix what the user should pass instead
 * @throws TrustmeshError `TM_FILE_NOT_FOUND` when the file cannot be opened, with the I/O error as
 *   cause; `TM_INPUT_NOT_A_FILE` for anything but a regular file; `TM_FILE_TOO_LARGE` over the limit
 */
export function readTextFile(file: string, summary: string, fix?: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO without a writer would otherwise wait for one (O_RDONLY is 0).
    fd = fs.openSync(file, fs.constants.O_RDONLY + fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new TrustmeshError('TM_FILE_NOT_FOUND', summary, { location: { file }, ...(fix ? { fix } : {}), cause: e });
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw notAFile(file, stat, summary, fix);
    const limit = maxFileBytes();
    if (stat.size > limit) throw tooLarge(file, stat.size, limit);
    const bytes = fs.readFileSync(fd);
    // The file grew while it was read.
    if (bytes.length > limit) throw tooLarge(file, bytes.length, limit);
    return bytes.toString('utf8');
  } catch (e) {
    if (TrustmeshError.isTrustmeshError(e)) throw e;
    throw new TrustmeshError('TM_FILE_NOT_FOUND', summary, { location: { file }, ...(fix ? { fix } : {}), cause: e });
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads a stream (stdin) as UTF-8 text, refusing more than {@link maxFileBytes} as soon as that
 * much has arrived (`trustmesh check --request - < /dev/zero` ends instead of filling memory).
 *
 * @param label the stream's name in errors, e.g. `<stdin>`
 * @throws TrustmeshError `TM_FILE_TOO_LARGE`
 */
export function readTextStream(stream: NodeJS.ReadableStream, label: string): Promise<string> {
  const limit = maxFileBytes();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer | string): void => {
      const chunk = typeof c === 'string' ? Buffer.from(c) : c;
      size += chunk.length;
      if (size > limit) {
        stream.removeListener('data', onData);
        stream.pause();
        reject(tooLarge(label, size, limit, 'more than'));
        return;
      }
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

/**
 * The largest input file read: {@link MAX_FILE_SIZE_ENV} when set, else {@link DEFAULT_MAX_FILE_BYTES}.
 *
 * @throws TrustmeshError `TM_OPTION_INVALID` when the variable is not a size
 */
export function maxFileBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_FILE_SIZE_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_FILE_BYTES;
  const m = /^\s*(\d+)\s*([KMG])?i?B?\s*$/i.exec(raw);
  if (!m) {
    throw new TrustmeshError('TM_OPTION_INVALID', `${MAX_FILE_SIZE_ENV} is not a size`, {
      value: raw,
      allowed: 'a number of bytes, or a number with K, M or G, e.g. 512M or 1G',
      callerLocation: false,
    });
  }
  const unit = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m[2] ?? '').toUpperCase() as 'K' | 'M' | 'G'] ?? 1;
  return Number(m[1]) * unit;
}

/** The `code` of a Node.js system error (`ENOENT`, `EACCES`, …), or `unknown`. */
export function errnoCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'unknown';
}

function notAFile(file: string, stat: fs.Stats, summary: string, fix: string | undefined): TrustmeshError {
  const kind = stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO (named pipe)' : stat.isCharacterDevice() ? 'a character device'
    : stat.isBlockDevice() ? 'a block device' : stat.isSocket() ? 'a socket' : 'not a regular file';
  return new TrustmeshError('TM_INPUT_NOT_A_FILE', `${summary}: it is ${kind}, not a regular file`, {
    location: { file },
    allowed: 'a regular file',
    fix: fix ?? 'Pass a regular file; save a stream to a file first.',
  });
}

function tooLarge(file: string, size: number, limit: number, qualifier = ''): TrustmeshError {
  return new TrustmeshError('TM_FILE_TOO_LARGE', `input is ${qualifier ? `${qualifier} ` : ''}${formatBytes(size)}, over the limit of ${formatBytes(limit)} for one file`, {
    location: { file },
    value: size,
    allowed: `at most ${limit} bytes`,
    fix: `Split the input into several files, or raise the limit with the environment variable ${MAX_FILE_SIZE_ENV} (e.g. ${MAX_FILE_SIZE_ENV}=1G).`,
  });
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
