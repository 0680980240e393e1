import { Worker } from 'node:worker_threads';
import type { CapturedExchange } from '../model/exchange.js';
import { MockdriftError } from '../model/errors.js';
import type { BatchOptions } from '../store/batched-writer.js';
import { packBatch, type CaptureStats, type CaptureWorkerData, type FromWorker, type ToWorker } from './capture-protocol.js';
import type { RedactionOptions } from './redactor.js';
import { workerScript } from './worker-script.js';

export type { CaptureStats } from './capture-protocol.js';

/** How captured exchanges are stored. */
export interface CaptureWriterOptions {
  /** The SQLite store to write to; created (mode 0600) when missing. */
  readonly dbPath: string;
  /** Extra redaction rules on top of the defaults. Default: the defaults only. */
  readonly redaction?: RedactionOptions;
  /** Route templates (`/api/v1/shipments/:id`) tried before the id heuristics. Default: none. */
  readonly routes?: readonly string[];
  /** Most decoded bytes kept of one body. Default: 10 MiB. */
  readonly maxBodyBytes?: number;
  /** Batching of writes. Default: {@link CAPTURE_BATCH} (2000 rows, 4 MiB or 250 ms, whichever comes first). */
  readonly batch?: BatchOptions;
  /** How long a write waits for another process's lock before it is retried, in ms. Default: 5000. */
  readonly busyTimeoutMs?: number;
  /** Called with problems worth a line in the log (a locked store being retried). */
  readonly onWarning?: (message: string) => void;
  /**
   * Bytes of captured exchanges the worker may fall behind by before {@link CaptureWriter.overloaded}
   * says so (and the proxy holds new requests until the worker catches up). Default: 32 MiB.
   */
  readonly maxBacklogBytes?: number;
}

/**
 * How recorded exchanges are grouped into transactions. Larger than the store's usual batch: every
 * new body adds an entry at a random place of the digest index, and a commit rewrites each index
 * page it touched in full (16 KiB). With 500 new 2 KB bodies per commit that came to 10.7 KB
 * written per exchange; with 2000, 5.3 KB, and a quarter less CPU per insert. The wait stays short
 * enough that a crash loses only the last moments; 4 MiB still caps a batch of large bodies.
 */
export const CAPTURE_BATCH = { maxItems: 2000, maxBytes: 4 * 1024 * 1024, intervalMs: 250 } as const satisfies BatchOptions;

/** The default cap on stored bodies (SPEC §4). */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Hands captured exchanges to the capture worker, which decodes, redacts and stores them off the
 * caller's event loop. `write` costs one array push; exchanges cross to the worker in batches.
 */
export class CaptureWriter {
  readonly #worker: Worker;
  readonly #onWarning: (message: string) => void;
  #queue: CapturedExchange[] = [];
  #scheduled = false;
  #captured = 0;
  #nextId = 1;
  #closed = false;
  #exited: Error | null = null;
  #backlog = 0;
  /** Room promised to requests let go that have not become exchanges yet, in bytes. */
  #promised = 0;
  /** Recent weight of one exchange in the backlog, in bytes. */
  #averageWeight = 1024;
  readonly #maxBacklog: number;
  #drained: Array<() => void> = [];
  readonly #waiting = new Map<number, { resolve: (stats: CaptureStats) => void; reject: (error: Error) => void }>();

  private constructor(worker: Worker, onWarning: (message: string) => void, maxBacklog: number) {
    this.#worker = worker;
    this.#onWarning = onWarning;
    this.#maxBacklog = maxBacklog;
  }

