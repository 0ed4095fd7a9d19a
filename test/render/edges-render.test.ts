// The pure edge renderers on hand-made model data: explicit enum values, sorted lists, stable names.
import { describe, expect, test } from 'vitest';
import { NO_EDGES } from '../../src/model/edges';
import { ExternalServiceSpec } from '../../src/model/egress';
import { IngressGatewaySpec } from '../../src/model/ingress-gateway';
import { parseIstioVersion } from '../../src/model/istio-version';
import { MeshModel } from '../../src/model/mesh-model';
import { renderEgressTlsDestinationRules, renderPlaintextExceptionDestinationRule } from '../../src/render/istio/destination-rule';
import { renderGateway } from '../../src/render/istio/gateway';
import { renderServiceEntry } from '../../src/render/istio/service-entry';
import { renderEgressSidecar } from '../../src/render/istio/sidecar';
import { renderAccessLogging } from '../../src/render/istio/telemetry';
import { renderGatewayRoute } from '../../src/render/istio/virtual-service';
import { meshSpec } from '../helpers';

function model(version = '1.30'): MeshModel {
  return MeshModel.of(meshSpec({ istioVersion: parseIstioVersion(version), edges: NO_EDGES }));
}

const GATEWAY: IngressGatewaySpec = {
  name: 'edge',
  namespace: 'istio-system',
  selector: { istio: 'ingressgateway' },
  serviceAccount: 'gw',
  numTrustedProxies: 0,
  servers: [
    {
      name: 'https-443',
      port: 443,
      targetPort: 8443,
      protocol: 'HTTPS',
      hosts: ['b.example.com', 'a.example.com'],
      httpsRedirect: false,
      tls: { mode: 'MUTUAL', credentialName: 'c', minProtocolVersion: 'TLSV1_2', subjectAltNames: ['z.example.com', 'y.example.com'] },
    },
    { name: 'http-80', port: 80, targetPort: 8080, protocol: 'HTTP', hosts: ['a.example.com'], httpsRedirect: false },
  ],
  routes: [
    { service: { namespace: 'shop', name: 'web' }, kind: 'http', hosts: ['a.example.com'], servicePort: 80, matches: [] },
    { service: { namespace: 'shop', name: 'web' }, kind: 'http', hosts: ['a.example.com'], servicePort: 80, matches: [{ kind: 'prefix', path: '/static/' }] },
    { service: { namespace: 'shop', name: 'api' }, kind: 'tls', hosts: ['b.example.com'], servicePort: 443, gatewayPort: 443, matches: [] },
  ],
  intentions: [],
};

describe('edge renderers', () => {
  test('Gateway: servers sorted by port, hosts and SANs sorted, plain HTTP without a tls block', () => {
    const gw = renderGateway(model(), GATEWAY);
    expect(gw.metadata).toEqual({ name: 'edge-gateway', namespace: 'istio-system' });
    expect(gw.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 80, name: 'http-80', protocol: 'HTTP' }, hosts: ['a.example.com'] },
        {
          port: { number: 443, name: 'https-443', protocol: 'HTTPS' },
          hosts: ['a.example.com', 'b.example.com'],
          tls: { mode: 'MUTUAL', credentialName: 'c', minProtocolVersion: 'TLSV1_2', subjectAltNames: ['y.example.com', 'z.example.com'] },
        },
      ],
    });
  });

  test('VirtualService: the specific route before the catch-all; none for a service without routes', () => {
    const vs = renderGatewayRoute(model(), GATEWAY, { namespace: 'shop', name: 'web' })!;
    expect(vs.metadata).toEqual({ name: 'web-edge-route', namespace: 'shop' });
    expect((vs.spec.http as any[]).map((r) => r.match ?? 'catch-all')).toEqual([[{ uri: { prefix: '/static/' } }], 'catch-all']);
    expect(renderGatewayRoute(model(), GATEWAY, { namespace: 'shop', name: 'ghost' })).toBeUndefined();
    expect(renderGatewayRoute(model(), GATEWAY, { namespace: 'shop', name: 'api' })!.spec.tls).toEqual([{
      match: [{ port: 443, sniHosts: ['b.example.com'] }],
      route: [{ destination: { host: 'api.shop.svc.cluster.local', port: { number: 443 } } }],
    }]);
  });

  test('Sidecar: the mode is always present, for the mesh (root namespace) and a namespace', () => {
    expect(renderEgressSidecar(model(), { scope: { kind: 'mesh' }, mode: 'ALLOW_ANY' })).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Sidecar',
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { outboundTrafficPolicy: { mode: 'ALLOW_ANY' } },
    });
    expect(renderEgressSidecar(model('1.21'), { scope: { kind: 'namespace', namespace: 'shop' }, mode: 'REGISTRY_ONLY' }).apiVersion).toBe('networking.istio.io/v1beta1');
  });

  const external: ExternalServiceSpec = {
    name: 'p',
    host: 'p.example.com',
    namespace: 'shop',
    exportTo: ['.'],
    ports: [{ name: 'https-443', number: 443, protocol: 'HTTPS' }, { name: 'http-80', number: 80, protocol: 'HTTP', targetPort: 443 }],
    tls: {
      mode: 'MUTUAL',
      sni: 'p.example.com',
      subjectAltNames: ['p.example.com'],
      credentialName: 'cc',
      clients: [{ namespace: 'shop', name: 'z', labels: { app: 'z' } }, { namespace: 'shop', name: 'a', labels: { app: 'a' } }],
    },
  };

  test('ServiceEntry: location and resolution written out, ports sorted by number', () => {
    const se = renderServiceEntry(model(), external);
    expect(se.spec).toEqual({
      hosts: ['p.example.com'],
      exportTo: ['.'],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      ports: [{ number: 80, name: 'http-80', protocol: 'HTTP', targetPort: 443 }, { number: 443, name: 'https-443', protocol: 'HTTPS' }],
    });
  });

  test('DestinationRules: MUTUAL per client sorted by name, only on the originating port; plaintext exception never tls: {}', () => {
    const rules = renderEgressTlsDestinationRules(model(), external);
    expect(rules.map((r) => r.metadata.name)).toEqual(['p-a-mtls', 'p-z-mtls']);
    expect((rules[0].spec.trafficPolicy as any).portLevelSettings.map((p: any) => p.port.number)).toEqual([80]);
    expect(renderEgressTlsDestinationRules(model(), { ...external, tls: undefined })).toEqual([]);
    const whole = renderPlaintextExceptionDestinationRule(model(), { name: 'x', host: 'x.example.com', namespace: 'istio-system', reason: 'r' });
    expect(whole.spec.trafficPolicy).toEqual({ tls: { mode: 'DISABLE' } });
  });

  test('Telemetry: mesh-wide in the root namespace, one provider, the filter only when given', () => {
    expect(renderAccessLogging(model(), { provider: 'envoy' })).toEqual({
      apiVersion: 'telemetry.istio.io/v1',
      kind: 'Telemetry',
      metadata: { name: 'mesh-access-logging', namespace: 'istio-system' },
      spec: { accessLogging: [{ providers: [{ name: 'envoy' }] }] },
    });
    expect(renderAccessLogging(model('1.21'), { namespace: 'shop', provider: 'otel', filter: 'response.code >= 500' })).toEqual({
      apiVersion: 'telemetry.istio.io/v1alpha1',
      kind: 'Telemetry',
      metadata: { name: 'access-logging', namespace: 'shop' },
      spec: { accessLogging: [{ providers: [{ name: 'otel' }], filter: { expression: 'response.code >= 500' } }] },
    });
  });
});
