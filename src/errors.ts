/**
 * Errors and diagnostics shared by every trustmesh module.
 *
 * Every user-facing failure is a {@link TrustmeshError} with a stable `code` (`TM_…`), a location
 * (construct path, or file:line:column), the value received, what is allowed and how to fix it.
 * Programmer misuse of the API (wrong argument types) throws `TypeError` instead.
 *
 * @module
 */
import type { ErrorCode } from './error-codes';
import { userCallerFrame } from './private/caller-frame';


/** A stable, documented error or diagnostic code, e.g. `TM_INVALID_NAME`; the registry is `error-codes.ts`. */
export type { ErrorCode } from './error-codes';

/** Where a problem was found: a construct path, or a position in a file. */
export interface SourceLocation {
  /** Construct path, e.g. `bookinfo/bookinfo/details`. */
  readonly constructPath?: string;
  /** File path as the user gave it. */
  readonly file?: string;
  /** 1-based line. */
  readonly line?: number;
  /** 1-based column. */
  readonly column?: number;
  /** A JSON-pointer-like path inside a document, e.g. `spec.rules[0].from[1]`. */
  readonly field?: string;
}

/** Details every coded error carries besides its message. */
export interface TrustmeshErrorOptions {
  /** Where the problem is. */
  readonly location?: SourceLocation;
  /** The offending value, as received. */
  readonly value?: unknown;
  /** What would have been accepted. */
  readonly allowed?: string;
  /** What the user should do. */
  readonly fix?: string;
  /** The underlying error, if any. */
  readonly cause?: unknown;
  /**
   * When no `location` is given, record the first frame of the user's code that led here (shown
   * as `at file:line:col`), since the CLI and `runSynth` print no stack.
   * @default true
   */
  readonly callerLocation?: boolean;
}

const TRUSTMESH_ERROR = Symbol.for('trustmesh.TrustmeshError');

/**
 * Base class of every user-facing trustmesh error.
 *
 * @example
 * try { mesh.addNamespace('Bad_Name'); } catch (e) {
 *   if (TrustmeshError.isTrustmeshError(e) && e.code === 'TM_INVALID_NAME') { … }
 * }
 */
export class TrustmeshError extends Error {
  /**
   * Brand check that works across copies of the package (instanceof does not).
   */
  public static isTrustmeshError(x: unknown): x is TrustmeshError {
    return typeof x === 'object' && x !== null && TRUSTMESH_ERROR in x;
  }

  /**
   * The error a diagnostic stands for: its code, message (as the summary), location and fix.
   *
   * @example
   * const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => TrustmeshError.fromDiagnostic(d));
   */
  public static fromDiagnostic(d: Diagnostic): TrustmeshError {
    return new TrustmeshError(d.code, d.message, { location: d.location, fix: d.fix, callerLocation: false });
  }

  /** Stable code, e.g. `TM_INVALID_NAME`. */
  public readonly code: ErrorCode;
  /** Where the problem is. */
  public readonly location?: SourceLocation;
  /** The offending value. */
  public readonly value?: unknown;
  /** What would have been accepted. */
  public readonly allowed?: string;
  /** How to fix it. */
  public readonly fix?: string;
  /** The message without location and hints. */
  public readonly summary: string;

  public constructor(code: ErrorCode, summary: string, options: TrustmeshErrorOptions = {}) {
    // Only errors raised for one bad value: aggregates and subclasses say where on their own.
    const location = options.location ?? (new.target === TrustmeshError && options.callerLocation !== false ? userCallerFrame() : undefined);
    super(composeMessage(code, summary, { ...options, location }), options.cause === undefined ? undefined : { cause: options.cause });
    Object.defineProperty(this, TRUSTMESH_ERROR, { value: true });
    this.name = new.target.name;
    this.code = code;
    this.summary = summary;
    this.location = location;
    this.value = options.value;
    this.allowed = options.allowed;
    this.fix = options.fix;
  }

  /** This error as a diagnostic: code, summary as the message, location and fix. */
  public toDiagnostic(severity: Severity = 'error'): Diagnostic {
    return {
      code: this.code,
      severity,
      message: this.summary,
      ...(this.location ? { location: this.location } : {}),
      ...(this.fix ? { fix: this.fix } : {}),
    };
  }

  /** The same error with a location attached (for errors raised below the construct layer). */
  public withLocation(location: SourceLocation): TrustmeshError {
    return new TrustmeshError(this.code, this.summary, {
      location: { ...location, ...this.location },
      value: this.value,
      allowed: this.allowed,
      fix: this.fix,
      cause: this.cause,
    });
  }
}

/**
 * Several errors found in one pass (for example all whole-graph checks of a synth). The message
 * lists each one; `errors` keeps them for programmatic use.
 */
