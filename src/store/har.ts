import { isUtf8 } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import type { CapturedExchange, Exchange, ExchangeError, ExchangeErrorCode, ExchangeSource, StoredBody } from '../model/exchange.js';
import { pollyChunkBytes } from '../formats/polly-body.js';
import { MockdriftError } from '../model/errors.js';
import { headerValue, type HeaderMap } from '../model/headers.js';
import { jsonText, previewJson } from '../model/json-text.js';

/**
 * HAR 1.2 in and out of the store. `import` reads DevTools exports and Polly.JS recordings into
 * captured exchanges (which then go through the capture pipeline like any recorded traffic, so
 * secrets are redacted); `export` writes stored exchanges as a HAR that browsers' tools and
 * `import` read back.
 */

/** Who wrote a HAR: HAR's `log.creator`. */
export interface HarCreator {
  readonly name: string;
  readonly version: string;
}

/** Where the entries of a HAR file go. */
export interface HarImportOptions {
  /** Service of entries without a `_mockdrift.service` of their own (HARs from other tools). */
  readonly service: string;
  /** Session that every imported exchange is stored under. */
  readonly session: string;
  /** The file's name as the user gave it, for error messages. */
  readonly file: string;
}

export interface HarNameValue {
  readonly name: string;
  readonly value: string;
}

/** The `_mockdrift` extension of an exported entry: what HAR has no field for. */
export interface HarMockdriftExtension {
  readonly service: string;
  readonly session: string;
  readonly source: ExchangeSource;
  /** Set when the exchange did not complete, so that `import` restores its error code. */
  readonly error?: ExchangeError;
}

export interface HarEntry {
  readonly startedDateTime: string;
  readonly time: number;
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly httpVersion: string;
    readonly cookies: readonly never[];
    readonly headers: readonly HarNameValue[];
    readonly queryString: readonly HarNameValue[];
    readonly postData?: { readonly mimeType: string; readonly text: string; readonly encoding?: 'base64' };
    readonly headersSize: -1;
    readonly bodySize: number;
  };
  readonly response: {
    readonly status: number;
    readonly statusText: string;
    readonly httpVersion: string;
    readonly cookies: readonly never[];
    readonly headers: readonly HarNameValue[];
    readonly content: {
      readonly size: number;
      readonly mimeType: string;
      readonly text?: string;
      readonly encoding?: 'base64';
      /** Set when mockdrift kept only the start of the body (over `--max-body`). */
      readonly _truncated?: true;
    };
    readonly redirectURL: string;
    readonly headersSize: -1;
    readonly bodySize: -1;
    /** DevTools' field for a request that failed: the reason, or null. */
    readonly _error: string | null;
  };
  readonly cache: Record<string, never>;
  readonly timings: { readonly send: 0; readonly wait: number; readonly receive: 0 };
  readonly _mockdrift: HarMockdriftExtension;
}

export interface HarDocument {
  readonly log: {
    readonly version: '1.2';
    readonly creator: HarCreator;
    readonly pages: readonly never[];
    readonly entries: HarEntry[];
  };
}

/** The error of an entry that the browser recorded with status 0. */
const NO_RESPONSE: ExchangeError = { code: 'upstream-unreachable', message: 'the browser recorded no response' };

const ERROR_CODES: ReadonlySet<string> = new Set<ExchangeErrorCode>([
  'upstream-unreachable',
  'upstream-timeout',
  'upstream-aborted',
  'client-aborted',
  'proxy-error',
]);

// ---------------------------------------------------------------------------------------------
// HAR → captured exchanges
// ---------------------------------------------------------------------------------------------

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The entries of a HAR 1.2 document as captured exchanges (`source: 'import'`), in file order.
 * Entries with status 0 (requests the browser got no answer to) become failed exchanges.
 *
 * HAR holds bodies decoded while their headers still say `content-encoding: gzip`: such
 * exchanges are marked `bodiesDecoded` (see {@link alreadyDecoded}), so that the capture pipeline
 * stores them as they are and the stored exchange keeps its `contentEncoding`.
 *
 * @throws MockdriftError `FIXTURE_INVALID`, `FILE: not a HAR 1.2 file (…)` when there is no
 *   `log.entries` array, `FILE: entry N: …` for an entry without a method, an absolute URL, a
 *   start time or a valid status.
 */
export function harToCaptured(har: unknown, options: HarImportOptions): CapturedExchange[] {
  if (!isObject(har) || !isObject(har['log']) || !Array.isArray(har['log']['entries'])) {
    throw new MockdriftError('FIXTURE_INVALID', `${options.file}: not a HAR 1.2 file (expected an object with log.entries)`);
  }
  return har['log']['entries'].map((entry: unknown, index) => {
    try {
      return capturedOf(entry, options);
    } catch (error) {
      if (!(error instanceof EntryError)) throw error;
      throw new MockdriftError('FIXTURE_INVALID', `${options.file}: entry ${index}: ${error.message}`);
    }
  });
}

