import type { HeaderMap } from './headers.js';
import type { BodyShape } from './shape.js';

/** Where an exchange came from. */
export type ExchangeSource = 'record' | 'probe' | 'import';

/**
 * One request/response pair as it was seen on the wire, before anything is decoded or redacted.
 * The proxy, `probe` and `import` produce these; only the capture pipeline turns them into
 * {@link Exchange}s, so that redaction cannot be skipped on the way to the store.
 */
export interface CapturedExchange {
  readonly source: ExchangeSource;
  readonly service: string;
  readonly session: string;
  /** When the request arrived, in ms since the epoch. */
  readonly startedAt: number;
  /** From the request's arrival to the end of the response (or the failure), in ms. */
  readonly durationMs: number;
  readonly method: string;
  /** Absolute URL of the request as sent to the sandbox. */
  readonly url: string;
  readonly requestHeaders: HeaderMap;
  /** Raw request body bytes, at most the body cap. */
  readonly requestBody: Uint8Array | null;
  /** True when the request body was longer than the cap and only its start was kept. */
  readonly requestBodyTruncated: boolean;
  /** Status the sandbox answered with; null when no response arrived. */
  readonly status: number | null;
  readonly responseHeaders: HeaderMap | null;
  /** Raw response body bytes as received (still content-encoded), at most the body cap. */
  readonly responseBody: Uint8Array | null;
  readonly responseBodyTruncated: boolean;
  /**
   * True when the bodies are already decoded although a `content-encoding` header names a
   * coding: HAR files store bodies so. Default: false (bodies are the bytes of the wire).
   */
  readonly bodiesDecoded?: boolean;
  /** What went wrong on the way, when something did (upstream refused, timed out, died mid-body). */
  readonly error: ExchangeError | null;
}

/** Stable codes for exchanges that did not complete. */
export type ExchangeErrorCode =
  | 'upstream-unreachable'
  | 'upstream-timeout'
  | 'upstream-aborted'
  | 'client-aborted'
  | 'proxy-error';

export interface ExchangeError {
  readonly code: ExchangeErrorCode;
  readonly message: string;
}

/** A body as it is stored: decoded, redacted, text when it is text and bytes when it is not. */
export interface StoredBody {
  /** UTF-8 text for textual bodies (JSON included); raw bytes for binary ones. */
  readonly content: string | Uint8Array;
  /**
   * True when `content` holds the UTF-8 bytes of a textual body: the capture pipeline keeps large
   * bodies so, and stores write them as text without turning them into a string first. A string
   * `content` is always text. Default: false.
   */
  readonly text?: boolean;
  /** Size in bytes of the decoded body that was kept. */
  readonly size: number;
  /** True when the body exceeded the cap and only its start is kept. */
  readonly truncated: boolean;
  /** SHA-1 of the content (hex), when the pipeline already computed it; the store computes it otherwise. */
  readonly hash?: string;
}

/** A recorded exchange as it is written to and read from the store: decoded and redacted. */
export interface Exchange {
  readonly source: ExchangeSource;
  readonly service: string;
  readonly session: string;
  readonly recordedAt: number;
  readonly durationMs: number;
  readonly method: string;
  /** Absolute URL, with secret-looking query values redacted. */
  readonly url: string;
  /** Path without the query string, e.g. `/v1/charges/ch_123`. */
  readonly path: string;
  /** Route template of the path, e.g. `/v1/charges/:id`. */
  readonly route: string;
  /** Query parameters by name, each with every value in order. */
  readonly query: Readonly<Record<string, readonly string[]>>;
  readonly requestHeaders: HeaderMap;
  readonly requestBody: StoredBody | null;
  readonly status: number | null;
  readonly responseHeaders: HeaderMap | null;
  readonly responseBody: StoredBody | null;
  /** Media type of the response without parameters, e.g. `application/json`. */
  readonly contentType: string | null;
  /** The response's `content-encoding` as received; the stored body is decoded. */
  readonly contentEncoding: string | null;
  /** Structural summary of a JSON response body; null when the body is not (complete) JSON. */
  readonly responseShape: BodyShape | null;
  readonly error: ExchangeError | null;
}

/** Whether a stored body is text (a string, or UTF-8 bytes flagged as text), as opposed to binary. */
export function isTextBody(body: StoredBody): boolean {
  return typeof body.content === 'string' || body.text === true;
}
