/**
 * trustmesh as a `cdk8s synth` validation plugin: runs the analyzer (and, given a CRD file, schema
 * + CEL validation) over the synthesized manifests, reports every finding as a violation with its
 * file:line, and fails the synth when an error is found. The access matrix summary goes to the
 * synth log.
 *
 * Register it in `cdk8s.yaml` (see docs/analyzer.md). While trustmesh is not on npm, name the
 * compiled plugin by its path (cdk8s loads a `./` path directly, without installing anything):
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/trustmesh/lib/src/cdk8s-plugin
 *     version: 0.0.0
 *     class: TrustmeshValidation
 *     properties:
 *       crds: ./crds/istio-1.30.yaml
 * ```
 *
 * @module
 */
import { accessMatrixSummary } from './matrix-summary';
import { groupByOutputFolder, synthOutputDirectory } from './output-folders';
import { ValidationContextLike, ValidationViolation } from './validation-contract';
import { analyze, analyzerCheck, countSeverities, INVENTORY_MODES, InventoryMode } from '../analysis/analyzer/analyzer';
import { IstioConfig } from '../analysis/config/istio-config';
import { loadConfig, mergeConfigs } from '../analysis/config/load-config';
import { DEFAULT_MESH_CONFIG, loadMeshConfig, MeshConfig } from '../analysis/config/mesh-config';
import { Diagnostic, diagnosticHead, SourceLocation, TrustmeshError } from '../errors';
import { parseIstioVersion } from '../model/istio-version';
import { appendAll } from '../private/arrays';
import { CrdSchemaSet } from '../validate/crd-schema';
import { crdManifestCheck } from '../validate/manifest-validator';

/** The `properties` of the plugin's `cdk8s.yaml` entry. */
export interface TrustmeshValidationProps {
  /**
   * CRD YAML of the cluster's Istio version (relative to the directory `cdk8s synth` runs in):
   * validate every manifest against its schemas and CEL rules.
   * @default - no schema validation here (TrustmeshApp already validates against the bundled Istio 1.30.3 CRDs)
   */
  readonly crds?: string;
  /**
   * MeshConfig YAML (root namespace, path normalization, extension providers).
   * @default - Istio's defaults
   */
  readonly meshConfig?: string;
  /**
   * How complete the synthesized inventory is (see docs/analyzer.md).
   * @default 'auto'
   */
  readonly inventory?: InventoryMode;
  /**
   * Fail the synth on warnings too.
   * @default false - only errors fail it
   */
  readonly failOnWarnings?: boolean;
  /**
   * Log the access matrix summary ("who can talk to whom").
   * @default true
   */
  readonly accessMatrix?: boolean;
  /**
   * The synth output directory. Each of its top-level folders is one mesh applied to one cluster
   * and is analyzed on its own, as `TrustmeshApp`'s synth analyzes it (the files at its top form
   * one more group).
   * @default - `output` of `cdk8s.yaml`, else `dist`; manifests outside it are analyzed together
   */
  readonly outdir?: string;
  /**
   * The Istio release the output is applied to, e.g. "1.4": objects of an API it does not serve
   * are `TM_API_NOT_IN_TARGET`, and on 1.0–1.5 the legacy APIs are not reported as leftovers.
   * @default - a current release
   */
  readonly istioVersion?: string;
}

const PROPS: Readonly<Record<keyof TrustmeshValidationProps, 'string' | 'boolean'>> = {
  crds: 'string', meshConfig: 'string', inventory: 'string', failOnWarnings: 'boolean', accessMatrix: 'boolean', outdir: 'string', istioVersion: 'string',
};

/**
 * The cdk8s validation plugin (`validate(context)`), for the `validations:` list of `cdk8s.yaml`.
 *
 * @example
 * // cdk8s.yaml: validations: [{ package: ./node_modules/trustmesh/lib/src/cdk8s-plugin, version: 0.0.0, class: TrustmeshValidation }]
 * const plugin = new TrustmeshValidation({ inventory: 'auto' });
 * await plugin.validate(context); // context from cdk8s-cli
 */
export class TrustmeshValidation {
  private readonly props: TrustmeshValidationProps;

  /**
   * @param props the entry's `properties` (cdk8s passes `{}` when there are none)
   * @throws TrustmeshError `TM_PLUGIN_PROPERTIES_INVALID` for unknown properties or wrong types
   */
  public constructor(props: TrustmeshValidationProps = {}) {
    this.props = checkProps(props);
  }

