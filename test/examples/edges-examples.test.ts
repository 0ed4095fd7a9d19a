// The micro-shake-factory's ingress gateway in its three TLS variants: reviewed snapshots of the new
// outputs, targeted assertions on the gateway objects, access through the gateway (two hops, on the
// synthesized YAML), and the gateway credentials from the CA in the secrets output.
import { beforeAll, describe, expect, test } from 'vitest';
import { analyze, formatFinding, renderIstio } from '../../src';
import { loadConfig } from '../../src/analysis/config/load-config';
import { JuiceShopIngress, microShakeFactoryMesh, microShakeFactoryMutualMesh, microShakeFactoryPassthroughMesh } from '../../src/examples';
import { CaMaterial } from '../../src/pki/ca-material';
import { access } from '../../src/testing';
import { edgeMaterial, JUICE_SHOP } from '../constructs/edge-fixtures';
import { find, manifestsOf, tempApp } from '../helpers';

function synth(define: (app: ReturnType<typeof tempApp>) => unknown) {
  const app = tempApp();
  define(app);
  const output = app.synthOutput();
  return { app, manifests: manifestsOf(app), files: output.files };
}

const GATEWAY_REF = 'istio-system/juice-shop-gateway';

describe('example: micro-shake-factory (SIMPLE, HTTP→HTTPS redirect)', () => {
  const { manifests } = synth(microShakeFactoryMesh);

  test('the gateway redirects port 80 and terminates TLS on 443 with the juice-shop credential, TLS 1.2 minimum, mode written out', () => {
    const gateway = find(manifests, 'Gateway', 'juice-shop-gateway', 'istio-system').spec;
    expect(gateway.selector).toEqual({ istio: 'ingressgateway' });
    expect(gateway.servers).toEqual([
      { port: { number: 80, name: 'http-80', protocol: 'HTTP' }, hosts: [JUICE_SHOP], tls: { httpsRedirect: true, mode: 'PASSTHROUGH' } },
      {
        port: { number: 443, name: 'https-443', protocol: 'HTTPS' },
        hosts: [JUICE_SHOP],
        tls: { mode: 'SIMPLE', credentialName: 'juice-shop-credential', minProtocolVersion: 'TLSV1_2' },
      },
    ]);
  });

  test('the VirtualService lives with the juice shop and routes the host to its HTTP port', () => {
    const vs = find(manifests, 'VirtualService', 'juice-shop-api-juice-shop-route', 'micro-shake-factory').spec;
    expect(vs).toEqual({
      hosts: [JUICE_SHOP],
      gateways: [GATEWAY_REF],
      http: [{ route: [{ destination: { host: 'juice-shop-api.micro-shake-factory.svc.cluster.local', port: { number: 80 } } }] }],
    });
  });

  test('the juice shop allows exactly the gateway identity (as before the gateway was declared)', () => {
    expect(find(manifests, 'AuthorizationPolicy', 'juice-shop-api-allow').spec.rules).toEqual([
      { from: [{ source: { serviceAccounts: ['istio-system/istio-ingressgateway-service-account'] } }] },
    ]);
  });
});

describe('example: micro-shake-factory-mutual', () => {
  const { manifests, files } = synth(microShakeFactoryMutualMesh);

  test('matches the reviewed snapshot', () => {
    expect(Object.fromEntries(files.map((f) => [f.path, f.content]))).toMatchSnapshot();
  });

  test('writes its own output folder', () => {
    expect(files.map((f) => f.path).sort()).toEqual([
      'micro-shake-factory-mutual/istio-system.policy.k8s.yaml', 'micro-shake-factory-mutual/micro-shake-factory.policy.k8s.yaml',
      'micro-shake-factory-mutual/micro-shake-factory.workloads.k8s.yaml',
    ]);
  });

  test('443 requires client certificates (MUTUAL), 80 still redirects', () => {
    const servers = find(manifests, 'Gateway', 'juice-shop-gateway').spec.servers;
    expect(servers[0].tls).toEqual({ httpsRedirect: true, mode: 'PASSTHROUGH' });
    expect(servers[1].tls).toEqual({ mode: 'MUTUAL', credentialName: 'juice-shop-credential', minProtocolVersion: 'TLSV1_2' });
  });
});

describe('example: micro-shake-factory-passthrough', () => {
  const { manifests, files } = synth(microShakeFactoryPassthroughMesh);

  test('matches the reviewed snapshot', () => {
    expect(Object.fromEntries(files.map((f) => [f.path, f.content]))).toMatchSnapshot();
  });

  test('443 passes TLS through: mode PASSTHROUGH, no credential, no protocol versions', () => {
    const servers = find(manifests, 'Gateway', 'juice-shop-gateway').spec.servers;
    expect(servers[1]).toEqual({ port: { number: 443, name: 'https-443', protocol: 'HTTPS' }, hosts: [JUICE_SHOP], tls: { mode: 'PASSTHROUGH' } });
  });

  test('the VirtualService routes by SNI (a subset of its hosts) to the juice shop\'s own TLS port', () => {
    const vs = find(manifests, 'VirtualService', 'juice-shop-api-juice-shop-route').spec;
    expect(vs).toEqual({
      hosts: [JUICE_SHOP],
      gateways: [GATEWAY_REF],
      tls: [{
        match: [{ port: 443, sniHosts: [JUICE_SHOP] }],
        route: [{ destination: { host: 'juice-shop-api.micro-shake-factory.svc.cluster.local', port: { number: 443 } } }],
      }],
    });
    for (const m of vs.tls[0].match) for (const sni of m.sniHosts) expect(vs.hosts).toContain(sni);
  });
});

