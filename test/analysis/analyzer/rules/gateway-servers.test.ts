// TM_GATEWAY_DUPLICATE_SERVER (istioctl IST0145 / Kiali KIA0301) and TM_GATEWAY_TLS_MODE_MISSING.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, analyzeFixtureText, lineOf, where } from './fixture';
import { catchTrustmesh } from '../../../helpers';

const POSITIVE = 'gateway-servers/positive.yaml';

describe('gateway servers', () => {
  const found = analyzeFixture(POSITIVE).filter((d) => d.code.startsWith('TM_GATEWAY_'));

  it('reports a host served twice on one port of the same pods: KIA0301 within a Gateway, IST0145 across Gateways', () => {
    const d = found.filter((x) => x.code === 'TM_GATEWAY_DUPLICATE_SERVER');
    expect(d.map((x) => [where(x), x.severity, x.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'name: https-again')}`, 'error', 'KIA0301'],
      [`positive.yaml:${lineOf(POSITIVE, 'hosts: [istio-system/shop.example.com]') - 1}`, 'error', 'IST0145'],
    ]);
    expect(d[1].message).toMatch(/serves host shop\.example\.com on port 443, as Gateway istio-system\/shop spec\.servers\[0\] does on the pods istio=ingressgateway/);
  });

  it('reports an HTTPS server whose tls has no mode (zero value PASSTHROUGH) at the tls block', () => {
    const d = found.filter((x) => x.code === 'TM_GATEWAY_TLS_MODE_MISSING');
    expect(d.map((x) => [where(x), x.severity])).toEqual([[`positive.yaml:${lineOf(POSITIVE, 'credentialName: admin') - 1}`, 'warning']]);
    expect(d[0].message).toMatch(/zero value is PASSTHROUGH.*credential admin is unused/);
  });

  it('stays quiet for distinct hosts, ports and pods, explicit modes and plain HTTP', () => {
    expect(analyzeFixtureText('gateway-servers/negative.yaml')).toEqual([]);
    // The fixture defines one Gateway twice: read from paths, that is an input error.
    expect(catchTrustmesh(() => analyzeFixture('gateway-servers/negative.yaml')).code).toBe('TM_DUPLICATE_OBJECT');
  });
});
