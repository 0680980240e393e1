import { createHash } from 'node:crypto';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { isTextBody, type Exchange, type ExchangeError, type ExchangeSource, type StoredBody } from '../model/exchange.js';
import { MockdriftError, type MockdriftErrorCode } from '../model/errors.js';
import type { HeaderMap } from '../model/headers.js';
import type { GroupSelector, RecordedGroup, RecordedRequest, RequestSelector } from '../model/recorded-group.js';
import { parseShape, serializeShape, type BodyShape } from '../model/shape.js';
import type { PgBody, PgCallName, PgCalls, PgExchangeRecord, PgExchangeRow, PgInsert, PgReply, PgWorkerData } from './postgres-protocol.js';
import type { ExchangeFilter, PruneResult, RecordingStore, RouteSummary, StoreStats } from './recording-store.js';
import { describeConnection, postgresConnection } from './store-location.js';
import { unreadableBody } from './unreadable-body.js';
import { groupRecordings } from './group-recordings.js';

/** How a PostgreSQL store is opened. */
export interface PostgresStoreOptions {
  /** Only read: the schema must exist (it is upgraded when older). Default: false (create the schema when missing). */
  readonly readonly?: boolean;
  /** Where the `PG*` variables are read from. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Exchanges read per round trip while iterating. */
const PAGE_SIZE = 500;

/**
 * The PostgreSQL implementation of {@link RecordingStore}, for many recorders writing to one
 * shared store (CI shards, several services, nightly probes) and one `check` reading all of it.
 *
 * The interface stays synchronous, as every caller and the SQLite store expect: the `pg` client
 * runs on a thread of its own and each call blocks on Atomics.wait until that thread has posted
 * its reply. A CLI command does one thing at a time anyway, and the recorder already writes from
 * the capture worker, off the proxy's event loop; so an asynchronous interface would have changed
 * every caller for no gain in throughput.
 *
 * `location` is the URL without its password: it is what messages may quote.
 */
export class PostgresRecordingStore implements RecordingStore {
  readonly location: string;
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #signal: Int32Array;
  /** Digests of bodies committed lately by this store: an identical body is not sent again. */
  readonly #knownBodies = new Set<string>();
  /** Digests of shapes committed lately by this store: their text is not sent again. */
  readonly #knownShapes = new Set<string>();
  #generation: number;
  #closed = false;

  private constructor(location: string, worker: Worker, port: MessagePort, signal: Int32Array) {
    this.location = location;
    this.#worker = worker;
    this.#port = port;
    this.#signal = signal;
    this.#generation = 0;
  }

  /**
   * Connects to the server of `url` (`postgres://user[:password]@host:port/dbname?sslmode=…`) and,
   * unless read-only, creates or upgrades the `mockdrift` schema.
   * @throws MockdriftError `STORE_UNAVAILABLE` when the server cannot be reached or refuses the
   *   credentials (one line naming host and database), or, read-only, when nothing was recorded yet;
   *   `STORE_TOO_NEW` when a newer mockdrift wrote the schema; `USAGE` for a malformed URL.
   */
  static open(url: string, options: PostgresStoreOptions = {}): PostgresRecordingStore {
    const connection = postgresConnection(url, options.env ?? process.env);
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(4);
    const data: PgWorkerData = { connection, signal: shared, port: port2 };
    const worker = new Worker(workerUrl(), { workerData: data, transferList: [port2] });
    // The thread must not keep a finished command alive; close() ends it properly.
    worker.unref();
    port1.unref();
    const store = new PostgresRecordingStore(describeConnection(connection), worker, port1, new Int32Array(shared));
    try {
      store.#generation = store.#call('open', options.readonly ?? false).generation;
    } catch (error) {
      store.#shutdown();
      throw error;
    }
    return store;
  }

