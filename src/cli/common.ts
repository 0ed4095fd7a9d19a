/**
 * Plumbing the command modules share: options, input loading and output helpers.
 *
 * @module
 */
import { Option } from 'commander';
import { CliIo } from './run';
import { rootNamespaceHints, unmodelledKindWarnings } from '../analysis/config/input-notes';
import { IstioConfig } from '../analysis/config/istio-config';
import { DEFAULT_MESH_CONFIG, loadMeshConfig, MeshConfig } from '../analysis/config/mesh-config';
import { Diagnostic, formatDiagnostic, TrustmeshError } from '../errors';
import { userErrorOf } from '../private/foreign-error';

/** `--allow-empty`: paths without any Kubernetes object are expected (else `TM_NO_OBJECTS`, exit 2). */
export function allowEmptyOption(): Option {
  return new Option('--allow-empty', 'accept paths that hold no Kubernetes object (by default that is an input error: a wrong path would otherwise pass)');
}

/** `--mesh-config <file>`; `detail` is appended to the description after a colon. */
export function meshConfigOption(detail?: string): Option {
  return new Option('--mesh-config <file>', `MeshConfig YAML (as for istioctl analyze --meshConfigFile)${detail ? `: ${detail}` : ''}`);
}

/** The `--mesh-config` file's settings, or Istio's defaults when the option is absent. */
export function meshConfigFrom(file: string | undefined): MeshConfig {
  return file ? loadMeshConfig(file) : DEFAULT_MESH_CONFIG;
}

/** Prints the loader's warnings and infos on stderr (its errors fail the command elsewhere). */
export function printLoadWarnings(io: CliIo, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    if (d.severity !== 'error') io.stderr.write(`${formatDiagnostic(d)}\n`);
  }
}

/** `parse(value)` for an option that was given, `undefined` for one that was not. */
export function optional<T>(value: string | undefined, parse: (value: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}

/**
 * `--keep-going`: an invalid object is skipped (reported with its coded error on stderr) and the
 * rest analysed; by default one invalid object fails the command (exit 2).
 */
export function keepGoingOption(): Option {
  return new Option('--keep-going', 'skip invalid objects (each reported with its coded error) and analyse the rest; by default an invalid object is an input error');
}

/**
 * Prints, on stderr: with `keepGoing`, every error diagnostic as a skipped object; the kinds the
 * analysis does not model (once per kind, with the count); policies in a root-like namespace that
 * is not the configured root.
 */
export function printInputNotes(io: CliIo, config: IstioConfig, mesh: MeshConfig, keepGoing: boolean, more: readonly Diagnostic[] = []): void {
  if (keepGoing) {
    for (const d of [...config.diagnostics, ...more]) {
      if (d.severity === 'error') io.stderr.write(`skipped (--keep-going): ${formatDiagnostic(d)}\n`);
    }
  }
  for (const d of [...unmodelledKindWarnings(config), ...rootNamespaceHints(config, mesh)]) io.stderr.write(`${formatDiagnostic(d)}\n`);
}

/** How {@link writePieces} ended: everything written, or the reader closed the pipe (EPIPE) first. */
export type PiecesWritten = 'written' | 'closed';

/** Strings are gathered up to this many characters per write (pieces can be single lines). */
const WRITE_CHARS = 65_536;

/**
 * Writes pieces of output in order with backpressure (matrixout10): when `write` returns false it
 * waits for 'drain', so a slow reader holds the producer back and memory stays bounded; resolves
 * once every write has completed. A reader that closes early (EPIPE, e.g. `| head -1`) ends the
 * writing quietly ('closed'); any other write error (ENOBUFS, ENOSPC …) rejects with
 * `TM_SYSTEM_ERROR`, never a stack trace.
 */
export async function writePieces(out: NodeJS.WritableStream, pieces: Iterable<string | Uint8Array>): Promise<PiecesWritten> {
  let failure: NodeJS.ErrnoException | undefined;
  let pending = 0;
  let wake: (() => void) | undefined;
  const settle = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // Stays attached: a failed write's 'error' is emitted after its callback, possibly after the last await.
  out.on('error', (e: NodeJS.ErrnoException) => {
    failure ??= e;
    settle();
  });
  const wait = (event?: 'drain'): Promise<void> => new Promise<void>((resolve) => {
    wake = resolve;
    if (!event) return;
    out.once(event, settle);
    out.once('close', settle);
  }).then(() => {
    if (!event) return;
    out.off(event, settle);
    out.off('close', settle);
  });
  const send = async (chunk: string | Uint8Array): Promise<void> => {
    pending++;
    const more = out.write(chunk, (e?: Error | null) => {
      pending--;
      if (e) failure ??= e;
      settle();
    });
    if (!more && !failure) await wait('drain');
  };
  let text = '';
  for (const piece of pieces) {
    if (failure) break;
    if (typeof piece === 'string') {
      text += piece;
      if (text.length < WRITE_CHARS) continue;
    } else if (text) {
      await send(text);
      if (failure) break;
    }
    const chunk = typeof piece === 'string' ? text : piece;
    text = '';
    await send(chunk);
  }
  if (text && !failure) await send(text);
  while (pending > 0 && !failure) await wait();
  if (!failure) return 'written';
  if (failure.code === 'EPIPE') return 'closed';
  // An errno from the write is read as every other operating-system error (its fix by errno).
  throw userErrorOf(failure) ?? new TrustmeshError('TM_SYSTEM_ERROR', `the operating system refused write: ${failure.code ?? failure.message}`, {
    callerLocation: false,
    fix: 'The output could not be written (a full disk, a closed or failing reader): check where the output goes and run again.',
    cause: failure,
  });
}
