// `check` through both layers: the NetworkPolicy verdict on the connection first, then Istio.
// NetworkPolicy rules: https://kubernetes.io/docs/concepts/services-networking/network-policies/
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/analysis/config/load-config';
import { createEvaluator } from '../../../src/analysis/evaluator/evaluate';
import { layeredEvaluator } from '../../../src/analysis/network/layered-evaluator';
import { parseAccessRequest } from '../../../src/semantics/parse-access-request';

const LAYERS = path.join(__dirname, '..', '..', 'fixtures', 'analysis', 'layers');

function tcp(principal: string | null, port = 5432, ip = '10.0.0.1') {
  return parseAccessRequest({
    protocol: 'TCP',
    source: { principal, ip },
    jwt: null,
    destination: { namespace: 'shop', labels: { app: 'db' }, port },
  });
}

describe('layeredEvaluator', () => {
  const config = loadConfig(LAYERS);
  const layered = layeredEvaluator(createEvaluator(config));

  it('allows what both layers allow and reports the NetworkPolicy verdict next to the Istio decision', () => {
    const d = layered.evaluate(tcp('cluster.local/ns/shop/sa/web'));
    expect(d.outcome).toBe('ALLOW');
    expect(d.decidedBy).toEqual([{ kind: 'AuthorizationPolicy', namespace: 'shop', name: 'db', action: 'ALLOW', rule: 0 }]);
    expect(d.network).toEqual({ allowed: true, explanation: 'egress allowed: no NetworkPolicy selects the source pod for egress; ingress allowed by NetworkPolicy shop/web-to-db rule 0' });
  });

  it('refuses at L4 what Istio would allow, naming the NetworkPolicy layer and objects', () => {
    const d = layered.evaluate(tcp('cluster.local/ns/dev/sa/sleep'));
    expect(createEvaluator(config).evaluate(tcp('cluster.local/ns/dev/sa/sleep')).outcome).toBe('ALLOW');
    expect(d).toEqual({
      outcome: 'DENY_CONN',
      allowed: false,
      decidedBy: [
        { kind: 'NetworkPolicy', namespace: 'shop', name: 'default-deny', action: 'Ingress', rule: null },
        { kind: 'NetworkPolicy', namespace: 'shop', name: 'web-to-db', action: 'Ingress', rule: null },
      ],
      explanation: 'denied by NetworkPolicies shop/default-deny, shop/web-to-db (no ingress rule admits the source dev/pod{app=sleep} (10.0.0.1) on port 5432)',
      network: { allowed: false, explanation: 'denied by NetworkPolicies shop/default-deny, shop/web-to-db (no ingress rule admits the source dev/pod{app=sleep} (10.0.0.1) on port 5432)' },
    });
  });

  it('names the port when no ingress rule admits it at all', () => {
    expect(layered.evaluate(tcp('cluster.local/ns/shop/sa/web', 9999)).explanation)
      .toBe('denied by NetworkPolicies shop/default-deny, shop/web-to-db (no ingress rule admits port 9999)');
  });

  it('decides input without NetworkPolicies exactly as the Istio evaluator does', () => {
    const istioOnly = loadConfig([path.join(LAYERS, 'istio.yaml'), path.join(LAYERS, 'workloads.yaml')]);
    const plain = createEvaluator(istioOnly);
    const both = layeredEvaluator(plain);
    for (const r of [tcp('cluster.local/ns/dev/sa/sleep'), tcp(null), tcp('cluster.local/ns/shop/sa/db', 9999)]) {
      expect(both.evaluate(r)).toEqual(plain.evaluate(r));
    }
  });
});

describe('the source\'s Sidecar (outboundTrafficPolicy, egress.hosts, ServiceEntry)', () => {
  const layered = layeredEvaluator(createEvaluator(loadConfig(LAYERS)));
  const withSni = (principal: string, sni: string) => parseAccessRequest({
    protocol: 'TCP',
    source: { principal, ip: '10.0.0.2' },
    jwt: null,
    sni,
    destination: { namespace: 'shop', labels: { app: 'db' }, port: 5432 },
  });

  it('refuses a host outside the registry to a REGISTRY_ONLY source, naming the Sidecar', () => {
    expect(layered.evaluate(withSni('cluster.local/ns/shop/sa/web', 'api.example.com'))).toEqual({
      outcome: 'DENY_CONN',
      allowed: false,
      decidedBy: [{ kind: 'Sidecar', namespace: 'shop', name: 'web-egress', action: 'REGISTRY_ONLY', rule: null }],
      explanation: 'denied by Sidecar shop/web-egress (outboundTrafficPolicy REGISTRY_ONLY: api.example.com is not in the service registry)',
    });
  });

  it('refuses a registered host the Sidecar\'s egress.hosts does not import', () => {
    expect(layered.evaluate(withSni('cluster.local/ns/shop/sa/web', 'maps.example')).explanation)
      .toBe('denied by Sidecar shop/web-egress (outboundTrafficPolicy REGISTRY_ONLY: maps.example is not in its egress.hosts)');
  });

  it('lets registered, imported hosts through to the next layers', () => {
    expect(layered.evaluate(withSni('cluster.local/ns/shop/sa/web', 'db.shop.svc.cluster.local')).outcome).toBe('ALLOW');
    expect(layered.evaluate(withSni('cluster.local/ns/shop/sa/web', 'api.payments.example')).outcome).toBe('ALLOW');
  });

  it('does not restrict a source without a REGISTRY_ONLY Sidecar (mesh default ALLOW_ANY)', () => {
    expect(layered.evaluate(withSni('cluster.local/ns/shop/sa/db', 'api.example.com')).decidedBy[0]?.kind).not.toBe('Sidecar');
  });
});
