/**
 * The shape store: what follows from each entry shape (see `record-shape.ts`), keyed by the bytes
 * of the shape, so that a line of a known shape is looked up without building a string. An
 * open-addressing hash table over one byte arena; bounded (when full it forgets every shape and
 * starts again: a forgotten shape is judged again, which costs time, never correctness).
 *
 * @module
 */
/* eslint-disable no-bitwise -- hashing and open addressing are bit operations. */

/** FNV-1a over `key[0, length)`, as an unsigned 32-bit number. */
export function hashBytes(key: Uint8Array, length: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ key[i], 0x01000193);
  return h >>> 0;
}

/** Shape bytes → a value (the judgement of the shape). */
export class ShapeStore<V> {
  /** Per slot: the index of its entry + 1 (0: empty). */
  private slots: Int32Array;
  private hashes: Uint32Array;
  private offsets: Int32Array;
  private lengths: Int32Array;
  private readonly values: V[] = [];
  private arena: Buffer;
  private used = 0;
  private count = 0;

  /**
   * @param max shapes kept before the store forgets them all
   * @param maxBytes bytes of shapes kept before it does (a longer shape is not kept at all)
   */
  public constructor(private readonly max = 262_144, private readonly maxBytes = 64 * 1024 * 1024) {
    this.slots = new Int32Array(1024);
    this.hashes = new Uint32Array(512);
    this.offsets = new Int32Array(512);
    this.lengths = new Int32Array(512);
    this.arena = Buffer.allocUnsafe(64 * 1024);
  }

  /** The number of shapes kept. */
  public get size(): number {
    return this.count;
  }

  /** The value of the shape `key[0, length)` with hash `hash` ({@link hashBytes}), undefined when unknown. */
  public get(key: Uint8Array, length: number, hash: number): V | undefined {
    const mask = this.slots.length - 1;
    const arena = this.arena;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const e = this.slots[s] - 1;
      if (e < 0) return undefined;
      if (this.hashes[e] !== hash || this.lengths[e] !== length) continue;
      const o = this.offsets[e];
      let i = 0;
      while (i < length && arena[o + i] === key[i]) i++;
      if (i === length) return this.values[e];
    }
  }

  /** Keeps `value` for a shape {@link get} did not know. */
  public set(key: Uint8Array, length: number, hash: number, value: V): void {
    if (length * 16 > this.maxBytes) return;
    if (this.count >= this.max || this.used + length > this.maxBytes) this.clear();
    if (this.used + length > this.arena.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.used + length));
      this.arena.copy(bigger, 0, 0, this.used);
      this.arena = bigger;
    }
    for (let i = 0; i < length; i++) this.arena[this.used + i] = key[i];
    const e = this.count++;
    if (e >= this.hashes.length) this.growEntries();
    this.hashes[e] = hash;
    this.offsets[e] = this.used;
    this.lengths[e] = length;
    this.values[e] = value;
    this.used += length;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(e);
  }

  /** Forgets every shape. */
  public clear(): void {
    this.slots.fill(0);
    this.values.length = 0;
    this.count = 0;
    this.used = 0;
  }

  private place(e: number): void {
    const mask = this.slots.length - 1;
    let s = this.hashes[e] & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = e + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let e = 0; e < this.count; e++) this.place(e);
  }

  private growEntries(): void {
    const n = this.hashes.length * 2;
    const grow = <T extends Int32Array | Uint32Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.hashes = grow(this.hashes, new Uint32Array(n));
    this.offsets = grow(this.offsets, new Int32Array(n));
    this.lengths = grow(this.lengths, new Int32Array(n));
  }
}
