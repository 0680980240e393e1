import type { CapturedExchange, ExchangeErrorCode, ExchangeSource } from '../model/exchange.js';
import type { HeaderMap } from '../model/headers.js';
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
 * Captured exchanges on their way to the worker, column by column. A batch of objects is cloned
 * property by property, every property's name included, which cost both threads more than the
 * exchanges' own strings and numbers (measured alone: 0.75 against 0.34 µs per exchange on the
 * sending thread). Pack with {@link packBatch}, read back with {@link exchangeAt}.
 */
export interface CaptureBatch {
  readonly type: 'capture';
  /** Four per exchange: its method, its URL, its request headers and its response headers as JSON text ('' when there was no response). */
  readonly texts: readonly string[];
  /** {@link NUMBERS} per exchange: start, duration in ms, status (-1: none), flags (bodies truncated, decoded), index into `contexts`. */
  readonly numbers: Float64Array;
  /** The source, service and session of the batch's exchanges, each once: nearly always one. */
  readonly contexts: readonly (readonly [ExchangeSource, string, string])[];
  /** What went wrong, for the exchanges that failed: their index, code and message. */
  readonly errors: readonly (readonly [number, ExchangeErrorCode, string])[];
  /**
   * The bodies, in transferred buffers: `spans` holds, per exchange, three numbers for its request
   * body then three for its response body — the index of the buffer in `buffers` (-1: no body),
   * the offset, the length.
   */
  readonly buffers: readonly ArrayBuffer[];
  readonly spans: Int32Array;
  /** What the batch weighs in the writer's backlog. */
  readonly bytes: number;
}

const TEXTS = 4;
const NUMBERS = 5;

/** Bits of an exchange's flags in {@link CaptureBatch.numbers}. */
const REQUEST_BODY_TRUNCATED = 1;
const RESPONSE_BODY_TRUNCATED = 2;
const BODIES_DECODED = 4;

/** How many exchanges a batch holds. */
export function batchLength(batch: Pick<CaptureBatch, 'numbers'>): number {
  return batch.numbers.length / NUMBERS;
}

/**
 * Packs exchanges for the worker. Small bodies are copied into one buffer per batch (one
 * allocation and one transfer, and a body that is a view of a socket's read buffer costs only its
 * own bytes); a large body that owns all of its memory travels as it is, without a copy, and is
 * empty afterwards.
 */
