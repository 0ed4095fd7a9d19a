// TM_GATEWAY_DUPLICATE_CERTIFICATE (istioctl IST0138): gateway.CertificateAnalyzer.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, analyzeFixtureText, lineOf, where, withCode } from './fixture';

const POSITIVE = 'gateway-duplicate-certificates/positive.yaml';
const CODE = 'TM_GATEWAY_DUPLICATE_CERTIFICATE';

describe(CODE, () => {
  it('reports Gateways sharing a certificate with a Gateway whose selector contains theirs', () => {
    const found = withCode(analyzeFixture(POSITIVE), CODE);
    expect(found.map((d) => [where(d), d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'name: shop,')}`, 'warning', 'IST0138'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: legacy-a,')}`, 'warning', 'IST0138'],
      [`positive.yaml:${lineOf(POSITIVE, 'name: legacy-b,')}`, 'warning', 'IST0138'],
    ]);
    expect(found[0].message).toMatch(/duplicate certificate in multiple gateways \[istio-system\/shop istio-system\/blog\] \(credentialName wildcard-example-com\) may cause 404s if clients re-use HTTP2 connections/);
  });

  it('stays quiet for different certificates, other gateway pods and one Gateway written twice', () => {
    expect(withCode(analyzeFixtureText('gateway-duplicate-certificates/negative.yaml'), CODE)).toEqual([]);
  });
});
