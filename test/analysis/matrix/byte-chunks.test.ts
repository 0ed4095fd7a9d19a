// matrix10: the connection list's byte chunks hold exactly the pieces pushed, in order.
import { describe, expect, it } from 'vitest';
import { ByteChunks, utf8 } from '../../../src/analysis/matrix/byte-chunks';

describe('ByteChunks', () => {
  it('hands on what was pushed since the last flush, and nothing for an empty flush', () => {
    const chunks: Uint8Array[] = [];
    const out = new ByteChunks((c) => chunks.push(c));
    out.flush();
    out.push(utf8('a => '));
    out.push(utf8('b : 80/TCP istio all\n'));
    out.flush();
    out.flush();
    out.push(utf8('ü\n'));
    out.flush();
    expect(chunks.map((c) => Buffer.from(c).toString('utf8'))).toEqual(['a => b : 80/TCP istio all\n', 'ü\n']);
  });

  it('starts a fresh chunk when one is full, never writing into a chunk it handed on', () => {
    const chunks: Uint8Array[] = [];
    const copies: string[] = [];
    const out = new ByteChunks((c) => {
      chunks.push(c);
      copies.push(Buffer.from(c).toString('latin1'));
    });
    const piece = utf8('x'.repeat(1000));
    const big = utf8('y'.repeat(3_000_000));
    for (let i = 0; i < 2500; i++) out.push(piece);
    out.push(big);
    out.push(piece);
    out.flush();
    const text = chunks.map((c) => Buffer.from(c).toString('latin1')).join('');
    expect(text).toBe(`${'x'.repeat(2_500_000)}${'y'.repeat(3_000_000)}${'x'.repeat(1000)}`);
    expect(chunks.map((c) => Buffer.from(c).toString('latin1'))).toEqual(copies);
    expect(chunks.length).toBeGreaterThan(2);
  });
});
