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
import { Diagnostic, formatDiagnostic } from '../errors';

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
