import { describe, expect, test } from 'vitest';
import { ipBlockContains, parseIpBlock } from '../../src/model/ip-block';
import { catchTrustmesh } from '../helpers';

describe('ip blocks', () => {
  test('parses addresses and CIDR blocks, v4 and v6', () => {
    expect(parseIpBlock('10.0.0.1').prefixLength).toBe(32);
    expect(parseIpBlock('10.0.0.0/8').prefixLength).toBe(8);
    expect(parseIpBlock('fd00::/8').version).toBe(6);
    expect(parseIpBlock('::ffff:10.0.0.1').version).toBe(6);
  });

  test('containment', () => {
    const b = parseIpBlock('10.1.0.0/16');
    expect(ipBlockContains(b, '10.1.200.3')).toBe(true);
    expect(ipBlockContains(b, '10.2.0.1')).toBe(false);
    expect(ipBlockContains(b, 'fd00::1')).toBe(false);
    expect(ipBlockContains(parseIpBlock('fd00::/8'), 'fd12:3456::1')).toBe(true);
    expect(ipBlockContains(parseIpBlock('0.0.0.0/0'), '192.168.1.1')).toBe(true);
  });

  test('rejects a bad prefix with a did-you-mean', () => {
    const e = catchTrustmesh(() => parseIpBlock('10.0.0.1/33'));
    expect(e.code).toBe('TM_INVALID_CIDR');
    expect(e.fix).toBe('did you mean "10.0.0.1/32"?');
  });

  test('rejects host bits beyond the prefix, naming both readings', () => {
    const e = catchTrustmesh(() => parseIpBlock('10.0.0.1/24'));
    expect(e.code).toBe('TM_INVALID_CIDR');
    expect(e.fix).toContain('"10.0.0.0/24"');
    expect(e.fix).toContain('"10.0.0.1/32"');
  });

  test('rejects garbage and suggests the obvious fix', () => {
    expect(catchTrustmesh(() => parseIpBlock('10.0.0.1/')).fix).toBe('did you mean "10.0.0.1/32"?');
    expect(catchTrustmesh(() => parseIpBlock('10.0/16')).fix).toBe('did you mean "10.0.0.0/16"?');
    expect(catchTrustmesh(() => parseIpBlock('not-an-ip')).code).toBe('TM_INVALID_CIDR');
  });
});
