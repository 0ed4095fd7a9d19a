// TM_GATEWAY_CREDENTIAL_NOT_FOUND (istioctl IST0101), TM_GATEWAY_CREDENTIAL_INVALID (IST0161: keys,
// X.509 parse, validity period, key pair — gateway/secret.go with pilot's ExtractCertInfo and
// ValidateCertificate), TM_GATEWAY_MUTUAL_WITHOUT_CLIENT_CA.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { analyzeFixture, lineOf, where } from './fixture';

const POSITIVE = 'gateway-credentials/positive.yaml';
const PODS_UNKNOWN = 'gateway-credentials/pods-unknown.yaml';
const CODES = ['TM_GATEWAY_CREDENTIAL_NOT_FOUND', 'TM_GATEWAY_CREDENTIAL_INVALID', 'TM_GATEWAY_MUTUAL_WITHOUT_CLIENT_CA', 'TM_GATEWAY_NO_WORKLOAD'];

describe('gateway credentials', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('looks for credentials where the gateway pods run (istio-ingress), and parses the certificate and key', () => {
    const found = analyzeFixture(POSITIVE).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.severity, d.upstreamCode])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'credentialName: shop-credential')}`, 'TM_GATEWAY_CREDENTIAL_NOT_FOUND', 'warning', 'IST0101'],
      [`positive.yaml:${lineOf(POSITIVE, 'credentialName: broken')}`, 'TM_GATEWAY_CREDENTIAL_INVALID', 'error', 'IST0161'],
      [`positive.yaml:${lineOf(POSITIVE, 'credentialName: partners')}`, 'TM_GATEWAY_MUTUAL_WITHOUT_CLIENT_CA', 'error', undefined],
      [`positive.yaml:${lineOf(POSITIVE, 'credentialName: not-pem')}`, 'TM_GATEWAY_CREDENTIAL_INVALID', 'error', 'IST0161'],
      [`positive.yaml:${lineOf(POSITIVE, 'credentialName: expired')}`, 'TM_GATEWAY_CREDENTIAL_INVALID', 'error', 'IST0161'],
      [`positive.yaml:${lineOf(POSITIVE, 'credentialName: not-yet-valid')}`, 'TM_GATEWAY_CREDENTIAL_INVALID', 'error', 'IST0161'],
      [`positive.yaml:${lineOf(POSITIVE, 'credentialName: wrong-key')}`, 'TM_GATEWAY_CREDENTIAL_INVALID', 'error', 'IST0161'],
    ]);
    expect(found[0].message).toMatch(/"shop-credential" is not a Secret in namespace istio-ingress, where the gateway pods run/);
    expect(found[0].fix).toMatch(/trustmesh ca issue gateway --name shop-credential --host shop\.example\.com/);
    expect(found[1].message).toMatch(/Secret istio-ingress\/broken: it has neither tls\.crt\/tls\.key nor cert\/key \(found: certificate\)/);
    expect(found[3].message).toMatch(/tls\.crt holds no PEM block/);
    expect(found[4].message).toMatch(/the certificate CN=old\.example\.com expired on 2001-01-01T00:00:00\.000Z/);
    expect(found[5].message).toMatch(/CN=future\.example\.com is not valid before 2110-01-01/);
    expect(found[6].message).toMatch(/tls\.key is not the private key of the certificate CN=shop\.example\.com/);
  });

  it('judges validity at the current time: a certificate valid until 2120 has expired in 2121', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2121-01-01T00:00:00Z'));
    const found = analyzeFixture('gateway-credentials/negative.yaml').filter((d) => d.code === 'TM_GATEWAY_CREDENTIAL_INVALID');
    expect(found.map((d) => d.message)).toEqual([
      expect.stringMatching(/Secret istio-system\/shop: the certificate CN=shop\.example\.com expired on 2120-01-01/),
      expect.stringMatching(/Secret istio-system\/generic: the certificate CN=shop\.example\.com expired/),
    ]);
  });

  it('is an error with a complete inventory', () => {
    const found = analyzeFixture(POSITIVE, { inventory: 'complete' }).filter((d) => d.code === 'TM_GATEWAY_CREDENTIAL_NOT_FOUND');
    expect(found.map((d) => d.severity)).toEqual(['error']);
  });

  it('claims nothing about namespaces whose Secrets the input does not show', () => {
    expect(analyzeFixture('gateway-credentials/no-secrets.yaml').filter((d) => CODES.includes(d.code))).toEqual([]);
    expect(analyzeFixture(POSITIVE, { inventory: 'none' }).filter((d) => CODES.includes(d.code))).toEqual([]);
  });

  it('without gateway pods and a complete inventory, reports the selector (IST0101) instead of a credential "missing where the pods run"', () => {
    for (const file of ['gateway-credentials/no-secrets.yaml', PODS_UNKNOWN]) {
      const found = analyzeFixture(file, { inventory: 'complete' }).filter((d) => CODES.includes(d.code));
      expect(found.map((d) => [d.code, d.upstreamCode, d.location?.field])).toEqual([['TM_GATEWAY_NO_WORKLOAD', 'IST0101', 'spec.selector.istio']]);
    }
  });

  it('without gateway pods and the inferred inventory, takes the Secret wherever the input has it, and reports only a name found nowhere', () => {
    const found = analyzeFixture(PODS_UNKNOWN).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.severity])).toEqual([
      [`pods-unknown.yaml:${lineOf(PODS_UNKNOWN, 'credentialName: nowhere-credential')}`, 'TM_GATEWAY_CREDENTIAL_NOT_FOUND', 'warning'],
    ]);
    expect(found[0].message).toMatch(/"nowhere-credential" is not a Secret in the input: none in namespace default \(the Gateway's; the input has no pod matching its selector/);
    expect(found[0].message).not.toMatch(/where the gateway pods run/);
  });

  it('with --assume-default-ingress, the gateway runs in istio-system, where the Secret is', () => {
    const found = analyzeFixture(PODS_UNKNOWN, { inventory: 'complete', assumeDefaultIngress: true }).filter((d) => CODES.includes(d.code));
    expect(found.map((d) => [where(d), d.code, d.message.match(/in namespace \S+/)?.[0]])).toEqual([
      [`pods-unknown.yaml:${lineOf(PODS_UNKNOWN, 'credentialName: nowhere-credential')}`, 'TM_GATEWAY_CREDENTIAL_NOT_FOUND', 'in namespace istio-system,'],
    ]);
  });

  it('stays quiet for tls.crt/tls.key and cert/key layouts, ca.crt, a <name>-cacert Secret and PASSTHROUGH', () => {
    expect(analyzeFixture('gateway-credentials/negative.yaml').filter((d) => CODES.includes(d.code))).toEqual([]);
  });
});
