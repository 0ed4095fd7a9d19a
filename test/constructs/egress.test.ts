import { beforeAll, describe, expect, test } from 'vitest';
import { edgeMaterial } from './edge-fixtures';
import {
  AccessLogFilter, AccessLogFormat, ClientCredential, EgressPort, EgressTls, KubernetesApiServer, Mesh, Port, renderIstio,
  trustmeshAccessLogExtensionProvider,
} from '../../src';
import { CaMaterial } from '../../src/pki/ca-material';
import { Clock } from '../../src/pki/clock';
import { catchTrustmesh, find, manifestsOf, tempApp } from '../helpers';
import { T0 } from '../pki/pki-fixtures';

function base(istioVersion = '1.30') {
  const app = tempApp();
  const mesh = new Mesh(app, 'm', { istioVersion });
  const shop = mesh.addNamespace('shop');
  const legacy = mesh.addNamespace('legacy');
  const billing = shop.addService('billing', { ports: [Port.http(8080)] });
  return { app, mesh, shop, legacy, billing };
}

describe('Mesh.lockDownEgress', () => {
  test('mesh-wide: a selector-less Sidecar in the root namespace with mode REGISTRY_ONLY written out', () => {
    const { app, mesh } = base();
    mesh.lockDownEgress();
    expect(find(manifestsOf(app), 'Sidecar', 'default', 'istio-system')).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Sidecar',
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } },
    });
  });

  test('per namespace, with exceptions that get an explicit ALLOW_ANY (never an empty mode)', () => {
    const { app, mesh, shop, legacy } = base();
    mesh.lockDownEgress({ namespaces: [shop], except: [legacy] });
    const sidecars = manifestsOf(app).filter((m) => m.kind === 'Sidecar');
    expect(sidecars.map((s) => [s.metadata.namespace, s.spec.outboundTrafficPolicy.mode]).sort()).toEqual([['legacy', 'ALLOW_ANY'], ['shop', 'REGISTRY_ONLY']]);
  });

  test('declaring one scope both ways is refused', () => {
    const { mesh, shop } = base();
    mesh.lockDownEgress({ namespaces: [shop] });
    expect(catchTrustmesh(() => mesh.lockDownEgress({ except: [shop] })).code).toBe('TM_EGRESS_POLICY_CONFLICT');
  });

  test('a namespace of another mesh is refused, even when this mesh has one of the same name', () => {
    const { app, mesh } = base();
    const other = new Mesh(app, 'other').addNamespace('shop');
    for (const options of [{ namespaces: [other] }, { except: [other] }]) {
      const e = catchTrustmesh(() => mesh.lockDownEgress(options));
      expect(e.code).toBe('TM_UNKNOWN_NAMESPACE');
      expect(e.message).toMatch(/shop belongs to another mesh/);
    }
  });
});