describe('the three variants', () => {
  test.each([
    ['SIMPLE', microShakeFactoryMesh],
    ['MUTUAL', microShakeFactoryMutualMesh],
    ['PASSTHROUGH', microShakeFactoryPassthroughMesh],
  ])('%s keeps the micro-shake-factory intentions, analyzes clean and equals renderIstio', (_name, define) => {
    const app = tempApp();
    const mesh = define(app);
    const manifests = manifestsOf(app);
    for (const name of ['fruits-api-allow', 'fruits-api-deny', 'fruits-api-require-jwt', 'juice-shop-api-allow']) find(manifests, 'AuthorizationPolicy', name);
    app.synth();
    expect(analyze(loadConfig(app.outdir)).map(formatFinding)).toEqual([]);
    const key = (m: any) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`;
    const istio = manifests.filter((m) => /istio\.io\//.test(m.apiVersion)).map(key).sort();
    expect(istio).toEqual(renderIstio(mesh.model).map(key).sort());
  });

  test('share the declaration: only the Gateway server TLS and the route kind differ', () => {
    const outputs = [microShakeFactoryMesh, microShakeFactoryMutualMesh, microShakeFactoryPassthroughMesh].map((define) => {
      const app = tempApp();
      define(app);
      return manifestsOf(app).filter((m) => !['Gateway', 'VirtualService'].includes(m.kind));
    });
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[2]).toEqual(outputs[0]);
  });

  test('the variant enum names the folders', () => {
    const names = Object.values(JuiceShopIngress).map((ingress) => microShakeFactoryMesh(tempApp(), { ingress }).meshName);
    expect(names).toEqual(['micro-shake-factory', 'micro-shake-factory-mutual', 'micro-shake-factory-passthrough']);
  });
});

describe('access through the gateway (evaluated on the synthesized YAML, two hops)', () => {
  test('SIMPLE: a client on the internet reaches the juice shop; the fruits API is not routed', () => {
    const app = tempApp();
    const mesh = microShakeFactoryMesh(app);
    const gateway = mesh.ingressGateway('juice-shop');
    const through = access(app).through(gateway, { host: JUICE_SHOP });
    const probe = through.from('203.0.113.7').get('/api/juice-shop/hello');
    expect(probe).toBeAllowed();
    expect(probe.decision.explanation).toMatch(/at the backend after the gateway allowed it: allowed by micro-shake-factory\/juice-shop-api-allow/);
    expect(() => access(app).through(gateway, { host: 'fruits.istio-succinctly.io' }).from('203.0.113.7').get('/')).toThrow(/serves no/);
    expect(() => access(app).through(gateway, { host: JUICE_SHOP, port: 80 }).from('203.0.113.7').get('/')).toThrow(/redirects to https/);
  });

  test('PASSTHROUGH: the TLS connection reaches the juice shop\'s 443 (TCP on both hops)', () => {
    const app = tempApp();
    const mesh = microShakeFactoryPassthroughMesh(app);
    const gateway = mesh.ingressGateway('juice-shop');
    const probe = access(app).through(gateway, { host: JUICE_SHOP }).from('203.0.113.7').get('/');
    expect(probe).toBeAllowed();
    expect((probe.decision as any).forwarded.protocol).toBe('TCP');
    expect((probe.decision as any).forwarded.destination.port).toBe(8443);
  });
});

describe('with CA material: the gateway credentials come from the key store', () => {
  let material: CaMaterial;
  beforeAll(async () => {
    material = await edgeMaterial(new Date());
  });

  test('SIMPLE emits juice-shop-credential (tls.crt for the juice-shop host, no ca.crt) into the secrets output, next to the gateway', () => {
    const { app, files } = synth((a) => microShakeFactoryMesh(a, { ca: material }));
    const secrets = app.synthOutput().manifests.filter((r) => r.secret).map((r) => r.manifest as any);
    const credential = find(secrets, 'Secret', 'juice-shop-credential', 'istio-system');
    expect(credential.type).toBe('kubernetes.io/tls');
    expect(Object.keys(credential.data).sort()).toEqual(['tls.crt', 'tls.key']);
    for (const f of files) expect(f.content).not.toMatch(/PRIVATE KEY/);
  });

  test('MUTUAL adds the trust bundle as ca.crt, so the gateway verifies client certificates from the CA', () => {
    const { app } = synth((a) => microShakeFactoryMutualMesh(a, { ca: material }));
    const secrets = app.synthOutput().manifests.filter((r) => r.secret).map((r) => r.manifest as any);
    const credential = find(secrets, 'Secret', 'juice-shop-credential', 'istio-system');
    expect(Object.keys(credential.data).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(Buffer.from(credential.data['ca.crt'], 'base64').toString('utf8')).toBe(material.trustedRoots.map((r) => r.pem).join(''));
  });

  test('the Gateway objects are the same with and without CA material', () => {
    const gw = (ca?: CaMaterial) => {
      const app = tempApp();
      microShakeFactoryMutualMesh(app, ca ? { ca } : {});
      return find(manifestsOf(app), 'Gateway', 'juice-shop-gateway');
    };
    expect(gw(material)).toEqual(gw());
  });
});
