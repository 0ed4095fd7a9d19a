// The NetworkPolicy layer, rule by rule, from the Kubernetes documentation:
// https://kubernetes.io/docs/concepts/services-networking/network-policies/
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/analysis/config/load-config';
import { NetworkConnection, NetworkLayer, NetworkPod } from '../../../src/analysis/network/network-layer';

function layer(yaml: string): NetworkLayer {
  const l = NetworkLayer.fromConfig(parseConfigText(yaml, 'netpol.yaml'));
  expect(l.diagnostics).toEqual([]);
  return l;
}

const DB: NetworkPod = { namespace: 'shop', labels: { app: 'db' }, ports: [{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }] };
const WEB: NetworkPod = { namespace: 'shop', labels: { app: 'web' } };
const OTHER_NS_WEB: NetworkPod = { namespace: 'dev', labels: { app: 'web' } };

function conn(source: NetworkPod | string, destination: NetworkPod | string, port = 5432, protocol?: 'TCP' | 'UDP' | 'SCTP'): NetworkConnection {
  const end = (e: NetworkPod | string): NetworkConnection['source'] => (typeof e === 'string' ? { ip: e } : { pod: e });
  return { source: end(source), destination: end(destination), port, ...(protocol ? { protocol } : {}) };
}

const DEFAULT_DENY_INGRESS = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: shop }
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

describe('NetworkPolicy isolation (docs: "The two sorts of pod isolation")', () => {
  it('allows every connection when no policy selects either pod', () => {
    const d = layer('apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n').decide(conn(WEB, DB));
    expect(d.allowed).toBe(true);
    expect(d.explanation).toBe('egress allowed: no NetworkPolicy selects the source pod for egress; ingress allowed: no NetworkPolicy selects the destination pod for ingress');
  });

  it('denies ingress to every pod of the namespace under a default-deny ingress policy and names it', () => {
    const d = layer(DEFAULT_DENY_INGRESS).decide(conn(WEB, DB));
    expect(d.allowed).toBe(false);
    expect(d.ingress.isolated).toBe(true);
    expect(d.egress.allowed).toBe(true);
    expect(d.explanation).toBe('denied by NetworkPolicy shop/default-deny (no ingress rule admits port 5432)');
  });

  it('leaves egress open under an ingress-only default deny, and pods of other namespaces unaffected', () => {
    const l = layer(DEFAULT_DENY_INGRESS);
    expect(l.decide(conn(DB, OTHER_NS_WEB)).allowed).toBe(true);
  });

  it('denies egress under a default-deny egress policy, even to an unisolated destination', () => {
    const l = layer(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny-egress, namespace: shop }
spec: { podSelector: {}, policyTypes: [Egress] }
`);
    const d = l.decide(conn(WEB, '93.184.216.34', 443));
    expect(d.allowed).toBe(false);
    expect(d.explanation).toBe('denied by NetworkPolicy shop/default-deny-egress (no egress rule admits port 443)');
  });

  it('allows all ingress with one empty rule ("allow all ingress traffic")', () => {
    const l = layer(`${DEFAULT_DENY_INGRESS}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-all-ingress, namespace: shop }
spec: { podSelector: {}, ingress: [{}], policyTypes: [Ingress] }
`);
    const d = l.decide(conn('203.0.113.9', DB, 1));
    expect(d.allowed).toBe(true);
    expect(d.ingress.admittedBy).toEqual({ policy: 'shop/allow-all-ingress', rule: 0 });
  });

  it('defaults policyTypes to Ingress, plus Egress only when the policy has egress rules', () => {
    const l = layer(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: only-ingress, namespace: shop }
spec: { podSelector: { matchLabels: { app: web } }, ingress: [] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: with-egress, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  egress: [{ ports: [{ port: 53, protocol: UDP }] }]
`);
    expect(l.policies.map((p) => p.policyTypes)).toEqual([['Ingress'], ['Ingress', 'Egress']]);
    expect(l.decide(conn(WEB, '198.51.100.1', 80)).allowed).toBe(true);
    expect(l.decide(conn(DB, '198.51.100.1', 80)).explanation).toContain('denied by NetworkPolicy shop/with-egress (no egress rule admits port 80)');
    expect(l.decide(conn(DB, '198.51.100.1', 53, 'UDP')).egress.allowed).toBe(true);
  });

  it('requires both the egress of the source and the ingress of the destination', () => {
    const l = layer(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-out, namespace: shop }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Egress]
  egress: [{ to: [{ podSelector: { matchLabels: { app: db } } }] }]
---
${DEFAULT_DENY_INGRESS}`);
    const d = l.decide(conn(WEB, DB));
    expect(d.egress.allowed).toBe(true);
    expect(d.ingress.allowed).toBe(false);
    expect(d.allowed).toBe(false);
  });

  it('adds up policies: a connection any selecting policy admits is allowed', () => {
    const l = layer(`${DEFAULT_DENY_INGRESS}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-to-db, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }], ports: [{ port: 5432 }] }]
