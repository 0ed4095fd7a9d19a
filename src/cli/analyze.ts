/**
 * `trustmesh analyze`: lints Istio security YAML with stable codes (and the matching istioctl
 * `IST…` / Kiali `KIA…` code), optionally validating every object against the cluster's CRDs.
 *
 * ```
 * trustmesh analyze PATH... [--crds FILE] [--mesh-config FILE] [--inventory auto|complete|none] [--output text|json] [--assume-default-ingress] [--istio-version 1.4]
 * ```
 *
 * Exit 0 when nothing has error severity, 1 when something does, 2 for usage or input errors.
 *
 * @module
 */
import { Command, Option } from 'commander';
import { allowEmptyOption, meshConfigFrom, meshConfigOption } from './common';
import { ExitCode, ExitCodeValue } from './exit-codes';
import { CliIo, RunCommand } from './run';
import { analyze, countSeverities, formatFinding, INVENTORY_MODES, InventoryMode, ManifestCheck } from '../analysis/analyzer/analyzer';
import { listManifestFiles, loadConfig } from '../analysis/config/load-config';
import { Diagnostic } from '../errors';
import { parseIstioVersion } from '../model/istio-version';

interface AnalyzeOptions {
  readonly crds?: string;
  readonly meshConfig?: string;
  readonly inventory: InventoryMode;
  readonly output: 'json' | 'text';
  readonly allowEmpty?: boolean;
  readonly assumeDefaultIngress?: boolean;
  readonly istioVersion?: string;
}

/** Adds `analyze` to the program. */
export function register(program: Command, io: CliIo, run: RunCommand): void {
  program
    .command('analyze')
    .description('Lint Istio security configuration (ours or hand-written) like istioctl analyze and Kiali, offline.')
    .argument('<paths...>', 'YAML/JSON files or directories of Istio and Kubernetes manifests')
    .option('--crds <file>', 'CRD YAML of the cluster\'s Istio version: also validate every object against its schemas and CEL rules')
    .addOption(meshConfigOption('root namespace, path normalization, extension providers'))
    .addOption(new Option('--inventory <mode>', 'how complete the input\'s namespaces, service accounts and workloads are (see docs/analyzer.md)')
      .choices([...INVENTORY_MODES]).default('auto'))
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(allowEmptyOption())
    .option('--assume-default-ingress', 'assume istioctl\'s default ingress gateway (pod istio=ingressgateway and Service istio-ingressgateway in the root namespace)')
    .option('--istio-version <version>', 'the Istio release the configuration is applied to (e.g. 1.4): objects of an API it does not serve are TM_API_NOT_IN_TARGET')
    .addHelpText('after', [
      '',
      'Inventory: auto checks references only where the input lists that namespace\'s workloads / service accounts',
      '           (or any Namespace objects) and reports warnings; complete treats the input as the whole cluster',
      '           and reports errors; none skips those checks.',
      'Exit codes: 0 no error-severity finding, 1 at least one, 2 usage or input error (e.g. a YAML syntax error).',
    ].join('\n'))
    .action((paths: string[], options: AnalyzeOptions) => run(() => runAnalyze(paths, options, io)));
}

async function runAnalyze(paths: readonly string[], options: AnalyzeOptions, io: CliIo): Promise<ExitCodeValue> {
  const files = listManifestFiles(paths);
  const config = loadConfig(paths, { allowEmpty: options.allowEmpty ?? false });
  const meshConfig = meshConfigFrom(options.meshConfig);
  const manifestCheck = options.crds ? await crdCheck(options.crds) : undefined;
  const istioVersion = options.istioVersion !== undefined ? parseIstioVersion(options.istioVersion) : undefined;
  const findings = analyze(config, {
    ...(istioVersion ? { istioVersion } : {}),
    meshConfig,
    inventory: options.inventory,
    ...(manifestCheck ? { manifestCheck } : {}),
    assumeDefaultIngress: options.assumeDefaultIngress === true,
  });
  const counts = countSeverities(findings);
  const summary = { errors: counts.error, warnings: counts.warning, infos: counts.info, files: files.length, objects: config.objects.length };
  if (options.output === 'json') {
    io.stdout.write(`${JSON.stringify({ findings: findings.map(toJson), summary }, null, 2)}\n`);
  } else {
    for (const d of findings) io.stdout.write(`${formatFinding(d)}\n`);
    io.stdout.write(`${summaryLine(summary)}\n`);
  }
  return counts.error > 0 ? ExitCode.FINDINGS : ExitCode.OK;
}

// The validator (CEL, kubernetes-models, ajv and the bundled CRD schemas) is loaded only when
// --crds asks for it: it is about half of the CLI's start-up time.
async function crdCheck(file: string): Promise<ManifestCheck> {
  const [{ CrdSchemaSet }, { crdManifestCheck }] = await Promise.all([
    import('../validate/crd-schema'),
    import('../validate/manifest-validator'),
  ]);
  return crdManifestCheck(CrdSchemaSet.fromFile(file, {
    summary: 'cannot read the CRD file',
    fix: 'Pass the CRD YAML of your Istio version, e.g. manifests/charts/base/files/crd-all.gen.yaml of the release.',
  }));
}

// Fixed key order, absent fields omitted: stable output for CI diffs.
function toJson(d: Diagnostic): Record<string, unknown> {
  const l = d.location ?? {};
  const out: Record<string, unknown> = {};
  const put = (k: string, v: unknown): void => {
    if (v !== undefined) out[k] = v;
  };
  put('file', l.file);
  put('line', l.line);
  put('column', l.column);
  put('field', l.field);
  put('constructPath', l.constructPath);
  put('severity', d.severity);
  put('code', d.code);
  put('upstreamCode', d.upstreamCode);
  put('message', d.message);
  put('fix', d.fix);
  return out;
}

function summaryLine(s: { errors: number; warnings: number; infos: number; files: number; objects: number }): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const scope = `${plural(s.objects, 'object')} in ${plural(s.files, 'file')}`;
  if (s.errors + s.warnings + s.infos === 0) return `trustmesh analyze: no findings (${scope})`;
  return `trustmesh analyze: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}${s.infos > 0 ? `, ${plural(s.infos, 'info')}` : ''} (${scope})`;
}
