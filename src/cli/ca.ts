/**
 * `trustmesh ca`: the CA key store (Istio plug-in CA material) on the command line.
 *
 * ```
 * trustmesh ca init [--dir DIR] [--cluster NAME]... [--trust-domain TD] [--algorithm ALG] [--force]
 * trustmesh ca inspect [--dir DIR] [--output text|json] [--warn-within 90d]
 * trustmesh ca issue gateway --name NAME --host HOST... [--cluster NAME] [--ttl 90d]
 * trustmesh ca issue client --name NAME [--common-name CN] [--uri URI]... [--cluster NAME] [--ttl 90d]
 * trustmesh ca renew [--cluster NAME]... [--credential NAME]...
 * trustmesh ca rotate begin|reissue|abort
 * trustmesh ca retire-root
 * ```
 *
 * @module
 */
import { Command, Option } from 'commander';
import { optional } from './common';
import { ExitCode, ExitCodeValue } from './exit-codes';
import { CliIo, RunCommand } from './run';
import { KeyAlgorithm } from '../pki/key-algorithm';
import { KeyGenerationProgress } from '../pki/key-generator';
import { KeyStore, StoreReport } from '../pki/key-store';
import { inspectionToJson, StoreInspection } from '../pki/store-inspection';
import { parseTtl } from '../pki/ttl';

const DEFAULT_DIR = '.trustmesh/ca';

interface DirOptions { readonly dir: string }
interface InitOptions extends DirOptions {
  readonly cluster: string[];
  readonly trustDomain?: string;
  readonly algorithm?: string;
  readonly rootTtl?: string;
  readonly intermediateTtl?: string;
  readonly istiodNamespace?: string;
  readonly force: boolean;
}
interface InspectOptions extends DirOptions { readonly output: 'text' | 'json'; readonly warnWithin: string }
interface IssueOptions extends DirOptions {
  readonly name: string;
  readonly host?: string[];
  readonly commonName?: string;
  readonly uri?: string[];
  readonly cluster?: string;
  readonly ttl?: string;
  readonly algorithm?: string;
  readonly force: boolean;
}
interface RenewOptions extends DirOptions { readonly cluster: string[]; readonly credential: string[] }
interface RotateBeginOptions extends DirOptions { readonly algorithm?: string }

