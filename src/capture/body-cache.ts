import type { StoredBody } from '../model/exchange.js';
import type { BodyShape } from '../model/shape.js';

/** A body as the pipeline prepared it: what to store and, for JSON, its shape. */
export interface PreparedBody {
  readonly body: StoredBody;
  readonly shape: BodyShape | null;
}

/** How much a {@link BodyCache} keeps. */
export interface BodyCacheOptions {
  /** Most bodies kept. Default: 1024. */
  readonly maxEntries?: number;
  /** Most bytes of stored content kept. Default: 32 MiB. */
  readonly maxBytes?: number;
}

/**
 * Bodies already prepared, by a digest of their wire bytes: a sandbox answers the same body over
 * and over (a product list, a fixed error), and decoding, parsing, redacting and summarising it
 * again each time is the largest part of recording's cost. In memory only, least recently used
 * out first.
 */
export class BodyCache {
  readonly #entries = new Map<string, { readonly prepared: PreparedBody; readonly raw: Uint8Array | undefined; readonly bytes: number }>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(options: BodyCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 1024;
    this.#maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  }

  /**
   * The body prepared under `key`. With `raw`, only when it was prepared from exactly these bytes:
   * for keys that do not identify the bytes on their own (a digest of a sample of them).
   */
  get(key: string, raw?: Uint8Array): PreparedBody | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (raw !== undefined && (entry.raw === undefined || !sameBytes(entry.raw, raw))) return undefined;
    // Map order is insertion order: re-inserting marks the entry as the most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.prepared;
  }

  /** Keeps a prepared body under `key`; with `raw`, a copy of the bytes it was prepared from, to check hits against. */
  set(key: string, prepared: PreparedBody, raw?: Uint8Array): void {
    const bytes = prepared.body.size + (raw?.byteLength ?? 0);
    if (bytes > this.#maxBytes / 4) return; // one huge body would push everything out
    const previous = this.#entries.get(key);
    if (previous) {
      this.#entries.delete(key);
      this.#bytes -= previous.bytes;
    }
    this.#entries.set(key, { prepared, raw: raw === undefined ? undefined : Uint8Array.from(raw), bytes });
    this.#bytes += bytes;
    for (const [oldest, old] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= old.bytes;
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