`);
    const d = l.decide(conn(WEB, DB));
    expect(d.allowed).toBe(true);
    expect(d.ingress.policies).toEqual(['shop/default-deny', 'shop/web-to-db']);
    expect(d.explanation).toBe('egress allowed: no NetworkPolicy selects the source pod for egress; ingress allowed by NetworkPolicy shop/web-to-db rule 0');
    expect(l.decide(conn(WEB, DB, 5433)).explanation).toBe('denied by NetworkPolicies shop/default-deny, shop/web-to-db (no ingress rule admits port 5433)');
  });
});

describe('NetworkPolicy peers (docs: "Behavior of to and from selectors")', () => {
  const ns = (name: string, labels: string): string => `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${name}, labels: { ${labels} } }\n---\n`;
  const policy = (from: string): string => `${ns('dev', 'user: alice')}${ns('prod', 'user: bob')}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  ingress: [{ from: ${from} }]
`;
  const aliceClient: NetworkPod = { namespace: 'dev', labels: { role: 'client' } };
  const aliceOther: NetworkPod = { namespace: 'dev', labels: { role: 'other' } };
  const bobClient: NetworkPod = { namespace: 'prod', labels: { role: 'client' } };
  const shopClient: NetworkPod = { namespace: 'shop', labels: { role: 'client' } };

  it('podSelector alone selects pods in the policy\'s own namespace only', () => {
    const l = layer(policy('[{ podSelector: { matchLabels: { role: client } } }]'));
    expect(l.decide(conn(shopClient, DB)).allowed).toBe(true);
    expect(l.decide(conn(aliceClient, DB)).allowed).toBe(false);
    expect(l.decide(conn(aliceClient, DB)).explanation).toBe('denied by NetworkPolicy shop/db (no ingress rule admits the source dev/pod{role=client} on port 5432)');
  });

  it('namespaceSelector alone selects every pod of the selected namespaces', () => {
    const l = layer(policy('[{ namespaceSelector: { matchLabels: { user: alice } } }]'));
    expect(l.decide(conn(aliceOther, DB)).allowed).toBe(true);
    expect(l.decide(conn(bobClient, DB)).allowed).toBe(false);
  });

  it('namespaceSelector and podSelector in one element select those pods in those namespaces (AND)', () => {
    const l = layer(policy('[{ namespaceSelector: { matchLabels: { user: alice } }, podSelector: { matchLabels: { role: client } } }]'));
    expect(l.decide(conn(aliceClient, DB)).allowed).toBe(true);
    expect(l.decide(conn(aliceOther, DB)).allowed).toBe(false);
    expect(l.decide(conn(shopClient, DB)).allowed).toBe(false);
  });

  it('namespaceSelector and podSelector as two elements select either (OR)', () => {
    const l = layer(policy('[{ namespaceSelector: { matchLabels: { user: alice } } }, { podSelector: { matchLabels: { role: client } } }]'));
    expect(l.decide(conn(aliceOther, DB)).allowed).toBe(true);
    expect(l.decide(conn(shopClient, DB)).allowed).toBe(true);
    expect(l.decide(conn(bobClient, DB)).allowed).toBe(false);
  });

  it('targets a namespace by name with the automatic kubernetes.io/metadata.name label', () => {
    const l = layer(policy('[{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: prod } } }]'));
    expect(l.decide(conn(bobClient, DB)).allowed).toBe(true);
    expect(l.decide(conn(aliceClient, DB)).allowed).toBe(false);
  });

  it('an empty namespaceSelector selects pods of every namespace', () => {
    const l = layer(policy('[{ namespaceSelector: {}, podSelector: { matchLabels: { role: client } } }]'));
    expect(l.decide(conn(bobClient, DB)).allowed).toBe(true);
    expect(l.decide(conn(aliceOther, DB)).allowed).toBe(false);
  });

  it('matches matchExpressions In, NotIn, Exists and DoesNotExist', () => {
    const l = layer(policy(`[{ namespaceSelector: {}, podSelector: { matchExpressions: [
      { key: role, operator: In, values: [client, admin] },
      { key: tier, operator: NotIn, values: [frontend] },
      { key: team, operator: Exists },
      { key: canary, operator: DoesNotExist } ] } }]`));
    const pod = (labels: Record<string, string>): NetworkPod => ({ namespace: 'dev', labels });
    expect(l.decide(conn(pod({ role: 'admin', team: 'a' }), DB)).allowed).toBe(true);
    expect(l.decide(conn(pod({ role: 'admin', team: 'a', tier: 'backend' }), DB)).allowed).toBe(true);
    expect(l.decide(conn(pod({ role: 'viewer', team: 'a' }), DB)).allowed).toBe(false);
    expect(l.decide(conn(pod({ role: 'admin', team: 'a', tier: 'frontend' }), DB)).allowed).toBe(false);
    expect(l.decide(conn(pod({ role: 'admin' }), DB)).allowed).toBe(false);
    expect(l.decide(conn(pod({ role: 'admin', team: 'a', canary: '' }), DB)).allowed).toBe(false);
  });

  it('ipBlock admits addresses in cidr except the except ranges, and never a pod without an address', () => {
    const l = layer(policy('[{ ipBlock: { cidr: 172.17.0.0/16, except: [172.17.1.0/24] } }]'));
    expect(l.decide(conn('172.17.0.5', DB)).allowed).toBe(true);
    expect(l.decide(conn('172.17.1.5', DB)).allowed).toBe(false);
    expect(l.decide(conn('10.0.0.1', DB)).allowed).toBe(false);
    expect(l.decide(conn(shopClient, DB)).allowed).toBe(false);
    expect(l.decide({ source: { pod: shopClient, ip: '172.17.0.9' }, destination: { pod: DB }, port: 5432 }).allowed).toBe(true);
  });
});

describe('NetworkPolicy ports (docs: "Targeting a range of ports", named ports)', () => {
  const policy = (ports: string): string => `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  ingress: [{ ports: ${ports} }]