describe('Mesh.allowEgressTo', () => {
  test('TLS the application encrypts: a ServiceEntry (MESH_EXTERNAL, DNS, exportTo *) and no DestinationRule', () => {
    const { app, mesh } = base();
    mesh.allowEgressTo('api.stripe.com');
    const manifests = manifestsOf(app);
    expect(find(manifests, 'ServiceEntry', 'api-stripe-com', 'istio-system').spec).toEqual({
      hosts: ['api.stripe.com'],
      exportTo: ['*'],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      ports: [{ number: 443, name: 'tls-443', protocol: 'TLS' }],
    });
    expect(manifests.filter((m) => m.kind === 'DestinationRule')).toEqual([]);
  });

  test('TLS origination (SIMPLE): HTTP port 80 forwards to 443, and the DestinationRule verifies the server (CA, SNI, SAN)', () => {
    const { app, mesh, shop } = base();
    mesh.allowEgressTo('api.example.com', { ports: [EgressPort.http(80)], tls: EgressTls.simple(), namespace: shop });
    const manifests = manifestsOf(app);
    expect(find(manifests, 'ServiceEntry', 'api-example-com', 'shop').spec).toMatchObject({
      exportTo: ['.'],
      ports: [{ number: 80, name: 'http-80', protocol: 'HTTP', targetPort: 443 }],
    });
    expect(find(manifests, 'DestinationRule', 'api-example-com-tls', 'shop').spec).toEqual({
      host: 'api.example.com',
      exportTo: ['.'],
      trafficPolicy: {
        portLevelSettings: [{
          port: { number: 80 },
          tls: { mode: 'SIMPLE', caCertificates: '/etc/ssl/certs/ca-certificates.crt', sni: 'api.example.com', subjectAltNames: ['api.example.com'] },
        }],
      },
    });
  });

  test.each([
    ['TM_INVALID_HOST', /exact host name/, (b: ReturnType<typeof base>) => b.mesh.allowEgressTo('*.example.com')],
    ['TM_INVALID_NAME', /egress host/, (b: ReturnType<typeof base>) => b.mesh.allowEgressTo('Bad_Host')],
    ['TM_EGRESS_TLS_WITHOUT_HTTP_PORT', /needs a plain-HTTP port/, (b: ReturnType<typeof base>) => b.mesh.allowEgressTo('a.example.com', { tls: EgressTls.simple() })],
    ['TM_DUPLICATE_PORT', /declares port 443 twice/, (b: ReturnType<typeof base>) => b.mesh.allowEgressTo('a.example.com', { ports: [EgressPort.tls(443), EgressPort.https(443)] })],
    ['TM_EMPTY_MATCH_LIST', /non-empty list/, (b: ReturnType<typeof base>) => b.mesh.allowEgressTo('a.example.com', { ports: [] })],
    ['TM_DUPLICATE_EGRESS_HOST', /clashes with/, (b: ReturnType<typeof base>) => {
      b.mesh.allowEgressTo('a.example.com');
      b.mesh.allowEgressTo('a.example.com', { ports: [EgressPort.http(80)] });
    }],
    ['TM_INVALID_PATH', /absolute file path/, () => EgressTls.simple({ caCertificates: 'certs.pem' })],
    ['TM_EMPTY_MATCH_LIST', /client services/, () => EgressTls.mutual(ClientCredential.fromSecretName('x'), { clients: [] })],
    ['TM_VERSION_UNSUPPORTED_FEATURE', /targetPort .* needs Istio 1\.8/, () => {
      const b = base('1.7');
      b.mesh.allowEgressTo('a.example.com', { ports: [EgressPort.http(80)], tls: EgressTls.simple() });
    }],
    ['TM_VERSION_UNSUPPORTED_FEATURE', /workloadSelector .* needs Istio 1\.14/, () => {
      const b = base('1.13');
      b.mesh.allowEgressTo('a.example.com', { ports: [EgressPort.http(80)], tls: EgressTls.mutual(ClientCredential.fromSecretName('x'), { clients: [b.billing] }) });
    }],
  ])('%s: %s', (code, message, call) => {
    const e = catchTrustmesh(() => call(base()));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });
});

