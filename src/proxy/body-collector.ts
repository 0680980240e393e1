/**
 * Keeps a copy of a body as it streams past, up to a cap. Holding chunk references and joining
 * them once at the end costs one copy per body, however many chunks it came in; the result owns
 * its memory exactly, so it can be transferred to the capture worker without another copy (a
 * chunk is a view of a larger socket buffer, and cloning a view clones all of that buffer).
 */
export class BodyCollector {
  readonly #cap: number;
  #chunks: Buffer[] = [];
  #kept = 0;
  #seen = 0;

  constructor(cap: number) {
    this.#cap = cap;
  }

  /** Bytes that went past, kept or not. */
  get seen(): number {
    return this.#seen;
  }

  get truncated(): boolean {
    return this.#seen > this.#kept;
  }

  readonly add = (chunk: Buffer): void => {
    this.#seen += chunk.length;
    const room = this.#cap - this.#kept;
    if (room <= 0) return;
    const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#chunks.push(piece);
    this.#kept += piece.length;
  };

  /** The kept bytes in a buffer of their own; null when nothing went past. Call once. */
  take(): Uint8Array | null {
    if (this.#seen === 0) return null;
    const joined = new Uint8Array(this.#kept);
    let offset = 0;
    for (const chunk of this.#chunks) {
      joined.set(chunk, offset);
      offset += chunk.length;
    }
    this.#chunks = [];
    return joined;
  }
}
