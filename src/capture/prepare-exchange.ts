import { isUtf8 } from 'node:buffer';
import { createHash, hash as digestOf } from 'node:crypto';
import type { CapturedExchange, Exchange, StoredBody } from '../model/exchange.js';
import { headerValue, hopByHopHeaderSet, type HeaderMap } from '../model/headers.js';
import { normalizePath, routeOf, type RouteTemplate } from '../model/route.js';
import { shapeOf, shapeOfUnflagged, type BodyShape, type ShapeCache } from '../model/shape.js';
import { BodyCache, type PreparedBody } from './body-cache.js';
import { decodeBody } from './decode-body.js';
import { redactMultipart } from './multipart-body.js';
import type { Redactor } from './redactor.js';
import { changesOnlyValues, type RecentBodies } from './similar-json.js';

/** What the capture pipeline needs to turn a captured exchange into a stored one. */
export interface PrepareOptions {
  readonly redactor: Redactor;
  /** Route templates from the config, tried before the id heuristics. Default: none. */
  readonly routes?: readonly RouteTemplate[];
  /** Most decoded bytes kept of one body. */
  readonly maxBodyBytes: number;
  /** Bodies prepared before, to reuse for identical wire bytes. Default: none (every body prepared). */
  readonly cache?: BodyCache;
  /** Shapes spelled out before, to reuse for bodies of the same structure. Default: none. */
  readonly shapes?: ShapeCache;
  /**
   * The last JSON body of each route, to recognise a body that differs from it only in values
   * without parsing it. Default: none (every new body parsed).
   */
  readonly recent?: RecentBodies;
  /**
   * Headers prepared before, by the header map they were prepared from. Only frozen maps are
   * remembered: the capture worker shares one frozen map between every exchange that carried the
   * same headers. Default: none (every header map prepared).
   */
  readonly headers?: WeakMap<HeaderMap, HeaderMap>;
  /**
   * Query strings prepared before, by the query string as sent: a client sends the same few again
   * and again. Their parsed queries are frozen, so that exchanges may share them. Default: none
   * (every query string prepared).
   */
  readonly queries?: Map<string, StoredQuery>;
}

/** A query string as stored. */
export interface StoredQuery {
  /** The query string, redacted. */
  readonly search: string;
  /** Its parameters, by name, decoded. */
  readonly query: Readonly<Record<string, readonly string[]>>;
}

/**
 * Turns what was seen on the wire into what is stored: bodies decoded (gzip, deflate, br),
 * secrets redacted from the URL, headers and bodies, JSON bodies summarised as shapes, the path
 * mapped to its route. Everything that reaches the store passes through here first.
 */
export async function prepareExchange(captured: CapturedExchange, options: PrepareOptions): Promise<Exchange> {
  const { redactor } = options;
  const url = new URL(captured.url);
  const { search, query } = storedQuery(url.search, options);
  // A key or a token in a path segment (`/keys/sk_live_…/roll`) leaves only its place behind.
  const pathname = redactor.redactPath(url.pathname);
  const path = normalizePath(pathname);
  const route = routeOf(path, options.routes);
  const method = captured.method.toUpperCase();
  // Bodies are compared with the last one of the same service, method, route and status.
  const similarTo = `${captured.service} ${method} ${route}`;

  const requestBody = captured.requestBody
    ? await storedBody(captured.requestBody, captured.requestBodyTruncated, captured.requestHeaders, captured.bodiesDecoded === true, options, `${similarTo} request`)
    : null;
  const responseBody = captured.responseBody
    ? await storedBody(
        captured.responseBody,
        captured.responseBodyTruncated,
        captured.responseHeaders ?? {},
        captured.bodiesDecoded === true,
        options,
        `${similarTo} ${captured.status}`,
      )
    : null;

  return {
    source: captured.source,
    service: captured.service,
    session: captured.session,
    recordedAt: captured.startedAt,
    durationMs: captured.durationMs,
    method,
    url: `${url.origin}${pathname}${search}`,
    path,
    route,
    query,
    requestHeaders: storedHeaders(captured.requestHeaders, options),
    requestBody: requestBody?.body ?? null,
    status: captured.status,
    responseHeaders: captured.responseHeaders ? storedHeaders(captured.responseHeaders, options) : null,
    responseBody: responseBody?.body ?? null,
    contentType: mediaType(captured.responseHeaders),
    contentEncoding: headerValue(captured.responseHeaders ?? undefined, 'content-encoding') ?? null,
    responseShape: responseBody?.shape ?? null,
    error: captured.error,
  };
}

