// `trustmesh check` run as a real child process from the compiled output (npm test compiles first;
// by hand: `npx tsc --build`).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliRun as Run, MAIN, ROOT, runCli } from './cli-runner';


const HTTPBIN = path.join(ROOT, 'test', 'fixtures', 'analysis', 'httpbin');

const trustmesh = (args: readonly string[], input?: string): Run => runCli(args, { input });

const devPost = {
  protocol: 'HTTP',
  source: { principal: 'cluster.local/ns/dev/sa/sleep', namespace: 'dev', ip: '10.0.0.1' },
  jwt: null,
  destination: { namespace: 'foo', labels: { app: 'httpbin' }, port: 8000 },
  method: 'POST',
  path: '/post',
};
const devGet = { ...devPost, method: 'GET', path: '/get' };
const plaintextTcp = {
  protocol: 'TCP',
  source: { principal: null, namespace: null, ip: '10.0.0.2' },
  jwt: null,
  destination: { namespace: 'foo', labels: { app: 'httpbin' }, port: 9000 },
};

describe('trustmesh check', () => {
  let dir: string;
  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };

  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-check-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('decides one JSON request and prints the decision as JSON, exit 0', () => {
    const r = trustmesh(['check', '--policies', HTTPBIN, '--request', file('one.json', JSON.stringify(devPost, null, 2))]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      outcome: 'DENY_403',
      allowed: false,
      decidedBy: [{ kind: 'AuthorizationPolicy', namespace: 'foo', name: 'httpbin-deny', action: 'DENY', rule: 0 }],
      explanation: 'denied by foo/httpbin-deny rule 0: source namespace dev matched, method POST matched',
    });
  });

  it('answers JSON Lines with one result line per request, in order', () => {
    const lines = [devPost, devGet, plaintextTcp].map((r) => JSON.stringify(r)).join('\n');
    const r = trustmesh(['check', '--policies', HTTPBIN, '--request', file('many.jsonl', `${lines}\n`)]);
    expect(r.code).toBe(0);
    const out = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { outcome: string });
    expect(out.map((d) => d.outcome)).toEqual(['DENY_403', 'ALLOW', 'DENY_CONN']);
  });

  it('reads the requests from stdin with --request -', () => {
    const r = trustmesh(['check', '--policies', HTTPBIN, '--request', '-'], `${JSON.stringify(devGet)}\n${JSON.stringify(devPost)}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { allowed: boolean }).allowed)).toEqual([true, false]);
  });

  it('prints one readable line per request with --output text', () => {
    const r = trustmesh(['check', '--policies', HTTPBIN, '--request', '-', '--output', 'text'], `${JSON.stringify(devPost)}\n${JSON.stringify(plaintextTcp)}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      '1: DENY_403 POST /post from cluster.local/ns/dev/sa/sleep to foo{app=httpbin}:8000: denied by foo/httpbin-deny rule 0: source namespace dev matched, method POST matched',
      '2: DENY_CONN TCP from plaintext 10.0.0.2 to foo{app=httpbin}:9000: connection refused: PeerAuthentication foo/default requires STRICT mTLS on port 9000 and the client sent plaintext',
      '',
    ].join('\n'));
  });

  it('applies --mesh-config (root namespace moved away from istio-system)', () => {
    const policies = file('mesh-wide.yaml', 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all, namespace: mesh-root}\nspec:\n  action: DENY\n  rules: [{}]\n');
    const req = file('get.json', JSON.stringify(devGet));
    expect(JSON.parse(trustmesh(['check', '--policies', policies, '--request', req]).stdout).outcome).toBe('ALLOW');
    const mesh = file('mesh.yaml', 'rootNamespace: mesh-root\n');
    expect(JSON.parse(trustmesh(['check', '--policies', policies, '--request', req, '--mesh-config', mesh]).stdout).outcome).toBe('DENY_403');
  });

  it('reports a YAML syntax error as file:line:column with exit 2 and no stack trace', () => {
    const bad = file('bad.yaml', 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: [oops\n');
    const r = trustmesh(['check', '--policies', bad, '--request', file('g.json', JSON.stringify(devGet))]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`TM_YAML_PARSE: YAML syntax error: .* at ${bad.replace(/[.\\]/g, '\\$&')}:\\d+:\\d+`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports an invalid policy with its location and exit 2', () => {
    const bad = file('typo.yaml', 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: foo}\nspec:\n  rules:\n  - form: []\n');
    const r = trustmesh(['check', '--policies', bad, '--request', file('g2.json', JSON.stringify(devGet))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TM_CONFIG_INVALID/);
    expect(r.stderr).toMatch(/typo\.yaml:6:5/);
    expect(r.stderr).toMatch(/Did you mean "from"/);
  });

  it('names the line and field of an invalid request in JSON Lines, exit 2', () => {
    const r = trustmesh(['check', '--policies', HTTPBIN, '--request', '-'], `${JSON.stringify(devGet)}\n${JSON.stringify({ ...devGet, method: 'get' })}\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TM_REQUEST_INVALID: .* at <stdin>:2 \(method\)/);
    expect(r.stderr).toMatch(/Did you mean "GET"/);
  });

  it('exits 2 with usage when a required option is missing', () => {
    const r = trustmesh(['check', '--policies', HTTPBIN]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '--request <file>' not specified/);
  });

  it('exits 2 for a missing request file', () => {
    const r = trustmesh(['check', '--policies', HTTPBIN, '--request', path.join(dir, 'nope.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TM_FILE_NOT_FOUND/);
  });

  it('prints load warnings on stderr and still exits 0', () => {
    const extra = file('values.yaml', 'replicas: 3\n');
    const r = trustmesh(['check', '--policies', HTTPBIN, extra, '--request', file('g3.json', JSON.stringify(devGet))]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/values\.yaml:1:1: warning TM_NOT_A_KUBERNETES_OBJECT/);
  });
});
