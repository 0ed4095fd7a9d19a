// NetworkPolicies mirrored from intentions, rule by rule as the Kubernetes documentation describes them:
// https://kubernetes.io/docs/concepts/services-networking/network-policies/
import { describe, expect, test } from 'vitest';
import { DefaultAccess, EgressPort, Enforcement, HttpMethod, Mesh, NetworkPolicies, Peer, Port } from '../../src';
import { MirrorIntentionsOptions } from '../../src/constructs/network-policies';
import { catchTrustmesh, find, manifestsOf, synthErrors, tempApp } from '../helpers';

function shop(options: MirrorIntentionsOptions = {}) {
  const app = tempApp();
  const mesh = new Mesh(app, 'm', { networkPolicies: NetworkPolicies.mirrorIntentions(options) });
  const ns = mesh.addNamespace('shop');
  const web = ns.addService('web', { ports: [Port.http(8080)] });
  const db = ns.addService('db', { ports: [Port.tcp(5432)] });
  const api = ns.addService('api', { ports: [Port.http(80, { targetPort: 8080 }), Port.grpc(9090)] });
  return { app, mesh, ns, web, db, api };
}

function policies(app: ReturnType<typeof tempApp>): Record<string, any>[] {
  return manifestsOf(app).filter((m) => m.kind === 'NetworkPolicy');
}