/**
 * Headers as they are stored: those of the message itself, redacted. For a frozen map, the result
 * is remembered and frozen too: exchanges with the same headers share it.
 */
function storedHeaders(headers: HeaderMap, options: PrepareOptions): HeaderMap {
  const memo = options.headers !== undefined && Object.isFrozen(headers) ? options.headers : undefined;
  let stored = memo?.get(headers);
  if (stored === undefined) {
    stored = options.redactor.redactHeaders(messageHeaders(headers));
    if (memo !== undefined) memo.set(headers, Object.freeze(stored));
  }
  return stored;
}

/** The headers of the message itself: those describing the connection are not part of it. */
function messageHeaders(headers: HeaderMap): HeaderMap {
  const hopByHop = hopByHopHeaderSet(headers);
  const names = Object.keys(headers);
  // Usually there is none (the proxy already took them out): the map itself, not a copy.
  if (!names.some((name) => hopByHop.has(name))) return headers;
  const kept: HeaderMap = Object.create(null) as HeaderMap;
  for (const name of names) {
    if (!hopByHop.has(name)) kept[name] = headers[name]!;
  }
  return kept;
}

function storedQuery(sent: string, options: PrepareOptions): StoredQuery {
  let stored = options.queries?.get(sent);
  if (stored === undefined) {
    const search = options.redactor.redactQueryString(sent).search;
    const query = queryOf(search);
    for (const name in query) Object.freeze(query[name]);
    stored = { search, query: Object.freeze(query) };
    const memo = options.queries;
    if (memo !== undefined && sent.length <= MAX_REMEMBERED_QUERY) {
      if (memo.size >= MAX_REMEMBERED_QUERIES) memo.clear();
      memo.set(sent, stored);
    }
  }
  return stored;
}

/** Distinct query strings remembered (the memo starts over when full), and the longest one. */
const MAX_REMEMBERED_QUERIES = 256;
const MAX_REMEMBERED_QUERY = 2048;

function queryOf(search: string): Record<string, string[]> {
  const query: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  if (search === '' || search === '?') return query;
  // Most query strings need no decoding: split them; URLSearchParams (slow to build) for the rest.
  if (!search.includes('%') && !search.includes('+')) {
    for (const pair of search.slice(search.startsWith('?') ? 1 : 0).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      (query[name] ??= []).push(eq < 0 ? '' : pair.slice(eq + 1));
    }
    return query;
  }
  for (const [name, value] of new URLSearchParams(search)) (query[name] ??= []).push(value);
  return query;
}

/** The media type without parameters, lower-case: `application/json; charset=utf-8` → `application/json`. */
export function mediaType(headers: HeaderMap | null | undefined): string | null {
  const value = headerValue(headers ?? undefined, 'content-type');
  const type = value?.split(';', 1)[0]?.trim().toLowerCase();
  return type ? type : null;
}

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$|^text\/json$/;
const TEXT_MEDIA_TYPE = /^text\/|^application\/(?:[\w.+-]+\+)?(?:json|xml)$|^application\/(?:x-www-form-urlencoded|javascript|graphql)$/;

/**
 * A body as it is stored. Identical wire bytes under the same headers prepare identically, so a
 * cached result is reused: the digest of the raw bytes costs a fraction of decoding, parsing,
 * redacting and summarising them.
 */
