// TM_DEPLOYMENT_SERVICE_PROTOCOL_CONFLICT (istioctl IST0116) and TM_DEPLOYMENT_SERVICE_TARGET_PORT_CONFLICT
// (IST0137): deployment.MultiServiceAnalyzer.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const POSITIVE = 'deployment-services/positive.yaml';
const CODES = ['TM_DEPLOYMENT_SERVICE_PROTOCOL_CONFLICT', 'TM_DEPLOYMENT_SERVICE_TARGET_PORT_CONFLICT'];

describe('Services of one mesh Deployment', () => {
  it('reports one port with two protocols and one targetPort behind two ports, on the Deployment', () => {
    const found = analyzeFixture(POSITIVE).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'name: dns-cache, namespace')}`, 'TM_DEPLOYMENT_SERVICE_PROTOCOL_CONFLICT', 'warning', 'IST0116'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: catalog, namespace')}`, 'TM_DEPLOYMENT_SERVICE_TARGET_PORT_CONFLICT', 'warning', 'IST0137'],
    ]);
    expect(found[0].message).toMatch(/using port 5353 but different protocols: \[shop\/dns-cache-tcp shop\/dns-cache-udp\] \(TCP, UDP\)/);
    expect(found[1].message).toMatch(/multiple services \[shop\/catalog shop\/catalog-direct\] using targetPort "8080" but different ports: \[80 8080\]/);
  });

  it('stays quiet for agreeing Services, Deployments outside the mesh, other namespaces and selector-less Services', () => {
    expect(analyzeFixture('deployment-services/negative.yaml').filter((d) => CODES.includes(d.code))).toEqual([]);
  });
});
