import { ApiObject } from 'cdk8s';
import { describe, expect, test, vi } from 'vitest';
import { HttpMethod, Mesh, Port, SecretChart } from '../../src';
import { access, synthYaml } from '../../src/testing';
import { tempApp } from '../helpers';

function shop() {
  const app = tempApp();
  const ns = new Mesh(app, 'shop').addNamespace('shop');
  const checkout = ns.addService('checkout', { ports: [Port.http(8080)] });
  const payments = ns.addService('payments', { ports: [Port.http(8080), Port.tcp(5432)] });
  payments.allowFrom(checkout, { methods: [HttpMethod.POST], paths: ['/charge'] });
  return { app, checkout, payments };
}

describe('trustmesh/testing access assertions', () => {
  test('toBeAllowed / toBeDenied evaluate the synthesized YAML', () => {
    const { app, checkout, payments } = shop();
    expect(access(app).from(checkout).to(payments).post('/charge')).toBeAllowed();
    expect(access(app).from(checkout).to(payments).get('/charge')).toBeDenied('DENY_403');
    expect(access(app).from(checkout).to(payments, 5432).request()).toBeDenied('DENY_CONN');
  });

  test('failing assertions explain the decision', () => {
    const { app, checkout, payments } = shop();
    expect(() => expect(access(app).from(checkout).to(payments).get('/charge')).toBeAllowed())
      .toThrow(/expected shop\/checkout -> shop\/payments:8080 GET \/charge to be allowed, but it is DENY_403: denied: no rule of the ALLOW/);
    expect(() => expect(access(app).from(checkout).to(payments).post('/charge')).toBeDenied())
      .toThrow(/to be denied, but it is ALLOW: allowed by shop\/payments-allow rule 0/);
    expect(() => expect(access(app).from('plaintext').to(payments).post('/charge')).toBeDenied('DENY_403'))
      .toThrow(/to be denied with DENY_403, but it is DENY_CONN/);
  });

  test('one access(app) check synthesizes once for its service and gateway probes; a new check sees later changes', () => {
    const { app, checkout, payments } = shop();
    const gateway = payments.mesh.addIngressGateway('shop');
    gateway.addHttpServer({ hosts: ['shop.example.com'] });
    gateway.route(payments);
    const synth = vi.spyOn(app, 'synthOutput');
    const check = access(app);
    expect(check.from(checkout).to(payments).post('/charge')).toBeAllowed();
    expect(check.through(gateway, { host: 'shop.example.com' }).from('203.0.113.7').get('/')).toBeDenied('DENY_403');
    expect(synth).toHaveBeenCalledTimes(1);
    payments.allowFrom(gateway);
    expect(access(app).through(gateway, { host: 'shop.example.com' }).from('203.0.113.7').get('/')).toBeAllowed();
    expect(synth).toHaveBeenCalledTimes(2);
  });

  test('probes reject unknown ports and non-probes', () => {
    const { app, checkout, payments } = shop();
    expect(() => access(app).from(checkout).to(payments, 9999).request()).toThrow(/has no port 9999/);
    expect(() => expect('x').toBeAllowed()).toThrow(/expects an access probe/);
  });
});

/** A PEM block built at run time, so no key-looking text is committed. */
function pemBlock(label: string, body: string): string {
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

describe('synthYaml', () => {
  test('is deterministic and redacts secret payloads', () => {
    const build = () => {
      const { app } = shop();
      const keys = new SecretChart(app, 'keys');
      new ApiObject(keys, 'cacerts', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'cacerts', namespace: 'istio-system' },
        stringData: { 'ca-key.pem': pemBlock('PRIVATE KEY', 'MIIE') },
      });
      return app;
    };
    const yaml = synthYaml(build());
    expect(yaml).toBe(synthYaml(build()));
    expect(yaml).toContain('# shop/shop.policy.k8s.yaml');
    expect(yaml).toContain('# secrets: keys.k8s.yaml');
    expect(yaml).toContain('ca-key.pem: <redacted>');
    expect(yaml).not.toMatch(/PRIVATE KEY/);
  });
});
