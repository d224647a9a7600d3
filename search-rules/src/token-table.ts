/**
 * An open-addressing hash table from tokens (runs of UTF-16 units in a
 * buffer) to dense ids. Lookups hash and compare straight from the scan
 * buffer, so matching allocates no substrings.
 */
export class TokenTable {
  /** Canonical token of each id. */
  private keys: string[] = [];
  /** Key held by each slot: a canonical token or an alias of one. */
  private slotKeys: string[] = [];
  private slots: Int32Array;
  private hashes: Uint32Array;
  private mask: number;

  constructor(expected = 1024) {
    let size = 16;
    while (size < expected * 2) size <<= 1;
    this.slots = new Int32Array(size).fill(-1);
    this.hashes = new Uint32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.keys.length;
  }

  token(id: number): string {
    return this.keys[id] as string;
  }

  /** Id of `token`, adding it if new. */
  intern(token: string): number {
    const h = hashString(token);
    let slot = h & this.mask;
    for (;;) {
      const id = this.slots[slot] as number;
      if (id === -1) break;
      if (this.hashes[slot] === h && this.slotKeys[slot] === token) return id;
      slot = (slot + 1) & this.mask;
    }
    const id = this.keys.length;
    this.keys.push(token);
    this.place(slot, token, h, id);
    return id;
  }

  /**
   * Makes `token` a second spelling of `id` (an inflected or transliterated
   * form): lookups of it answer `id`. A token already present keeps its own
   * id, so an alias never takes over a real pattern word. Returns whether
   * the alias was added.
   */
  alias(token: string, id: number): boolean {
    const h = hashString(token);
    let slot = h & this.mask;
    for (;;) {
      if (this.slots[slot] === -1) break;
      if (this.hashes[slot] === h && this.slotKeys[slot] === token) return false;
      slot = (slot + 1) & this.mask;
    }
    this.place(slot, token, h, id);
    return true;
  }

  /** Number of keys (tokens and aliases) held. */
  get keyCount(): number {
    return this.used;
  }

  private used = 0;

  private place(slot: number, token: string, h: number, id: number): void {
    this.slots[slot] = id;
    this.hashes[slot] = h;
    this.slotKeys[slot] = token;
    this.used++;
    if (this.used * 2 > this.slots.length) this.rehash();
  }

  /** Id of `token`, or -1. */
  find(token: string): number {
    const h = hashString(token);
    let slot = h & this.mask;
    for (;;) {
      const id = this.slots[slot] as number;
      if (id === -1) return -1;
      if (this.hashes[slot] === h && this.slotKeys[slot] === token) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Id of the token codes[start..end), or -1. */
  lookup(codes: Uint16Array, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) {
      h ^= codes[i] as number;
      h = Math.imul(h, 0x01000193);
    }
    h >>>= 0;
    let slot = h & this.mask;
    for (;;) {
      const id = this.slots[slot] as number;
      if (id === -1) return -1;
      if (this.hashes[slot] === h) {
        const key = this.slotKeys[slot] as string;
        if (key.length === end - start) {
          let same = true;
          for (let i = 0; i < key.length; i++) {
            if (key.charCodeAt(i) !== codes[start + i]) {
              same = false;
              break;
            }
          }
          if (same) return id;
        }
      }
      slot = (slot + 1) & this.mask;
    }
  }

  private rehash(): void {
    const oldSlots = this.slots;
    const oldKeys = this.slotKeys;
    const oldHashes = this.hashes;
    const size = oldSlots.length * 2;
    this.slots = new Int32Array(size).fill(-1);
    this.hashes = new Uint32Array(size);
    this.slotKeys = new Array<string>(size);
    this.mask = size - 1;
    for (let i = 0; i < oldSlots.length; i++) {
      const id = oldSlots[i] as number;
      if (id === -1) continue;
      const h = oldHashes[i] as number;
      let slot = h & this.mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & this.mask;
      this.slots[slot] = id;
      this.hashes[slot] = h;
      this.slotKeys[slot] = oldKeys[i] as string;
    }
  }
}

/** FNV-1a over UTF-16 units, as `lookup` computes it. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
