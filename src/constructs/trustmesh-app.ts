import * as path from 'path';
import { App, AppProps } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Diagnostic, formatDiagnostic, TrustmeshAggregateError, TrustmeshError } from '../errors';
import { diagnosticsOf } from './diagnostics';
import { analyzeOutput, istioVersionsByFolder, meshConfigsByFolder, OutputManifestFile } from './output-analysis';
import { OutputFile } from './output-file';
import { comparePaths, layOutObjects } from './output-layout';
import { markTrustmeshApp } from './secret-chart';
import { appendAll } from '../private/arrays';
import { StagedFile } from '../private/atomic-dir';
import { recoverOutputs, writeOutputs } from '../private/output-writer';
import { toYamlStream } from '../private/yaml-emitter';
import { CrdSchemaSet } from '../validate/crd-schema';
import { validateManifests } from '../validate/manifest-validator';
import { WEBHOOK_CHECKS, WebhookResults } from '../validate/webhook/validate-webhook';

/** Props of {@link TrustmeshApp}. */
export interface TrustmeshAppProps extends Omit<AppProps, 'yamlOutputType'> {
  /**
   * Directory for key material (the `cacerts` and gateway TLS Secrets). Written with mode 0700,
   * files 0600, and a `.gitignore` that ignores everything inside.
   * @default '.trustmesh/secrets'
   */
  readonly secretsOutdir?: string;
  /**
   * Checks every emitted object before anything is written.
   * @default - the bundled Istio 1.30.3 CRD schemas with their CEL rules, and the Kubernetes schemas
   */
  readonly validator?: ManifestValidator;
  /**
   * Receives warnings found at synth (e.g. a CA certificate expiring soon).
   * @default - printed to stderr
   */
  readonly onWarning?: (diagnostic: Diagnostic) => void;
}

/** Checks synthesized manifests; returns problems (errors fail the synth). */
export type ManifestValidator = (manifests: readonly ManifestRecord[]) => readonly Diagnostic[];

/** A synthesized object and where it will be written. */
export interface ManifestRecord {
  /** The object as it will be serialized. */
  readonly manifest: Record<string, unknown>;
  /** Output file, relative to its output directory. */
  readonly file: string;
  /** The construct that produced it. */
  readonly constructPath: string;
  /** Whether it goes to the secrets directory. */
  readonly secret: boolean;
}

/** Everything a synth produces, before it is written. */
export interface SynthOutput {
  /** Reviewable files (relative to `outdir`). */
  readonly files: readonly StagedFile[];
  /** Key material files (relative to `secretsOutdir`). */
  readonly secretFiles: readonly StagedFile[];
  /** Every object, in output order. */
  readonly manifests: readonly ManifestRecord[];
  /** Non-fatal findings. */
  readonly warnings: readonly Diagnostic[];
}

/** The default {@link ManifestValidator}: schemas and CEL rules, locations from the records. */
export const schemaValidator: ManifestValidator = (records) => validateRecords(records);

function validateRecords(records: readonly ManifestRecord[], webhookResults?: WebhookResults): Diagnostic[] {
  return validateManifests(records.map((r) => r.manifest), {
    crds: CrdSchemaSet.bundledWithLegacy(),
    sources: (i) => ({ file: records[i].file, constructPath: records[i].constructPath }),
    webhookResults,
  });
}

// The webhook rules' codes: synth's analyzer pass reports their warnings (at file:line:column), so
// the default validator's copies of them are left out.
const WEBHOOK_CODES: ReadonlySet<string> = new Set(WEBHOOK_CHECKS.map((c) => c.code));