  /**
   * Analyzes `context.manifests` — each top-level folder of the output directory on its own, as
   * synth does — adds one violation per finding and submits the report.
   */
  public async validate(context: ValidationContextLike): Promise<void> {
    let findings: Diagnostic[] = [];
    let groups: { folder: string; config: IstioConfig }[] = [];
    let meshConfig: MeshConfig = DEFAULT_MESH_CONFIG;
    try {
      meshConfig = this.props.meshConfig ? loadMeshConfig(this.props.meshConfig) : DEFAULT_MESH_CONFIG;
      const istioVersion = this.props.istioVersion !== undefined ? parseIstioVersion(this.props.istioVersion) : undefined;
      const manifestCheck = this.props.crds
        ? crdManifestCheck(CrdSchemaSet.fromFile(this.props.crds, { summary: 'cannot read the CRD file named by the crds property' }))
        : undefined;
      const folders = groupByOutputFolder(context.manifests, synthOutputDirectory(this.props.outdir));
      for (const [folder, files] of folders) {
        const config = loadConfig(files);
        groups.push({ folder, config });
        appendAll(findings, analyze(config, {
          meshConfig, inventory: this.props.inventory ?? 'auto', ...(manifestCheck ? { manifestCheck } : {}), ...(istioVersion ? { istioVersion } : {}),
        }));
      }
    } catch (e) {
      // Unreadable or unparsable input (YAML syntax, CRD or mesh config file): a violation, not a crash.
      if (!TrustmeshError.isTrustmeshError(e)) throw e;
      findings = [e.toDiagnostic()];
      groups = [];
    }
    const config = groups.length > 0 ? mergeConfigs(groups.map((g) => g.config)) : undefined;
    for (const d of findings) context.report.addViolation(violationOf(d, config));
    const counts = countSeverities(findings);
    context.logger.log(`trustmesh: ${counts.error} error(s), ${counts.warning} warning(s) in ${context.manifests.length} manifest(s)`);
    if (groups.length > 1) {
      context.logger.log(`trustmesh: ${groups.length} output folders analyzed as separate clusters: ${groups.map((g) => g.folder || '(top)').join(', ')}`);
    }
    if (this.props.accessMatrix !== false) {
      for (const g of groups) logMatrix(context, g.config, meshConfig, groups.length > 1 ? g.folder || '(top)' : undefined);
    }
    const failed = counts.error > 0 || (this.props.failOnWarnings === true && counts.warning > 0);
    context.report.submit(failed ? 'failure' : 'success', {
      errors: String(counts.error),
      warnings: String(counts.warning),
      manifests: String(context.manifests.length),
    });
  }
}

// The summary is informational: if it cannot be built, say so and let the findings decide.
function logMatrix(context: ValidationContextLike, config: IstioConfig, meshConfig: MeshConfig, folder: string | undefined): void {
  let lines: string[];
  try {
    lines = accessMatrixSummary(config, meshConfig);
  } catch (e) {
    lines = [`access matrix unavailable: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`];
  }
  if (folder !== undefined) lines[0] = `${folder}: ${lines[0]}`;
  for (const line of lines) context.logger.log(line);
}

function checkProps(props: unknown): TrustmeshValidationProps {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    throw invalidProps('properties must be a mapping', props);
  }
  const rec = props as Record<string, unknown>;
  for (const [key, value] of Object.entries(rec)) {
    const type = PROPS[key as keyof TrustmeshValidationProps];
    if (!type) throw invalidProps(`unknown property "${key}"`, key);
    if (value !== undefined && typeof value !== type) throw invalidProps(`property "${key}" must be a ${type}`, value);
  }
  if (rec.inventory !== undefined && !INVENTORY_MODES.includes(rec.inventory as InventoryMode)) {
    throw invalidProps('property "inventory" has an unknown value', rec.inventory);
  }
  return rec as TrustmeshValidationProps;
}

function invalidProps(summary: string, value: unknown): TrustmeshError {
  return new TrustmeshError('TM_PLUGIN_PROPERTIES_INVALID', `TrustmeshValidation: ${summary}`, {
    value,
    allowed: `crds (string), meshConfig (string), inventory (${INVENTORY_MODES.join(' | ')}), failOnWarnings (boolean), accessMatrix (boolean), outdir (string), istioVersion (string, e.g. "1.4")`,
    fix: 'Correct the properties of the trustmesh entry under validations: in cdk8s.yaml.',
  });
}

function violationOf(d: Diagnostic, config: IstioConfig | undefined): ValidationViolation {
  const l = d.location;
  const check = analyzerCheck(d.code);
  return {
    ruleName: `${diagnosticHead(d)}${check ? `: ${check.title}` : ''}`,
    recommendation: d.message,
    fix: d.fix ?? 'See docs/analyzer.md for this code.',
    violatingResources: [{
      resourceName: resourceNameAt(config, l) ?? '',
      locations: l?.line !== undefined ? [`line ${l.line}${l.column !== undefined ? `, column ${l.column}` : ''}${l.field ? ` (${l.field})` : ''}`] : [],
      manifestPath: l?.file ?? '',
    }],
  };
}

// metadata.name of the object the location falls in (the last object starting at or before it).
function resourceNameAt(config: IstioConfig | undefined, l: SourceLocation | undefined): string | undefined {
  if (!config || !l?.file || l.line === undefined) return undefined;
  let best: IstioConfig['objects'][number] | undefined;
  for (const o of config.objects) {
    if (o.source.file !== l.file || o.source.line > l.line) continue;
    if (!best || o.source.line >= best.source.line) best = o;
  }
  return best?.metadata.name;
}