export function packBatch(exchanges: readonly CapturedExchange[]): CaptureBatch {
  let copied = 0;
  let bytes = 0;
  for (const exchange of exchanges) {
    for (const body of [exchange.requestBody, exchange.responseBody]) {
      if (body === null) continue;
      bytes += body.byteLength;
      if (!travelsAlone(body)) copied += body.byteLength;
    }
  }
  const arena = Buffer.allocUnsafeSlow(copied);
  const buffers: ArrayBuffer[] = [arena.buffer as ArrayBuffer];
  const spans = new Int32Array(exchanges.length * 6);
  const numbers = new Float64Array(exchanges.length * NUMBERS);
  // Filled in order, not preallocated: an array with holes crosses to the worker element by element.
  const texts: string[] = [];
  const contexts: Array<readonly [ExchangeSource, string, string]> = [];
  const errors: Array<readonly [number, ExchangeErrorCode, string]> = [];
  const moved = new Map<ArrayBuffer, number>();
  let offset = 0;
  const place = (body: Uint8Array | null, at: number): void => {
    if (body === null) {
      spans[at] = -1;
      return;
    }
    if (travelsAlone(body)) {
      // A buffer may be transferred once only, even if two bodies are the same buffer.
      const buffer = body.buffer as ArrayBuffer;
      let index = moved.get(buffer);
      if (index === undefined) {
        index = buffers.push(buffer) - 1;
        moved.set(buffer, index);
      }
      spans[at] = index;
      spans[at + 1] = 0;
    } else {
      arena.set(body, offset);
      spans[at] = 0;
      spans[at + 1] = offset;
      offset += body.byteLength;
    }
    spans[at + 2] = body.byteLength;
  };
  let context = -1;
  let last: CapturedExchange | undefined;
  for (let i = 0; i < exchanges.length; i++) {
    const exchange = exchanges[i]!;
    place(exchange.requestBody, i * 6);
    place(exchange.responseBody, i * 6 + 3);
    texts.push(
      exchange.method,
      exchange.url,
      JSON.stringify(exchange.requestHeaders),
      exchange.responseHeaders === null ? '' : JSON.stringify(exchange.responseHeaders),
    );
    if (last === undefined || exchange.source !== last.source || exchange.service !== last.service || exchange.session !== last.session) {
      context = contexts.findIndex(([source, service, session]) => source === exchange.source && service === exchange.service && session === exchange.session);
      if (context < 0) context = contexts.push([exchange.source, exchange.service, exchange.session]) - 1;
    }
    last = exchange;
    const at = i * NUMBERS;
    numbers[at] = exchange.startedAt;
    numbers[at + 1] = exchange.durationMs;
    numbers[at + 2] = exchange.status ?? -1;
    numbers[at + 3] =
      (exchange.requestBodyTruncated ? REQUEST_BODY_TRUNCATED : 0) |
      (exchange.responseBodyTruncated ? RESPONSE_BODY_TRUNCATED : 0) |
      (exchange.bodiesDecoded === true ? BODIES_DECODED : 0);
    numbers[at + 4] = context;
    if (exchange.error !== null) errors.push([i, exchange.error.code, exchange.error.message]);
  }
  // Each exchange also weighs a fixed allowance for its URL and headers.
  return { type: 'capture', texts, numbers, contexts, errors, buffers, spans, bytes: bytes + exchanges.length * 1024 };
}

/** Bodies from 16 KiB that own all of their memory: moved to the worker rather than copied. */
function travelsAlone(body: Uint8Array): boolean {
  return body.byteLength >= 16 * 1024 && body.byteOffset === 0 && body.buffer instanceof ArrayBuffer && body.buffer.byteLength === body.byteLength;
}

/**
 * The `index`-th exchange of a batch, its bodies views of the batch's buffers. `headers` turns a
 * header set's JSON text into its map (the worker shares one map between repeats of a text).
 */
export function exchangeAt(batch: CaptureBatch, index: number, headers: (text: string) => HeaderMap): CapturedExchange {
  const text = index * TEXTS;
  const at = index * NUMBERS;
  const status = batch.numbers[at + 2]!;
  const flags = batch.numbers[at + 3]!;
  const [source, service, session] = batch.contexts[batch.numbers[at + 4]!]!;
  const responseHeaders = batch.texts[text + 3]!;
  // Failures are few (usually none): looked up rather than carried by every exchange.
  const failed = batch.errors.length === 0 ? undefined : batch.errors.find(([failedAt]) => failedAt === index);
  return {
    source,
    service,
    session,
    startedAt: batch.numbers[at]!,
    durationMs: batch.numbers[at + 1]!,
    method: batch.texts[text]!,
    url: batch.texts[text + 1]!,
    requestHeaders: headers(batch.texts[text + 2]!),
    requestBody: bodyOf(batch, index, 0),
    requestBodyTruncated: (flags & REQUEST_BODY_TRUNCATED) !== 0,
    status: status < 0 ? null : status,
    responseHeaders: responseHeaders === '' ? null : headers(responseHeaders),
    responseBody: bodyOf(batch, index, 1),
    responseBodyTruncated: (flags & RESPONSE_BODY_TRUNCATED) !== 0,
    bodiesDecoded: (flags & BODIES_DECODED) !== 0,
    error: failed === undefined ? null : { code: failed[1], message: failed[2] },
  };
}

/** The body of the `index`-th exchange of a batch (0: request, 1: response), as a view of its buffer. */
function bodyOf(batch: Pick<CaptureBatch, 'buffers' | 'spans'>, index: number, which: 0 | 1): Buffer | null {
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
