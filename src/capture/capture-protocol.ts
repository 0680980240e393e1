import type { CapturedExchange } from '../model/exchange.js';
import type { MockdriftErrorCode } from '../model/errors.js';
import type { BatchOptions } from '../store/batched-writer.js';
import type { RedactionOptions } from './redactor.js';

/** What the capture worker is started with. */
export interface CaptureWorkerData {
  readonly dbPath: string;
  readonly redaction: RedactionOptions;
  readonly routes: readonly string[];
  readonly maxBodyBytes: number;
  readonly batch: BatchOptions;
  readonly busyTimeoutMs: number;
}

/** What the capture worker has done so far. */
export interface CaptureStats {
  /** Exchanges handed to the writer. */
  readonly captured: number;
  /** Exchanges committed to the store. */
  readonly stored: number;
  /** Exchanges that could not be stored (the store failed for longer than the retry window). */
  readonly lost: number;
  /** The last write error, when the last write failed. */
  readonly lastError: string | null;
}

/**
 * Captured exchanges on their way to the worker. Their bodies travel apart, in one transferred
 * buffer: `spans` holds, per exchange, the offset and length of its request body then of its
 * response body in `bodies` (offset -1: no body).
 */
export interface CaptureBatch {
  readonly type: 'capture';
  /** The exchanges, with null bodies: the bytes are in `bodies`. */
  readonly exchanges: readonly CapturedExchange[];
  readonly bodies: ArrayBuffer;
  readonly spans: Int32Array;
  /** What the batch weighs in the writer's backlog. */
  readonly bytes: number;
}

/** The body of the `index`-th exchange of a batch (0: request, 1: response), as a view of `bodies`. */
export function bodyOf(batch: Pick<CaptureBatch, 'bodies' | 'spans'>, index: number, which: 0 | 1): Buffer | null {
  const at = index * 4 + which * 2;
  const offset = batch.spans[at]!;
  return offset < 0 ? null : Buffer.from(batch.bodies, offset, batch.spans[at + 1]);
}

export type ToWorker =
  | CaptureBatch
  | { readonly type: 'flush'; readonly id: number }
  | { readonly type: 'close'; readonly id: number };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'fatal'; readonly code: MockdriftErrorCode | null; readonly message: string }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'flushed'; readonly id: number; readonly stats: Omit<CaptureStats, 'captured'> }
  /** A capture message was prepared and handed to the batched writer: its bytes left the backlog. */
  | { readonly type: 'consumed'; readonly bytes: number };
