// Synth and the cdk8s validation plugin never disagree (issue 10 §3): on the same declaration they
// report the same codes on the same objects — errors that make synth refuse, and warnings it prints.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { Diagnostic, Mesh, MtlsMode, Peer, Port, TrustmeshAggregateError } from '../../src';
import { TrustmeshValidation, ValidationViolation } from '../../src/cdk8s-plugin';
import { groupByOutputFolder, synthOutputDirectory } from '../../src/cdk8s-plugin/output-folders';
import { catchTrustmesh, tempApp } from '../helpers';
import { tempDir } from '../pki/pki-fixtures';

/** Declares a mesh with problems of both severities into any cdk8s app. */
function declare(app: App, withErrors: boolean): void {
  const ns = new Mesh(app, 'shop').addNamespace('shop');
  const checkout = ns.addService('checkout', { ports: [Port.http(8080)] });
  ns.addService('reports', { ports: [Port.http(8080)] }).allowFrom(Peer.ipBlocks(['10.20.0.0/16']));
  ns.addService('archive', { ports: [Port.http(8080)] }).allowFrom(checkout, { paths: ['/annual report'] });
  if (withErrors) {
    ns.addService('r', { mtls: MtlsMode.DISABLE }).allowFrom(checkout);
    ns.addService('payments', { ports: [Port.http(8080)] }).denyFrom(checkout, { paths: ['/charge'] });
  }
}

/** What the plugin reports on a list of manifest files: `severity code object`. */
async function pluginFindings(manifests: readonly string[]): Promise<{ findings: string[]; status?: string }> {
  const violations: ValidationViolation[] = [];
  let status: string | undefined;
  await new TrustmeshValidation({ accessMatrix: false }).validate({
    manifests,
    report: { addViolation: (v) => { violations.push(v); }, submit: (s) => { status = s; } },
    logger: { log: () => undefined },
  });
  return {
    findings: violations.map((v) => `${/^\w+ TM_[A-Z_]+/.exec(v.ruleName)?.[0]} ${v.violatingResources[0].resourceName}`).sort(),
    status,
  };
}

/** `severity code object` of synth findings (the object named by its construct's metadata.name). */
function synthFinding(d: Pick<Diagnostic, 'severity' | 'code' | 'location' | 'message'>): string {
  const object = /^[A-Za-z]+ [a-z0-9-]+\/([a-z0-9-]+)/.exec(d.message)?.[1] ?? '?';
  return `${d.severity} ${d.code} ${object}`;
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(dir, f));
}

describe('synth and the cdk8s validation plugin report the same findings', () => {
  test('warnings: what synth prints is what the plugin reports on the written output', async () => {
    const warnings: Diagnostic[] = [];
    const app = tempApp({ onWarning: (d) => warnings.push(d) });
    declare(app, false);
    app.synth();
    const fromSynth = warnings.map(synthFinding).sort();
    expect(fromSynth).toEqual(['warning TM_IP_BLOCKS_UNDER_STRICT_MTLS reports-allow', 'warning TM_PATH_NEVER_MATCHES archive-allow']);
    const plugin = await pluginFindings(yamlFiles(app.outdir));
    expect(plugin.findings).toEqual(fromSynth);
    expect(plugin.status).toBe('success');
  });

  test('errors: what makes synth refuse is what fails the plugin on a plain cdk8s App\'s output of the same declaration', async () => {
    const app = tempApp();
    declare(app, true);
    const e = catchTrustmesh(() => app.synth()) as TrustmeshAggregateError;
    const refused = e.errors.map((x) => synthFinding({ ...x.toDiagnostic(), message: x.summary })).sort();
    expect(refused).toEqual(['error TM_MTLS_FIELDS_WITHOUT_MTLS r-allow', 'error TM_PATH_NORMALIZATION_BYPASS payments-deny']);

    // A plain App has no analyzer pass: it writes the output, and the plugin must catch the same.
    const plain = new App({ outdir: path.join(tempDir('tm-parity-'), 'dist') });
    declare(plain, true);
    plain.synth();
    const plugin = await pluginFindings(yamlFiles(plain.outdir));
    expect(plugin.findings.filter((f) => f.startsWith('error'))).toEqual(refused);
    expect(plugin.status).toBe('failure');
  });
});

describe('output folders (how the plugin splits clusters)', () => {
  test('each top-level folder of the output directory is a group; the top is one more; outside it, one group', () => {
    const groups = groupByOutputFolder(['dist/west/a.yaml', 'dist/east/b.yaml', 'dist/east/ca/c.yaml', 'dist/top.yaml'], 'dist');
    expect([...groups]).toEqual([['', ['dist/top.yaml']], ['east', ['dist/east/b.yaml', 'dist/east/ca/c.yaml']], ['west', ['dist/west/a.yaml']]]);
    expect([...groupByOutputFolder(['/elsewhere/a.yaml', 'dist/x/b.yaml'], 'dist')]).toEqual([['', ['/elsewhere/a.yaml', 'dist/x/b.yaml']]]);
  });

  test('the output directory comes from the property, else cdk8s.yaml, else dist', () => {
    const dir = tempDir('tm-cdk8s-yaml-');
    expect(synthOutputDirectory(undefined, dir)).toBe('dist');
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'app: node main.js\noutput: manifests\n');
    expect(synthOutputDirectory(undefined, dir)).toBe('manifests');
    expect(synthOutputDirectory('out', dir)).toBe('out');
  });
});
