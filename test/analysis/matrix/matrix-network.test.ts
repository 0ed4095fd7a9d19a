// The access matrix with Kubernetes NetworkPolicies: both layers per cell.
// NetworkPolicy rules: https://kubernetes.io/docs/concepts/services-networking/network-policies/
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfigText } from '../../../src/analysis/config/load-config';
import { meshConfig } from '../../../src/analysis/config/mesh-config';
import { buildAccessMatrix } from '../../../src/analysis/matrix/matrix';
import { formatMatrix } from '../../../src/analysis/matrix/matrix-format';
import { withNetworkLayer } from '../../../src/analysis/matrix/network-cells';
import { NetworkLayer } from '../../../src/analysis/network/network-layer';
import { OutboundLayer } from '../../../src/analysis/network/sidecar-egress';

const LAYERS = path.join(__dirname, '..', '..', 'fixtures', 'analysis', 'layers');

describe('withNetworkLayer', () => {
  const config = loadConfig(LAYERS);
  const matrix = withNetworkLayer(buildAccessMatrix(config), config, NetworkLayer.fromConfig(config));

  it('adds the L4 verdict to each cell, keeping the Istio verdict', () => {
    expect(matrix.cell('shop/web', 'shop/db')).toMatchObject({ status: 'allowed', network: { status: 'allowed', ports: [5432], summary: 'L4 all ports' } });
    // Istio allows dev/sleep, the NetworkPolicy admits only web's pods: refused in practice.
    expect(matrix.cell('dev/sleep', 'shop/db')).toMatchObject({ status: 'allowed', network: { status: 'denied', ports: [], summary: 'L4 none' } });
  });

  it('regroups sources so that a group shares both layers', () => {
    const db = matrix.columns.find((c) => c.destination.id === 'shop/db')!;
    expect(db.groups.map((g) => [g.sources, g.cell.status, g.cell.network?.summary])).toEqual([
      [['dev/sleep'], 'allowed', 'L4 none'],
      [['shop/db', '*'], 'denied', 'L4 none'],
      [['shop/web'], 'allowed', 'L4 all ports'],
      [['plaintext'], 'denied', 'L4 none'],
    ]);
  });

  it('marks an L4 allow the mesh denies as a finding in markdown, and lists both layers in CSV', () => {
    const md = formatMatrix(matrix, 'markdown');
    expect(md).toContain('| plaintext (no mTLS) | 🔒 mTLS · L4 all ports ⚠️ L4 open, mesh denies | 🔒 mTLS · L4 none | 🔒 mTLS · L4 none |');
    expect(md).toContain('| shop/web | ✅ all · L4 all ports | ✅ all · L4 all ports | ✅ all · L4 none |');
    expect(formatMatrix(matrix, 'csv')).toContain('dev/sleep,allowed; L4 all ports,allowed; L4 none,allowed; L4 none\r\n');
  });

  it('lists the admitted ports of a partial L4 cell, with "any other" for ports no policy names', () => {
    const c = loadConfig([path.join(LAYERS, 'istio.yaml')]);
    const text = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  ingress: [{ ports: [{ port: 5432 }] }]
`;
    const np = NetworkLayer.fromConfig({ ...c, unknown: [...c.unknown, ...parseConfigText(text, 'np.yaml').unknown] });
    const m = withNetworkLayer(buildAccessMatrix(c), c, np);
    expect(m.cell('shop/web', 'shop/db')?.network).toEqual({ status: 'partial', ports: [5432], summary: 'L4 port 5432' });
  });

  it('leaves a matrix without NetworkPolicies as it is', () => {
    const c = loadConfig([path.join(LAYERS, 'istio.yaml'), path.join(LAYERS, 'workloads.yaml')]);
    const plain = buildAccessMatrix(c);
    expect(withNetworkLayer(plain, c, NetworkLayer.fromConfig(c))).toBe(plain);
  });

  it('lists the sources whose Sidecar refuses hosts outside the registry (REGISTRY_ONLY)', () => {
    const m = withNetworkLayer(buildAccessMatrix(config), config, NetworkLayer.fromConfig(config), OutboundLayer.fromConfig(config, meshConfig()));
    expect(m.registryOnly).toEqual([{ source: 'shop/web', decidedBy: 'Sidecar shop/web-egress' }]);
    expect(formatMatrix(m, 'markdown')).toContain('Outbound to hosts outside the service registry (REGISTRY_ONLY): refused for shop/web (Sidecar shop/web-egress);');
    const strict = meshConfig({ raw: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } } });
    const all = withNetworkLayer(buildAccessMatrix(config), config, NetworkLayer.fromConfig(config), OutboundLayer.fromConfig(config, strict));
    expect(all.registryOnly?.map((r) => `${r.source}: ${r.decidedBy}`)).toEqual(['dev/sleep: MeshConfig', 'shop/db: MeshConfig', 'shop/web: Sidecar shop/web-egress']);
  });
});

