// TM_VIRTUAL_SERVICE_MESH_HOST_CONFLICT (istioctl IST0109): virtualservice.ConflictingMeshGatewayHostsAnalyzer.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, analyzeFixtureText, lineOf, where, withCode } from './fixture';

const POSITIVE = 'virtual-service-mesh-hosts/positive.yaml';

describe('TM_VIRTUAL_SERVICE_MESH_HOST_CONFLICT', () => {
  it('reports every mesh VirtualService of a shared host once, also across exportTo scopes and wildcards', () => {
    const found = withCode(analyzeFixture(POSITIVE), 'TM_VIRTUAL_SERVICE_MESH_HOST_CONFLICT');
    expect(found.map((d) => [where(d), d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'name: ratings,')}`, 'error', 'IST0109'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: ratings-retries,')}`, 'error', 'IST0109'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: reviews-local,')}`, 'error', 'IST0109'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: reviews-all,')}`, 'error', 'IST0109'],
    ]);
    expect(found[0].message).toMatch(/the VirtualServices shop\/ratings,shop\/ratings-retries associated with the mesh gateway define the same host \*\/ratings\.shop\.svc\.cluster\.local/);
    expect(found[2].message).toMatch(/shop\/reviews-local,team-a\/reviews-all .* same host shop\/reviews\.shop\.svc\.cluster\.local/);
  });

  it('stays quiet for different hosts, gateway-only VirtualServices, disjoint exportTo scopes and one VirtualService written twice', () => {
    expect(withCode(analyzeFixtureText('virtual-service-mesh-hosts/negative.yaml'), 'TM_VIRTUAL_SERVICE_MESH_HOST_CONFLICT')).toEqual([]);
  });
});
