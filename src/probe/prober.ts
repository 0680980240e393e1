import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { CapturedExchange, ExchangeError } from '../model/exchange.js';
import { describeError, MockdriftError } from '../model/errors.js';
import type { FixtureInteraction } from '../model/fixture.js';
import { hopByHopHeaderSet, toHeaderMap, type HeaderMap } from '../model/headers.js';

/** Where probed exchanges go; `CaptureWriter` is the one that stores them. */
export interface ProbeSink {
  write(exchange: CapturedExchange): void;
}

/** An interaction that was not replayed, and why. */
export interface SkippedInteraction {
  /** The interaction's name (Pact description, stub name, or `GET /v1/charges`). */
  readonly name: string;
  /** Its fixture file, relative to the working directory. */
  readonly file: string;
  /** Method and path (or path pattern) for people, e.g. `POST /v1/charges`. */
  readonly request: string;
  readonly reason: string;
}

/** What `probe` reports while it runs, in order: skips, the start, then retries and exchanges. */
export type ProbeEvent =
  | { readonly type: 'skipped'; readonly skipped: SkippedInteraction }
  | { readonly type: 'start'; readonly total: number }
  | {
      readonly type: 'retry';
      readonly method: string;
      readonly url: string;
      /** The attempt that is about to be made, from 2. */
      readonly attempt: number;
      readonly delayMs: number;
      readonly reason: string;
    }
  | {
      readonly type: 'exchange';
      /** The final outcome of one request, after it was handed to the sink. */
      readonly exchange: CapturedExchange;
      readonly done: number;
      readonly total: number;
      readonly failed: number;
    };

/** How `probe` replays fixture requests against a sandbox. */
export interface ProbeOptions {
  /** The sandbox's base URL; a path prefix (`https://host/api`) is put before every path. Required. */
  readonly target: string;
  /** The interactions whose requests are replayed. Required. */
  readonly interactions: readonly FixtureInteraction[];
  /** Where every final outcome goes. Required. */
  readonly sink: ProbeSink;
  /** Service stored with each exchange. Default: the interaction's own service, else `default`. */
  readonly service?: string;
  /** Headers added to every request; they win over the fixture's (credentials, mostly). Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Requests under way at once. Default: 4. */
  readonly concurrency?: number;
  /** Longest one attempt may take, from sending to the end of the body, in ms. Default: 10000. */
  readonly timeoutMs?: number;
  /** Further attempts after a 429, 502, 503, 504 or network error. Default: 2. */
  readonly retries?: number;
  /** Replay methods other than GET, HEAD and OPTIONS too. Default: false. */
  readonly allowUnsafe?: boolean;
  /** Most bytes of one body kept for the store. Default: 10 MiB. */
  readonly maxBodyBytes?: number;
  /** Identifies this probe run in the store. Default: a random UUID. */
  readonly session?: string;
  /** Progress, for a log or a progress bar. Called synchronously; must not throw. */
  readonly onProgress?: (event: ProbeEvent) => void;
}

/** What a probe run did. */
export interface ProbeResult {
  /** Requests sent (each counted once, however many attempts it took). */
  readonly sent: number;
  /** Requests the sandbox answered (any status). */
  readonly answered: number;
  /** Requests that got no answer, even after retrying. */
  readonly failed: number;
  /** Interactions not replayed. */
  readonly skipped: SkippedInteraction[];
  /** Interactions whose request was identical to one already sent, so not sent again. */
  readonly duplicates: number;
  /** True when requests were sent and every one failed on the network (refused, reset, timed out). */
  readonly unreachable: boolean;
}

/** Methods that do not change anything on the sandbox (RFC 9110 §9.2.1, minus TRACE). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Statuses that say "try again later". */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
/** Node's codes for connections that could not be made or were cut. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** undici codes that are about the caller's request, not the network: retrying cannot help. */
const UNDICI_USAGE_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_INVALID_RETURN_VALUE', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH']);
/** Request headers never replayed: they describe the connection, or undici computes them. */
const NOT_REPLAYED = new Set(['host', 'content-length']);

const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 5000;
const RETRY_AFTER_CAP_MS = 30_000;

