import { Worker } from 'node:worker_threads';
import { describeError } from '../model/errors.js';
import type { SqliteRecordingStore } from '../store/sqlite-recording-store.js';
import { CheckpointState, COMMITS, STATE, type CheckpointWorkerData, type FromCheckpointer, type ToCheckpointer } from './checkpoint-protocol.js';
import { workerScript } from './worker-script.js';

/** When the write-ahead log is checkpointed. */
export interface CheckpointerOptions {
  /** Log size from which the checkpointer thread is asked to copy it back. Default: 32 MiB. */
  readonly askAtBytes?: number;
  /**
   * Log size from which the recorder copies what is left itself, between two commits. The log
   * starts over only when a commit begins with all of it copied; under a load that never pauses,
   * the thread's copies (commit by commit) rarely end between two commits, so the recorder takes
   * the last step: a small copy, as the thread has done the rest. Default: 64 MiB.
   */
  readonly inlineAtBytes?: number;
  readonly busyTimeoutMs?: number;
  /** Called with problems worth a line in the log. */
  readonly onWarning?: (message: string) => void;
}

/**
 * Keeps the write-ahead log of a store that is being recorded into from growing, without making
 * the recorder wait: a thread of its own checkpoints while the recorder goes on committing. The
 * store must be opened with `checkpoints: 'external'`.
 */
export class Checkpointer {
  readonly #store: SqliteRecordingStore;
  readonly #worker: Worker | null;
  readonly #askAt: number;
  readonly #inlineAt: number;
  readonly #onWarning: (message: string) => void;
  /** {@link CheckpointState} and the count of commits, shared with the checkpointer thread. */
  readonly #state = new Int32Array(new SharedArrayBuffer(8));
  #failed = false;
  /** Bytes committed since the thread was last asked. */
  #committed = 0;

  constructor(store: SqliteRecordingStore, options: CheckpointerOptions = {}) {
    this.#store = store;
    this.#askAt = options.askAtBytes ?? 32 * 1024 * 1024;
    this.#inlineAt = options.inlineAtBytes ?? 64 * 1024 * 1024;
    this.#onWarning = options.onWarning ?? (() => {});
    let worker: Worker | null = null;
    try {
      const data: CheckpointWorkerData = { dbPath: store.location, busyTimeoutMs: options.busyTimeoutMs ?? 5000, state: this.#state.buffer as SharedArrayBuffer };
      worker = new Worker(workerScript('checkpoint-worker'), { workerData: data });
      worker.on('message', (message: FromCheckpointer) => this.#onMessage(message));
      worker.on('error', (error) => this.#fail(describeError(error)));
      worker.unref();
    } catch (error) {
      this.#fail(describeError(error));
    }
    this.#worker = worker;
  }

  /**
   * After each commit of about `bytes`: asks for a checkpoint when the log has grown enough.
   * Never throws.
   */
  afterCommit(bytes: number): void {
    this.#committed += bytes;
    Atomics.add(this.#state, COMMITS, 1);
    Atomics.notify(this.#state, COMMITS);
    let size: number;
    try {
      size = this.#store.walBytes();
    } catch {
      return; // the next commit asks again
    }
    const state = Atomics.load(this.#state, STATE);
    if (state === CheckpointState.failed) this.#fail('it could not checkpoint');
    if (size >= this.#inlineAt || (this.#failed && size >= this.#askAt)) {
      this.#checkpointHere();
      return;
    }
    // The file is only cut back to the store's limit when the log starts over, so its size says
    // little about what is left to copy: asked again once a quarter of the threshold was committed.
    if (size >= this.#askAt && this.#committed >= this.#askAt / 4 && state === CheckpointState.idle && this.#worker && !this.#failed) {
      this.#committed = 0;
      Atomics.store(this.#state, STATE, CheckpointState.asked);
      this.#worker.postMessage('checkpoint' satisfies ToCheckpointer);
    }
  }

  /** Stops the checkpointer thread; the store itself checkpoints what is left when it closes. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker || this.#failed) {
      await worker?.terminate();
      return;
    }
    // A checkpoint waiting for the next commit stops waiting: there will be none.
    Atomics.store(this.#state, STATE, CheckpointState.closing);
    Atomics.notify(this.#state, COMMITS);
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.on('message', (message: FromCheckpointer) => {
        if (message.type === 'closed') void worker.terminate();
      });
      worker.postMessage('close' satisfies ToCheckpointer);
    });
  }

  #onMessage(message: FromCheckpointer): void {
    if (message.type === 'failed') this.#fail(message.message);
  }

  #fail(reason: string): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#onWarning(`the store's checkpointer stopped (${reason}); the recorder checkpoints itself from now on`);
  }

  #checkpointHere(): void {
    try {
      this.#store.checkpoint();
    } catch (error) {
      this.#onWarning(`checkpoint of ${this.#store.location} failed: ${describeError(error)}`);
    }
  }
}