  /**
   * Starts the worker and opens the store.
   * @throws MockdriftError when the store cannot be opened or created.
   */
  static async start(options: CaptureWriterOptions): Promise<CaptureWriter> {
    const data: CaptureWorkerData = {
      dbPath: options.dbPath,
      redaction: options.redaction ?? {},
      routes: options.routes ?? [],
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      batch: { ...CAPTURE_BATCH, ...options.batch },
      busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    };
    const worker = new Worker(workerScript('capture-worker'), { workerData: data });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromWorker): void => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'fatal') reject(new MockdriftError(message.code ?? 'STORE_UNAVAILABLE', message.message));
        else return;
        worker.off('message', onMessage);
        worker.off('error', reject);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    const writer = new CaptureWriter(worker, options.onWarning ?? (() => {}), options.maxBacklogBytes ?? 32 * 1024 * 1024);
    writer.#listen();
    return writer;
  }

  /** How many exchanges were handed over so far. */
  get captured(): number {
    return this.#captured;
  }

  /**
   * Whether the worker has fallen more than `maxBacklogBytes` behind. Memory must stay bounded:
   * a proxy that keeps accepting while its recorder cannot keep up would hold every body in
   * memory, so it waits for {@link ready} before taking new requests.
   */
  get overloaded(): boolean {
    // Requests already waiting go first: a newcomer waits behind them.
    return this.#drained.length > 0 || this.#backlog + this.#promised > this.#maxBacklog;
  }

  /**
   * Resolves once there is room in the backlog for one more exchange (at once when there is).
   * Held requests go on in the order they came, one for each exchange's worth of room the worker
   * makes, rather than all at once after a drain: when the worker sets the pace, every request
   * waits a little instead of some waiting long.
   */
  ready(): Promise<void> {
    if (this.#exited || this.#closed) return Promise.resolve();
    if (this.#drained.length === 0 && this.#backlog + this.#promised <= this.#maxBacklog) {
      this.#promised += this.#averageWeight;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /**
   * Queues an exchange for storage. Never blocks and never throws. A body of 16 KiB or more that
   * owns all of its memory is moved to the worker, not copied: it is empty afterwards.
   */
  write(exchange: CapturedExchange): void {
    if (this.#closed || this.#exited) {
      this.#onWarning(`exchange ${exchange.method} ${exchange.url} arrived after the store was closed; not stored`);
      return;
    }
    this.#captured += 1;
    // The room promised to a request let go is taken now (by this exchange or one like it).
    this.#promised = Math.max(0, this.#promised - this.#averageWeight);
    this.#queue.push(exchange);
    // Exchanges cross to the worker in batches: every few milliseconds, or every 64 exchanges.
    // Each message has a fixed cost on both threads; under load one per exchange adds up.
    if (this.#queue.length >= 64) this.#send();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setTimeout(() => this.#send(), 5).unref();
    }
  }

  /** Resolves when everything written so far is committed to the store. */
  flush(): Promise<CaptureStats> {
    return this.#request('flush');
  }

  /** Commits everything written so far, closes the store and stops the worker. */
  async close(): Promise<CaptureStats> {
    if (this.#closed) throw new Error('CaptureWriter is already closed');
    const stats = this.#request('close');
    this.#closed = true;
    await stats;
    await this.#worker.terminate();
    return stats;
  }

  #send(): void {
    this.#scheduled = false;
    if (this.#queue.length === 0 || this.#exited) return;
    const count = this.#queue.length;
    const batch = packBatch(this.#queue);
    this.#queue = [];
    this.#backlog += batch.bytes;
    // What an exchange weighs, lately: the room one held request is let go for.
    this.#averageWeight += (batch.bytes / count - this.#averageWeight) / 4;
    this.#worker.postMessage(batch satisfies ToWorker, batch.buffers);
  }

  #consumed(bytes: number): void {
    this.#backlog = Math.max(0, this.#backlog - bytes);
    if (this.#exited || this.#closed) {
      const waiting = this.#drained;
      this.#drained = [];
      for (const resolve of waiting) resolve();
      return;
    }
    // Nothing left to store: room promised to requests that went away unanswered is free again.
    if (this.#backlog === 0) this.#promised = 0;
    while (this.#drained.length > 0 && this.#backlog + this.#promised <= this.#maxBacklog) {
      this.#promised += this.#averageWeight;
      this.#drained.shift()!();
    }
  }

  #request(type: 'flush' | 'close'): Promise<CaptureStats> {
    this.#send();
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ type, id } satisfies ToWorker);
    });
  }

  #listen(): void {
    this.#worker.on('message', (message: FromWorker) => {
      if (message.type === 'consumed') this.#consumed(message.bytes);
      else if (message.type === 'warning') this.#onWarning(message.message);
      else if (message.type === 'flushed') {
        this.#waiting.get(message.id)?.resolve({ captured: this.#captured, ...message.stats });
        this.#waiting.delete(message.id);
      }
    });
    const fail = (error: Error): void => {
      this.#exited ??= error;
      this.#consumed(this.#backlog); // nothing will drain it any more: let waiting requests go
      for (const { reject } of this.#waiting.values()) reject(error);
      this.#waiting.clear();
    };
    this.#worker.on('error', (error) => {
      this.#onWarning(`the capture worker failed: ${error.message}`);
      fail(error);
    });
    this.#worker.on('exit', (code) => {
      if (!this.#closed) fail(new Error(`the capture worker stopped unexpectedly (exit code ${code})`));
    });
  }
}
