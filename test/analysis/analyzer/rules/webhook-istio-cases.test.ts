// `trustmesh analyze --crds` (the real CLI, compiled) on Istio's own validation cases
// (pkg/config/validation/validation_test.go, written as YAML in
// test/fixtures/analyzer/webhook-istio-cases/): every object istiod's webhook rejects gets an
// error, every object it admits gets none — CRD schema, CEL rules and webhook rules together.
import * as fs from 'fs';
import * as path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture } from './fixture';
import { MAIN, ROOT, runCli } from '../../../cli/cli-runner';

const CASES = fixture('webhook-istio-cases', 'istio-validation-cases.yaml');
const CRDS = path.join(ROOT, '..', 'shared', 'istio', 'crd-all-1.30.3.gen.yaml');

interface JsonFinding {
  readonly line: number;
  readonly severity: string;
  readonly code: string;
  readonly upstreamCode?: string;
  readonly message: string;
}

/** The objects of the fixture, by name, with the line their document starts on. */
function documents(): { name: string; line: number }[] {
  const lines = fs.readFileSync(CASES, 'utf8').split('\n');
  return lines.flatMap((l, i) => {
    const m = /^metadata: \{name: ([\w-]+),|^ {2}name: ([\w-]+)$/.exec(l);
    return m ? [{ name: m[1] ?? m[2], line: i + 1 }] : [];
  });
}

describe('analyze --crds on Istio\'s validation cases', () => {
  let findings: JsonFinding[];
  let code: number | null;

  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
    const r = runCli(['analyze', CASES, '--crds', CRDS, '--inventory', 'none', '--output', 'json']);
    expect(r.stderr).toBe('');
    code = r.code;
    findings = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
  });

  it('reports an error on every object istiod rejects, and none on the objects it admits', () => {
    const docs = documents();
    expect(docs.length).toBeGreaterThan(40);
    const errorsOf = (name: string): JsonFinding[] => findings.filter((f) => f.severity === 'error' && new RegExp(` cases/${name}: `).test(f.message));
    const missed = docs.filter((d) => d.name.startsWith('reject-') && errorsOf(d.name).length === 0).map((d) => d.name);
    // The cases put many selector-less Sidecars in one namespace: istioctl's conflict (IST0110) is
    // about the set, not about any one object istiod admits or rejects.
    const perObject = (f: JsonFinding): boolean => f.code !== 'TM_SIDECAR_NAMESPACE_CONFLICT';
    const wrong = docs.filter((d) => d.name.startsWith('admit-'))
      .flatMap((d) => errorsOf(d.name).filter(perObject).map((f) => `${d.name}: ${f.code} ${f.message}`));
    expect(missed).toEqual([]);
    expect(wrong).toEqual([]);
    expect(code).toBe(1);
  });

  it('names the webhook rule family and istioctl\'s IST0106, and locates the field', () => {
    const twoSources = findings.find((f) => f.code === 'TM_SERVER_TLS_CERTIFICATE_SOURCE' && /reject-two-certificate-sources/.test(f.message));
    expect(twoSources).toMatchObject({ severity: 'error', upstreamCode: 'IST0106' });
    expect(twoSources?.message).toMatch(/only one of credentialName, credentialNames, serverCertificate\/privateKey, tlsCertificates should be specified/);
    const emptyValue = findings.find((f) => /reject-empty-condition-value/.test(f.message));
    expect(emptyValue).toMatchObject({ code: 'TM_AUTHZ_EMPTY_MATCH' });
    const lines = fs.readFileSync(CASES, 'utf8').split('\n');
    expect(lines[emptyValue!.line - 1]).toMatch(/values: \[""\]/);
  });

  it('reads the IPv6 address 001:db8:: as the API server does (no schema error)', () => {
    expect(findings.filter((f) => /admit-ipv6-address/.test(f.message))).toEqual([]);
  });

  it('reports each webhook finding once: the CRD check leaves the webhook rules to the analyzer', () => {
    const keys = findings.map((f) => `${f.line} ${f.code} ${f.message}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('without --crds reports the webhook rules still (and the CEL-only rules not)', () => {
    const r = runCli(['analyze', CASES, '--inventory', 'none', '--output', 'json']);
    const plain = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
    expect(plain.some((f) => f.code === 'TM_SERVER_TLS_MUTUAL_WITHOUT_CA')).toBe(true);
    expect(plain.some((f) => f.code === 'TM_CEL_RULE_FAILED')).toBe(false);
  });
});
