import { describeError } from '../model/errors.js';

/** How a {@link BatchedWriter} groups items into transactions. */
export interface BatchOptions {
  /** Most items in one batch. Default: 500. */
  readonly maxItems?: number;
  /**
   * Most bytes in one batch. Default: 4 MiB. Caps how long one transaction holds the thread: 500
   * bodies of 64 KB in one transaction is a 30 MB write.
   */
  readonly maxBytes?: number;
  /** Longest an item waits before its batch is written, in ms. Default: 100. */
  readonly intervalMs?: number;
  /** Delay before retrying a batch that failed (a locked database, a full disk), in ms. Default: 100, doubling up to 2000. */
  readonly retryDelayMs?: number;
  /** How long a failing batch is retried before it is given up, in ms. Default: 30000. */
  readonly giveUpAfterMs?: number;
}

/** What a writer has done so far. */
export interface BatchStats {
  readonly written: number;
  readonly pending: number;
  /** Items given up after their batch failed for longer than `giveUpAfterMs`. */
  readonly lost: number;
  /** The last write error, when the last batch failed. */
  readonly lastError: string | null;
}

/**
 * Groups items into batches and hands each batch to `sink` in one call (one transaction): when a
 * batch is full (items or bytes), when its oldest item has waited `intervalMs`, and on `flush`.
 * A failing batch stays at the head of the queue and is retried with back-off, so that a store
 * locked by another process for a few seconds loses nothing.
 */
export class BatchedWriter<T> {
  readonly #sink: (batch: readonly T[]) => void;
  readonly #sizeOf: (item: T) => number;
  readonly #maxItems: number;
  readonly #maxBytes: number;
  readonly #intervalMs: number;
  readonly #retryDelayMs: number;
  readonly #giveUpAfterMs: number;
  readonly #onError: ((error: unknown, attempt: number) => void) | undefined;

  #queue: T[] = [];
  #queuedBytes = 0;
  #timer: NodeJS.Timeout | null = null;
  #failingSince: number | null = null;
  #attempt = 0;
  #written = 0;
  #lost = 0;
  #lastError: string | null = null;

  constructor(
    sink: (batch: readonly T[]) => void,
    options: BatchOptions & { sizeOf?: (item: T) => number; onError?: (error: unknown, attempt: number) => void } = {},
  ) {
    this.#sink = sink;
    this.#sizeOf = options.sizeOf ?? (() => 0);
    this.#maxItems = options.maxItems ?? 500;
    this.#maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
    this.#intervalMs = options.intervalMs ?? 100;
    this.#retryDelayMs = options.retryDelayMs ?? 100;
    this.#giveUpAfterMs = options.giveUpAfterMs ?? 30_000;
    this.#onError = options.onError;
  }

  get stats(): BatchStats {
    return { written: this.#written, pending: this.#queue.length, lost: this.#lost, lastError: this.#lastError };
  }

  add(item: T): void {
    this.#queue.push(item);
    this.#queuedBytes += this.#sizeOf(item);
    if (this.#failingSince !== null) {
      // A retry is scheduled while a batch is failing; after one was given up, the next write is.
      this.#timer ??= setTimeout(() => this.#onTimer(), this.#nextDelay());
      return;
    }
    if (this.#queue.length >= this.#maxItems || this.#queuedBytes >= this.#maxBytes) this.#writeFullBatches();
    else this.#timer ??= setTimeout(() => this.#onTimer(), this.#intervalMs);
  }

  /**
   * Writes everything queued now. Failing batches are retried (blocking, with back-off) until
   * they succeed or `giveUpAfterMs` passes: used on shutdown, where nothing may stay behind.
   */
  async flush(): Promise<BatchStats> {
    this.#clearTimer();
    while (this.#queue.length > 0) {
      if (this.#writeBatch()) continue;
      await delay(this.#nextDelay());
    }
    return this.stats;
  }

  #onTimer(): void {
    this.#timer = null;
    while (this.#queue.length > 0 && this.#writeBatch());
    if (this.#queue.length > 0) this.#timer = setTimeout(() => this.#onTimer(), this.#nextDelay());
  }

  #writeFullBatches(): void {
    this.#clearTimer();
    while (this.#queue.length >= this.#maxItems || (this.#queue.length > 0 && this.#queuedBytes >= this.#maxBytes)) {
      if (!this.#writeBatch()) {
        this.#timer = setTimeout(() => this.#onTimer(), this.#nextDelay());
        return;
      }
    }
    if (this.#queue.length > 0) this.#timer = setTimeout(() => this.#onTimer(), this.#intervalMs);
  }

  /** Writes the batch at the head of the queue. @returns false when the sink failed. */
  #writeBatch(): boolean {
    let count = 0;
    let bytes = 0;
    while (count < this.#queue.length && count < this.#maxItems) {
      const size = this.#sizeOf(this.#queue[count]!);
      if (count > 0 && bytes + size > this.#maxBytes) break;
      bytes += size;
      count += 1;
    }
    const batch = this.#queue.slice(0, count);
    try {
      this.#sink(batch);
    } catch (error) {
      return this.#failed(error, batch.length, bytes);
    }
    this.#queue = this.#queue.slice(count);
    this.#queuedBytes -= bytes;
    this.#written += count;
    this.#failingSince = null;
    this.#attempt = 0;
    this.#lastError = null;
    return true;
  }

  #failed(error: unknown, count: number, bytes: number): boolean {
    const now = Date.now();
    this.#failingSince ??= now;
    this.#attempt += 1;
    this.#lastError = describeError(error);
    this.#onError?.(error, this.#attempt);
    if (now - this.#failingSince < this.#giveUpAfterMs) return false;
    // Given up: drop the batch so that the ones behind it get their chance. The window covers the
    // failure, not each batch: until a write succeeds, each batch behind it gets one attempt and
    // is dropped if that fails too. Otherwise a store that stays broken (deleted, disk full)
    // holds a shutdown for the window times the number of batches queued.
    this.#queue = this.#queue.slice(count);
    this.#queuedBytes -= bytes;
    this.#lost += count;
    return true;
  }

  #nextDelay(): number {
    return Math.min(2000, this.#retryDelayMs * 2 ** Math.max(0, this.#attempt - 1));
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
