// The syntax istiod's webhook is built from: Go's net/netip (ParseAddr, ParsePrefix), Go's
// time.ParseDuration with agent.ValidateDuration, and pkg/config/validation/agent's host rules.
import { describe, expect, it } from 'vitest';
import { parseGoDuration, durationReason } from '../../../src/validate/webhook/go-duration';
import { isGoIp, parseGoPrefix } from '../../../src/validate/webhook/go-net';
import {
  fqdnReason, ipSubnetReason, isWildcardDnsLabel, labelReasons, namespaceSlashHostReasons, parseProtocol, partialWildcardReason, wildcardDomainReason,
} from '../../../src/validate/webhook/istio-syntax';

describe('netip.ParseAddr / ParsePrefix', () => {
  it.each(['10.0.0.1', '0.0.0.0', '255.255.255.255', '::', '::1', '2001:db8::1', '001:db8::', 'fe80::1%eth0', '::ffff:10.0.0.1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:1.2.3.4'])(
    'accepts %s', (ip) => expect(isGoIp(ip)).toBe(true));
  it.each(['010.0.0.1', '10.0.0', '10.0.0.256', '1.2.3.4.5', '.1.2.3', '1..2.3', '2001:db8::1::', '1:2:3:4:5:6:7:8:9', '12345::', ':1', '1:',
    '1:2:3:4:5:6:7:8::', 'fe80::1%', '%eth0', 'localhost', '', ' 10.0.0.1', '1:2:3:4:5:6:7:1.2.3.4'])(
    'refuses %j', (ip) => expect(isGoIp(ip)).toBe(false));

  it('takes prefixes without zones and without a leading zero in the length', () => {
    expect(parseGoPrefix('10.0.0.0/8')).toMatchObject({ ok: true, value: { version: 4, bits: 8 } });
    // Host bits may be set: ParsePrefix does not mask.
    expect(parseGoPrefix('10.0.0.1/24').ok).toBe(true);
    expect(parseGoPrefix('2001:db8::/32')).toMatchObject({ ok: true, value: { version: 6, bits: 32 } });
    expect(parseGoPrefix('10.0.0.0/08')).toEqual({ ok: false, reason: 'bad bits after slash: "08"' });
    expect(parseGoPrefix('10.0.0.0/33')).toEqual({ ok: false, reason: 'prefix length out of range' });
    expect(parseGoPrefix('fe80::/10%eth0').ok).toBe(false);
    expect(parseGoPrefix('fe80::%eth0/10')).toEqual({ ok: false, reason: 'IPv6 zones cannot be present in a prefix' });
  });
});

describe('time.ParseDuration and agent.ValidateDuration', () => {
  it('parses Go durations to nanoseconds', () => {
    expect(parseGoDuration('1.5h')).toBe(5_400_000_000_000n);
    expect(parseGoDuration('2h45m30.5s')).toBe(9_930_500_000_000n);
    expect(parseGoDuration('300ms')).toBe(300_000_000n);
    expect(parseGoDuration('-1s')).toBe(-1_000_000_000n);
    expect(parseGoDuration('0')).toBe(0n);
    expect(parseGoDuration('1')).toBeUndefined();
    expect(parseGoDuration('1d')).toBeUndefined();
    expect(parseGoDuration('.s')).toBeUndefined();
  });

  it('requires whole milliseconds, and at least 1ms only when asked (the CRD has a CEL rule for that)', () => {
    expect(durationReason('1.5s')).toBeUndefined();
    expect(durationReason('1500us')).toMatch(/only durations to ms precision/);
    expect(durationReason('0.5ms')).toBeUndefined();
    expect(durationReason('0.5ms', { minimum: true })).toMatch(/greater than 1ms/);
    expect(durationReason('not a duration')).toBeUndefined();
  });
});

describe('agent host and name rules', () => {
  it('ValidateWildcardDomain: a wildcard only in the first label, no all-numeric top-level domain', () => {
    expect(wildcardDomainReason('*.example.com')).toBeUndefined();
    expect(wildcardDomainReason('*bar.com')).toBeUndefined();
    expect(wildcardDomainReason('reviews')).toBeUndefined();
    expect(wildcardDomainReason('Reviews.Example.COM')).toBeUndefined();
    expect(wildcardDomainReason('a.*.com')).toMatch(/label "\*" invalid/);
    expect(wildcardDomainReason('1.2.3.4')).toMatch(/top level domain "4" cannot be all-numeric/);
    expect(wildcardDomainReason('')).toBe('empty domain name not allowed');
    expect(isWildcardDnsLabel('*-foo')).toBe(true);
    expect(fqdnReason('istio.io.')).toBeUndefined();
  });

  it('ValidatePartialWildCard: "*" alone or as "*." only', () => {
    expect(partialWildcardReason('*')).toBeUndefined();
    expect(partialWildcardReason('*.bar.com')).toBeUndefined();
    expect(partialWildcardReason('*bar.com')).toBe('partial wildcard "*bar.com" not allowed');
  });

  it('ValidateNamespaceSlashWildcardHostname: gateway and sidecar hosts', () => {
    expect(namespaceSlashHostReasons('*/foo.example.com', true)).toEqual([]);
    expect(namespaceSlashHostReasons('./*', false)).toEqual([]);
    expect(namespaceSlashHostReasons('~/*', false)).toEqual([]);
    // A gateway also takes an IP address; a short name never.
    expect(namespaceSlashHostReasons('10.0.0.1', true)).toEqual([]);
    expect(namespaceSlashHostReasons('ns/10.0.0.1', false)).toEqual(['domain name "0.0.1" invalid (top level domain "1" cannot be all-numeric)']);
    expect(namespaceSlashHostReasons('reviews', true)).toEqual(['short names (non FQDN) are not allowed']);
    expect(namespaceSlashHostReasons('~/foo.com', true)).toEqual(['invalid namespace value "~" in gateway']);
    expect(namespaceSlashHostReasons('foo.com', false)).toEqual(['host must be of form namespace/dnsName']);
    expect(namespaceSlashHostReasons('ns/*bar.com', false)).toEqual(['partial wildcard "*bar.com" not allowed']);
  });

  it('ValidateIPSubnet, labels.Instance.Validate and protocol.Parse', () => {
    expect(ipSubnetReason('10.0.0.0/8')).toBeUndefined();
    expect(ipSubnetReason('10.0.0.0/8/9')).toBe('10.0.0.0/8/9 is not a valid IP');
    expect(ipSubnetReason('10.0.0.0/40')).toBe('10.0.0.0/40 is not a valid CIDR block');
    expect(labelReasons({ 'app.kubernetes.io/name': 'web', 'version': '' })).toEqual([]);
    expect(labelReasons({ 'a b': 'c', 'd': 'e f' })).toEqual(['invalid tag key: "a b"', 'invalid tag value: "e f"']);
    expect(parseProtocol('grpc-web')).toBe('GRPC-Web');
    expect(parseProtocol('SMTP')).toBe('Unsupported');
  });
});