`;

  it('matches the protocol, TCP by default', () => {
    const l = layer(policy('[{ port: 5432 }, { protocol: UDP, port: 53 }]'));
    expect(l.decide(conn(WEB, DB, 5432)).allowed).toBe(true);
    expect(l.decide(conn(WEB, DB, 5432, 'UDP')).allowed).toBe(false);
    expect(l.decide(conn(WEB, DB, 53, 'UDP')).allowed).toBe(true);
    expect(l.decide(conn(WEB, DB, 53)).allowed).toBe(false);
  });

  it('admits port..endPort inclusive', () => {
    const l = layer(policy('[{ protocol: TCP, port: 32000, endPort: 32768 }]'));
    expect([31999, 32000, 32500, 32768, 32769].map((p) => l.decide(conn(WEB, DB, p)).allowed)).toEqual([false, true, true, true, false]);
  });

  it('admits every port of the protocol when an entry has no port', () => {
    const l = layer(policy('[{ protocol: TCP }]'));
    expect(l.decide(conn(WEB, DB, 40000)).allowed).toBe(true);
  });

  it('resolves a named port against the destination pod\'s container ports', () => {
    const l = layer(policy('[{ port: postgres }]'));
    expect(l.decide(conn(WEB, DB, 5432)).allowed).toBe(true);
    expect(l.decide(conn(WEB, DB, 5433)).allowed).toBe(false);
    expect(l.decide(conn(WEB, { ...DB, ports: undefined }, 5432)).allowed).toBe(false);
  });
});