/**
 * The cdk8s App for trustmesh meshes.
 *
 * Compared with a plain `App` it:
 * - lays output out for review: one folder per mesh and one file per namespace
 *   (`dist/<mesh>/<namespace>.k8s.yaml`), objects sorted by kind and name;
 * - runs the whole-graph checks with stable error codes, and prints warnings;
 * - validates every object against the Istio CRD schemas (with CEL rules) and Kubernetes schemas;
 * - writes key material only to `secretsOutdir` (0600), never to `outdir`;
 * - writes `outdir` and `secretsOutdir` all or nothing, crash-safe: a failed or killed synth leaves
 *   the previous output of both untouched, or the new output of both (the next synth completes a
 *   write that was committed when the process died).
 */
export class TrustmeshApp extends App {
  public readonly secretsOutdir: string;
  private readonly validator: ManifestValidator;
  private readonly onWarning: (diagnostic: Diagnostic) => void;
  private _lastOutput?: SynthOutput;

  public constructor(props: TrustmeshAppProps = {}) {
    super(props);
    markTrustmeshApp(this);
    this.secretsOutdir = props.secretsOutdir ?? '.trustmesh/secrets';
    this.validator = props.validator ?? schemaValidator;
    this.onWarning = props.onWarning ?? ((d) => process.stderr.write(`${formatDiagnostic(d)}\n`));
  }

  /**
   * Synthesizes and writes `outdir` (and `secretsOutdir` when there is key material), both or
   * neither: each is staged in full first, then both are committed together.
   * @throws TrustmeshError when a check or validation fails, or `TM_OUTPUT_UNWRITABLE` when an
   * output directory cannot be written; nothing is written then.
   */
  public override synth(): void {
    const dirs = { outdir: this.outdir, secretsOutdir: this.secretsOutdir };
    // Completing or clearing an interrupted earlier synth comes first, so a failing synth repairs too.
    for (const note of recoverOutputs(dirs)) this.onWarning(note);
    const output = this.synthOutput();
    for (const warning of output.warnings) this.onWarning(warning);
    writeOutputs(dirs, output);
  }

  /** Everything {@link synth} would write, without writing it. */
  public synthOutput(): SynthOutput {
    const constructs = this.node.findAll();
    const warnings = this.runChecks(constructs);

    const documents = layOutObjects(constructs, (o, file, secret): ManifestRecord => ({
      manifest: o.toJson() as Record<string, unknown>, file, constructPath: o.node.path, secret,
    }));
    const manifests = documents.flatMap((d) => d.items);
    const files: StagedFile[] = [];
    const secretFiles: StagedFile[] = [];
    const reviewable: OutputManifestFile[] = [];
    for (const d of documents) {
      const content = toYamlStream(d.items.map((r) => r.manifest));
      (d.secret ? secretFiles : files).push({ path: d.path, content });
      if (!d.secret) reviewable.push({ path: d.path, content, objects: d.items });
    }
    for (const c of constructs) {
      if (OutputFile.isOutputFile(c)) (c.secret ? secretFiles : files).push({ path: c.path, content: c.render() });
    }
    assertUniquePaths(files);
    assertUniquePaths(secretFiles);
    assertUniqueObjects(manifests);

    // The default validator keeps its webhook findings for the analyzer pass below, which reports
    // them (instead of running the webhook rules on the same objects a second time).
    const webhookResults = this.validator === schemaValidator ? new WebhookResults() : undefined;
    const problems = webhookResults ? validateRecords(manifests, webhookResults) : this.validator(manifests);
    const errors = problems.filter((d) => d.severity === 'error');
    appendAll(warnings, problems.filter((d) => d.severity !== 'error' && !(webhookResults && WEBHOOK_CODES.has(d.code))));
    if (errors.length > 0) {
      throw new TrustmeshAggregateError('TM_INVALID_OUTPUT',
        `${errors.length} synthesized object(s) fail the schema; nothing was written`, errors.map((d) => TrustmeshError.fromDiagnostic(d)));
    }
    appendAll(warnings, this.runAnalyzer(reviewable, constructs, webhookResults));
    const output: SynthOutput = {
      files: files.sort(byPath),
      secretFiles: secretFiles.sort(byPath),
      manifests,
      warnings,
    };
    this._lastOutput = output;
    return output;
  }

