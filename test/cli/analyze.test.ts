// `trustmesh analyze` run as a real child process from the compiled output (npm test compiles
// first; by hand: `npx tsc --build`).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookinfoMesh, fooHttpbinMesh, microShakeFactoryMesh } from '../../src/examples';
import { tempApp } from '../helpers';
import { CliRun as Run, MAIN, ROOT, runCli } from './cli-runner';


const FIXTURES = path.join('test', 'fixtures', 'analyzer');
const CRDS = path.join(ROOT, '..', 'shared', 'istio', 'crd-all-1.30.3.gen.yaml');

const trustmesh = (args: readonly string[]): Run => runCli(args);

describe('trustmesh analyze', () => {
  let dir: string;
  const examples: string[] = [];

  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-analyze-'));
    // The examples' dist/, as `npx tsx src/main.ts` writes it (one directory per mesh).
    for (const define of [bookinfoMesh, fooHttpbinMesh, microShakeFactoryMesh]) {
      const app = tempApp();
      define(app);
      app.synth();
      examples.push(app.outdir);
    }
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const e of examples) fs.rmSync(path.dirname(e), { recursive: true, force: true });
  });

  it('prints findings as file:line:col: severity CODE [UPSTREAM]: message with a fix line, and exits 1 on errors', () => {
    const file = path.join(FIXTURES, 'mtls-fields-without-mtls', 'positive.yaml');
    const r = trustmesh(['analyze', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${file.replace(/[.\\/]/g, '\\$&')}:19:9: error TM_MTLS_FIELDS_WITHOUT_MTLS \\[KIA0105\\]: AuthorizationPolicy foo/allow-sleep ALLOW rule 0 uses principals`));
    expect(lines[1]).toMatch(/^ {2}fix: Enable mTLS/);
    expect(lines[lines.length - 1]).toBe('trustmesh analyze: 1 error, 2 warnings (5 objects in 1 file)');
  });

  it('exits 0 when there are only warnings', () => {
    const r = trustmesh(['analyze', path.join(FIXTURES, 'sidecar-outbound-policy', 'positive.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning TM_SIDECAR_OUTBOUND_MODE_MISSING \[KIA1007\]/);
  });

  it('exits 0 with no findings on the example meshes\' dist/ (auto inventory), also with --crds', () => {
    for (const outdir of examples) {
      const r = trustmesh(['analyze', outdir, '--crds', CRDS]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^trustmesh analyze: no findings \(\d+ objects in \d+ files\)\n$/);
      expect(r.code).toBe(0);
    }
  });

  it('with --crds, reports a CEL rule violation at file:line and exits 1', () => {
    const file = path.join(FIXTURES, 'crds', 'cel-violations.yaml');
    const r = trustmesh(['analyze', file, '--crds', CRDS]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}:8:1: error TM_CEL_RULE_FAILED: PeerAuthentication foo/default: spec: portLevelMtls requires selector`);
    expect(r.stdout).toContain(`${file}:18:5: error TM_CEL_RULE_FAILED: RequestAuthentication foo/jwt: spec.jwtRules[0]: only one of jwks or jwksUri can be set`);
  });

  it('--output json is stable: sorted findings with fixed keys and a summary', () => {
    const file = path.join(FIXTURES, 'legacy-api', 'positive.yaml');
    const a = trustmesh(['analyze', file, '--output', 'json']);
    const b = trustmesh(['analyze', file, '--output', 'json']);
    expect(a.stdout).toBe(b.stdout);
    const report = JSON.parse(a.stdout) as { findings: Record<string, unknown>[]; summary: Record<string, number> };
    // The three objects' IST0002 deprecation warnings, and the legacy checks: RBAC on with nothing bound,
    // a role without a binding (the service it names is not checked: the input holds no Service of
    // that namespace, see --inventory).
    expect(report.summary).toEqual({ errors: 0, warnings: 5, infos: 0, files: 1, objects: 3 });
    expect(Object.keys(report.findings[0])).toEqual(['file', 'line', 'column', 'field', 'severity', 'code', 'upstreamCode', 'message', 'fix']);
    expect(report.findings.map((f) => `${String(f.line)} ${String(f.code)}`)).toEqual([
      '3 TM_LEGACY_ISTIO_API', '7 TM_LEGACY_RBAC_NOTHING_BOUND', '11 TM_LEGACY_ISTIO_API',
      '13 TM_LEGACY_ROLE_WITHOUT_BINDING', '19 TM_LEGACY_ISTIO_API',
    ]);
  });

  it('--istio-version reports objects of an API the target does not serve (TM_API_NOT_IN_TARGET), per target', () => {
    const file = path.join(FIXTURES, 'api-in-target', 'mixed.yaml');
    const codes = (version: string | undefined): { code: number | null; found: string[] } => {
      const r = trustmesh(['analyze', file, '--output', 'json', '--inventory', 'none', ...(version ? ['--istio-version', version] : [])]);
      const report = JSON.parse(r.stdout) as { findings: { line: number; code: string; severity: string; message: string }[] };
      return { code: r.code, found: report.findings.filter((f) => /TM_API_NOT_IN_TARGET|TM_LEGACY_ISTIO_API/.test(f.code)).map((f) => `${f.line} ${f.code} ${f.severity}`) };
    };
    // 1.3: the v1beta1 AuthorizationPolicy (1.4) and security.istio.io/v1 (1.22) do not exist yet: errors, exit 1.
    expect(codes('1.3')).toEqual({ code: 1, found: ['18 TM_API_NOT_IN_TARGET error', '26 TM_API_NOT_IN_TARGET error'] });
    // 1.30: the legacy APIs are gone (removed in 1.6): warnings, with istioctl's IST0002.
    expect(codes('1.30.3')).toEqual({ code: 0, found: ['3 TM_API_NOT_IN_TARGET warning', '11 TM_API_NOT_IN_TARGET warning'] });
    expect(codes('1.5')).toEqual({ code: 1, found: ['26 TM_API_NOT_IN_TARGET error'] });
    // No target: the leftover check as before.
    expect(codes(undefined)).toEqual({ code: 0, found: ['3 TM_LEGACY_ISTIO_API warning', '11 TM_LEGACY_ISTIO_API warning'] });
    const text = trustmesh(['analyze', file, '--inventory', 'none', '--istio-version', '1.3']);
    expect(text.stdout).toMatch(/mixed\.yaml:18:1: error TM_API_NOT_IN_TARGET: AuthorizationPolicy bookinfo\/details-viewer uses security\.istio\.io\/v1beta1 AuthorizationPolicy, which Istio 1\.3 does not serve \(from 1\.4 on\)/);
    const bad = trustmesh(['analyze', file, '--istio-version', 'one.four']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/TM_INVALID_ISTIO_VERSION/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('--inventory complete turns missing references into errors (the ingress gateway account is not in the input)', () => {
    const bookinfo = examples[0];
    const r = trustmesh(['analyze', bookinfo, '--inventory', 'complete']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error TM_SERVICE_ACCOUNT_NOT_FOUND \[KIA0106\]: .*istio-system\/istio-ingressgateway-service-account/);
  });

  it('exits 2 on a YAML syntax error, with file:line:column and no stack trace', () => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'apiVersion: v1\nkind: [Namespace\nmetadata: {name: x}\n');
    const r = trustmesh(['analyze', bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^error TM_YAML_PARSE: YAML syntax error: .* at ${bad.replace(/[.\\/]/g, '\\$&')}:\\d+:\\d+`));
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it('exits 2 for a missing path, an unreadable CRD file and a bad --inventory value', () => {
    expect(trustmesh(['analyze', path.join(dir, 'nope.yaml')]).code).toBe(2);
    const crds = trustmesh(['analyze', examples[0], '--crds', path.join(dir, 'nope-crds.yaml')]);
    expect(crds.code).toBe(2);
    expect(crds.stderr).toMatch(/TM_FILE_NOT_FOUND: cannot read the CRD file/);
    expect(trustmesh(['analyze', examples[0], '--inventory', 'some']).code).toBe(2);
  });
});