async function storedBody(
  raw: Uint8Array,
  truncatedOnWire: boolean,
  headers: HeaderMap,
  alreadyDecoded: boolean,
  options: PrepareOptions,
  similarTo: string,
): Promise<PreparedBody> {
  const encoding = alreadyDecoded ? undefined : headerValue(headers, 'content-encoding');
  const type = mediaType(headers);
  // What else the result depends on: a multipart body's parts are found by the boundary its
  // content type names, so the same bytes under another boundary prepare differently.
  const typeDetail = type?.startsWith('multipart/') ? headerValue(headers, 'content-type') : type;
  const variant = `${encoding ?? ''}|${typeDetail ?? ''}|${truncatedOnWire ? 't' : ''}`;
  const cache = options.cache;
  // The same bytes as the last body of the route: what that one was prepared into.
  const again = cache?.repeat(similarTo, variant, raw);
  if (again) return again;
  // A large body is looked up by a digest of a sample of it, and a hit is checked byte for byte:
  // comparing 64 KB costs a tenth of digesting them.
  const sampled = raw.byteLength > SAMPLED_FROM;
  const digest = sampled ? sampleDigest(raw) : sha1(raw);
  const key = `${sampled ? 's' : 'h'}${raw.byteLength}|${digest}|${variant}`;
  const cached = cache?.get(key, sampled ? raw : undefined);
  if (cached) {
    cache!.noteRepeat(similarTo, variant, raw, cached);
    return cached;
  }
  const rawHash = sampled ? sha1(raw) : digest;
  const prepared = await prepareBody(raw, rawHash, truncatedOnWire, headers, type, encoding, options, similarTo);
  // A body that differs from the last one only in values will not come again as it is: the cache
  // would only copy it and push out bodies that do repeat.
  if (!prepared.similar && cache) {
    cache.set(key, prepared, sampled ? raw : undefined);
    cache.noteRepeat(similarTo, variant, raw, prepared);
  }
  return prepared;
}

/** The hex SHA-1 of a body: in one call, without a hash object per body. */
function sha1(content: string | Uint8Array): string {
  return digestOf('sha1', content, 'hex');
}

/** Bodies above this size are looked up in the cache by a sample: their start, middle and end. */
const SAMPLED_FROM = 4096;
const SAMPLE_BYTES = 1024;

function sampleDigest(raw: Uint8Array): string {
  const middle = Math.floor(raw.byteLength / 2) - SAMPLE_BYTES / 2;
  return createHash('sha1')
    .update(raw.subarray(0, SAMPLE_BYTES))
    .update(raw.subarray(middle, middle + SAMPLE_BYTES))
    .update(raw.subarray(raw.byteLength - SAMPLE_BYTES))
    .digest('hex');
}

