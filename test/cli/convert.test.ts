// `trustmesh convert` and the other commands on legacy YAML, run as a real child process from the
// compiled output (npm test compiles first; by hand: `npx tsc --build`).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, ROOT, runCli } from './cli-runner';

const LEGACY = path.join(ROOT, 'test', 'fixtures', 'legacy');
const SHAKE = path.join(LEGACY, 'micro-shake-factory');
const BOOKINFO = path.join(LEGACY, 'bookinfo');

describe('trustmesh convert', () => {
  let dir: string;
  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-convert-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('converts the Istio Succinctly listings to v1 with an equivalence proof, exit 0', () => {
    const r = runCli(['convert', SHAKE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# trustmesh convert\n\nTarget: `Istio 1\.\d+ \(security\.istio\.io\/v1\)`\. 6 objects generated from 5 legacy objects; 0 refused\./);
    expect(r.stdout).toMatch(/equivalent over \d+ requests/);
    expect(r.stdout).toContain('apiVersion: security.istio.io/v1\nkind: RequestAuthentication');
  });

  it('--to 1.21 emits v1beta1, --out writes one file per namespace, --output json parses', () => {
    const out = path.join(dir, 'out');
    const r = runCli(['convert', BOOKINFO, '--to', '1.21', '--out', out, '--output', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { proof: { equivalent: boolean; requests: number }; objects: { apiVersion: string }[] };
    expect(json.proof.equivalent).toBe(true);
    expect(new Set(json.objects.map((o) => o.apiVersion))).toEqual(new Set(['security.istio.io/v1beta1']));
    expect(fs.readdirSync(out)).toEqual(['bookinfo.yaml']);
    // The converted files decide like the legacy input: `check` on them allows productpage → details v1.
    const request = path.join(dir, 'req.json');
    fs.writeFileSync(request, JSON.stringify({
      protocol: 'HTTP',
      source: { principal: 'cluster.local/ns/bookinfo/sa/bookinfo-productpage', ip: '10.0.0.1' },
      jwt: null,
      destination: { namespace: 'bookinfo', labels: { app: 'details', version: 'v1' }, port: 9080 },
      method: 'GET',
      path: '/',
    }));
    const legacy = runCli(['check', '--policies', BOOKINFO, '--request', request]);
    const converted = runCli(['check', '--policies', out, path.join(BOOKINFO, 'workloads.yaml'), '--request', request]);
    expect([legacy.code, converted.code]).toEqual([0, 0]);
    expect((JSON.parse(legacy.stdout) as { outcome: string }).outcome).toBe('ALLOW');
    expect((JSON.parse(converted.stdout) as { outcome: string }).outcome).toBe('ALLOW');
  });

  it('a refusal is printed with file:line and the exit code is 1; a difference needs --accept-differences', () => {
    const file = path.join(dir, 'refused.yaml');
    fs.writeFileSync(file, `${fs.readFileSync(path.join(SHAKE, 'workloads.yaml'), 'utf8')}---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: default, namespace: micro-shake-factory}
spec:
  origins: [{jwt: {issuer: a}}]
  originIsOptional: true
`);
    const r = runCli(['convert', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error TM_CONVERT_DIFFERENCES: \d+ of \d+ requests are decided differently/);
    expect(r.stdout).toMatch(/\| legacy \| converted \|/);
    expect(runCli(['convert', file, '--accept-differences']).code).toBe(0);
    const missing = path.join(dir, 'missing.yaml');
    fs.writeFileSync(missing, 'apiVersion: authentication.istio.io/v1alpha1\nkind: Policy\nmetadata: {name: p, namespace: a}\nspec:\n  targets: [{name: nowhere}]\n');
    const m = runCli(['convert', missing, '--accept-differences']);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(`${missing}:5:14 (spec.targets[0].name): error TM_CONVERT_SERVICE_NOT_FOUND: Policy a/p: target service a/nowhere is not among the inputs`);
  });

  it('check and matrix read legacy input: a learner may GET the fruits API, others get 401/403', () => {
    const request = path.join(dir, 'learner.jsonl');
    const base = { protocol: 'HTTP', source: { principal: null, ip: '10.0.0.1' }, destination: { namespace: 'micro-shake-factory', labels: { app: 'fruits-api' }, port: 3000 }, method: 'GET', path: '/api/fruits/special' };
    fs.writeFileSync(request, [
      { ...base, jwt: { status: 'valid', claims: { iss: 'istio-succinctly.io', role: 'learner' } } },
      { ...base, jwt: { status: 'valid', claims: { iss: 'istio-succinctly.io', role: 'chef' } } },
      { ...base, jwt: null },
    ].map((x) => JSON.stringify(x)).join('\n'));
    const r = runCli(['check', '--policies', SHAKE, '--request', request]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { outcome: string }).outcome)).toEqual(['ALLOW', 'DENY_403', 'DENY_401']);
    const matrix = runCli(['matrix', BOOKINFO]);
    expect(matrix.code).toBe(0);
    expect(matrix.stdout).toContain('| bookinfo/bookinfo-productpage | ◐ GET on port 9080 | — | — | ◐ GET on port 9080 | — | — |');
  });
});
