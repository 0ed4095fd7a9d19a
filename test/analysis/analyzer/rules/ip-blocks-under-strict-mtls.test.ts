// TM_IP_BLOCKS_UNDER_STRICT_MTLS — no upstream code.
import { describe, expect, it } from 'vitest';
import { analyzeFixture, lineOf, where, withCode } from './fixture';

const POSITIVE = 'ip-blocks-under-strict-mtls/positive.yaml';
const NEGATIVE = 'ip-blocks-under-strict-mtls/negative.yaml';

describe('TM_IP_BLOCKS_UNDER_STRICT_MTLS', () => {
  it('warns on ALLOW by address only where the workload (or the rule\'s ports) require STRICT mTLS', () => {
    const found = withCode(analyzeFixture(POSITIVE), 'TM_IP_BLOCKS_UNDER_STRICT_MTLS');
    expect(found.map((d) => [where(d), d.severity])).toEqual([
      [`positive.yaml:${lineOf(POSITIVE, 'ipBlocks:')}`, 'warning'],
      [`positive.yaml:${lineOf(POSITIVE, 'remoteIpBlocks:')}`, 'warning'],
    ]);
    expect(found[0].message).toMatch(/reports-allow ALLOW rule 0 admits callers by address only .* require STRICT mTLS: a plaintext client at those addresses is refused/);
    expect(found[1].message).toMatch(/require on port\(s\) 9000 STRICT mTLS/);
    expect(found[0].fix).toMatch(/Port\.http\(n, \{ mtls: MtlsMode\.PERMISSIVE \}\)/);
  });

  it('stays quiet on PERMISSIVE ports, beside an identity, for DENY and on gateway pods', () => {
    expect(withCode(analyzeFixture(NEGATIVE), 'TM_IP_BLOCKS_UNDER_STRICT_MTLS')).toEqual([]);
  });
});
