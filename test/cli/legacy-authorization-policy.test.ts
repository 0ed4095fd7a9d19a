// Istio 1.4 with `legacyAuthorization: AUTHORIZATION_POLICY`, through the real CLI: the synthesized
// output (1.x authentication Policy + v1beta1 AuthorizationPolicy) is decided by `check` with the
// 1.4 rules, analyzed clean, and `convert` turns it into 1.30 policy with an equivalence proof.
import * as fs from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, runCli } from './cli-runner';
import { HttpMethod, LegacyAuthorization, Mesh, MtlsMode, Port } from '../../src';
import { tempApp } from '../helpers';

describe('Istio 1.4 AuthorizationPolicy output through the CLI', () => {
  let dist: string;
  beforeAll(() => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc --build)`);
    const app = tempApp();
    const mesh = new Mesh(app, 'shop', {
      istioVersion: '1.4',
      mtls: MtlsMode.STRICT,
      legacyAuthorization: LegacyAuthorization.AUTHORIZATION_POLICY,
      referenceWorkloads: { enabled: true, image: 'nginx:1.25' },
    });
    const ns = mesh.addNamespace('shop');
    const api = ns.addService('api', { ports: [Port.http(80, { targetPort: 8080 })] });
    const web = ns.addService('web', { ports: [Port.http(80, { targetPort: 8080 })] });
    api.allowFrom(web, { methods: [HttpMethod.GET] });
    app.synth();
    dist = path.join(app.outdir, 'shop');
  });
  afterAll(() => { if (dist) fs.rmSync(path.dirname(path.dirname(dist)), { recursive: true, force: true }); });

  const request = (principal: string, method: string): string => JSON.stringify({
    protocol: 'HTTP',
    source: { principal, ip: '10.0.0.1' },
    jwt: null,
    destination: { namespace: 'shop', labels: { app: 'api' }, port: 8080 },
    method,
    path: '/items',
  });

  it('writes AuthorizationPolicy v1beta1 without action and no RBAC; check decides by the 1.4 rules', () => {
    const text = fs.readdirSync(dist).map((f) => fs.readFileSync(path.join(dist, f), 'utf8')).join('\n');
    expect(text).toContain('apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy');
    expect(text).not.toMatch(/action:|ServiceRole|RbacConfig/);
    const allowed = runCli(['check', '--policies', dist, '--request', '-', '--output', 'json'], { input: `${request('cluster.local/ns/shop/sa/web', 'GET')}\n` });
    const denied = runCli(['check', '--policies', dist, '--request', '-', '--output', 'json'], { input: `${request('cluster.local/ns/shop/sa/web', 'POST')}\n` });
    expect(allowed.stdout).toContain('api-allow');
    expect(allowed.stdout).toContain('Istio 1.4: the workload\'s v1beta1 policies replace RBAC');
    expect(allowed.stdout).toContain('"allowed": true');
    expect(denied.stdout).toContain('"allowed": false');
  });

  it('analyze finds no error, and convert --to 1.30 proves the ALLOW policy equivalent', () => {
    const analyzed = runCli(['analyze', dist]);
    expect(analyzed.stdout).not.toMatch(/ error /);
    const converted = runCli(['convert', dist, '--to', '1.30', '--output', 'json']);
    expect(converted.code, converted.stderr).toBe(0);
    type Converted = { kind: string; metadata: { name: string }; spec: { action?: string } };
    const json = JSON.parse(converted.stdout) as { proof: { equivalent: boolean }; objects: Converted[] };
    expect(json.proof.equivalent).toBe(true);
    expect(json.objects.find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'api-allow')?.spec.action).toBe('ALLOW');
  });
});
