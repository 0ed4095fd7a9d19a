// The analyzer entry point: loader diagnostics, --crds (schema + CEL) re-located to file:line,
// ordering and formatting, and the example meshes analyzing clean.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { fixture, lineOf } from './rules/fixture';
import {
  analyze, analyzerCheck, analyzerChecks, countSeverities, formatFinding, ManifestCheck, parseFieldPath, sortDiagnostics,
} from '../../../src/analysis/analyzer/analyzer';
import { loadConfig, parseConfigText } from '../../../src/analysis/config/load-config';
import { Diagnostic, ErrorCode } from '../../../src/errors';
import { bookinfoMesh, fooHttpbinMesh, microShakeFactoryMesh } from '../../../src/examples';
import { CrdSchemaSet } from '../../../src/validate/crd-schema';
import { validateManifests } from '../../../src/validate/manifest-validator';
import { tempApp } from '../../helpers';

const CRD_FILE = path.join(__dirname, '..', '..', '..', '..', 'shared', 'istio', 'crd-all-1.30.3.gen.yaml');

function crdCheck(): ManifestCheck {
  const crds = CrdSchemaSet.fromCrdYaml(fs.readFileSync(CRD_FILE, 'utf8'), CRD_FILE);
  return (manifests, { sources }) => validateManifests(manifests, { crds, sources });
}

describe('analyze', () => {
  it('with a CRD check, reports CEL rule violations at the offending field\'s file:line', () => {
    const file = 'crds/cel-violations.yaml';
    const found = analyze(loadConfig(fixture(file)), { manifestCheck: crdCheck() }).filter((d) => d.code === 'TM_CEL_RULE_FAILED');
    expect(found.map((d) => [d.location?.file, d.location?.line, d.location?.field, d.severity])).toEqual([
      [fixture(file), lineOf(file, 'spec:', 1), 'spec', 'error'],
      [fixture(file), lineOf(file, '- issuer:'), 'spec.jwtRules[0]', 'error'],
    ]);
    expect(found[0].message).toMatch(/PeerAuthentication foo\/default: spec: portLevelMtls requires selector/);
    expect(found[1].message).toMatch(/only one of jwks or jwksUri can be set/);
  });

  it('without a CRD check, the CEL rules are not evaluated', () => {
    expect(analyze(loadConfig(fixture('crds/cel-violations.yaml'))).map((d) => d.code)).toEqual(['TM_REQUEST_AUTHN_NOT_ENFORCED']);
  });

  it('includes the loader\'s diagnostics, preferring the schema\'s when both report one field', () => {
    const text = [
      'apiVersion: security.istio.io/v1',
      'kind: AuthorizationPolicy',
      'metadata: {name: bad, namespace: foo}',
      'spec:',
      '  action: PERMIT',
    ].join('\n');
    const config = parseConfigText(text, 'bad.yaml');
    expect(analyze(config).map((d) => [d.code, d.location?.line])).toEqual([['TM_POLICY_INVALID', 5]]);
    const withSchema = analyze(config, { manifestCheck: crdCheck() });
    expect(withSchema.map((d) => [d.code, d.location?.line])).toEqual([['TM_SCHEMA_INVALID', 5]]);
  });

  it('sorts by file, line and column, errors first on one position', () => {
    const d = (file: string, line: number, severity: Diagnostic['severity'], code: `TM_${string}`): Diagnostic =>
      ({ code: code as ErrorCode, severity, message: code, location: { file, line, column: 1 } });
    const sorted = sortDiagnostics([d('b.yaml', 1, 'error', 'TM_B'), { code: 'TM_Z' as ErrorCode, severity: 'error', message: 'nowhere' },
      d('a.yaml', 9, 'warning', 'TM_A'), d('a.yaml', 9, 'error', 'TM_C'), d('a.yaml', 2, 'warning', 'TM_D')]);
    expect(sorted.map((x) => x.code)).toEqual(['TM_D', 'TM_C', 'TM_A', 'TM_B', 'TM_Z']);
    expect(countSeverities(sorted)).toEqual({ error: 3, warning: 2, info: 0 });
  });

  it('formats a finding as file:line:col: severity CODE [UPSTREAM]: message, with the fix on the next line', () => {
    expect(formatFinding({
      code: 'TM_SELECTOR_NO_WORKLOAD',
      severity: 'warning',
      upstreamCode: 'IST0127',
      message: 'm',
      location: { file: 'dist/a.yaml', line: 3, column: 5, field: 'spec.selector' },
      fix: 'f',
    })).toBe('dist/a.yaml:3:5: warning TM_SELECTOR_NO_WORKLOAD [IST0127]: m\n  fix: f');
    expect(formatFinding({ code: 'TM_X' as ErrorCode, severity: 'error', message: 'm' })).toBe('error TM_X: m');
  });

  it('parses the validator\'s field paths, telling list indexes from map keys', () => {
    const body = { spec: { rules: [{ from: [{}] }], portLevelMtls: { 8080: {} } }, metadata: { labels: { 'app.kubernetes.io/name': 'x' } } };
    expect(parseFieldPath('spec.rules[0].from[0]', body)).toEqual(['spec', 'rules', 0, 'from', 0]);
    expect(parseFieldPath('spec.portLevelMtls[8080]', body)).toEqual(['spec', 'portLevelMtls', '8080']);
    expect(parseFieldPath('metadata.labels[app.kubernetes.io/name]', body)).toEqual(['metadata', 'labels', 'app.kubernetes.io/name']);
  });

  it('lists every check with a TM_ code and a title; codes are unique', () => {
    const checks = analyzerChecks();
    expect(new Set(checks.map((c) => c.code)).size).toBe(checks.length);
    expect(checks.every((c) => /^TM_[A-Z_]+$/.test(c.code) && c.title.length > 0)).toBe(true);
    expect(analyzerCheck('TM_MTLS_FIELDS_WITHOUT_MTLS')?.upstreamCode).toBe('KIA0105');
  });

  it('documents every check in docs/analyzer.md', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'analyzer.md'), 'utf8');
    for (const c of analyzerChecks()) expect(doc, c.code).toContain(`\`${c.code}\``);
  });

  it('rejects an unknown inventory mode as API misuse', () => {
    expect(() => analyze(parseConfigText('', 'x.yaml'), { inventory: 'partial' as never })).toThrow(TypeError);
  });

  it('the example meshes analyze clean, also against the Istio 1.30 CRDs', () => {
    for (const define of [bookinfoMesh, fooHttpbinMesh, microShakeFactoryMesh]) {
      const app = tempApp();
      define(app);
      app.synth();
      const config = loadConfig(app.outdir);
      expect(config.objects.length).toBeGreaterThan(0);
      const found = analyze(config, { manifestCheck: crdCheck() });
      expect(found.map(formatFinding)).toEqual([]);
    }
  });
});
