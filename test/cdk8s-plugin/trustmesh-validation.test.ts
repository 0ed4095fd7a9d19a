// The cdk8s validation plugin, called the way `cdk8s synth` calls it: with a context shaped like
// cdk8s-cli's (a fake that records, and cdk8s-cli's own ValidationContext class). No plugin
// installation is involved.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Validation, ValidationContext } from 'cdk8s-cli/lib/plugins/validation';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TrustmeshValidation, TrustmeshValidationProps, ValidationContextLike, ValidationViolation } from '../../src/cdk8s-plugin';
import { bookinfoMesh } from '../../src/examples';
import { catchTrustmesh, tempApp } from '../helpers';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'analyzer');
const CRDS = path.join(ROOT, '..', 'shared', 'istio', 'crd-all-1.30.3.gen.yaml');

// cdk8s-cli's package exports only "./plugins"; load the class file directly (types come from the .d.ts above).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cli = require(path.join(ROOT, 'node_modules', 'cdk8s-cli', 'lib', 'plugins', 'validation.js')) as { ValidationContext: typeof ValidationContext };

interface Recorded {
  readonly context: ValidationContextLike;
  readonly violations: ValidationViolation[];
  readonly logs: string[];
  status?: string;
  metadata?: Record<string, string>;
}

function fakeContext(manifests: readonly string[]): Recorded {
  const rec: Recorded = {
    violations: [],
    logs: [],
    context: {
      manifests,
      report: {
        addViolation: (v) => { rec.violations.push(v); },
        submit: (status, metadata) => {
          rec.status = status;
          rec.metadata = { ...metadata };
        },
      },
      logger: { log: (m) => { rec.logs.push(m); } },
    },
  };
  return rec;
}

async function run(manifests: readonly string[], props: TrustmeshValidationProps = {}): Promise<Recorded> {
  const rec = fakeContext(manifests);
  await new TrustmeshValidation(props).validate(rec.context);
  return rec;
}