  insert(exchanges: readonly Exchange[]): void {
    if (exchanges.length === 0) return;
    let batch = this.#batch(exchanges, true);
    let result = this.#call('insert', { generation: this.#generation, ...batch.insert });
    if (!result.written) {
      // A prune ran since: bodies and shapes this store believed stored may be gone. Send all.
      this.#forget();
      this.#generation = result.generation;
      batch = this.#batch(exchanges, false);
      result = this.#call('insert', { generation: this.#generation, ...batch.insert });
      if (!result.written) throw new MockdriftError('STORE_UNAVAILABLE', `Cannot write to ${this.location}: pruned while writing; the batch is retried`);
    }
    for (const hash of batch.bodies) remember(this.#knownBodies, hash, 4096);
    for (const hash of batch.shapes) remember(this.#knownShapes, hash, 16_384);
  }

  #forget(): void {
    this.#knownBodies.clear();
    this.#knownShapes.clear();
  }

  #batch(exchanges: readonly Exchange[], skipKnown: boolean): { insert: Omit<PgInsert, 'generation'>; bodies: string[]; shapes: string[] } {
    const bodies = new Map<string, PgBody>();
    const shapes = new Map<string, string>();
    const body = (stored: StoredBody | null): string | null => {
      if (!stored) return null;
      const hash = stored.hash ?? createHash('sha1').update(stored.content).digest('hex');
      if (!(skipKnown && this.#knownBodies.has(hash)) && !bodies.has(hash)) {
        const isText = isTextBody(stored);
        bodies.set(hash, { hash, isText, content: typeof stored.content === 'string' ? Buffer.from(stored.content, 'utf8') : stored.content });
      }
      return hash;
    };
    const rows = exchanges.map((exchange): PgExchangeRow => {
      let shapeHash: string | null = null;
      if (exchange.responseShape) {
        const text = serializeShape(exchange.responseShape);
        shapeHash = createHash('sha1').update(text).digest('hex');
        if (!(skipKnown && this.#knownShapes.has(shapeHash))) shapes.set(shapeHash, text);
      }
      return {
        source: exchange.source,
        service: exchange.service,
        session: exchange.session,
        recordedAt: exchange.recordedAt,
        durationMs: exchange.durationMs,
        method: exchange.method,
        url: exchange.url,
        path: exchange.path,
        route: exchange.route,
        query: JSON.stringify(exchange.query),
        queryNames: Object.keys(exchange.query).sort().join('&'),
        requestHeaders: JSON.stringify(exchange.requestHeaders),
        requestBody: body(exchange.requestBody),
        requestBodySize: exchange.requestBody?.size ?? null,
        requestBodyTruncated: exchange.requestBody?.truncated ?? false,
        status: exchange.status,
        responseHeaders: exchange.responseHeaders ? JSON.stringify(exchange.responseHeaders) : null,
        responseBody: body(exchange.responseBody),
        responseBodySize: exchange.responseBody?.size ?? null,
        responseBodyTruncated: exchange.responseBody?.truncated ?? false,
        contentType: exchange.contentType,
        contentEncoding: exchange.contentEncoding,
        shapeHash,
        errorCode: exchange.error?.code ?? null,
        errorMessage: exchange.error?.message ?? null,
        headerNames: exchange.responseHeaders ? Object.keys(exchange.responseHeaders).sort().join(',') : null,
        bodyUnreadable: unreadableBody(exchange),
      };
    });
    return {
      insert: { bodies: [...bodies.values()], shapes: [...shapes].map(([hash, text]) => ({ hash, text })), rowsJson: JSON.stringify(rows) },
      bodies: [...bodies.keys()],
      shapes: [...shapes.keys()],
    };
  }

  routes(filter: ExchangeFilter = {}): RouteSummary[] {
    return this.#call('routes', filter);
  }

  *exchanges(filter: ExchangeFilter = {}): IterableIterator<Exchange> {
    // Read in pages, keyed by (time, id): memory stays flat over a store of any size.
    let after: { recordedAt: number; id: number } | null = null;
    for (;;) {
      const page: PgExchangeRecord[] = this.#call('page', filter, after, PAGE_SIZE);
      for (const record of page) yield toExchange(record);
      if (page.length < PAGE_SIZE) return;
      const last: PgExchangeRecord = page[page.length - 1]!;
      after = { recordedAt: last.recordedAt, id: last.id };
    }
  }

  count(filter: ExchangeFilter = {}): number {
    return this.#call('count', filter);
  }

  recordedGroups(filter: Pick<ExchangeFilter, 'service' | 'since'> = {}): RecordedGroup[] {
    const { rows, shapes: shapeTexts } = this.#call('groups', filter);
    const shapes = new Map<number, BodyShape>(shapeTexts.map(([id, text]) => [id, parseShape(text)]));
    return groupRecordings(rows, shapes);
  }

  recordedRequests(selector: RequestSelector, limit: number): RecordedRequest[] {
    const { rows, shapes: shapeTexts } = this.#call('requests', selector, limit);
    const shapes = new Map<number, BodyShape>(shapeTexts.map(([id, text]) => [id, parseShape(text)]));
    return rows.map((row) => ({
      service: selector.service,
      method: selector.method,
      route: row.route,
      path: row.path,
      query: JSON.parse(row.query) as Record<string, string[]>,
      requestBody: row.requestBody,
      status: row.status,
      contentType: row.contentType,
      headerNames: row.headerNames ? row.headerNames.split(',') : [],
      shape: row.shapeId === null ? null : (shapes.get(row.shapeId) ?? null),
      unreadable: row.bodyUnreadable,
      empty: row.empty,
      count: row.count,
      firstSeen: row.first,
      lastSeen: row.last,
    }));
  }

  nearestRecordingOf(selector: GroupSelector, shapes: readonly BodyShape[], time: number, direction: 'after' | 'before'): number | null {
    const hashes = shapes.map((shape) => createHash('sha1').update(serializeShape(shape)).digest('hex'));
    return this.#call('nearest', selector, hashes, time, direction);
  }

  contains(exchange: Exchange): boolean {
    const body = exchange.responseBody;
    const digest = body ? (body.hash ?? createHash('sha1').update(body.content).digest('hex')) : null;
    return this.#call('contains', {
      recordedAt: exchange.recordedAt,
      service: exchange.service,
      method: exchange.method,
      url: exchange.url,
      status: exchange.status,
      responseBody: digest,
    });
  }

  sampleBodies(selector: GroupSelector, limit: number): unknown[] {
    return this.#call('sampleBodies', selector, limit).map((content) => JSON.parse(content) as unknown);
  }

  stats(): StoreStats {
    return this.#call('stats');
  }

  prune(olderThan: number, options: { readonly dryRun?: boolean } = {}): PruneResult {
    return this.#call('prune', olderThan, options.dryRun ?? false);
  }

  close(): void {
    if (this.#closed) return;
    try {
      this.#call('close');
    } finally {
      this.#shutdown();
    }
  }

  #shutdown(): void {
    this.#closed = true;
    this.#port.close();
    void this.#worker.terminate();
  }

  /** Sends one call to the client thread and blocks until its reply is there. */
  #call<K extends PgCallName>(call: K, ...args: Parameters<PgCalls[K]>): ReturnType<PgCalls[K]> {
    if (this.#closed) throw new MockdriftError('STORE_UNAVAILABLE', `The recordings store ${this.location} is closed`);
    Atomics.store(this.#signal, 0, 0);
    this.#port.postMessage({ call, args });
    let message: { message: PgReply } | undefined;
    // The wait is sliced so that a thread that died (it cannot reply) is noticed, not waited on forever.
    while (!(message = receiveMessageOnPort(this.#port) as { message: PgReply } | undefined)) {
      if (Atomics.wait(this.#signal, 0, 0, 1000) === 'timed-out' && this.#worker.threadId === -1) {
        throw new MockdriftError('STORE_UNAVAILABLE', `The connection to ${this.location} stopped unexpectedly`);
      }
    }
    const reply = message.message;
    if (reply.ok) return reply.value as ReturnType<PgCalls[K]>;
    throw new MockdriftError((reply.code as MockdriftErrorCode | null) ?? 'STORE_UNAVAILABLE', reply.message);
  }
}

/** Adds a digest to a bounded set of digests known to be stored (emptied when full). */
function remember(known: Set<string>, hash: string, limit: number): void {
  if (known.size >= limit) known.clear();
  known.add(hash);
}


function toBody(body: { content: Uint8Array; isText: boolean } | null, size: number | null, truncated: boolean): StoredBody | null {
  if (body === null) return null;
  return { content: body.isText ? Buffer.from(body.content.buffer, body.content.byteOffset, body.content.byteLength).toString('utf8') : body.content, size: size ?? 0, truncated };
}

function toExchange(record: PgExchangeRecord): Exchange {
  const error: ExchangeError | null = record.errorCode === null ? null : { code: record.errorCode as ExchangeError['code'], message: record.errorMessage ?? '' };
  return {
    source: record.source as ExchangeSource,
    service: record.service,
    session: record.session,
    recordedAt: record.recordedAt,
    durationMs: record.durationMs,
    method: record.method,
    url: record.url,
    path: record.path,
    route: record.route,
    query: JSON.parse(record.query) as Record<string, string[]>,
    requestHeaders: JSON.parse(record.requestHeaders) as HeaderMap,
    requestBody: toBody(record.requestBody, record.requestBodySize, record.requestBodyTruncated),
    status: record.status,
    responseHeaders: record.responseHeaders === null ? null : (JSON.parse(record.responseHeaders) as HeaderMap),
    responseBody: toBody(record.responseBody, record.responseBodySize, record.responseBodyTruncated),
    contentType: record.contentType,
    contentEncoding: record.contentEncoding,
    responseShape: record.shape === null ? null : parseShape(record.shape),
    error,
  };
}

/** The client thread's script: the compiled JavaScript, from `dist/` when this module runs from sources. */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/store/postgres-store-worker.js', import.meta.url)
    : new URL('./postgres-store-worker.js', import.meta.url);
}
