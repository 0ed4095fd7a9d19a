import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { beforeAll, describe, expect, test } from 'vitest';
import { readTree } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'lib/src/cli/main.js');
const MAIN = path.join(ROOT, 'lib/src/main.js');

/**
 * The CA steps of the synth task (.projenrc.ts), before the example app runs: one intermediate per
 * example output folder, and the juice-shop gateway certificates of the SIMPLE and MUTUAL variants
 * and of the Istio 1.4 mesh.
 * Every step keeps what exists.
 */
const SYNTH_CA_STEPS: readonly (readonly string[])[] = [
  ['ca', 'init', '--cluster', 'bookinfo', '--cluster', 'foo-httpbin', '--cluster', 'micro-shake-factory',
    '--cluster', 'micro-shake-factory-mutual', '--cluster', 'micro-shake-factory-passthrough',
    '--cluster', 'micro-shake-factory-istio-1-4', '--cluster', 'bookinfo-istio-1-0'],
  ['ca', 'issue', 'gateway', '--name', 'juice-shop', '--host', 'juice-shop.istio-succinctly.io', '--cluster', 'micro-shake-factory'],
  ['ca', 'issue', 'gateway', '--name', 'juice-shop-mutual', '--host', 'juice-shop.istio-succinctly.io', '--cluster', 'micro-shake-factory-mutual'],
  ['ca', 'issue', 'gateway', '--name', 'juice-shop-istio-1-4', '--host', 'juice-shop.istio-succinctly.io', '--cluster', 'micro-shake-factory-istio-1-4'],
];

/**
 * The README's synth command, as a user runs it: `trustmesh ca init` for the example clusters,
 * then the example app (compiled), in a fresh directory.
 */
