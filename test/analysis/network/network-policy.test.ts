// Reading networking.k8s.io/v1 NetworkPolicy: what the API server rejects is a coded error at the
// field's file:line:column (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/).
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { readNetworkPolicies } from '../../../src/analysis/network/network-policy';

function read(spec: string) {
  const yaml = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p, namespace: shop }
spec:
${spec}`;
  return readNetworkPolicies(parseConfigText(yaml, 'np.yaml'));
}

function problems(spec: string): string[] {
  const r = read(spec);
  expect(r.policies).toEqual([]);
  return r.diagnostics.map((d) => `${d.code} ${d.location?.file}:${d.location?.line} ${d.message}`);
}

describe('readNetworkPolicies', () => {
  it('reads a valid policy with its selectors, rules and ports', () => {
    const r = read(`  podSelector: { matchLabels: { app: db } }
  ingress:
  - from: [{ ipBlock: { cidr: 10.0.0.0/8, except: [10.1.0.0/16] } }]
    ports: [{ port: 5432 }, { port: metrics }, { protocol: UDP, port: 1000, endPort: 2000 }]
`);
    expect(r.diagnostics).toEqual([]);
    expect(r.policies).toHaveLength(1);
    const p = r.policies[0];
    expect(p.podSelector.matchLabels).toEqual({ app: 'db' });
    expect(p.policyTypes).toEqual(['Ingress']);
    expect(p.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 5432 }, { protocol: 'TCP', port: 'metrics' }, { protocol: 'UDP', port: 1000, endPort: 2000 }]);
    expect(p.ingress[0].peers?.[0].ipBlock?.except.map((e) => e.raw)).toEqual(['10.1.0.0/16']);
  });

  it('ignores other API groups\' NetworkPolicy kinds (they stay unknown objects)', () => {
    const c = parseConfigText('apiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: { name: x }\nspec: {}\n', 'np.yaml');
    expect(readNetworkPolicies(c).policies).toEqual([]);
  });

  it('reports an unknown field with "Did you mean" at its line', () => {
    const r = read('  podSelector: {}\n  ingres: [{}]\n');
    expect(r.diagnostics.map((d) => [d.code, d.location?.line, d.message, d.fix])).toEqual([
      ['TM_NETWORK_POLICY_INVALID', 6, 'NetworkPolicy shop/p: unknown field "ingres" in spec', 'Did you mean "ingress"? Allowed: podSelector, policyTypes, ingress, egress.'],
    ]);
  });

  it('rejects a bad policyType, a bad operator, and In without values', () => {
    expect(problems(`  podSelector: { matchExpressions: [{ key: a, operator: in, values: [x] }, { key: b, operator: NotIn }] }
  policyTypes: [ingress]
`)).toEqual([
      'TM_NETWORK_POLICY_INVALID np.yaml:5 NetworkPolicy shop/p: spec.podSelector.matchExpressions[0].operator is "in"; allowed: In, NotIn, Exists, DoesNotExist',
      'TM_NETWORK_POLICY_INVALID np.yaml:5 NetworkPolicy shop/p: operator NotIn needs at least one value',
      'TM_NETWORK_POLICY_INVALID np.yaml:6 NetworkPolicy shop/p: spec.policyTypes[0] is "ingress"; allowed: Ingress, Egress',
    ]);
  });

  it('rejects endPort with a named port or below port, and an except outside its cidr', () => {
    expect(problems(`  podSelector: {}
  ingress:
  - ports:
    - { port: http, endPort: 90 }
    - { port: 100, endPort: 90 }
    from:
    - ipBlock: { cidr: 10.0.0.0/16, except: [10.1.0.0/24] }
`)).toEqual([
      'TM_NETWORK_POLICY_INVALID np.yaml:11 NetworkPolicy shop/p: except 10.1.0.0/24 is not inside cidr 10.0.0.0/16',
      'TM_NETWORK_POLICY_INVALID np.yaml:8 NetworkPolicy shop/p: endPort needs a numeric port',
      'TM_NETWORK_POLICY_INVALID np.yaml:9 NetworkPolicy shop/p: endPort 90 is below port 100',
    ]);
  });

  it('rejects a peer with ipBlock and a selector, an empty peer, and a bare address as cidr', () => {
    expect(problems(`  podSelector: {}
  egress:
  - to:
    - { ipBlock: { cidr: 10.0.0.0/8 }, podSelector: {} }
    - {}
    - ipBlock: { cidr: 10.0.0.1 }
`)).toEqual([
      'TM_NETWORK_POLICY_INVALID np.yaml:8 NetworkPolicy shop/p: a peer with ipBlock may not also have podSelector or namespaceSelector',
      'TM_NETWORK_POLICY_INVALID np.yaml:9 NetworkPolicy shop/p: peer spec.egress[0].to[1] names nothing',
      'TM_NETWORK_POLICY_INVALID np.yaml:10 NetworkPolicy shop/p: spec.egress[0].to[2].ipBlock.cidr is "10.0.0.1", not a CIDR block',
    ]);
  });
});
