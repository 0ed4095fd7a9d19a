/** Process exit codes of the `trustmesh` command line. */
export const ExitCode = {
  /** The command did what was asked (and, for checks, found nothing that fails the run). */
  OK: 0,
  /** The command ran, and what it checked failed: analyzer errors, `diff --fail-on`, `ca inspect` on an invalid chain. */
  FINDINGS: 1,
  /** Usage or input error: bad flags, unreadable or invalid input files. Nothing was written. */
  USAGE: 2,
  /** A bug in trustmesh: an unexpected exception. Please report it with the printed stack. */
  INTERNAL: 70,
} as const;

export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];
