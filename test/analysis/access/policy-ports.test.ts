// The request space covers every port the policies name, not only the declared ones: Istio's
// sidecar and the CNI enforce on any port of the pod.
// AuthorizationPolicy ports: https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
// PeerAuthentication portLevelMtls: https://istio.io/latest/docs/reference/config/security/peer_authentication/
// NetworkPolicy ports and endPort: https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports
import { describe, expect, it } from 'vitest';
import { analyzeAccess } from '../../../src/analysis/access/access-analysis';
import { withPolicyNamedPorts } from '../../../src/analysis/access/policy-ports';
import { policyPortNumbers } from '../../../src/analysis/access/request-classes';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { DEFAULT_MESH_CONFIG } from '../../../src/analysis/config/mesh-config';
import { createEvaluator } from '../../../src/analysis/evaluator/evaluate';
import { NetworkLayer } from '../../../src/analysis/network/network-layer';

/** shop/db declares 5432 only (container port and Service). */
const WORKLOAD = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: db, namespace: shop }
spec:
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      serviceAccountName: db
      containers: [{ name: db, image: postgres, ports: [{ name: postgres, containerPort: 5432 }] }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      serviceAccountName: web
      containers: [{ name: web, image: web, ports: [{ containerPort: 8080 }] }]
`;

const ADMIN_PORT_POLICY = `
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: db-admin, namespace: shop }
spec:
  selector: { matchLabels: { app: db } }
  rules:
  - from: [{ source: { principals: [cluster.local/ns/shop/sa/web] } }]
    to: [{ operation: { ports: ["9187"] } }]
  - to: [{ operation: { notPorts: ["9188"] } }]
    from: [{ source: { namespaces: [ops] } }]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: db, namespace: shop }
spec:
  selector: { matchLabels: { app: db } }
  mtls: { mode: STRICT }
  portLevelMtls: { "9090": { mode: PERMISSIVE } }
`;

const NETWORK_POLICIES = `
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db-ingress, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  ingress:
  - ports: [{ port: 7000, endPort: 7010 }, { port: postgres }, { port: 53, protocol: UDP }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-egress, namespace: shop }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Egress]
  egress:
  - to: [{ podSelector: { matchLabels: { app: db } } }]
    ports: [{ port: 6000 }]
  - to: [{ podSelector: { matchLabels: { app: other } } }]
    ports: [{ port: 6500 }]
`;

function slicePorts(text: string, id: string): number[] {
  const analysis = analyzeAccess([parseConfigText(text)]);
  const d = analysis.destinations.find((x) => x.id === id)!;
  return [...new Set(d.space.slices.map((s) => s.port))];
}

describe('the request space of a workload with declared ports', () => {
  it('includes the ports its AuthorizationPolicies and PeerAuthentication name beside the declared ones', () => {
    expect(slicePorts(WORKLOAD + ADMIN_PORT_POLICY, 'shop/db')).toEqual([5432, 9090, 9187, 9188]);
  });

  it('includes the ports of the NetworkPolicies: ingress rules selecting it, range ends, egress rules whose peers match it', () => {
    // 7000..7010 by its ends; the named port is 5432 (declared); UDP 53 is outside the TCP request space;
    // web's egress names 6000 towards db, 6500 towards other pods only.
    expect(slicePorts(WORKLOAD + NETWORK_POLICIES, 'shop/db')).toEqual([5432, 6000, 7000, 7010]);
    expect(slicePorts(WORKLOAD + NETWORK_POLICIES, 'shop/web')).toEqual([8080]);
  });

  it('decides a rule on an undeclared port: web may reach db on 9187 only through the policy that names it', () => {
    const analysis = analyzeAccess([parseConfigText(WORKLOAD + ADMIN_PORT_POLICY)]);
    const request = (port: number, principal: string) => ({
      protocol: 'TCP' as const,
      source: { principal, namespace: principal.split('/')[2], ip: '10.0.0.1' },
      jwt: null,
      destination: { namespace: 'shop', labels: { app: 'db' }, port },
    });
    expect(analysis.allows(request(9187, 'cluster.local/ns/shop/sa/web'))).toBe(true);
    expect(analysis.allows(request(5432, 'cluster.local/ns/shop/sa/web'))).toBe(false);
  });

  it('leaves a workload whose policies name no other port as declared', () => {
    expect(slicePorts(WORKLOAD, 'shop/db')).toEqual([5432]);
  });
});

describe('withPolicyNamedPorts', () => {
  const before = parseConfigText(WORKLOAD);
  const after = parseConfigText(WORKLOAD + ADMIN_PORT_POLICY);
  const mesh = DEFAULT_MESH_CONFIG;

  it('adds the ports named in any version to every version of the column, as sniffed ports', () => {
    const column = { id: 'shop/db', kind: 'workload' as const, namespace: 'shop', labels: { app: 'db' }, ports: [{ port: 5432, protocol: 'TCP' as const }] };
    const out = withPolicyNamedPorts([column, column], [createEvaluator(before, mesh), createEvaluator(after, mesh)],
      [NetworkLayer.fromConfig(before), NetworkLayer.fromConfig(after)], mesh);
    const expected = [{ port: 5432, protocol: 'TCP' }, { port: 9090, protocol: 'auto' }, { port: 9187, protocol: 'auto' }, { port: 9188, protocol: 'auto' }];
    expect(out.map((d) => d?.ports)).toEqual([expected, expected]);
  });

  it('leaves a column without declared ports alone (its space already holds the named ports and "any other")', () => {
    const column = { id: 'shop/app{app=db}', kind: 'selector' as const, namespace: 'shop', labels: { app: 'db' } };
    const out = withPolicyNamedPorts([column], [createEvaluator(after, mesh)], [NetworkLayer.fromConfig(after)], mesh);
    expect(out[0]).toBe(column);
  });

  it('policyPortNumbers reads ports, notPorts and portLevelMtls keys', () => {
    const wp = createEvaluator(after, mesh).policiesFor('shop', { app: 'db' });
    expect([...policyPortNumbers(wp, mesh)].sort()).toEqual([9090, 9187, 9188]);
  });
});
