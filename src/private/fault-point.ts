/**
 * A test hook for crash and fault tests: every durable file-system step (directory creation, file
 * write, fsync, rename, symlink, hard link, removal) first calls {@link faultPoint}. Unless the variable
 * `TRUSTMESH_INTERNAL_FAULT` is set, that does nothing. The crash tests set it to JSON:
 *
 * - `{"at": 7}`: SIGKILL this process at the 7th step (before it runs), as a crash or an
 *   out-of-memory kill would;
 * - `{"at": 1, "kind": "fsync", "match": "secrets", "error": "ENOSPC"}`: make the first fsync
 *   whose path contains `secrets` fail with ENOSPC instead;
 * - `{"trace": "/tmp/steps.txt"}`: append `<n> <kind> <path>` for every step (to count them).
 *
 * Never documented for users: it exists so the crash-safety tests run on any machine (strace, the
 * other way to inject faults, may be missing or forbidden in a container).
 *
 * @module
 * @internal
 */
import * as fs from 'fs';

/** The variable the crash tests set. @internal */
export const FAULT_ENV = 'TRUSTMESH_INTERNAL_FAULT';

/** The kinds of durable steps. @internal */
export type FaultKind = 'mkdir' | 'write' | 'fsync' | 'rename' | 'symlink' | 'link' | 'remove';

interface FaultSpec {
  readonly at?: number;
  readonly kind?: FaultKind;
  readonly match?: string;
  readonly error?: string;
  readonly trace?: string;
}

let seenSpec: string | undefined;
let count = 0;

/**
 * Marks one durable step about to run on `target`. A no-op unless {@link FAULT_ENV} is set.
 * @throws Error with the requested errno `code` when the spec asks for an error at this step
 * @internal
 */
export function faultPoint(kind: FaultKind, target: string): void {
  const raw = process.env[FAULT_ENV];
  if (!raw) return;
  if (raw !== seenSpec) {
    seenSpec = raw;
    count = 0;
  }
  const spec = JSON.parse(raw) as FaultSpec;
  const selected = (spec.kind === undefined || spec.kind === kind) && (spec.match === undefined || target.includes(spec.match));
  if (!selected) return;
  count += 1;
  if (spec.trace) fs.appendFileSync(spec.trace, `${count} ${kind} ${target}\n`);
  if (spec.at !== count) return;
  if (spec.error) {
    throw Object.assign(new Error(`${spec.error}: injected fault, ${kind} '${target}'`), { code: spec.error, syscall: kind, path: target });
  }
  process.kill(process.pid, 'SIGKILL');
}

/** Starts counting steps from zero again (for tests that run several faulty operations in one process). @internal */
export function resetFaultPoints(): void {
  seenSpec = undefined;
  count = 0;
}
