/**
 * check13: the planned workloads with one label, found by their namespace, label key and value in
 * one flat table: a decision reads one slot (the key's characters are in it) instead of the
 * buckets, entries and key strings of three maps (at 8,000 workloads each of those is a cache
 * miss). Exact: a slot is taken only when the namespace, the label key and every character of the
 * value are equal; values longer than {@link MAX_VALUE_LENGTH} are not filed (the caller's maps
 * find them).
 *
 * @module
 */
/* eslint-disable no-bitwise -- a hash and packed characters */

/** Int32 words per slot: hash, entry index + 1 (0: free), namespace and key ids, value length, then the value's characters, two per word. */
const SLOT = 16;
const HEADER = 4;
/** The longest label value a slot holds. */
export const MAX_VALUE_LENGTH = 2 * (SLOT - HEADER);

/** Entries by (namespace, label key, label value). */
export class WorkloadTable<T> {
  private slots = new Int32Array(SLOT * 64);
  private mask = 63;
  private readonly entries: T[] = [];
  private readonly namespaceIds = new Map<string, number>();
  private readonly keyIds = new Map<string, number>();

  /** The entry filed under these, if any. */
  public find(namespace: string, key: string, value: string): T | undefined {
    const ns = this.namespaceIds.get(namespace);
    const k = this.keyIds.get(key);
    if (ns === undefined || k === undefined || value.length > MAX_VALUE_LENGTH) return undefined;
    const nk = (ns << 16) | k;
    const h = hashOf(nk, value);
    const slots = this.slots;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const at = i * SLOT;
      const index = slots[at + 1];
      if (index === 0) return undefined;
      if (slots[at] === h && slots[at + 2] === nk && sameValue(slots, at, value)) return this.entries[index - 1];
    }
  }

  /** Files an entry (replacing the one filed under the same names); false when the value is too long. */
  public add(namespace: string, key: string, value: string, entry: T): boolean {
    if (value.length > MAX_VALUE_LENGTH || this.namespaceIds.size >= 0xffff || this.keyIds.size >= 0xffff) return false;
    const nk = (idOf(this.namespaceIds, namespace) << 16) | idOf(this.keyIds, key);
    const h = hashOf(nk, value);
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const at = i * SLOT;
      const index = this.slots[at + 1];
      if (index === 0) break;
      if (this.slots[at] === h && this.slots[at + 2] === nk && sameValue(this.slots, at, value)) {
        this.entries[index - 1] = entry;
        return true;
      }
    }
    this.entries.push(entry);
    if (2 * this.entries.length > this.mask + 1) this.grow();
    this.place(h, nk, value, this.entries.length);
    return true;
  }

  /** Forgets every entry. */
  public clear(): void {
    this.entries.length = 0;
    this.slots = new Int32Array(SLOT * 64);
    this.mask = 63;
  }

  private place(h: number, nk: number, value: string, index: number): void {
    let i = h & this.mask;
    while (this.slots[i * SLOT + 1] !== 0) i = (i + 1) & this.mask;
    const at = i * SLOT;
    this.slots[at] = h;
    this.slots[at + 1] = index;
    this.slots[at + 2] = nk;
    this.slots[at + 3] = value.length;
    for (let c = 0; c < value.length; c += 2) {
      this.slots[at + HEADER + (c >> 1)] = (value.charCodeAt(c) << 16) | (c + 1 < value.length ? value.charCodeAt(c + 1) : 0);
    }
  }

  private grow(): void {
    const old = this.slots;
    const size = 2 * (this.mask + 1);
    this.slots = new Int32Array(SLOT * size);
    this.mask = size - 1;
    for (let at = 0; at < old.length; at += SLOT) {
      if (old[at + 1] === 0) continue;
      let i = old[at] & this.mask;
      while (this.slots[i * SLOT + 1] !== 0) i = (i + 1) & this.mask;
      this.slots.set(old.subarray(at, at + SLOT), i * SLOT);
    }
  }
}

function idOf(ids: Map<string, number>, name: string): number {
  let id = ids.get(name);
  if (id === undefined) {
    id = ids.size;
    ids.set(name, id);
  }
  return id;
}

/** FNV-1a of the namespace and key ids and the value's characters. */
function hashOf(nk: number, value: string): number {
  let h = Math.imul(0x811c9dc5 ^ nk, 0x01000193);
  for (let c = 0; c < value.length; c++) h = Math.imul(h ^ value.charCodeAt(c), 0x01000193);
  return h;
}

function sameValue(slots: Int32Array, at: number, value: string): boolean {
  const n = value.length;
  if (slots[at + 3] !== n) return false;
  for (let c = 0; c < n; c += 2) {
    if (slots[at + HEADER + (c >> 1)] !== ((value.charCodeAt(c) << 16) | (c + 1 < n ? value.charCodeAt(c + 1) : 0))) return false;
  }
  return true;
}
