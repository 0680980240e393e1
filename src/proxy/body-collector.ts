/**
 * Keeps a copy of a body as it streams past, up to a cap. A body whose length is announced
 * (`content-length`) is copied into a buffer of exactly that size as it arrives: one copy, and a
 * buffer that owns its memory, which the capture writer can hand to its worker without copying
 * again. Other bodies keep their chunks by reference and join them once at the end; one that came
 * in one chunk is that chunk.
 */
export class BodyCollector {
  readonly #cap: number;
  #chunks: Buffer[] | null = null;
  #buffer: Buffer | null = null;
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

  /**
   * Announces the body's length before its first byte. Bodies of a few kilobytes and more get a
   * buffer of their own; smaller ones usually arrive in one chunk, which needs no copy here.
   */
  expect(length: number): void {
    if (this.#seen > 0 || !Number.isSafeInteger(length) || length < OWN_BUFFER_FROM || length > Math.min(this.#cap, OWN_BUFFER_UP_TO)) return;
    this.#buffer = Buffer.allocUnsafeSlow(length);
  }

  add(chunk: Buffer): void {
    this.#seen += chunk.length;
    const room = this.#cap - this.#kept;
    if (room <= 0) return;
    const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
    const buffer = this.#buffer;
    if (buffer !== null && this.#chunks === null && this.#kept + piece.length <= buffer.length) {
      buffer.set(piece, this.#kept);
    } else {
      // More than announced (or nothing announced): keep references, as for any other body.
      if (buffer !== null && this.#chunks === null) this.#chunks = this.#kept > 0 ? [buffer.subarray(0, this.#kept)] : [];
      if (this.#chunks === null) this.#chunks = [piece];
      else this.#chunks.push(piece);
    }
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
    const buffer = this.#buffer;
    this.#chunks = null;
    this.#buffer = null;
    if (chunks === null) {
      if (buffer === null) return new Uint8Array(0);
      // Shorter than announced (the sandbox died mid-body): the bytes that did arrive.
      return this.#kept === buffer.length ? buffer : buffer.subarray(0, this.#kept);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#kept);
  }
}

/**
 * Announced bodies of this size range are copied into a buffer of their own as they arrive. Above
 * it, memory is taken as bytes arrive: a sandbox announcing large bodies and sending them slowly
 * must not make the proxy reserve all of them at once.
 */
const OWN_BUFFER_FROM = 16 * 1024;
const OWN_BUFFER_UP_TO = 1024 * 1024;
