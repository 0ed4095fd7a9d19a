// The README's validation-plugin entry for cdk8s.yaml, run as a user runs it: the real `cdk8s synth`
// in a fresh project where trustmesh is installed under node_modules (a link to this checkout, as an
// installed tarball would be), with no npm registry involved.
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { tempDir } from '../pki/pki-fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const CDK8S = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

/** The `validations` of the README's cdk8s.yaml snippet (the YAML block after "as a validation plugin"). */
function documentedValidations(file: string): unknown[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const at = text.indexOf('as a validation plugin');
  const block = /```yaml\n([\s\S]*?)```/.exec(text.slice(at))?.[1];
  if (at < 0 || !block) throw new Error(`no validation-plugin YAML block in ${file}`);
  return (parse(block) as { validations: unknown[] }).validations;
}

/** A fresh cdk8s project whose app is `source`, with trustmesh installed and the given validations. */
function project(source: string, validations: unknown[]): string {
  const dir = tempDir('tm-cdk8s-project-');
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'trustmesh'), 'dir');
  fs.writeFileSync(path.join(dir, 'app.js'), source);
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), stringify({ language: 'typescript', app: 'node app.js', validations }));
  return dir;
}

function cdk8sSynth(dir: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CDK8S, 'synth', '--no-check-upgrade'], { cwd: dir, encoding: 'utf8', timeout: 110_000 });
}

const DECLARE_BAD_MESH = `
  const ns = new Mesh(app, 'shop').addNamespace('shop');
  const checkout = ns.addService('checkout', { ports: [Port.http(8080)] });
  ns.addService('r', { mtls: MtlsMode.DISABLE }).allowFrom(checkout);
`;

describe('the README\'s cdk8s.yaml validation entry', () => {
  let validations: unknown[];
  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, 'lib', 'src', 'cdk8s-plugin', 'index.js'))) throw new Error('lib/ is missing: run npm run compile first');
    validations = documentedValidations('README.md');
  });

  test('names the compiled plugin by a local path (no npm package to install), as docs/analyzer.md does', () => {
    expect(validations).toEqual([{ package: './node_modules/trustmesh/lib/src/cdk8s-plugin', version: '0.0.0', class: 'TrustmeshValidation' }]);
    expect(fs.readFileSync(path.join(ROOT, 'docs', 'analyzer.md'), 'utf8')).toContain('package: ./node_modules/trustmesh/lib/src/cdk8s-plugin');
  });

  test('cdk8s synth loads it and passes the bookinfo example', () => {
    const dir = project(`const { TrustmeshApp } = require('trustmesh');
// The bundled examples are not public API: taken from the checkout's compiled lib/.
const { bookinfoMesh } = require(${JSON.stringify(path.join(ROOT, 'lib', 'src', 'examples'))});
const app = new TrustmeshApp();
bookinfoMesh(app);
app.synth();
`, validations);
    const r = cdk8sSynth(dir);
    expect(r.stderr).not.toMatch(/npm install|Installing validation plugin/);
    expect(r.stdout).toContain('trustmesh: 0 error(s), 0 warning(s) in 3 manifest(s)');
    expect(r.stdout).toContain('Validations ended succesfully');
    expect(r.status).toBe(0);
  });

  test('cdk8s synth fails through it on a plain cdk8s App\'s output that the analyzer calls an error', () => {
    // The cdk8s that trustmesh uses (the project has none of its own).
    const dir = project(`const { App } = require(require.resolve('cdk8s', { paths: [require.resolve('trustmesh')] }));
const { Mesh, MtlsMode, Port } = require('trustmesh');
const app = new App();
${DECLARE_BAD_MESH}
app.synth();
`, validations);
    const r = cdk8sSynth(dir);
    expect(r.stdout).toMatch(/error TM_MTLS_FIELDS_WITHOUT_MTLS \[KIA0105\]/);
    expect(r.status).toBe(2);
  });

  test('a TrustmeshApp refuses the same declaration itself, with the same code (exit 2 from runSynth)', () => {
    const dir = project(`const { Mesh, MtlsMode, Port, TrustmeshApp, runSynth } = require('trustmesh');
runSynth(() => {
  const app = new TrustmeshApp();
${DECLARE_BAD_MESH}
  return app;
});
`, validations);
    const app = spawnSync(process.execPath, ['app.js'], { cwd: dir, encoding: 'utf8' });
    expect(app.status).toBe(2);
    expect(app.stderr).toMatch(/^error TM_SYNTH_FAILED: the analyzer found 1 error\(s\)/);
    expect(app.stderr).toMatch(/TM_MTLS_FIELDS_WITHOUT_MTLS: .* \[shop\/shop\/r\/Allow\]/);
    expect(app.stderr).not.toMatch(/\n\s+at /);
    expect(cdk8sSynth(dir).status).not.toBe(0);
  });
});