describe('NetworkPolicies.mirrorIntentions', () => {
  test('emits nothing when the mesh does not opt in', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'm');
    mesh.addNamespace('shop').addService('web', { ports: [Port.http(8080)] });
    expect(policies(app)).toEqual([]);
  });

  test('denies ingress to every pod of a namespace by default ("Default deny all ingress traffic")', () => {
    const { app } = shop();
    expect(find(policies(app), 'NetworkPolicy', 'default-deny-ingress', 'shop')).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny-ingress', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
  });

  test('allows the caller pods to the destination pods on the intention\'s workload ports only', () => {
    const { app, web, api } = shop();
    api.allowFrom(web, { ports: [80], methods: [HttpMethod.GET], paths: ['/items'] });
    expect(find(policies(app), 'NetworkPolicy', 'allow-ingress-to-api', 'shop').spec).toEqual({
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    });
  });

  test('selects callers of another namespace by kubernetes.io/metadata.name, and namespace peers by namespace only', () => {
    const { app, mesh, db } = shop();
    const ops = mesh.addNamespace('ops');
    const backup = ops.addService('backup', { ports: [Port.tcp(9000)] });
    db.allowFrom(backup, { ports: [5432] });
    db.allowFrom(Peer.namespace('monitoring'));
    expect(find(policies(app), 'NetworkPolicy', 'allow-ingress-to-db', 'shop').spec.ingress).toEqual([
      // cdk8s-plus writes "every port" as an empty list, which Kubernetes reads as every port.
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }], ports: [] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } }, podSelector: { matchLabels: { app: 'backup' } } }], ports: [{ port: 5432, protocol: 'TCP' }] },
    ]);
  });

  test('turns ipBlocks peers into ipBlocks, and "anyone" into every pod and every address', () => {
    const { app, web } = shop();
    web.allowFrom(Peer.ipBlocks(['10.0.0.0/8', '192.168.1.7']), { ports: [8080] });
    web.allowFrom(Peer.anyone(), { ports: [8080], paths: ['/health'] });
    const ingress = find(policies(app), 'NetworkPolicy', 'allow-ingress-to-web', 'shop').spec.ingress;
    expect(ingress.map((r: any) => r.from[0])).toEqual([
      { namespaceSelector: {}, podSelector: {} },
      { ipBlock: { cidr: '0.0.0.0/0' } },
      { ipBlock: { cidr: '10.0.0.0/8' } },
      { ipBlock: { cidr: '192.168.1.7/32' } },
      { ipBlock: { cidr: '::/0' } },
    ]);
  });

  test('merges the ports of one caller and leaves a rule without ports open on every port, as the ALLOW is', () => {
    const { app, web, api } = shop();
    api.allowFrom(web, { ports: [80] });
    api.allowFrom(web, { ports: [9090], methods: [HttpMethod.POST] });
    expect(find(policies(app), 'NetworkPolicy', 'allow-ingress-to-api', 'shop').spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080, protocol: 'TCP' }, { port: 9090, protocol: 'TCP' }] },
    ]);
    api.allowFrom(web);
    expect(find(policies(app), 'NetworkPolicy', 'allow-ingress-to-api', 'shop').spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [] },
    ]);
  });

  test('mirrors neither DENY nor dry-run intentions: they allow nothing at L7', () => {
    const { app, web, db } = shop();
    db.denyFrom(web);
    db.allowFrom(web, { enforcement: Enforcement.DRY_RUN });
    expect(find(policies(app), 'NetworkPolicy', 'allow-ingress-to-db', 'shop').spec).toEqual({ podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] });
  });

  test('in a namespace whose default access is ALLOW, a service without ALLOW intentions stays open at L4', () => {
    const app = tempApp();
    const mesh = new Mesh(app, 'm', { networkPolicies: NetworkPolicies.mirrorIntentions() });
    const ns = mesh.addNamespace('legacy', { defaultAccess: DefaultAccess.ALLOW });
    const a = ns.addService('a', { ports: [Port.http(8080)] });
    const b = ns.addService('b', { ports: [Port.http(8080)] });
    b.allowFrom(a);
    const ps = policies(app);
    expect(ps.map((p) => p.metadata.name)).toEqual(['allow-ingress-to-a', 'allow-ingress-to-b']);
    expect(find(ps, 'NetworkPolicy', 'allow-ingress-to-a').spec).toEqual({ podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Ingress'], ingress: [{}] });
    expect(find(ps, 'NetworkPolicy', 'allow-ingress-to-b').spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'a' } } }], ports: [] }]);
  });

  test('admits the ingress gateway pods to the backends it routes to, on the workload port', () => {
    const { app, mesh, api } = shop();
    const gateway = mesh.addIngressGateway('public');
    gateway.addHttpServer({ hosts: ['api.example.com'] });
    gateway.route(api, { port: 80 });
    expect(find(policies(app), 'NetworkPolicy', 'allow-ingress-to-api', 'shop').spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { istio: 'ingressgateway' } } }], ports: [{ port: 8080, protocol: 'TCP' }] },
    ]);
  });

  test('admits kubelet addresses on the sidecar\'s probe ports when declared', () => {
    const { app } = shop({ kubeletIpBlocks: ['10.240.0.0/16'] });
    expect(find(policies(app), 'NetworkPolicy', 'allow-ingress-to-web', 'shop').spec.ingress).toEqual([
      { from: [{ ipBlock: { cidr: '10.240.0.0/16' } }], ports: [{ port: 15020, protocol: 'TCP' }, { port: 15021, protocol: 'TCP' }] },
    ]);
  });

  test('with egress locked down: default deny egress, each caller\'s egress to its destinations, and istiod and DNS for every pod', () => {
    const { app, web, api } = shop({ lockDownEgress: true, externalIpBlocks: { 'api.stripe.com': ['203.0.113.0/24'] } });
    api.allowFrom(web, { ports: [80] });
    web.mesh.allowEgressTo('api.stripe.com', { ports: [EgressPort.https(443)] });
    const ps = policies(app);
    expect(find(ps, 'NetworkPolicy', 'default-deny-egress', 'shop').spec).toEqual({ podSelector: {}, policyTypes: ['Egress'] });
    expect(find(ps, 'NetworkPolicy', 'allow-egress-from-web', 'shop').spec).toEqual({
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    });
    expect(find(ps, 'NetworkPolicy', 'allow-mesh-egress', 'shop').spec.egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'istiod' } } }], ports: [{ port: 15012, protocol: 'TCP' }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] },
      { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443, protocol: 'TCP' }] },
    ]);
  });

  test('with egress locked down, external hosts go through the egress gateway when there is one', () => {
    const { app, mesh } = shop({ lockDownEgress: true, egressGateway: { namespace: 'istio-system', labels: { istio: 'egressgateway' } } });
    mesh.allowEgressTo('api.stripe.com', { ports: [EgressPort.https(443)] });
    expect(find(policies(app), 'NetworkPolicy', 'allow-mesh-egress', 'shop').spec.egress).toContainEqual(
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { istio: 'egressgateway' } } }], ports: [{ port: 443, protocol: 'TCP' }] },
    );
  });

  test('an external host egress lock-down cannot reach is a synth error, never a silent drop', () => {
    const { app, mesh } = shop({ lockDownEgress: true });
    mesh.allowEgressTo('api.stripe.com', { ports: [EgressPort.https(443)] });
    const errors = synthErrors(app);
    expect(errors.map((e) => e.code)).toContain('TM_NETWORK_POLICY_EGRESS_UNRESOLVED');
    expect(errors.find((e) => e.code === 'TM_NETWORK_POLICY_EGRESS_UNRESOLVED')!.message).toMatch(/api\.stripe\.com .*shop/);
  });

  test('refuses an invalid address or an empty pod selection in the options', () => {
    expect(catchTrustmesh(() => NetworkPolicies.mirrorIntentions({ kubeletIpBlocks: ['10.0.0.1/24'] })).code).toBe('TM_INVALID_CIDR');
    expect(catchTrustmesh(() => NetworkPolicies.mirrorIntentions({ dns: { namespace: 'kube-system', labels: {} } })).code).toBe('TM_INVALID_LABEL');
  });

  test('is deterministic: declaration order does not change the output', () => {
    const render = (reverse: boolean) => {
      const { app, web, api, db } = shop({ lockDownEgress: true });
      const steps = [() => api.allowFrom(web, { ports: [80] }), () => db.allowFrom(api), () => db.allowFrom(web, { ports: [5432] })];
      for (const step of reverse ? [...steps].reverse() : steps) step();
      return JSON.stringify(policies(app));
    };
    expect(render(true)).toBe(render(false));
  });
});