describe('the synth command (ca init, then the example app)', () => {
  let cwd: string;
  let stdout: string;
  let stderr: string;
  beforeAll(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'trustmesh-synth-'));
    for (const args of SYNTH_CA_STEPS) execFileSync('node', [CLI, ...args], { cwd });
    const r = spawnSync('node', [MAIN], { cwd, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the example app failed:\n${r.stderr}`);
    stdout = r.stdout;
    stderr = r.stderr;
  });

  test('writes a folder per example mesh, per namespace its policy apart from its workloads, and a CA summary', () => {
    const policyAndWorkloads = (mesh: string, ns: string): string[] => [`${mesh}/${ns}.policy.k8s.yaml`, `${mesh}/${ns}.workloads.k8s.yaml`];
    expect(Object.keys(readTree(path.join(cwd, 'dist'))).sort()).toEqual([
      ...policyAndWorkloads('bookinfo-istio-1-0', 'bookinfo'), 'bookinfo-istio-1-0/ca-summary.md', 'bookinfo-istio-1-0/istio-system.policy.k8s.yaml',
      ...policyAndWorkloads('bookinfo', 'bookinfo'), 'bookinfo/ca-summary.md', 'bookinfo/istio-system.policy.k8s.yaml',
      'foo-httpbin/ca-summary.md', ...policyAndWorkloads('foo-httpbin', 'foo'), 'foo-httpbin/istio-system.policy.k8s.yaml',
      'micro-shake-factory-istio-1-4/ca-summary.md', 'micro-shake-factory-istio-1-4/istio-system.policy.k8s.yaml',
      ...policyAndWorkloads('micro-shake-factory-istio-1-4', 'micro-shake-factory'),
      'micro-shake-factory-mutual/ca-summary.md', 'micro-shake-factory-mutual/istio-system.policy.k8s.yaml',
      ...policyAndWorkloads('micro-shake-factory-mutual', 'micro-shake-factory'),
      'micro-shake-factory-passthrough/ca-summary.md', 'micro-shake-factory-passthrough/istio-system.policy.k8s.yaml',
      ...policyAndWorkloads('micro-shake-factory-passthrough', 'micro-shake-factory'),
      'micro-shake-factory/ca-summary.md', 'micro-shake-factory/istio-system.policy.k8s.yaml',
      ...policyAndWorkloads('micro-shake-factory', 'micro-shake-factory'),
    ]);
  });

  test('policy files hold no workload and workload files no policy; the trust bundle is root-namespace policy', () => {
    const tree = readTree(path.join(cwd, 'dist'));
    const kinds = (file: string): string[] => [...new Set([...tree[file].matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]))].sort();
    expect(kinds('bookinfo/bookinfo.workloads.k8s.yaml')).toEqual(['Deployment', 'Service', 'ServiceAccount']);
    expect(kinds('bookinfo/bookinfo.policy.k8s.yaml')).toEqual(['AuthorizationPolicy', 'NetworkPolicy']);
    expect(kinds('bookinfo/istio-system.policy.k8s.yaml')).toEqual(['ConfigMap', 'DestinationRule', 'PeerAuthentication', 'ServiceEntry', 'Sidecar', 'Telemetry']);
    expect(tree['bookinfo/istio-system.policy.k8s.yaml']).toMatch(/name: trustmesh-ca-root-cert/);
  });

  test('prints a one-screen summary on stdout: meshes, files, objects per kind, key material, warnings', () => {
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^trustmesh synth: 7 meshes, \d+ objects in 28 files under dist\/, 0 warnings$/);
    expect(lines).toContainEqual(expect.stringMatching(/^  bookinfo\/ +bookinfo\.policy \(14\) · bookinfo\.workloads \(18\) · ca-summary\.md · istio-system\.policy \(6\)$/));
    expect(stdout).toMatch(/\n  objects: \d+ AuthorizationPolicy · /);
    expect(stdout).toMatch(/\n  key material: 7 files under \.trustmesh\/secrets\/ \(git-ignored; never commit it\)\n$/);
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(stderr).toBe('');
  });

  test('no private key anywhere under dist/; the cacerts Secrets are in .trustmesh/secrets with mode 0600', () => {
    for (const [file, content] of Object.entries(readTree(path.join(cwd, 'dist')))) {
      expect(content, file).not.toMatch(/PRIVATE KEY/);
      expect(content, file).not.toMatch(/ca-key\.pem:/);
    }
    const secrets = path.join(cwd, '.trustmesh/secrets');
    const files = Object.keys(readTree(secrets)).sort();
    expect(files).toContain('bookinfo/CertificateAuthority/bookinfo-secrets.k8s.yaml');
    for (const f of files) expect(fs.statSync(path.join(secrets, f)).mode.toString(8).slice(-3), f).toBe('600');
    expect(fs.readFileSync(path.join(secrets, 'bookinfo/CertificateAuthority/bookinfo-secrets.k8s.yaml'), 'utf8')).toMatch(/ca-key\.pem:/);
  });

  test('the juice-shop gateway credentials are emitted beside the gateway (istio-system), with ca.crt for the MUTUAL variant', () => {
    const secrets = path.join(cwd, '.trustmesh/secrets');
    const read = (mesh: string): string => fs.readFileSync(path.join(secrets, `${mesh}/CertificateAuthority/${mesh}-secrets.k8s.yaml`), 'utf8');
    const credential = (text: string): string => text.split(/^---$/m).find((d) => /name: juice-shop-credential/.test(d)) ?? '';
    expect(credential(read('micro-shake-factory'))).toMatch(/namespace: istio-system/);
    expect(credential(read('micro-shake-factory'))).toMatch(/tls\.key:/);
    expect(credential(read('micro-shake-factory'))).not.toMatch(/ca\.crt:/);
    expect(credential(read('micro-shake-factory-mutual'))).toMatch(/ca\.crt:/);
    expect(read('micro-shake-factory-passthrough')).not.toMatch(/juice-shop-credential/);
  });

  test('the Istio 1.4 juice-shop gateway gets the Secret the 1.x gateway mounts, istio-ingressgateway-certs, issued by the CA', () => {
    const mesh = 'micro-shake-factory-istio-1-4';
    const text = fs.readFileSync(path.join(cwd, '.trustmesh/secrets', `${mesh}/CertificateAuthority/${mesh}-secrets.k8s.yaml`), 'utf8');
    const certs = text.split(/^---$/m).find((d) => /name: istio-ingressgateway-certs$/m.test(d)) ?? '';
    expect(certs).toMatch(/namespace: istio-system/);
    expect(certs).toMatch(/type: kubernetes\.io\/tls/);
    expect(certs).toMatch(/tls\.crt:/);
    expect(certs).toMatch(/tls\.key:/);
    expect(certs).not.toMatch(/ca\.crt:/);
    expect(text).not.toMatch(/istio-ingressgateway-ca-certs/); // SIMPLE: no client CA
    const dist = readTree(path.join(cwd, 'dist'));
    expect(dist[`${mesh}/istio-system.policy.k8s.yaml`]).toMatch(/serverCertificate: \/etc\/istio\/ingressgateway-certs\/tls\.crt/);
    expect(dist[`${mesh}/ca-summary.md`]).toMatch(/\| istio-system\/istio-ingressgateway-certs \| gateway \| micro-shake-factory-istio-1-4 \| CN=juice-shop\.istio-succinctly\.io \|/);
  });

  test('running it again reuses the key material and gives byte-identical output', () => {
    const before = readTree(path.join(cwd, 'dist'));
    const keys = readTree(path.join(cwd, '.trustmesh/ca'));
    for (const args of SYNTH_CA_STEPS) {
      const again = spawnSync('node', [CLI, ...args], { cwd, encoding: 'utf8' });
      expect(again.status, args.join(' ')).toBe(0);
      expect(again.stdout).toMatch(/kept/);
    }
    execFileSync('node', [MAIN], { cwd, stdio: 'ignore' });
    expect(readTree(path.join(cwd, '.trustmesh/ca'))).toEqual(keys);
    expect(readTree(path.join(cwd, 'dist'))).toEqual(before);
  });

  test('without a key store the app fails with a coded message and keeps the previous output', () => {
    const before = readTree(path.join(cwd, 'dist'));
    const r = spawnSync('node', [MAIN], { cwd, encoding: 'utf8', env: { ...process.env, TRUSTMESH_CA_DIR: path.join(cwd, 'missing') } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error TM_CA_STORE_MISSING: /);
    expect(r.stderr).toMatch(/trustmesh ca init/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readTree(path.join(cwd, 'dist'))).toEqual(before);
  });
});