/** One request to send, built from the first interaction that asks for it. */
interface PlannedRequest {
  readonly method: string;
  /** Path and query string as the sandbox sees them (target prefix included). */
  readonly pathAndQuery: string;
  readonly headers: HeaderMap;
  readonly body: Uint8Array | null;
  readonly service: string;
}

interface Plan {
  readonly requests: PlannedRequest[];
  readonly skipped: SkippedInteraction[];
  readonly duplicates: number;
}

/** How one attempt ended. */
type Attempt =
  | {
      readonly kind: 'answered';
      readonly status: number;
      readonly headers: HeaderMap;
      readonly body: Uint8Array;
      readonly truncated: boolean;
    }
  | { readonly kind: 'failed'; readonly error: ExchangeError; readonly network: boolean };

interface RunSettings {
  readonly target: URL;
  readonly agent: Agent;
  readonly sink: ProbeSink;
  readonly session: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly maxBodyBytes: number;
  readonly emit: (event: ProbeEvent) => void;
}

/**
 * Replays the request of each fixture interaction once against the sandbox and hands every
 * outcome (answer, or failure after retries) to the sink as a `probe` exchange. Only safe methods
 * unless `allowUnsafe`; identical requests are sent once; at most `concurrency` at a time.
 * @throws MockdriftError `USAGE` when `target` is not an http(s) URL.
 */
export async function probe(options: ProbeOptions): Promise<ProbeResult> {
  const target = parseTarget(options.target);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const emit = options.onProgress ?? ((): void => {});
  const plan = planRequests(options, target);
  for (const skipped of plan.skipped) emit({ type: 'skipped', skipped });
  emit({ type: 'start', total: plan.requests.length });

  // undici's own timers tick coarsely (about once a second); they are only a backstop here, the
  // AbortSignal of each attempt is what enforces `timeoutMs`.
  const agent = new Agent({
    connections: concurrency,
    keepAliveTimeout: 10_000,
    headersTimeout: timeoutMs + 1000,
    bodyTimeout: timeoutMs + 1000,
    connect: { timeout: timeoutMs },
  });
  const settings: RunSettings = {
    target,
    agent,
    sink: options.sink,
    session: options.session ?? randomUUID(),
    timeoutMs,
    retries: Math.max(0, Math.floor(options.retries ?? 2)),
    maxBodyBytes: options.maxBodyBytes ?? 10 * 1024 * 1024,
    emit,
  };
  const tally = { done: 0, answered: 0, failed: 0, networkFailed: 0 };
  try {
    await runPool(plan.requests, concurrency, async (planned) => {
      const { exchange, network } = await send(planned, settings);
      settings.sink.write(exchange);
      tally.done += 1;
      if (exchange.error) tally.failed += 1;
      else tally.answered += 1;
      if (network) tally.networkFailed += 1;
      emit({ type: 'exchange', exchange, done: tally.done, total: plan.requests.length, failed: tally.failed });
    });
  } finally {
    await agent.close();
  }
  return {
    sent: plan.requests.length,
    answered: tally.answered,
    failed: tally.failed,
    skipped: plan.skipped,
    duplicates: plan.duplicates,
    unreachable: plan.requests.length > 0 && tally.networkFailed === plan.requests.length,
  };
}

/** Which interactions become requests: concrete paths, safe methods (unless allowed), no repeats. */
function planRequests(options: ProbeOptions, target: URL): Plan {
  const requests: PlannedRequest[] = [];
  const skipped: SkippedInteraction[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const interaction of options.interactions) {
    const reason = skipReason(interaction, options.allowUnsafe ?? false);
    if (reason !== null) {
      skipped.push(skippedOf(interaction, reason));
      continue;
    }
    const planned = plannedRequest(interaction, options, target);
    const key = requestKey(planned);
    if (seen.has(key)) {
      duplicates += 1;
      continue;
    }
    seen.add(key);
    requests.push(planned);
  }
  return { requests, skipped, duplicates };
}

function skipReason(interaction: FixtureInteraction, allowUnsafe: boolean): string | null {
  if (interaction.request.path === null) return 'no concrete path';
  if (interaction.format === 'openapi') return 'an OpenAPI operation: its path is a template, not a request';
  if (!allowUnsafe && !SAFE_METHODS.has(interaction.request.method.toUpperCase())) return 'unsafe method (pass --allow-unsafe)';
  return null;
}