/** A problem with one entry; {@link harToCaptured} names the file and the entry. */
class EntryError extends Error {}

function capturedOf(entry: unknown, options: HarImportOptions): CapturedExchange {
  if (!isObject(entry)) throw new EntryError('not an object');
  const request = entry['request'];
  const response = entry['response'];
  if (!isObject(request)) throw new EntryError('has no request object');
  if (!isObject(response)) throw new EntryError('has no response object');
  const extension = isObject(entry['_mockdrift']) ? entry['_mockdrift'] : {};

  const status = statusOf(response['status']);
  const requestHeaders = headersOf(request['headers']);
  const responseHeaders = status === null ? null : headersOf(response['headers']);
  const requestText = postDataOf(request['postData']);
  const responseText = contentOf(response['content'], responseHeaders !== null && headerValue(responseHeaders, 'content-encoding') !== undefined);
  const decoded = alreadyDecoded(responseText?.bytes, responseHeaders) && alreadyDecoded(requestText?.bytes, requestHeaders);
  return {
    source: 'import',
    service: typeof extension['service'] === 'string' && extension['service'] !== '' ? extension['service'] : options.service,
    session: options.session,
    startedAt: startedAtOf(entry['startedDateTime']),
    // HAR says -1 where a time is unknown.
    durationMs: typeof entry['time'] === 'number' && entry['time'] >= 0 ? entry['time'] : 0,
    method: methodOf(request['method']),
    url: urlOf(request['url']),
    requestHeaders,
    requestBody: requestText?.bytes ?? null,
    requestBodyTruncated: false,
    status,
    responseHeaders,
    responseBody: responseText && responseHeaders ? responseText.bytes : null,
    responseBodyTruncated: responseText?.truncated ?? false,
    bodiesDecoded: decoded,
    error: errorOf(status, response['_error'], extension['error']),
  };
}