  /**
   * What the last {@link synth} (or {@link synthOutput}) produced, e.g. for a summary of what was
   * written; undefined before the first one and after a failed one.
   */
  public get lastOutput(): SynthOutput | undefined {
    return this._lastOutput;
  }

  // The analyzer over the reviewable output, as `trustmesh analyze` and the cdk8s plugin see it.
  private runAnalyzer(files: readonly OutputManifestFile[], constructs: readonly IConstruct[], webhookResults?: WebhookResults): Diagnostic[] {
    const findings = analyzeOutput(files, {
      webhookResults,
      meshConfigOf: meshConfigsByFolder(constructs),
      istioVersionOf: istioVersionsByFolder(constructs),
      displayPath: (file) => path.posix.join(this.outdir.split(path.sep).join('/'), file),
    });
    const errors = findings.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      throw new TrustmeshAggregateError('TM_SYNTH_FAILED',
        `the analyzer found ${errors.length} error(s) in the output; nothing was written`, errors.map((d) => TrustmeshError.fromDiagnostic(d)));
    }
    return findings;
  }

  private runChecks(constructs: readonly IConstruct[]): Diagnostic[] {
    const errors: TrustmeshError[] = [];
    const warnings: Diagnostic[] = [];
    for (const c of constructs) {
      const produce = diagnosticsOf(c);
      if (produce) {
        for (const d of produce()) {
          const located = d.location ? d : { ...d, location: { constructPath: c.node.path } };
          if (d.severity === 'error') errors.push(TrustmeshError.fromDiagnostic(located));
          else warnings.push(located);
        }
        continue;
      }
      for (const message of c.node.validate()) {
        errors.push(new TrustmeshError('TM_CONSTRUCT_INVALID', message, { location: { constructPath: c.node.path } }));
      }
    }
    if (errors.length > 0) {
      throw new TrustmeshAggregateError('TM_SYNTH_FAILED', `synth failed with ${errors.length} error(s); nothing was written`, errors);
    }
    return warnings;
  }
}

function byPath(a: StagedFile, b: StagedFile): number {
  return comparePaths(a.path, b.path);
}

function assertUniquePaths(files: readonly StagedFile[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    const normalized = path.posix.normalize(f.path);
    if (seen.has(normalized)) {
      throw new TrustmeshError('TM_OUTPUT_PATH_CLASH', `two outputs would be written to the same file "${normalized}"`, {
        fix: 'give the meshes, namespaces or output files distinct names',
      });
    }
    seen.add(normalized);
  }
}

function assertUniqueObjects(manifests: readonly ManifestRecord[]): void {
  const seen = new Map<string, ManifestRecord>();
  const clashes: TrustmeshError[] = [];
  for (const record of manifests) {
    const m = record.manifest as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
    const group = String(m.apiVersion ?? '').split('/').slice(0, -1).join('/');
    // One top-level output folder (one mesh) is applied to one cluster; meshes may reuse names.
    const folder = record.file.includes('/') ? record.file.split('/')[0] : '';
    const key = `${folder}|${record.secret}|${group}/${m.kind}/${m.metadata?.namespace ?? ''}/${m.metadata?.name ?? ''}`;
    const first = seen.get(key);
    if (first) {
      clashes.push(new TrustmeshError('TM_DUPLICATE_OBJECT',
        `${m.kind} "${m.metadata?.name}" in namespace "${m.metadata?.namespace ?? ''}" is produced twice (also by ${first.constructPath}); the second would overwrite the first in the cluster`, {
          location: { constructPath: record.constructPath },
          fix: 'rename one of the services or objects (e.g. a service named "default" clashes with the namespace\'s "default-deny" policy)',
        }));
    } else {
      seen.set(key, record);
    }
  }
  if (clashes.length > 0) throw new TrustmeshAggregateError('TM_SYNTH_FAILED', 'objects clash; nothing was written', clashes);
}
