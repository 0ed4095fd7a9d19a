/**
 * `trustmesh convert`: pre-1.6 Istio security YAML (Policy, MeshPolicy, RbacConfig,
 * ClusterRbacConfig, ServiceRole, ServiceRoleBinding) to PeerAuthentication, RequestAuthentication
 * and AuthorizationPolicy, with a proof that the result decides like the input.
 *
 * ```
 * trustmesh convert PATH... [--services PATH...] [--to 1.22] [--out DIR] [--output markdown|json] [--accept-differences]
 * ```
 *
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import { allowEmptyOption, meshConfigFrom, meshConfigOption, printLoadWarnings } from './common';
import { ExitCode, ExitCodeValue } from './exit-codes';
import { CliIo, RunCommand } from './run';
import { loadConfigSources } from '../analysis/config/git-source';
import { assertValidConfig, loadConfig, mergeConfigs } from '../analysis/config/load-config';
import { conversionYaml, convertedConfig, convertLegacy } from '../analysis/convert/convert-legacy';
import { conversionJson, conversionMarkdown } from '../analysis/convert/convert-report';
import { proveConversion } from '../analysis/convert/proof';
import { formatDiagnostic, TrustmeshError } from '../errors';
import { istioApiVersion } from '../model/api-version';
import { DEFAULT_ISTIO_VERSION, formatIstioVersion, parseIstioVersion } from '../model/istio-version';

interface ConvertOptions {
  readonly services?: string[];
  readonly to?: string;
  readonly out?: string;
  readonly output: 'markdown' | 'json';
  readonly acceptDifferences?: boolean;
  readonly meshConfig?: string;
  readonly allowEmpty?: boolean;
}

/** Adds `convert` to the program. */
export function register(program: Command, io: CliIo, run: RunCommand): void {
  program
    .command('convert')
    .description('Convert Istio 1.0-1.5 Policy/MeshPolicy/RBAC YAML to PeerAuthentication, RequestAuthentication and AuthorizationPolicy, and prove both decide alike.')
    .argument('<path...>', 'YAML/JSON files, directories, or git:<ref>:<path> holding the legacy objects')
    .option('--services <path...>', 'Services and Deployments that give the legacy service names their selectors and ports (default: found among the inputs)')
    .option('--to <version>', `target Istio release: security.istio.io/v1 from 1.22, v1beta1 before (default ${formatIstioVersion(DEFAULT_ISTIO_VERSION)})`)
    .option('--out <dir>', 'write the converted objects to DIR/<namespace>.yaml (default: into the report)')
    .addOption(new Option('--output <format>', 'report format').choices(['markdown', 'json']).default('markdown'))
    .option('--accept-differences', 'exit 0 even when the proof finds requests decided differently')
    .addOption(meshConfigOption())
    .addOption(allowEmptyOption())
    .addHelpText('after', [
      '',
      'Exit codes: 0 converted and proven equivalent, 1 refusals or differences (the report lists them), 2 usage or input error.',
    ].join('\n'))
    .action((paths: string[], options: ConvertOptions) => run(() => runConvert(paths, options, io)));
}

async function runConvert(paths: readonly string[], options: ConvertOptions, io: CliIo): Promise<ExitCodeValue> {
  const input = loadConfigSources(paths, { allowEmpty: options.allowEmpty ?? false });
  const config = options.services && options.services.length > 0 ? mergeConfigs([input, loadConfig(options.services)]) : input;
  printLoadWarnings(io, config.diagnostics);
  assertValidConfig(config);
  const mesh = meshConfigFrom(options.meshConfig);
  const version = options.to ? parseIstioVersion(options.to) : DEFAULT_ISTIO_VERSION;
  const apiVersion = istioApiVersion('AuthorizationPolicy', version);
  const legacyCount = config.legacy.authn.length + config.legacy.rbacConfigs.length + config.legacy.roles.length + config.legacy.bindings.length;
  if (legacyCount === 0) {
    throw new TrustmeshError('TM_NO_OBJECTS', 'found no legacy (authentication.istio.io / rbac.istio.io v1alpha1) object to convert', {
      location: { file: paths.join(' ') },
      fix: 'Pass the files holding Policy, MeshPolicy, RbacConfig, ClusterRbacConfig, ServiceRole or ServiceRoleBinding objects.',
    });
  }
  const conversion = convertLegacy(config, { apiVersion, rootNamespace: mesh.rootNamespace });
  const proof = proveConversion(config, convertedConfig(config, conversion), mesh);
  for (const d of conversion.refusals) io.stderr.write(`${formatDiagnostic(d)}\n`);
  const target = `Istio ${formatIstioVersion(version)} (${apiVersion})`;
  if (options.out) writeOut(options.out, conversion.objects);
  if (options.output === 'json') {
    io.stdout.write(conversionJson(conversion, proof, target));
  } else {
    io.stdout.write(conversionMarkdown(conversion, proof, target));
    if (!options.out && conversion.objects.length > 0) io.stdout.write(`\n## Converted objects\n\n\`\`\`yaml\n${conversionYaml(conversion.objects)}\`\`\`\n`);
  }
  if (proof.differences.length > 0) {
    io.stderr.write(`${formatDiagnostic({
      code: 'TM_CONVERT_DIFFERENCES',
      severity: options.acceptDifferences ? 'warning' : 'error',
      message: `${proof.differences.length} of ${proof.requests} requests are decided differently after conversion (listed in the report)`,
      fix: 'Review the differences; rerun with --accept-differences to accept them.',
    })}\n`);
  }
  if (conversion.refusals.length > 0) return ExitCode.FINDINGS;
  return proof.differences.length > 0 && !options.acceptDifferences ? ExitCode.FINDINGS : ExitCode.OK;
}

function writeOut(dir: string, objects: ReturnType<typeof convertLegacy>['objects']): void {
  const byNamespace = new Map<string, (typeof objects)[number][]>();
  for (const o of objects) {
    const list = byNamespace.get(o.metadata.namespace);
    if (list) list.push(o);
    else byNamespace.set(o.metadata.namespace, [o]);
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const [ns, list] of [...byNamespace.entries()].sort()) fs.writeFileSync(path.join(dir, `${ns}.yaml`), conversionYaml(list));
  } catch (e) {
    throw new TrustmeshError('TM_OUTPUT_UNWRITABLE', `cannot write the converted objects to ${dir}`, {
      location: { file: dir }, fix: 'Pass a writable --out directory.', cause: e,
    });
  }
}
