/**
 * Keeps the chunks of a body as it streams past, up to a cap. Chunks are held by reference and
 * joined once at the end, so a body costs one copy however many chunks it came in, and none when
 * it came in one.
 */
export class BodyCollector {
  readonly #cap: number;
  #chunks: Buffer[] | null = null;
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

  add(chunk: Buffer): void {
    this.#seen += chunk.length;
    const room = this.#cap - this.#kept;
    if (room <= 0) return;
    const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (this.#chunks === null) this.#chunks = [piece];
    else this.#chunks.push(piece);
    this.#kept += piece.length;
  }

  /**
   * The kept bytes; null when nothing went past. A body that came in one chunk is that chunk
   * itself: a view that may share its memory with the socket's read buffer, so a consumer that
   * keeps it beyond the call it was handed to should copy it. Call once.
   */
  take(): Uint8Array | null {
    if (this.#seen === 0) return null;
    const chunks = this.#chunks;
    this.#chunks = null;
    if (chunks === null) return new Uint8Array(0);
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#kept);
  }
}
