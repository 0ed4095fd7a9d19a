/**
 * Plumbing the command modules share: options, input loading and output helpers.
 *
 * @module
 */
import { Option } from 'commander';
import { CliIo } from './run';
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
