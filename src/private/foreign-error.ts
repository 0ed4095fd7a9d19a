/**
 * Errors that are not trustmesh's own, read for what the user did: a construct id used twice, an
 * operating-system error (EPERM, ENOSPC), a misuse of the API, an exception thrown by the user's
 * program. `runSynth` and the CLI print them as coded errors, without a stack; only what is left
 * is a bug in trustmesh (exit 70).
 *
 * @module
 */
import { firstUserFrame, isOwnFile, stackFrames } from './caller-frame';
import { SourceLocation, TrustmeshError, TrustmeshUsageError } from '../errors';

// constructs' Node.addChild: "There is already a Construct with name 'shop' in TrustmeshApp [path]".
const DUPLICATE_ID = /^There is already a Construct with name '(.*)' in (\S+)(?: \[(.*)\])?$/;

const ERRNO_FIXES: Readonly<Record<string, string>> = {
  EACCES: 'Check the permissions of that path (and of the folders above it), or choose another one.',
  EPERM: 'Check the permissions of that path (and of the folders above it), or choose another one.',
  EROFS: 'The file system is read-only: choose a writable location.',
  ENOSPC: 'The disk is full: free some space and run again.',
  EDQUOT: 'The disk quota is exhausted: free some space and run again.',
  ENOENT: 'Check that the path exists.',
  ENOTDIR: 'A part of that path is a file, not a folder.',
  EISDIR: 'That path is a folder, not a file.',
  EEXIST: 'Something already exists at that path: move it away.',
  EMFILE: 'Too many open files: raise the limit (ulimit -n) and run again.',
  ENAMETOOLONG: 'The path is too long: choose a shorter one.',
};

/**
 * The coded error a thrown value stands for, or undefined when it is a bug in trustmesh (an
 * exception raised in trustmesh's own code that it did not mean to throw).
 */
export function userErrorOf(e: unknown): TrustmeshError | undefined {
  if (TrustmeshError.isTrustmeshError(e)) return e;
  if (TrustmeshUsageError.isUsageError(e)) return e.toTrustmeshError();
  if (!(e instanceof Error)) return undefined;
  return duplicateConstructId(e) ?? systemError(e) ?? programError(e);
}

function duplicateConstructId(e: Error): TrustmeshError | undefined {
  const m = DUPLICATE_ID.exec(e.message);
  if (!m) return undefined;
  const [, id, scopeType, scopePath] = m;
  const caller = firstUserFrame(e.stack ?? '');
  return new TrustmeshError('TM_DUPLICATE_CONSTRUCT_ID', `a construct with id "${id}" already exists in ${scopeType}${scopePath ? ` ${scopePath}` : ''}`, {
    location: { constructPath: scopePath ? `${scopePath}/${id}` : id, ...positionOf(caller) },
    value: id,
    fix: 'Give each construct a unique id within its scope, e.g. new Mesh(app, \'shop-east\'); declare each mesh, namespace and service once.',
    cause: e,
  });
}

function systemError(e: Error): TrustmeshError | undefined {
  const { code, syscall, path } = e as NodeJS.ErrnoException;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code) || typeof syscall !== 'string') return undefined;
  const caller = firstUserFrame(e.stack ?? '');
  const location: SourceLocation = path ? { file: path } : positionOf(caller);
  return new TrustmeshError('TM_SYSTEM_ERROR', `the operating system refused ${syscall}: ${code}`, {
    location,
    fix: ERRNO_FIXES[code] ?? `See what ${code} means for ${syscall} (man 2 ${syscall.replace(/Sync$/, '')}) and run again.`,
    cause: e,
  });
}

// An exception raised by the user's own program (its innermost frame with a file is theirs).
function programError(e: Error): TrustmeshError | undefined {
  const frame = stackFrames(e.stack ?? '').find((f) => !f.file.startsWith('node:') && !f.file.split(/[\\/]/).includes('node_modules'));
  if (!frame || isOwnFile(frame.file)) return undefined;
  const caller = firstUserFrame(e.stack ?? '');
  if (!caller) return undefined;
  return new TrustmeshError('TM_APP_ERROR', `the program threw ${e.name}: ${e.message}`, {
    location: positionOf(caller),
    fix: 'This exception comes from the program that builds the app, not from trustmesh: fix it at that line.',
    cause: e,
  });
}

function positionOf(frame: { file: string; line: number; column: number } | undefined): SourceLocation {
  return frame ? { file: frame.file, line: frame.line, column: frame.column } : {};
}
