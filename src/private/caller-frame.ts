/**
 * The user's code in a stack trace: the first frame outside trustmesh, its dependencies and
 * Node.js itself. `runSynth` and the CLI never print stacks, so an error raised by a value factory
 * (`Port.http(0)`) records this frame when it is created and shows it as `at file:line:col`.
 *
 * @module
 */
import * as path from 'path';

/** A position in a source file, as a stack frame names it. */
export interface StackPosition {
  /** The file, relative to the working directory when it lies inside it. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

// This file is <package>/src/private (or <package>/lib/src/private once compiled): trustmesh's own
// code is <package>/src and the generated <package>/imports beside it.
const OWN_DIRS: readonly string[] = [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..', 'imports')];

// Enough frames to get from an error raised deep in the model, through the constructs and cdk8s,
// to the user's call.
const FRAMES = 64;

/** Whether `file` is part of trustmesh itself (its sources, compiled or not, and generated imports). */
export function isOwnFile(file: string): boolean {
  return OWN_DIRS.some((dir) => file === dir || file.startsWith(`${dir}${path.sep}`));
}

/**
 * The first frame of the current stack that is the user's code: not trustmesh, not a package under
 * `node_modules` (cdk8s, constructs, commander) and not Node.js internals. Undefined when there is
 * none (the command line, or a callback run by Node.js itself).
 */
export function userCallerFrame(): StackPosition | undefined {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = FRAMES;
  try {
    Error.captureStackTrace(holder, userCallerFrame);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return firstUserFrame(holder.stack ?? '');
}

/** The first user frame of a formatted V8 stack (see {@link userCallerFrame}). */
export function firstUserFrame(stack: string): StackPosition | undefined {
  for (const frame of stackFrames(stack)) {
    if (isUserFile(frame.file)) return { ...frame, file: displayPath(frame.file) };
  }
  return undefined;
}

/** The frames of a formatted V8 stack that name a file, innermost first (the message lines are skipped). */
export function stackFrames(stack: string): StackPosition[] {
  const out: StackPosition[] = [];
  for (const line of stack.split('\n')) {
    // "    at fn (/a/b.js:1:2)", "    at /a/b.js:1:2", "    at async fn (file:///a/b.mjs:1:2)"
    const m = /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!m) continue;
    const file = m[1].startsWith('file://') ? decodeURIComponent(m[1].slice('file://'.length)) : m[1];
    out.push({ file, line: Number(m[2]), column: Number(m[3]) });
  }
  return out;
}

function isUserFile(file: string): boolean {
  if (file.startsWith('node:') || !path.isAbsolute(file)) return false;
  if (file.split(path.sep).includes('node_modules')) return false;
  return !isOwnFile(file);
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