describe('TrustmeshValidation (cdk8s validation plugin)', () => {
  let bookinfo: string[];
  let dir: string;

  beforeAll(() => {
    const app = tempApp();
    bookinfoMesh(app);
    app.synth();
    bookinfo = fs.readdirSync(app.outdir).sort().map((f) => path.join(app.outdir, f));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-plugin-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  it('is a cdk8s-cli Validation, and accepts cdk8s-cli\'s ValidationContext', () => {
    const plugin: Validation = new TrustmeshValidation();
    const call = (context: ValidationContext): Promise<void> => plugin.validate(context);
    expect(typeof call).toBe('function');
  });

  it('passes the bookinfo example and logs the access matrix summary', async () => {
    const rec = await run(bookinfo);
    expect(rec.violations).toEqual([]);
    expect(rec.status).toBe('success');
    expect(rec.metadata).toEqual({ errors: '0', warnings: '0', manifests: String(bookinfo.length) });
    expect(rec.logs[0]).toBe(`trustmesh: 0 error(s), 0 warning(s) in ${bookinfo.length} manifest(s)`);
    expect(rec.logs).toContain('  bookinfo/ratings ← bookinfo/bookinfo-reviews-v2, bookinfo/bookinfo-reviews-v3: GET /ratings/* on port 9080');
    expect(rec.logs[1]).toMatch(/^access matrix: \d+ sources × \d+ destinations$/);
  });

  it('reports each finding as a violation with rule name, recommendation, fix and location, and fails on errors', async () => {
    const file = path.join(FIXTURES, 'mtls-fields-without-mtls', 'positive.yaml');
    const rec = await run([file], { accessMatrix: false });
    expect(rec.status).toBe('failure');
    expect(rec.metadata).toMatchObject({ errors: '1', warnings: '2' });
    expect(rec.violations[0]).toEqual({
      ruleName: 'error TM_MTLS_FIELDS_WITHOUT_MTLS [KIA0105]: an AuthorizationPolicy matches peer identities on a workload that accepts plaintext',
      recommendation: expect.stringMatching(/^AuthorizationPolicy foo\/allow-sleep ALLOW rule 0 uses principals/),
      fix: expect.stringMatching(/^Enable mTLS/),
      violatingResources: [{ resourceName: 'allow-sleep', locations: ['line 19, column 9 (spec.rules[0].from[0].source.principals)'], manifestPath: file }],
    });
    expect(rec.logs).toHaveLength(1);
  });

  it('passes with warnings only, unless failOnWarnings is set', async () => {
    const file = path.join(FIXTURES, 'sidecar-outbound-policy', 'positive.yaml');
    expect((await run([file])).status).toBe('success');
    expect((await run([file], { failOnWarnings: true })).status).toBe('failure');
  });

  it('with the crds property, reports CEL rule violations', async () => {
    const rec = await run([path.join(FIXTURES, 'crds', 'cel-violations.yaml')], { crds: CRDS, accessMatrix: false });
    const cel = rec.violations.filter((v) => v.ruleName.startsWith('error TM_CEL_RULE_FAILED'));
    expect(cel.map((v) => [v.violatingResources[0].resourceName, v.violatingResources[0].locations[0]])).toEqual([
      ['default', 'line 8, column 1 (spec)'],
      ['jwt', 'line 18, column 5 (spec.jwtRules[0])'],
    ]);
    expect(rec.status).toBe('failure');
  });

  it('with the istioVersion property, reports objects of an API the target does not serve (TM_API_NOT_IN_TARGET)', async () => {
    const file = path.join(FIXTURES, 'api-in-target', 'mixed.yaml');
    const rules = (rec: Recorded): string[] => rec.violations.map((v) => v.ruleName.replace(/:.*/, '')).filter((r) => /TM_API_NOT_IN_TARGET|TM_LEGACY_ISTIO_API/.test(r));
    const on13 = await run([file], { istioVersion: '1.3', inventory: 'none', accessMatrix: false });
    expect(rules(on13)).toEqual(['error TM_API_NOT_IN_TARGET', 'error TM_API_NOT_IN_TARGET']);
    expect(on13.status).toBe('failure');
    const on14 = await run([file], { istioVersion: '1.4', inventory: 'none', accessMatrix: false });
    expect(rules(on14)).toEqual(['error TM_API_NOT_IN_TARGET']);
    expect(rules(await run([file], { inventory: 'none', accessMatrix: false }))).toEqual(['warning TM_LEGACY_ISTIO_API [IST0002]', 'warning TM_LEGACY_ISTIO_API [IST0002]']);
    const bad = await run([file], { istioVersion: 'latest' });
    expect(bad.violations.map((v) => v.ruleName.replace(/:.*/, ''))).toEqual(['error TM_INVALID_ISTIO_VERSION']);
  });

  it('turns a YAML syntax error into a failed report, not an exception', async () => {
    const bad = path.join(dir, 'bad.k8s.yaml');
    fs.writeFileSync(bad, 'kind: [oops\n');
    const rec = await run([bad]);
    expect(rec.status).toBe('failure');
    expect(rec.violations).toHaveLength(1);
    expect(rec.violations[0].ruleName).toBe('error TM_YAML_PARSE');
    expect(rec.violations[0].violatingResources[0]).toMatchObject({ manifestPath: bad, locations: [expect.stringMatching(/^line \d+, column \d+$/)] });
    expect(rec.violations[0].recommendation).toMatch(/^YAML syntax error/);
  });

  it('rejects unknown or mistyped properties with a coded error', () => {
    expect(catchTrustmesh(() => new TrustmeshValidation({ crd: 'x' } as TrustmeshValidationProps)).code).toBe('TM_PLUGIN_PROPERTIES_INVALID');
    expect(catchTrustmesh(() => new TrustmeshValidation({ failOnWarnings: 'yes' } as unknown as TrustmeshValidationProps)).message).toMatch(/must be a boolean/);
    expect(catchTrustmesh(() => new TrustmeshValidation({ inventory: 'partial' } as unknown as TrustmeshValidationProps)).code).toBe('TM_PLUGIN_PROPERTIES_INVALID');
  });

  it('loads through cdk8s-cli\'s PluginManager from a local path, as a cdk8s.yaml validations entry would (no install)', async () => {
    const compiled = path.join(ROOT, 'lib', 'src', 'cdk8s-plugin');
    if (!fs.existsSync(path.join(compiled, 'index.js'))) throw new Error(`${compiled} is missing: compile first (npx tsc --build)`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PluginManager } = require(path.join(ROOT, 'node_modules', 'cdk8s-cli', 'lib', 'plugins', '_manager.js')) as {
      PluginManager: new (dir: string) => { load(o: object): { instance: Validation } };
    };
    const loaded = new PluginManager(path.join(dir, 'plugins')).load({
      pkg: compiled, version: '0.0.0', class: 'TrustmeshValidation', properties: { accessMatrix: false },
    });
    const rec = fakeContext(bookinfo);
    await loaded.instance.validate(rec.context as unknown as ValidationContext);
    expect(rec.status).toBe('success');
    expect(fs.existsSync(path.join(dir, 'plugins'))).toBe(false);
  });

  it('works with cdk8s-cli\'s own ValidationContext: construct paths, report JSON and logger', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const file = path.join(FIXTURES, 'jwt-requirements', 'positive.yaml');
    const context = new cli.ValidationContext([file], 'trustmesh', '0.0.0', { 'catalog-jwt': { path: 'shop/catalog/jwt' } }, false);
    await new TrustmeshValidation({ accessMatrix: false }).validate(context);
    const report = context.report.toJson();
    expect(report.summary).toMatchObject({ status: 'failure', plugin: 'trustmesh', metadata: { errors: '2', warnings: '1' } });
    const unenforced = report.violations.find((v) => v.ruleName.includes('TM_REQUEST_AUTHN_NOT_ENFORCED'));
    expect(unenforced?.violatingConstructs[0]).toMatchObject({ resourceName: 'catalog-jwt', constructPath: 'shop/catalog/jwt', manifestPath: file });
    expect(context.report.toString()).toContain('TM_JWT_WITHOUT_REQUEST_AUTHN');
    expect(log).toHaveBeenCalledWith('trustmesh: 2 error(s), 1 warning(s) in 1 manifest(s)');
  });
});