/** Adds `ca` and its sub-commands to the program. */
export function register(program: Command, io: CliIo, run: RunCommand): void {
  const dirOption = (): Option => new Option('--dir <dir>', 'key store directory (git-ignored, 0700, files 0600)').default(DEFAULT_DIR);
  const collect = (value: string, previous: string[]): string[] => [...previous, value];

  const ca = program
    .command('ca')
    .description('Bootstrap and maintain the mesh CA: a shared root, one intermediate per cluster (Istio plug-in CA), gateway and client certificates.')
    .addHelpText('after', '\nThe operator guide, including root rotation and the restarts Istio needs, is docs/ca.md.');

  ca.command('init')
    .description('Create the root and the intermediates of the given clusters; keeps everything that exists (only --force replaces it).')
    .addOption(dirOption())
    .option('--cluster <name>', 'cluster that needs an intermediate (repeatable)', collect, [])
    .option('--trust-domain <domain>', 'SPIFFE trust domain of the mesh (default for a new store: cluster.local)')
    .option('--algorithm <alg>', `key algorithm: ${KeyAlgorithm.all().map((a) => a.name).join(', ')} (default for a new store: ecdsa-p256)`)
    .option('--root-ttl <ttl>', 'root validity for a new root, e.g. 3650d')
    .option('--intermediate-ttl <ttl>', 'validity of new intermediates, e.g. 1825d')
    .option('--istiod-namespace <ns>', 'namespace of istiod (intermediate SAN istiod.<ns>.svc)')
    .option('--force', 'replace ALL existing material with new material (every cluster then needs new cacerts and restarts)', false)
    .action((options: InitOptions) => run(() => runInit(options, io)));

  ca.command('inspect')
    .description('Check every chain and show when each certificate expires. Exit 1 when a chain is broken or a certificate has expired.')
    .addOption(dirOption())
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--warn-within <ttl>', 'flag CA certificates expiring within this window', '90d')
    .action((options: InspectOptions) => run(() => runInspect(options, io)));

  const issue = ca.command('issue').description('Issue a gateway (TLS server) or client certificate under a cluster intermediate.');
  issue.command('gateway')
    .description('A server certificate for host names, for a Gateway\'s credentialName Secret (kubernetes.io/tls).')
    .addOption(dirOption())
    .requiredOption('--name <name>', 'credential name: key-store folder issued/<name> and default Secret name')
    .option('--host <host>', 'host name (repeatable; the first is the subject CN); at least one', collect, [])
    .option('--cluster <name>', 'cluster whose intermediate signs it (default: the only one)')
    .option('--ttl <ttl>', 'validity, e.g. 90d', '90d')
    .option('--algorithm <alg>', 'key algorithm (default: ecdsa-p256, or rsa-2048 under an RSA CA)')
    .option('--force', 'replace an existing credential of this name issued with other parameters', false)
    .action((options: IssueOptions) => run(() => runIssue('gateway', options, io)));
  issue.command('client')
    .description('A client certificate, e.g. for callers of a MUTUAL gateway.')
    .addOption(dirOption())
    .requiredOption('--name <name>', 'credential name: key-store folder issued/<name>')
    .option('--common-name <cn>', 'subject CN (default: the name)')
    .option('--uri <uri>', 'URI SAN, e.g. a SPIFFE ID (repeatable)', collect, [])
    .option('--host <host>', 'DNS SAN (repeatable)', collect, [])
    .option('--cluster <name>', 'cluster whose intermediate signs it (default: the only one)')
    .option('--ttl <ttl>', 'validity, e.g. 90d', '90d')
    .option('--algorithm <alg>', 'key algorithm (default: ecdsa-p256, or rsa-2048 under an RSA CA)')
    .option('--force', 'replace an existing credential of this name issued with other parameters', false)
    .action((options: IssueOptions) => run(() => runIssue('client', options, io)));

  ca.command('renew')
    .description('Re-issue cluster intermediates and/or credentials with new keys under the current root (before they expire).')
    .addOption(dirOption())
    .option('--cluster <name>', 'cluster intermediate to renew (repeatable; its credentials are renewed too)', collect, [])
    .option('--credential <name>', 'credential to renew (repeatable)', collect, [])
    .action((options: RenewOptions) => run(async () => {
      const store = KeyStore.at(options.dir, progress(io));
      report(io, await store.renew({ clusters: options.cluster, credentials: options.credential }));
    }));

  const rotate = ca.command('rotate').description('Rotate the root CA with overlap, in steps (then `ca retire-root`). See docs/ca.md.');
  rotate.command('begin')
    .description('Step 1: create a new root and trust both roots (intermediates stay under the old root).')
    .addOption(dirOption())
    .option('--algorithm <alg>', 'key algorithm of the new root (default: the current root\'s)')
    .action((options: RotateBeginOptions) => run(async () => {
      const algorithm = optional(options.algorithm, (a) => KeyAlgorithm.parse(a));
      report(io, await KeyStore.at(options.dir, progress(io)).beginRootRotation({ algorithm }));
    }));
  rotate.command('reissue')
    .description('Step 2: re-issue every intermediate and credential under the new root (the old root stays trusted).')
    .addOption(dirOption())
    .action((options: DirOptions) => run(async () => report(io, await KeyStore.at(options.dir, progress(io)).reissueUnderNewRoot())));
  rotate.command('abort')
    .description('Undo step 1 (before step 2): delete the new root.')
    .addOption(dirOption())
    .action((options: DirOptions) => run(async () => report(io, await KeyStore.at(options.dir).abortRootRotation())));

  ca.command('retire-root')
    .description('Step 3 of a rotation: drop the old root from the trust bundle and delete it.')
    .addOption(dirOption())
    .action((options: DirOptions) => run(async () => report(io, await KeyStore.at(options.dir).retireRoot())));
}

async function runInit(options: InitOptions, io: CliIo): Promise<ExitCodeValue> {
  const algorithm = optional(options.algorithm, (a) => KeyAlgorithm.parse(a));
  const rootTtl = optional(options.rootTtl, (t) => parseTtl(t, '--root-ttl'));
  const intermediateTtl = optional(options.intermediateTtl, (t) => parseTtl(t, '--intermediate-ttl'));
  const store = KeyStore.at(options.dir, progress(io));
  const result = await store.init({
    clusters: options.cluster,
    trustDomain: options.trustDomain,
    algorithm,
    rootTtl,
    intermediateTtl,
    istiodNamespace: options.istiodNamespace,
    force: options.force,
  });
  const { clusters } = result;
  reportRecovery(io, result);
  if (!result.written) {
    io.stdout.write(`kept existing CA in ${options.dir}: root CA${clusters.length > 0 ? `, cluster${clusters.length > 1 ? 's' : ''} ${clusters.join(', ')}` : ''} (nothing to do)\n`);
  } else {
    report(io, result);
  }
  if (clusters.length === 0) io.stdout.write('no cluster intermediates yet: add them with `trustmesh ca init --cluster <name>`\n');
  return ExitCode.OK;
}

