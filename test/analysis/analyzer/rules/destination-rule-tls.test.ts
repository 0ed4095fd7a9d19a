// DestinationRule TLS — Kiali KIA0207/KIA0208 (DISABLE vs STRICT), the ClientTLSSettings zero value
// DISABLE, istioctl IST0128/IST0129 (no caCertificates).
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const MESH = 'destination-rule-tls/mesh-strict.yaml';
const NAMESPACE = 'destination-rule-tls/namespace-strict.yaml';
const NEGATIVE = 'destination-rule-tls/negative.yaml';

describe('DestinationRule TLS', () => {
  it('reports tls: {} (zero value DISABLE) against a STRICT mesh, and SIMPLE/MUTUAL without caCertificates', () => {
    const found = analyzeFixture(MESH);
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`mesh-strict.yaml:${lineOf(MESH, 'tls: {}')}`, 'TM_DESTINATION_RULE_DISABLES_STRICT', 'warning', 'KIA0208'],
      [`mesh-strict.yaml:${lineOf(MESH, 'tls: {}')}`, 'TM_DESTINATION_RULE_TLS_ZERO_VALUE', 'warning', undefined],
      [`mesh-strict.yaml:${lineOf(MESH, 'mode: SIMPLE') - 1}`, 'TM_DESTINATION_RULE_NO_CA', 'warning', 'IST0128'],
      [`mesh-strict.yaml:${lineOf(MESH, 'mode: MUTUAL') - 1}`, 'TM_DESTINATION_RULE_NO_CA', 'warning', 'IST0129'],
    ]);
    expect(found[0].message).toMatch(/implies mode DISABLE: clients send plaintext to reviews\.bookinfo, but PeerAuthentication istio-system\/default requires STRICT mTLS there \(mesh level\)/);
    expect(found[1].message).toMatch(/the zero value is DISABLE/);
    expect(found[3].message).toMatch(/port 8443/);
  });

  it('knows sidecar-less destinations: no finding when every selected pod opts out of injection, an error when it has a sidecar', () => {
    const file = 'destination-rule-tls/without-sidecar.yaml';
    const found = analyzeFixture(file).filter((d) => d.code === 'TM_DESTINATION_RULE_DISABLES_STRICT');
    expect(found.map((d) => [where(d), d.severity])).toEqual([[`without-sidecar.yaml:${lineOf(file, 'mode: DISABLE', 2)}`, 'error']]);
    expect(found[0].message).toMatch(/orders-plaintext.*every connection is refused$/);
  });

  it('is a warning in auto inventory when the destination\'s workloads are not in the input (it may run without a sidecar), an error with complete', () => {
    const auto = analyzeFixture(MESH).find((d) => d.code === 'TM_DESTINATION_RULE_DISABLES_STRICT');
    expect(auto?.severity).toBe('warning');
    expect(auto?.message).toMatch(/unless its workloads run without a sidecar \(the input holds none of them\)/);
    expect(analyzeFixture(MESH, { inventory: 'complete' }).find((d) => d.code === 'TM_DESTINATION_RULE_DISABLES_STRICT')?.severity).toBe('error');
  });

  it('reports DISABLE on a Service port whose target port is STRICT at namespace level (KIA0207)', () => {
    const found = analyzeFixture(NAMESPACE);
    expect(found.map((d) => [where(d), d.code, d.upstreamCode])).toEqual([
      [`namespace-strict.yaml:${lineOf(NAMESPACE, 'mode: DISABLE')}`, 'TM_DESTINATION_RULE_DISABLES_STRICT', 'KIA0207'],
    ]);
    expect(found[0].message).toMatch(/PeerAuthentication foo\/default requires STRICT mTLS there \(namespace level\)/);
  });

  it('stays quiet for ISTIO_MUTUAL, DISABLE to PERMISSIVE or external hosts, and verified TLS', () => {
    expect(analyzeFixture(NEGATIVE)).toEqual([]);
  });
});

describe('DestinationRule TLS: the Kubernetes API server exception', () => {
  it('does not flag DISABLE towards kubernetes.default.svc in a STRICT mesh (the API server has no sidecar)', async () => {
    const { analyze } = await import('../../../../src/analysis/analyzer/analyzer');
    const { parseConfigText } = await import('../../../../src/analysis/config/load-config');
    const yaml = (host: string): string => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: istio-system }
spec: { mtls: { mode: STRICT } }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: api-server, namespace: istio-system }
spec: { host: ${host}, trafficPolicy: { tls: { mode: DISABLE } } }
`;
    expect(analyze(parseConfigText(yaml('kubernetes.default.svc.cluster.local'), 'a.yaml')).map((d) => d.code)).toEqual([]);
    expect(analyze(parseConfigText(yaml('api.default.svc.cluster.local'), 'b.yaml')).map((d) => d.code)).toEqual(['TM_DESTINATION_RULE_DISABLES_STRICT']);
  });
});
