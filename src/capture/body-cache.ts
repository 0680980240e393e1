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
  /** The last body answered in each slot (a route and status) that was prepared before. */
  readonly #repeats = new Map<string, { readonly variant: string; readonly raw: Uint8Array; readonly prepared: PreparedBody }>();

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

  /**
   * The body last answered in `slot` (a route and status), when `raw` is exactly its bytes and
   * `variant` (its coding, media type, truncation) is the same: a route that answers the same body
   * again and again is recognised by one comparison of bytes, without a digest or a lookup.
   */
  repeat(slot: string, variant: string, raw: Uint8Array): PreparedBody | undefined {
    const last = this.#repeats.get(slot);
    return last !== undefined && last.variant === variant && sameBytes(last.raw, raw) ? last.prepared : undefined;
  }

  /**
   * Notes that `slot` was answered with `raw`, prepared as `prepared`: a body that came before, or
   * one just kept in the cache. Only small bodies, whose digest costs more than a comparison;
   * bounded in slots and in bytes.
   */
  noteRepeat(slot: string, variant: string, raw: Uint8Array, prepared: PreparedBody): void {
    if (raw.byteLength > MAX_REPEAT_RAW || prepared.body.size > MAX_REPEAT_PREPARED) return;
    const last = this.#repeats.get(slot);
    if (last !== undefined && last.prepared === prepared && last.variant === variant) return;
    if (last === undefined && this.#repeats.size >= MAX_REPEAT_SLOTS) this.#repeats.clear();
    this.#repeats.set(slot, { variant, raw: Uint8Array.from(raw), prepared });
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

/** Slots remembered for {@link BodyCache.repeat} (the memo starts over when full), and the most bytes each may hold. */
const MAX_REPEAT_SLOTS = 128;
const MAX_REPEAT_RAW = 4096;
const MAX_REPEAT_PREPARED = 16 * 1024;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
