import { CaRedaction } from './ca-redaction';
import { ManifestRecord, TrustmeshApp } from '../constructs/trustmesh-app';
import { toYamlStream } from '../private/yaml-emitter';

/** Options of {@link synthYaml}. */
export interface SynthYamlOptions {
  /**
   * Include the objects of secret charts, with every `data`/`stringData` value replaced by
   * `<redacted>`, so that snapshots show which secrets exist without any key material.
   * @default true
   */
  readonly includeRedactedSecrets?: boolean;
  /**
   * Replace everything derived from CA material — certificates, trust bundles, fingerprints,
   * serial numbers, validity dates — by stand-ins (`<certificate 1: O=trustmesh, CN=Root CA>`,
   * `<sha256 of certificate 1>`, `<not after>`, …; see {@link CaRedaction}), so that a snapshot does not depend
   * on the machine's own `trustmesh ca init`.
   * @default true
   */
  readonly normalizeCaMaterial?: boolean;
}

const REDACTED = '<redacted>';

/**
 * Synthesizes an app (without writing files) to one deterministic YAML string, file by file with a
 * `# <file>` header, ready for `toMatchSnapshot()`. Runs every check a real synth runs (graph
 * checks, schema validation, the analyzer). Two machines get the same string:
 *
 * - private keys never appear: secret payloads are `<redacted>`;
 * - CA-derived material (the trust-bundle ConfigMap, `ca-summary.md`'s fingerprints and dates, …)
 *   is replaced by stand-ins numbered in output order, so another root gives the same snapshot.
 *
 * @example expect(synthYaml(app)).toMatchSnapshot();
 */
export function synthYaml(app: TrustmeshApp, options: SynthYamlOptions = {}): string {
  const output = app.synthOutput();
  const normalize = options.normalizeCaMaterial ?? true;
  const inReadingOrder = [...output.manifests.filter((m) => !m.secret), ...output.manifests.filter((m) => m.secret)];
  const ca = normalize ? CaRedaction.of(inReadingOrder.map((m) => m.manifest)) : undefined;
  const byFile = new Map<string, ManifestRecord[]>();
  for (const record of output.manifests) byFile.set(record.file, [...(byFile.get(record.file) ?? []), record]);
  const manifestText = (records: readonly ManifestRecord[]): string =>
    toYamlStream(records.map((r) => (ca ? ca.redactValue(r.manifest) : r.manifest)));

  const parts = output.files.map((f) => {
    const records = byFile.get(f.path)?.filter((r) => !r.secret);
    const content = records ? manifestText(records) : ca ? ca.redactText(f.content) : f.content;
    return `# ${f.path}\n${content}`;
  });
  if (options.includeRedactedSecrets ?? true) {
    const secretFiles = [...byFile].filter(([, records]) => records.some((r) => r.secret)).sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [file, records] of secretFiles) {
      parts.push(`# secrets: ${file}\n${toYamlStream(records.map((r) => redact(r.manifest)))}`);
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