function methodOf(method: unknown): string {
  if (typeof method !== 'string' || !/^[A-Za-z!#$%&'*+.^_`|~0-9-]+$/.test(method)) throw new EntryError('has no valid request method');
  return method.toUpperCase();
}

function urlOf(url: unknown): string {
  if (typeof url !== 'string') throw new EntryError('has no request URL');
  if (!URL.canParse(url)) throw new EntryError(`request URL "${url}" is not an absolute URL`);
  return url;
}

function startedAtOf(value: unknown): number {
  const time = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw new EntryError(`startedDateTime ${previewJson(value)} is not an ISO 8601 date`);
  return time;
}

/** The response status; null for 0, which browsers write for requests that got no answer. */
function statusOf(status: unknown): number | null {
  if (status === 0) return null;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 999) {
    throw new EntryError(`response status ${previewJson(status)} is not an HTTP status (such as 200, or 0 for no response)`);
  }
  return status;
}

/**
 * Why an exchange failed, if it did: the code `export` wrote in `_mockdrift.error`, else
 * `upstream-unreachable` for status 0 (with DevTools' reason, such as `net::ERR_FAILED`, when
 * there is one). A DevTools `_error` next to a real status (an aborted download) is not a failure
 * of the API, so it is left out.
 */
function errorOf(status: number | null, devtoolsError: unknown, exported: unknown): ExchangeError | null {
  if (isObject(exported) && typeof exported['code'] === 'string' && ERROR_CODES.has(exported['code'])) {
    return { code: exported['code'] as ExchangeErrorCode, message: typeof exported['message'] === 'string' ? exported['message'] : '' };
  }
  if (status !== null) return null;
  if (typeof devtoolsError === 'string' && devtoolsError !== '') return { ...NO_RESPONSE, message: `${NO_RESPONSE.message} (${devtoolsError})` };
  return NO_RESPONSE;
}

/**
 * HAR's `[{name, value}]` as a {@link HeaderMap}: names lower-cased, repeated headers kept in
 * order. HTTP/2 pseudo-headers (`:authority`, `:path`), which DevTools lists, are part of the
 * request line, not headers.
 */
function headersOf(list: unknown): HeaderMap {
  const headers: HeaderMap = Object.create(null) as HeaderMap;
  if (!Array.isArray(list)) return headers;
  for (const header of list) {
    if (!isObject(header) || typeof header['name'] !== 'string') continue;
    const name = header['name'].trim().toLowerCase();
    if (name === '' || name.startsWith(':')) continue;
    const value = header['value'] === undefined || header['value'] === null ? '' : jsonText(header['value']);
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else headers[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return headers;
}

/** A request body: `postData.text`, or its `params` form-encoded when a tool wrote only those. */
function postDataOf(postData: unknown): { bytes: Buffer } | null {
  if (!isObject(postData)) return null;
  const text = postData['text'];
  if (typeof text === 'string' && text !== '') {
    // `encoding` is no HAR 1.2 field for postData, but `export` writes it for binary bodies.
    return { bytes: Buffer.from(text, postData['encoding'] === 'base64' ? 'base64' : 'utf8') };
  }
  if (!Array.isArray(postData['params']) || postData['params'].length === 0) return null;
  const form = new URLSearchParams();
  for (const param of postData['params']) {
    if (isObject(param) && typeof param['name'] === 'string') form.append(param['name'], jsonText(param['value'] ?? ''));
  }
  return { bytes: Buffer.from(form.toString()) };
}

/** A response body: `content.text`, base64-decoded when `content.encoding` says so. */
function contentOf(content: unknown, encoded = false): { bytes: Buffer; truncated: boolean } | null {
  if (!isObject(content) || typeof content['text'] !== 'string' || content['text'] === '') return null;
  // Polly.JS keeps compressed bodies as hex chunks of the wire bytes: those bytes are the body.
  const bytes = pollyChunkBytes(content, encoded) ?? Buffer.from(content['text'], content['encoding'] === 'base64' ? 'base64' : 'utf8');
  return { bytes, truncated: content['_truncated'] === true };
}

/**
 * Whether a HAR body under a `content-encoding` header is already decoded. DevTools exports store
 * bodies decoded (text), so valid UTF-8 is taken as decoded; Polly.JS keeps encoded responses as
 * base64 of the wire bytes, which are not UTF-8 and are decoded as recorded traffic is. A body
 * without a `content-encoding` has nothing to undo either way.
 */
function alreadyDecoded(bytes: Buffer | undefined, headers: HeaderMap | null): boolean {
  if (!bytes || !headers || headerValue(headers, 'content-encoding') === undefined) return true;
  return isUtf8(bytes);
}

// ---------------------------------------------------------------------------------------------
// Stored exchanges → HAR
// ---------------------------------------------------------------------------------------------

/**
 * Stored exchanges as a HAR 1.2 document, one entry per exchange, in the given order. Bodies are
 * the stored (decoded, redacted) ones: text as is, binary as base64; headers keep the original
 * `content-encoding`, as in a DevTools export. An exchange without a response is written with
 * status 0 and its reason in `_error`. Each entry carries `_mockdrift` (service, session, source,
 * error) so that `import` restores what HAR has no field for. Keys are in a fixed order, so two
 * exports of the same store are identical.
 */
export function exchangesToHar(exchanges: Iterable<Exchange>, creator: HarCreator): HarDocument {
  const entries: HarEntry[] = [];
  for (const exchange of exchanges) entries.push(entryOf(exchange));
  return { log: { version: '1.2', creator: { name: creator.name, version: creator.version }, pages: [], entries } };
}

function entryOf(exchange: Exchange): HarEntry {
  return {
    startedDateTime: new Date(exchange.recordedAt).toISOString(),
    time: exchange.durationMs,
    request: requestOf(exchange),
    response: responseOf(exchange),
    cache: {},
    timings: { send: 0, wait: exchange.durationMs, receive: 0 },
    _mockdrift: {
      service: exchange.service,
      session: exchange.session,
      source: exchange.source,
      ...(exchange.error ? { error: { code: exchange.error.code, message: exchange.error.message } } : {}),
    },
  };
}

function requestOf(exchange: Exchange): HarEntry['request'] {
  const body = exchange.requestBody;
  const postData = body
    ? { mimeType: headerValue(exchange.requestHeaders, 'content-type') ?? '', ...bodyText(body) }
    : undefined;
  return {
    method: exchange.method,
    url: exchange.url,
    httpVersion: 'HTTP/1.1',
    cookies: [],
    headers: harHeaders(exchange.requestHeaders),
    queryString: Object.entries(exchange.query).flatMap(([name, values]) => values.map((value) => ({ name, value }))),
    ...(postData ? { postData } : {}),
    headersSize: -1,
    bodySize: body?.size ?? 0,
  };
}

function responseOf(exchange: Exchange): HarEntry['response'] {
  const headers = exchange.responseHeaders ?? {};
  const body = exchange.responseBody;
  const status = exchange.status ?? 0;
  return {
    status,
    statusText: exchange.status === null ? '' : (STATUS_CODES[status] ?? ''),
    httpVersion: exchange.status === null ? '' : 'HTTP/1.1',
    cookies: [],
    headers: harHeaders(headers),
    content: {
      size: body?.size ?? 0,
      mimeType: headerValue(headers, 'content-type') ?? exchange.contentType ?? '',
      ...(body ? bodyText(body) : {}),
      ...(body?.truncated ? { _truncated: true as const } : {}),
    },
    redirectURL: headerValue(headers, 'location') ?? '',
    headersSize: -1,
    bodySize: -1,
    _error: exchange.error?.message ?? null,
  };
}

/** A stored body as HAR text: text as is, bytes as base64. */
function bodyText(body: StoredBody): { text: string; encoding?: 'base64' } {
  if (typeof body.content === 'string') return { text: body.content };
  return { text: Buffer.from(body.content).toString('base64'), encoding: 'base64' };
}

/** A {@link HeaderMap} as HAR's list, one item per value of a repeated header. */
function harHeaders(headers: HeaderMap): HarNameValue[] {
  return Object.entries(headers).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((item) => ({ name, value: item })),
  );
}