function skippedOf(interaction: FixtureInteraction, reason: string): SkippedInteraction {
  const { method, path, pathPattern } = interaction.request;
  return { name: interaction.name, file: interaction.file, request: `${method.toUpperCase()} ${path ?? pathPattern ?? '?'}`, reason };
}

function plannedRequest(interaction: FixtureInteraction, options: ProbeOptions, target: URL): PlannedRequest {
  const { request: fixture } = interaction;
  const headers = replayedHeaders(fixture.headers);
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  const body = encodeBody(fixture.body, headers);
  return {
    method: fixture.method.toUpperCase(),
    pathAndQuery: joinPaths(target.pathname, fixture.path! + queryString(fixture.query)),
    headers,
    body,
    service: options.service ?? interaction.service ?? 'default',
  };
}

/** The fixture's request headers minus those that belong to a connection or to the body's framing. */
function replayedHeaders(headers: HeaderMap): HeaderMap {
  const dropped = hopByHopHeaderSet(headers);
  const kept: HeaderMap = Object.create(null) as HeaderMap;
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!dropped.has(lower) && !NOT_REPLAYED.has(lower)) kept[lower] = value;
  }
  return kept;
}

/** Text as it is; anything else as JSON (declared as such unless the fixture names a type). */
function encodeBody(body: unknown, headers: HeaderMap): Uint8Array | null {
  if (body === undefined) return null;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  headers['content-type'] ??= 'application/json';
  return Buffer.from(JSON.stringify(body), 'utf8');
}

function queryString(query: Readonly<Record<string, readonly string[]>> | null): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, values] of Object.entries(query)) for (const value of values) params.append(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Same request, same answer: the key ignores headers, which only the fixtures' authors vary. */
function requestKey(planned: PlannedRequest): string {
  const body = planned.body ? Buffer.from(planned.body).toString('base64') : '';
  return `${planned.method} ${planned.pathAndQuery} ${body}`;
}

/** The path the sandbox sees, as the recording proxy builds it: the target's path, then the request's. */
function joinPaths(base: string, pathAndQuery: string): string {
  if (base === '/' || base === '') return pathAndQuery;
  return base.replace(/\/$/, '') + pathAndQuery;
}

/**
 * Runs `work` over `items` with at most `limit` under way: `limit` workers each take the next
 * item until none is left, so the loop ends after `items.length` steps in all.
 */
async function runPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Sends one request, retrying what is worth retrying, and builds the exchange of its last attempt. */
async function send(planned: PlannedRequest, settings: RunSettings): Promise<{ exchange: CapturedExchange; network: boolean }> {
  const url = new URL(planned.pathAndQuery, settings.target.origin).href;
  let timed = await timedAttempt(url, planned, settings);
  // At most `retries` further attempts.
  for (let attempt = 1; attempt <= settings.retries; attempt++) {
    const delayMs = retryDelay(timed.outcome, attempt);
    if (delayMs === null) break;
    settings.emit({ type: 'retry', method: planned.method, url, attempt: attempt + 1, delayMs, reason: retryReason(timed.outcome) });
    await sleep(delayMs);
    timed = await timedAttempt(url, planned, settings);
  }
  const { outcome } = timed;
  return { exchange: exchangeOf(planned, url, settings, timed), network: outcome.kind === 'failed' && outcome.network };
}

interface TimedAttempt {
  readonly outcome: Attempt;
  /** When the attempt started, in ms since the epoch. */
  readonly startedAt: number;
  readonly durationMs: number;
}

async function timedAttempt(url: string, planned: PlannedRequest, settings: RunSettings): Promise<TimedAttempt> {
  const startedAt = Date.now();
  const started = performance.now();
  const outcome = await attemptOnce(url, planned, settings);
  return { outcome, startedAt, durationMs: Math.round((performance.now() - started) * 1000) / 1000 };
}

/** One attempt, bounded by `timeoutMs` from sending to the end of the body. */
async function attemptOnce(url: string, planned: PlannedRequest, settings: RunSettings): Promise<Attempt> {
  const signal = AbortSignal.timeout(settings.timeoutMs);
  try {
    const response = await request(url, {
      method: planned.method,
      headers: planned.headers,
      body: planned.body ?? null,
      dispatcher: settings.agent,
      signal,
    });
    // Raw bytes, still content-encoded: the capture worker decodes them (undici.request never does).
    const { body, truncated } = await readCapped(response.body, settings.maxBodyBytes);
    return { kind: 'answered', status: response.statusCode, headers: toHeaderMap(response.headers), body, truncated };
  } catch (error) {
    return failureOf(error, signal.aborted, settings);
  }
}

/** Reads a body up to `cap` bytes; past the cap the rest is not waited for (leaving the loop destroys the stream). */
async function readCapped(stream: AsyncIterable<Buffer>, cap: number): Promise<{ body: Uint8Array; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of stream) {
    const room = cap - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      size = cap;
      truncated = true;
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  // A fresh buffer that owns its memory can move to the capture worker without a copy.
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return { body, truncated };
}

function failureOf(error: unknown, timedOut: boolean, settings: RunSettings): Attempt {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const origin = settings.target.origin;
  if (timedOut || code === 'ETIMEDOUT' || /^UND_ERR_(CONNECT|HEADERS|BODY)_TIMEOUT$/.test(code)) {
    return { kind: 'failed', network: true, error: { code: 'upstream-timeout', message: `no complete response from ${origin} within ${settings.timeoutMs} ms` } };
  }
  const network = NETWORK_CODES.has(code) || (code.startsWith('UND_ERR_') && !UNDICI_USAGE_CODES.has(code));
  return {
    kind: 'failed',
    network,
    error: network
      ? { code: 'upstream-unreachable', message: `cannot reach ${origin}: ${describeError(error)}` }
      : { code: 'proxy-error', message: `cannot send the request to ${origin}: ${describeError(error)}` },
  };
}

/** How long to wait before the next attempt; null when the outcome is final. */
function retryDelay(outcome: Attempt, attempt: number): number | null {
  if (outcome.kind === 'failed') return outcome.network ? backoff(attempt) : null;
  if (!RETRY_STATUSES.has(outcome.status)) return null;
  return retryAfter(outcome.headers['retry-after']) ?? backoff(attempt);
}

/** Exponential back-off with full jitter: spreads the retries of concurrent requests apart. */
function backoff(attempt: number): number {
  return Math.round(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1)));
}

