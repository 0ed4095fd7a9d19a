import { TrustmeshApp } from '../constructs/trustmesh-app';
import { toYamlStream } from '../private/yaml-emitter';

/** Options of {@link synthYaml}. */
export interface SynthYamlOptions {
  /**
   * Include the objects of secret charts, with every `data`/`stringData` value replaced by
   * `<redacted>`, so that snapshots show which secrets exist without any key material.
   * @default true
   */
  readonly includeRedactedSecrets?: boolean;
}

const REDACTED = '<redacted>';

/**
 * Synthesizes an app (without writing files) to one deterministic YAML string, file by file with a
 * `# <file>` header, ready for `toMatchSnapshot()`. Private keys never appear: secrets are
 * redacted. Runs every check a real synth runs (graph checks, schema validation).
 *
 * @example expect(synthYaml(app)).toMatchSnapshot();
 */
export function synthYaml(app: TrustmeshApp, options: SynthYamlOptions = {}): string {
  const output = app.synthOutput();
  const parts = output.files.map((f) => `# ${f.path}\n${f.content}`);
  if (options.includeRedactedSecrets ?? true) {
    const byFile = new Map<string, Record<string, unknown>[]>();
    for (const record of output.manifests.filter((m) => m.secret)) {
      byFile.set(record.file, [...(byFile.get(record.file) ?? []), redact(record.manifest)]);
    }
    for (const [file, docs] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
      parts.push(`# secrets: ${file}\n${toYamlStream(docs)}`);
    }
  }
  return parts.join('---\n');
}

/** A copy of a manifest with Secret and ConfigMap payload values replaced by `<redacted>`. */
export function redact(manifest: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...manifest };
  for (const field of ['data', 'stringData', 'binaryData']) {
    const value = copy[field];
    if (value && typeof value === 'object') {
      copy[field] = Object.fromEntries(Object.keys(value).sort().map((k) => [k, REDACTED]));
    }
  }
  return copy;
}
