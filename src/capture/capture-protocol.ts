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
 * A captured exchange as it crosses to the worker: headers as JSON text (one string each rather
 * than an object cloned property by property; the worker knows a text it has seen before), bodies
 * apart, in the batch's buffers.
 */
export interface WireExchange extends Omit<CapturedExchange, 'requestHeaders' | 'responseHeaders' | 'requestBody' | 'responseBody'> {
  readonly requestHeaders: string;
  readonly responseHeaders: string | null;
}

/**
 * Captured exchanges on their way to the worker. Their bodies travel apart, in transferred
 * buffers: `spans` holds, per exchange, three numbers for its request body then three for its
 * response body — the index of the buffer in `buffers` (-1: no body), the offset, the length.
 */
export interface CaptureBatch {
  readonly type: 'capture';
  readonly exchanges: readonly WireExchange[];
  readonly buffers: readonly ArrayBuffer[];
  readonly spans: Int32Array;
  /** What the batch weighs in the writer's backlog. */
  readonly bytes: number;
}

/** The body of the `index`-th exchange of a batch (0: request, 1: response), as a view of its buffer. */
export function bodyOf(batch: Pick<CaptureBatch, 'buffers' | 'spans'>, index: number, which: 0 | 1): Buffer | null {
  const at = index * 6 + which * 3;
  const buffer = batch.spans[at]!;
  return buffer < 0 ? null : Buffer.from(batch.buffers[buffer]!, batch.spans[at + 1], batch.spans[at + 2]);
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
