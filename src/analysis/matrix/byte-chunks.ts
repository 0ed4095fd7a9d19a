/**
 * UTF-8 output assembled in large byte chunks (matrix10): the connection list of a big mesh is
 * gigabytes of short lines that repeat a few pieces (a source's `id => `, a destination's tail), so
 * the pieces are encoded once and copied, instead of building, joining and encoding a string per line.
 *
 * @module
 */

/** Bytes of a chunk; a piece larger than this gets a chunk of its own size. */
const CHUNK_BYTES = 1_048_576;

/** Collects encoded pieces and hands them on in chunks. */
export class ByteChunks {
  private chunk: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;

  /** @param write receives each chunk; the chunk is never written to again once handed over. */
  public constructor(private readonly write: (chunk: Uint8Array) => void) {}

  /** Appends encoded bytes. */
  public push(bytes: Uint8Array): void {
    if (this.end + bytes.length > this.chunk.length) this.renew(bytes.length);
    this.chunk.set(bytes, this.end);
    this.end += bytes.length;
  }

  /** Hands on what was appended since the last flush (nothing when empty). */
  public flush(): void {
    if (this.end === this.start) return;
    this.write(this.chunk.subarray(this.start, this.end));
    this.start = this.end;
  }

  /** Flushes, then continues in a fresh chunk with room for `needed` bytes. */
  private renew(needed: number): void {
    this.flush();
    this.chunk = new Uint8Array(Math.max(CHUNK_BYTES, needed));
    this.start = 0;
    this.end = 0;
  }
}

/** The UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}