/** `Retry-After` in ms (seconds or an HTTP date), capped so a sandbox cannot stall the run. */
export function retryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (Number.isNaN(ms)) return null;
  return Math.min(Math.max(ms, 0), RETRY_AFTER_CAP_MS);
}

function retryReason(outcome: Attempt): string {
  return outcome.kind === 'answered' ? `status ${outcome.status}` : outcome.error.message;
}

/** The exchange of a request's last attempt: what the store keeps of it. */
function exchangeOf(planned: PlannedRequest, url: string, settings: RunSettings, timed: TimedAttempt): CapturedExchange {
  const { outcome } = timed;
  const truncated = planned.body !== null && planned.body.byteLength > settings.maxBodyBytes;
  const answered = outcome.kind === 'answered' ? outcome : null;
  return {
    source: 'probe',
    service: planned.service,
    session: settings.session,
    startedAt: timed.startedAt,
    durationMs: timed.durationMs,
    method: planned.method,
    url,
    requestHeaders: { ...planned.headers, host: settings.target.host },
    // A copy (of at most the cap): the capture writer may move the buffer it gets to its worker,
    // which would empty a body that the caller's fixture still holds.
    requestBody: planned.body ? new Uint8Array(planned.body.subarray(0, settings.maxBodyBytes)) : null,
    requestBodyTruncated: truncated,
    status: answered?.status ?? null,
    responseHeaders: answered?.headers ?? null,
    responseBody: answered?.body ?? null,
    responseBodyTruncated: answered?.truncated ?? false,
    error: outcome.kind === 'failed' ? outcome.error : null,
  };
}

function parseTarget(target: string): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch (error) {
    throw new MockdriftError('USAGE', `--target "${target}" is not a URL; give the sandbox's base URL, e.g. https://sandbox.example.com`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MockdriftError('USAGE', `--target "${target}" must be an http:// or https:// URL`);
  }
  return url;
}