describe('TLS origination with our client certificate (MUTUAL)', () => {
  let material: CaMaterial;
  beforeAll(async () => {
    material = await edgeMaterial(T0);
  });

  test('one DestinationRule per client, in its namespace, with a workloadSelector and the emitted client Secret (ca.crt verifies the server)', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'micro-shake-factory');
    const ca = mesh.useCertificateAuthority(material, { clock: Clock.fixed(new Date(T0.getTime() + 86400_000)) });
    const shop = mesh.addNamespace('shop');
    const billing = shop.addService('billing', { ports: [Port.http(8080)] });
    const refunds = shop.addService('refunds', { ports: [Port.http(8080)] });
    mesh.allowEgressTo('partner.example.com', {
      ports: [EgressPort.http(80)],
      tls: EgressTls.mutual(ClientCredential.fromCa(ca, 'partner-client'), { clients: [refunds, billing] }),
    });
    const output = app.synthOutput();
    const manifests = output.manifests.filter((r) => !r.secret).map((r) => r.manifest as any);
    expect(manifests.filter((m) => m.kind === 'DestinationRule').map((m) => `${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
      'shop/partner-example-com-billing-mtls', 'shop/partner-example-com-refunds-mtls',
    ]);
    expect(find(manifests, 'DestinationRule', 'partner-example-com-billing-mtls').spec).toEqual({
      host: 'partner.example.com',
      workloadSelector: { matchLabels: { app: 'billing' } },
      trafficPolicy: {
        portLevelSettings: [{
          port: { number: 80 },
          tls: { mode: 'MUTUAL', credentialName: 'partner-client', sni: 'partner.example.com', subjectAltNames: ['partner.example.com'] },
        }],
      },
    });
    const secret = output.manifests.find((r) => r.secret && (r.manifest as any).metadata.name === 'partner-client')!.manifest as any;
    expect(secret.metadata.namespace).toBe('shop');
    expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
  });

  test('a gateway credential cannot be used as a client certificate', () => {
    const mesh = new Mesh(tempApp(), 'micro-shake-factory');
    const ca = mesh.useCertificateAuthority(material);
    expect(catchTrustmesh(() => ClientCredential.fromCa(ca, 'juice-shop')).code).toBe('TM_CLIENT_CREDENTIAL_KIND');
  });

  test('clients in several namespaces are refused (Istio reads credentialName from the client\'s namespace)', () => {
    const { mesh, billing, legacy } = base();
    const other = legacy.addService('old', { ports: [Port.http(80)] });
    const e = catchTrustmesh(() => mesh.allowEgressTo('p.example.com', {
      ports: [EgressPort.http(80)], tls: EgressTls.mutual(ClientCredential.fromSecretName('c'), { clients: [billing, other] }),
    }));
    expect(e.code).toBe('TM_EGRESS_CLIENTS_NAMESPACES');
  });
});

describe('Mesh.plaintextTo', () => {
  test('the Kubernetes API server: DISABLE for exactly kubernetes.default.svc.<clusterDomain>:443, with the reason for reviewers', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'm', { clusterDomain: 'corp.local' });
    mesh.plaintextTo(KubernetesApiServer.inCluster());
    mesh.plaintextTo(KubernetesApiServer.inCluster());
    const rules = manifestsOf(app).filter((m) => m.kind === 'DestinationRule');
    expect(rules).toEqual([{
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: {
        name: 'kubernetes-api-server-plaintext',
        namespace: 'istio-system',
        annotations: { 'trustmesh.io/reason': 'the Kubernetes API server has no sidecar; clients speak TLS to it themselves' },
      },
      spec: {
        host: 'kubernetes.default.svc.corp.local',
        trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'DISABLE' } }] },
      },
    }]);
  });

  test('the API server declared again on another port is refused, not silently dropped', () => {
    const { mesh } = base();
    mesh.plaintextTo(KubernetesApiServer.inCluster());
    const e = catchTrustmesh(() => mesh.plaintextTo(KubernetesApiServer.inCluster({ port: 6443 })));
    expect(e.code).toBe('TM_PLAINTEXT_EXCEPTION_CONFLICT');
    expect(e.message).toMatch(/kubernetes-api-server-plaintext.*:443.*:6443/);
    expect(e.location?.constructPath).toBe(mesh.node.path);
  });

  test('a service outside the mesh keeps its one <service>-plaintext rule; a service with a sidecar is refused', () => {
    const { app, mesh, shop, billing } = base();
    const ldap = shop.addService('ldap', { inMesh: false, ports: [Port.tcp(389)] });
    mesh.plaintextTo(ldap);
    expect(manifestsOf(app).filter((m) => m.kind === 'DestinationRule').map((m) => m.metadata.name)).toEqual(['ldap-plaintext']);
    const e = catchTrustmesh(() => mesh.plaintextTo(billing));
    expect(e.code).toBe('TM_PLAINTEXT_TO_MESH_SERVICE');
    expect(e.message).toMatch(/KIA0207\/KIA0208/);
  });

  test('a plaintext exception and TLS origination for one host contradict each other', () => {
    const { app, mesh } = base();
    mesh.allowEgressTo('kubernetes.default.svc.cluster.local', { ports: [EgressPort.http(80)], tls: EgressTls.simple(), name: 'k' });
    mesh.plaintextTo(KubernetesApiServer.inCluster());
    expect(() => app.synthOutput()).toThrow(/TM_PLAINTEXT_CONFLICTS_WITH_TLS/);
  });
});

describe('Mesh.enableAccessLogging', () => {
  test('mesh-wide: one Telemetry in the root namespace with the envoy provider', () => {
    const { app, mesh } = base();
    mesh.enableAccessLogging();
    expect(find(manifestsOf(app), 'Telemetry', 'mesh-access-logging', 'istio-system')).toEqual({
      apiVersion: 'telemetry.istio.io/v1',
      kind: 'Telemetry',
      metadata: { name: 'mesh-access-logging', namespace: 'istio-system' },
      spec: { accessLogging: [{ providers: [{ name: 'envoy' }] }] },
    });
  });

  test('per namespace, filtered, another provider; v1alpha1 before Istio 1.22', () => {
    const { app, mesh, shop, legacy } = base('1.21');
    mesh.enableAccessLogging({ namespaces: [shop, legacy], filter: AccessLogFilter.expression('response.code == 403'), provider: 'otel' });
    const telemetry = manifestsOf(app).filter((m) => m.kind === 'Telemetry');
    expect(telemetry.map((t) => [t.apiVersion, t.metadata.namespace, t.metadata.name, t.spec]).sort()).toEqual([
      ['telemetry.istio.io/v1alpha1', 'legacy', 'access-logging', { accessLogging: [{ providers: [{ name: 'otel' }], filter: { expression: 'response.code == 403' } }] }],
      ['telemetry.istio.io/v1alpha1', 'shop', 'access-logging', { accessLogging: [{ providers: [{ name: 'otel' }], filter: { expression: 'response.code == 403' } }] }],
    ]);
    expect(AccessLogFilter.errors().expression).toBe('response.code >= 400');
  });

  test('the trustmesh format names its provider, whose MeshConfig entry writes the fields replay reads', () => {
    const { app, mesh } = base();
    mesh.enableAccessLogging({ format: AccessLogFormat.TRUSTMESH });
    expect(find(manifestsOf(app), 'Telemetry', 'mesh-access-logging', 'istio-system').spec).toEqual({ accessLogging: [{ providers: [{ name: 'trustmesh-access-log' }] }] });
    type Entry = { name: string; envoyFileAccessLog: { path: string; logFormat: { labels: Record<string, string> } } };
    const entry = trustmeshAccessLogExtensionProvider() as Entry;
    expect(entry.name).toBe('trustmesh-access-log');
    expect(entry.envoyFileAccessLog.path).toBe('/dev/stdout');
    expect(entry.envoyFileAccessLog.logFormat.labels).toMatchObject({
      trustmesh: '1', peer_uri_san: '%DOWNSTREAM_PEER_URI_SAN%', jwt: '%DYNAMIC_METADATA(envoy.filters.http.jwt_authn)%', upstream_cluster: '%UPSTREAM_CLUSTER_RAW%',
    });
  });

  test.each([
    ['TM_VERSION_UNSUPPORTED_FEATURE', /access logging through the Telemetry API needs Istio 1\.12/, () => base('1.11').mesh.enableAccessLogging()],
    ['TM_VERSION_UNSUPPORTED_FEATURE', /filter expressions needs Istio 1\.13/, () => base('1.12').mesh.enableAccessLogging({ filter: AccessLogFilter.errors() })],
    ['TM_ACCESS_LOGGING_DUPLICATE', /already enabled for the mesh/, () => {
      const b = base();
      b.mesh.enableAccessLogging();
      b.mesh.enableAccessLogging();
    }],
    ['TM_INVALID_FILTER', /empty/, () => AccessLogFilter.expression(' ')],
    ['TM_EMPTY_MATCH_LIST', /"namespaces" is an empty list/, () => base().mesh.enableAccessLogging({ namespaces: [] })],
  ])('%s: %s', (code, message, call) => {
    const e = catchTrustmesh(call);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });
});

describe('edges and renderIstio', () => {
  test('constructs == renderIstio for a mesh using every edge verb, in Istio 1.30 and 1.21', () => {
    for (const version of ['1.30', '1.21']) {
      const { app, mesh, shop, legacy } = base(version);
      mesh.lockDownEgress({ except: [legacy] });
      mesh.allowEgressTo('api.example.com', { ports: [EgressPort.http(80), EgressPort.https(443)], tls: EgressTls.simple(), namespace: shop });
      mesh.allowEgressTo('db.example.com', { ports: [EgressPort.tcp(5432)] });
      mesh.plaintextTo(KubernetesApiServer.inCluster());
      mesh.enableAccessLogging({ filter: AccessLogFilter.errors() });
      const key = (m: any) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`;
      const synthesized = manifestsOf(app).filter((m) => /istio\.io\//.test(m.apiVersion)).sort((a, b) => (key(a) < key(b) ? -1 : 1));
      const rendered = renderIstio(mesh.model).map((m) => JSON.parse(JSON.stringify(m))).sort((a, b) => (key(a) < key(b) ? -1 : 1));
      expect(synthesized).toEqual(rendered);
    }
  });

  test('rendering is deterministic: the same declaration twice gives byte-identical files', () => {
    const build = () => {
      const { app, mesh, shop } = base();
      mesh.allowEgressTo('b.example.com', { namespace: shop });
      mesh.allowEgressTo('a.example.com');
      mesh.lockDownEgress();
      mesh.enableAccessLogging();
      return app.synthOutput().files.map((f) => [f.path, f.content]);
    };
    expect(build()).toEqual(build());
  });
});
