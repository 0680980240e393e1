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
  readonly #entries = new Map<string, PreparedBody>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(options: BodyCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 1024;
    this.#maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  }

  get(key: string): PreparedBody | undefined {
    const entry = this.#entries.get(key);
    if (entry) {
      // Map order is insertion order: re-inserting marks the entry as the most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: PreparedBody): void {
    if (entry.body.size > this.#maxBytes / 4) return; // one huge body would push everything out
    this.#entries.set(key, entry);
    this.#bytes += entry.body.size;
    for (const [oldest, old] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= old.body.size;
    }
  }
}
