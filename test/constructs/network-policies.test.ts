// NetworkPolicies mirrored from intentions, rule by rule as the Kubernetes documentation describes them:
// https://kubernetes.io/docs/concepts/services-networking/network-policies/
import { describe, expect, test } from 'vitest';
import { DefaultAccess, EgressPort, HttpMethod, Mesh, NetworkPolicies, Peer, Port } from '../../src';
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
});