async function prepareBody(
  raw: Uint8Array,
  rawHash: string,
  truncatedOnWire: boolean,
  headers: HeaderMap,
  type: string | null,
  encoding: string | undefined,
  options: PrepareOptions,
  similarTo: string,
): Promise<PreparedBody & { readonly similar?: true }> {
  const decoded = await decodeBody(raw, encoding, options.maxBodyBytes);
  const truncated = truncatedOnWire || decoded.truncated;
  const bytes = decoded.bytes;
  // Unchanged bytes hash as the wire bytes did: no second digest.
  const sameBytes = bytes.length === raw.length && (encoding === undefined || decoded.error !== undefined);
  if (decoded.error === undefined && type?.startsWith('multipart/')) {
    const redacted = redactMultipart(bytes, headerValue(headers, 'content-type') ?? '', options.redactor);
    if (redacted !== undefined) {
      const content = isUtf8(redacted) ? redacted.toString('utf8') : new Uint8Array(redacted);
      return { body: { content, size: redacted.length, truncated, hash: sha1(content) }, shape: null };
    }
  }
  // Without a content type, valid UTF-8 is taken for text.
  const textual = decoded.error === undefined && (type === null || TEXT_MEDIA_TYPE.test(type)) && isUtf8(bytes);
  if (!textual) {
    // Bytes that cannot be scanned for secrets are not stored unless asked: only their size and digest.
    if (options.redactor.binaryBodies !== 'keep') return { body: digestOnly(bytes, truncated), shape: null };
    const content = new Uint8Array(bytes);
    return { body: { content, size: bytes.length, truncated, hash: sameBytes ? rawHash : sha1(content) }, shape: null };
  }

  const recentKey = `${similarTo} ${type ?? ''}`;
  const recent = truncated || bytes.length < SIMILAR_FROM ? undefined : options.recent;
  const last = recent?.get(recentKey);
  if (last !== undefined && changesOnlyValues(last.bytes, bytes, options.redactor.inspector)) {
    // The last body's shape, and like it nothing to redact: no parse, no walk.
    const kept = keptBytes(bytes);
    recent!.set(recentKey, kept, last.shape);
    return { ...cleanJson(kept, bytes.length >= BYTES_FROM ? undefined : bytes.toString('utf8'), truncated, sameBytes ? rawHash : sha1(bytes), last.shape), similar: true };
  }

  const text = bytes.toString('utf8');
  const json = !truncated && looksLikeJson(type, text) ? parseJson(text) : undefined;
  if (json !== undefined) {
    // Nearly every body needs no redaction: one walk finds that out and summarises it.
    const shape = shapeOfUnflagged(json.value, options.redactor.inspector, options.shapes);
    if (shape !== undefined) {
      const kept = bytes.length >= BYTES_FROM || recent !== undefined ? keptBytes(bytes) : bytes;
      recent?.set(recentKey, kept, shape);
      return cleanJson(kept, bytes.length >= BYTES_FROM ? undefined : text, truncated, sameBytes ? rawHash : sha1(bytes), shape);
    }
    const redacted = options.redactor.redactJson(json.value);
    const content = redacted.changed ? serialize(redacted.value) : text;
    if (content !== undefined) {
      const hash = !redacted.changed && sameBytes ? rawHash : sha1(content);
      return { body: { content, size: Buffer.byteLength(content), truncated, hash }, shape: shapeOf(redacted.value, options.shapes) };
    }
  }
  const redacted = options.redactor.redactText(text);
  const hash = !redacted.changed && sameBytes ? rawHash : sha1(redacted.text);
  return { body: { content: redacted.text, size: Buffer.byteLength(redacted.text), truncated, hash }, shape: null };
}

/**
 * A JSON body stored as it came. A large one is kept as its bytes (`text` undefined): the string
 * dies with the parse instead of being copied by every collection until its batch is written, and
 * the store writes the bytes as they are.
 */
function cleanJson(bytes: Uint8Array, text: string | undefined, truncated: boolean, hash: string, shape: BodyShape): PreparedBody {
  const size = bytes.length;
  return { body: text === undefined ? { content: bytes, text: true, size, truncated, hash } : { content: text, size, truncated, hash }, shape };
}

/** Textual bodies from this size on are kept as their UTF-8 bytes rather than as a string. */
const BYTES_FROM = 16 * 1024;

/** JSON bodies from this size on are compared with the last one of their route before they are parsed. */
const SIMILAR_FROM = 512;

/** The bytes in memory of their own: a view into a batch's shared buffer would keep all of it alive. */
function keptBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  const copy = Buffer.allocUnsafeSlow(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/**
 * A body kept as its size and SHA-256 digest only: no content. The digest is its key in the store,
 * so identical binary bodies are still stored once.
 */
function digestOnly(bytes: Uint8Array, truncated: boolean): StoredBody {
  return { content: new Uint8Array(0), size: bytes.length, truncated, hash: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

function looksLikeJson(type: string | null, text: string): boolean {
  if (type && JSON_MEDIA_TYPE.test(type)) return true;
  // Sandboxes often answer JSON as text/plain or without a content type.
  if (type && type !== 'text/plain') return false;
  const first = text.trimStart()[0];
  return first === '{' || first === '[';
}

/** JSON.stringify, or undefined for values it cannot write (nesting deeper than the JS stack). */
function serialize(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}