export class TrustmeshAggregateError extends TrustmeshError {
  public readonly errors: readonly TrustmeshError[];

  public constructor(code: ErrorCode, summary: string, errors: readonly TrustmeshError[]) {
    super(code, `${summary}:\n${errors.map((e) => indent(e.message)).join('\n')}`);
    this.errors = errors;
  }
}

/** Severity of a {@link Diagnostic}. */
export type Severity = 'error' | 'warning' | 'info';

/** A finding that is not necessarily fatal (synth warnings, lint results). */
export interface Diagnostic {
  readonly code: ErrorCode;
  readonly severity: Severity;
  readonly message: string;
  readonly location?: SourceLocation;
  readonly fix?: string;
  /** Matching istioctl analyze or Kiali code, e.g. `IST0127` or `KIA0004`. */
  readonly upstreamCode?: string;
}

/** Renders a location as `file:line:col` or `[construct/path]`, whichever is known. */
export function formatLocation(location: SourceLocation | undefined): string {
  if (!location) return '';
  const parts: string[] = [];
  if (location.file) {
    let pos = location.file;
    if (location.line !== undefined) pos += `:${location.line}`;
    if (location.line !== undefined && location.column !== undefined) pos += `:${location.column}`;
    parts.push(pos);
  }
  if (location.constructPath) parts.push(`[${location.constructPath}]`);
  if (location.field) parts.push(`(${location.field})`);
  return parts.join(' ');
}

/** `severity CODE [UPSTREAM]`, the part every rendering of a diagnostic starts with. */
export function diagnosticHead(d: Diagnostic): string {
  return `${d.severity} ${d.code}${d.upstreamCode ? ` [${d.upstreamCode}]` : ''}`;
}

/** Renders a diagnostic on one line plus an optional fix line. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = formatLocation(d.location);
  const head = `${where ? `${where}: ` : ''}${diagnosticHead(d)}: ${d.message}`;
  return d.fix ? `${head}\n  fix: ${d.fix}` : head;
}

function composeMessage(code: ErrorCode, summary: string, options: TrustmeshErrorOptions): string {
  const where = formatLocation(options.location);
  const lines = [`${code}: ${summary}${where ? ` at ${where}` : ''}`];
  if (options.value !== undefined) lines.push(`  received: ${describeValue(options.value)}`);
  if (options.allowed) lines.push(`  allowed: ${options.allowed}`);
  if (options.fix) lines.push(`  fix: ${options.fix}`);
  return lines.join('\n');
}

/** Short, unambiguous rendering of a received value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  // JSON has no NaN or Infinity (it would print null).
  if (value === undefined || typeof value === 'number' || typeof value === 'bigint') return String(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 200 ? `${json.slice(0, 197)}...` : json;
  } catch {
    return String(value);
  }
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n');
}

const USAGE_ERROR = Symbol.for('trustmesh.UsageError');

/**
 * Misuse of the API — an argument of the wrong type, a value not made by its factory — thrown as a
 * `TypeError`, as JavaScript callers expect. `runSynth` and the CLI report it as `TM_API_MISUSE`
 * with where the call came from (the construct path, or the first frame of the user's code),
 * without a stack; only errors that are neither this nor a {@link TrustmeshError} are bugs.
 *
 * @example
 * if (!(issuer instanceof JwtIssuer)) throw new TrustmeshUsageError('Peer.endUsers: issuer must be a JwtIssuer (JwtIssuer.of({...}))');
 */
export class TrustmeshUsageError extends TypeError {
  /** Brand check that works across copies of the package. */
  public static isUsageError(x: unknown): x is TrustmeshUsageError {
    return typeof x === 'object' && x !== null && USAGE_ERROR in x;
  }

  /** Where the misuse happened: the construct path, and the user's call. */
  public readonly location?: SourceLocation;

  public constructor(message: string, location: SourceLocation | undefined = userCallerFrame()) {
    super(message);
    Object.defineProperty(this, USAGE_ERROR, { value: true });
    this.name = 'TypeError';
    this.location = location;
  }

  /** The same error with a location attached (the construct whose verb was called). */
  public withLocation(location: SourceLocation): TrustmeshUsageError {
    return new TrustmeshUsageError(this.message, { ...location, ...this.location });
  }

  /** The coded error the CLI and `runSynth` print. */
  public toTrustmeshError(): TrustmeshError {
    return new TrustmeshError('TM_API_MISUSE', this.message, {
      location: this.location,
      fix: 'Pass a value of the type the API documents (see its TypeScript signature), made by its factory where there is one.',
      cause: this,
      callerLocation: false,
    });
  }
}
