// TM_GATEWAY_CREDENTIAL_NOT_FOUND (istioctl IST0101), TM_GATEWAY_CREDENTIAL_INVALID (IST0161),
// TM_GATEWAY_MUTUAL_WITHOUT_CLIENT_CA.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const POSITIVE = 'gateway-credentials/positive.yaml';
const CODES = ['TM_GATEWAY_CREDENTIAL_NOT_FOUND', 'TM_GATEWAY_CREDENTIAL_INVALID', 'TM_GATEWAY_MUTUAL_WITHOUT_CLIENT_CA'];

describe('gateway credentials', () => {
  it('looks for credentials where the gateway pods run (istio-ingress), not where the Gateway object is', () => {
    const found = analyzeFixture(POSITIVE).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'credentialName: shop-credential')}`, 'TM_GATEWAY_CREDENTIAL_NOT_FOUND', 'warning', 'IST0101'],
      [`positive.yaml:${lineOf(POSITIVE, 'credentialName: broken')}`, 'TM_GATEWAY_CREDENTIAL_INVALID', 'error', 'IST0161'],
      [`positive.yaml:${lineOf(POSITIVE, 'credentialName: partners')}`, 'TM_GATEWAY_MUTUAL_WITHOUT_CLIENT_CA', 'error', undefined],
    ]);
    expect(found[0].message).toMatch(/"shop-credential" is not a Secret in namespace istio-ingress, where the gateway pods run/);
    expect(found[0].fix).toMatch(/trustmesh ca issue gateway --name shop-credential --host shop\.example\.com/);
  });

  it('is an error with a complete inventory', () => {
    const found = analyzeFixture(POSITIVE, { inventory: 'complete' }).filter((d) => d.code === 'TM_GATEWAY_CREDENTIAL_NOT_FOUND');
    expect(found.map((d) => d.severity)).toEqual(['error']);
  });

  it('claims nothing about namespaces whose Secrets the input does not show, unless the inventory is complete', () => {
    expect(analyzeFixture('gateway-credentials/no-secrets.yaml').filter((d) => CODES.includes(d.code))).toEqual([]);
    expect(analyzeFixture('gateway-credentials/no-secrets.yaml', { inventory: 'complete' }).filter((d) => CODES.includes(d.code)).map((d) => d.code))
      .toEqual(['TM_GATEWAY_CREDENTIAL_NOT_FOUND']);
    expect(analyzeFixture(POSITIVE, { inventory: 'none' }).filter((d) => CODES.includes(d.code))).toEqual([]);
  });

  it('stays quiet for tls.crt/tls.key and cert/key layouts, ca.crt, a <name>-cacert Secret and PASSTHROUGH', () => {
    expect(analyzeFixture('gateway-credentials/negative.yaml').filter((d) => CODES.includes(d.code))).toEqual([]);
  });
});
