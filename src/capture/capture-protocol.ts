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

export type ToWorker =
  | { readonly type: 'capture'; readonly exchanges: readonly CapturedExchange[]; readonly bytes: number }
  | { readonly type: 'flush'; readonly id: number }
  | { readonly type: 'close'; readonly id: number };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'fatal'; readonly code: MockdriftErrorCode | null; readonly message: string }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'flushed'; readonly id: number; readonly stats: Omit<CaptureStats, 'captured'> }
  /** A capture message was prepared and handed to the batched writer: its bytes left the backlog. */
  | { readonly type: 'consumed'; readonly bytes: number };
