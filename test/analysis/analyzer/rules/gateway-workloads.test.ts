// TM_GATEWAY_NO_WORKLOAD (istioctl IST0101 "selector not found") and TM_GATEWAY_PORT_NOT_ON_SERVICE (IST0162):
// gateway.IngressGatewayPortAnalyzer; the default ingress gateway istioctl assumes (local/defaults.go).
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const POSITIVE = 'gateway-workloads/positive.yaml';
const CODES = ['TM_GATEWAY_NO_WORKLOAD', 'TM_GATEWAY_PORT_NOT_ON_SERVICE'];

describe('gateway workloads', () => {
  it('reports a server port the gateway Service does not expose; a selector without pods only with --inventory complete', () => {
    const auto = analyzeFixture(POSITIVE).filter((d) => CODES.includes(d.code));
    expect(auto.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'number: 9443')}`, 'TM_GATEWAY_PORT_NOT_ON_SERVICE', 'warning', 'IST0162'],
    ]);
    expect(auto[0].message).toMatch(/listening on a target port \(port 9443\) that is not defined in the Service associated with its workload instances \(pod selector istio=shop-gateway\)/);
    expect(auto[0].fix).toMatch(/\(80, 443, 8080, 8443\)/);
    const complete = analyzeFixture(POSITIVE, { inventory: 'complete' }).filter((d) => CODES.includes(d.code));
    expect(complete.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'number: 9443')}`, 'TM_GATEWAY_PORT_NOT_ON_SERVICE', 'warning', 'IST0162'],
      [`positive.yaml:${lineOf(POSITIVE, 'selector: {istio: partner-gateway}')}`, 'TM_GATEWAY_NO_WORKLOAD', 'error', 'IST0101'],
    ]);
  });

  it('with --assume-default-ingress, Gateways of istio=ingressgateway run on the assumed pod behind ports 80, 443, 31400 and 15443', () => {
    const file = 'virtual-service-gateways/negative.yaml';
    const found = analyzeFixture(file, { inventory: 'complete', assumeDefaultIngress: true }).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code])).toEqual([
      [`negative.yaml:${lineOf(file, 'number: 8080')}`, 'TM_GATEWAY_PORT_NOT_ON_SERVICE'],
    ]);
    expect(analyzeFixture(file, { inventory: 'complete' }).filter((d) => CODES.includes(d.code)).map((d) => d.code))
      .toEqual(['TM_GATEWAY_NO_WORKLOAD', 'TM_GATEWAY_NO_WORKLOAD']);
  });

  it('stays quiet for ports exposed as targetPort or as port behind a named targetPort', () => {
    expect(analyzeFixture('gateway-workloads/negative.yaml', { inventory: 'complete' }).filter((d) => CODES.includes(d.code))).toEqual([]);
  });
});