async function runInspect(options: InspectOptions, io: CliIo): Promise<ExitCodeValue> {
  const warnWithin = parseTtl(options.warnWithin, '--warn-within');
  const inspection = await KeyStore.at(options.dir).inspect(warnWithin);
  if (options.output === 'json') {
    io.stdout.write(`${JSON.stringify(inspectionToJson(inspection), undefined, 2)}\n`);
  } else {
    io.stdout.write(formatInspection(options.dir, inspection));
  }
  return inspection.problems.length > 0 ? ExitCode.FINDINGS : ExitCode.OK;
}

async function runIssue(kind: 'gateway' | 'client', options: IssueOptions, io: CliIo): Promise<void> {
  const store = KeyStore.at(options.dir, progress(io));
  report(io, await store.issue({
    name: options.name,
    kind,
    cluster: options.cluster,
    hosts: options.host,
    commonName: options.commonName,
    uris: options.uri,
    ttl: optional(options.ttl, (t) => parseTtl(t, '--ttl')),
    algorithm: optional(options.algorithm, (a) => KeyAlgorithm.parse(a)),
    force: options.force,
  }));
}

function report(io: CliIo, result: StoreReport): void {
  reportRecovery(io, result);
  for (const change of result.changes) {
    io.stdout.write(`${change.action.padEnd(8)} ${change.subject}${change.detail ? `: ${change.detail}` : ''}\n`);
  }
  io.stdout.write(result.written
    ? `wrote ${result.dir} (directory 0700, files 0600, git-ignored)\n`
    : `nothing changed in ${result.dir}\n`);
  if (result.nextStep) io.stdout.write(`\nnext: ${result.nextStep}\n`);
}

/** What the command repaired first, after an earlier command was interrupted (on stderr: it is not the command's result). */
function reportRecovery(io: CliIo, result: StoreReport): void {
  for (const note of result.recovered ?? []) io.stderr.write(`recovered from an interrupted command: ${note}\n`);
}

/** Progress on stderr for slow (RSA ≥ 3072) key generation, with a heartbeat while it runs. */
function progress(io: CliIo): { onProgress: (event: KeyGenerationProgress) => void } {
  const running = new Set<string>();
  let started = 0;
  let timer: NodeJS.Timeout | undefined;
  return {
    onProgress: (event) => {
      if (!event.algorithm.slowToGenerate) return;
      if (event.phase === 'started') {
        if (running.size === 0) {
          started = Date.now();
          timer = setInterval(() => {
            io.stderr.write(`  … still generating ${running.size} ${event.algorithm.name} key(s), ${Math.round((Date.now() - started) / 1000)}s\n`);
          }, 5000);
          timer.unref();
        }
        running.add(event.purpose);
        io.stderr.write(`generating ${event.algorithm.name} key for ${event.purpose} (large RSA keys take a while)…\n`);
      } else {
        running.delete(event.purpose);
        io.stderr.write(`  ${event.algorithm.name} key for ${event.purpose} ready in ${((event.elapsedMs ?? 0) / 1000).toFixed(1)}s\n`);
        if (running.size === 0 && timer) clearInterval(timer);
      }
    },
  };
}

function formatInspection(dir: string, inspection: StoreInspection): string {
  const out: string[] = [
    `CA key store ${dir}`,
    `  trust domain ${inspection.trustDomain} · algorithm ${inspection.algorithm} · root rotation: ${inspection.rotation} (${inspection.nextStep})`,
    `  checked at ${inspection.at.toISOString()}`,
    '',
  ];
  const rows = inspection.certificates.map((c) => [
    c.name,
    c.role,
    c.certificate.subject || c.certificate.uris.join(', '),
    c.certificate.notAfter.toISOString().replace('.000Z', 'Z'),
    String(c.daysLeft),
    c.expiry,
    chainSummary(c),
  ]);
  out.push(...table(['CERTIFICATE', 'ROLE', 'SUBJECT', 'NOT AFTER', 'DAYS', 'EXPIRY', 'CHAIN'], rows), '', 'SHA-256 fingerprints:');
  out.push(...table(['CERTIFICATE', 'FINGERPRINT'], inspection.certificates.map((c) => [c.name, c.certificate.fingerprintSha256])).slice(1).map((l) => `  ${l}`));
  out.push('');
  if (inspection.warnings.length > 0) out.push('warnings:', ...inspection.warnings.map((w) => `  ${w}`), '');
  out.push(inspection.problems.length > 0 ? 'problems:' : 'problems: none', ...inspection.problems.map((p) => `  ${p}`));
  return `${out.join('\n')}\n`;
}

function chainSummary(c: StoreInspection['certificates'][number]): string {
  if (!c.chain.valid) return `BROKEN: ${c.chain.problems.map((p) => p.code).join(', ')}`;
  if (c.chain.path.length === 1) return 'ok (trusted root)';
  return `ok (via ${c.chain.path.slice(1).map((p) => p.subject.replace(/^.*CN=/, '')).join(' → ')})`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)];
}
