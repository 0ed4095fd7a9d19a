import { describe, expect, test } from 'vitest';
import { parseCidr, parseIp } from '../../src/semantics/ip-match';

describe('ip addresses', () => {
  test('an embedded IPv4 address is accepted only as the last 32 bits of an IPv6 address', () => {
    expect(parseIp('::ffff:1.2.3.4')?.version).toBe(6);
    expect(parseIp('64:ff9b::192.0.2.33')?.version).toBe(6);
    expect(parseIp('1:2:3:4:5:6:1.2.3.4')?.version).toBe(6);
    expect(parseIp('1.2.3.4::1')).toBeUndefined();
    expect(parseIp('1.2.3.4::')).toBeUndefined();
    expect(parseIp('1:1.2.3.4::')).toBeUndefined();
    expect(parseCidr('1.2.3.4::1/128')).toBeUndefined();
  });
});
