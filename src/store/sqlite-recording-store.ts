import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Exchange, ExchangeError, ExchangeSource, StoredBody } from '../model/exchange.js';
import { describeError, MockdriftError } from '../model/errors.js';
import type { HeaderMap } from '../model/headers.js';
import type { GroupSelector, RecordedGroup, RecordedRequest, RequestSelector, UnreadableReason } from '../model/recorded-group.js';
import { parseShape, serializeShape, type BodyShape } from '../model/shape.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import { isReadOnlyDirectory, readOnlyCopy } from './read-only-copy.js';
import { assertStoreFile } from './store-file-guard.js';
import type { ExchangeFilter, PruneResult, RecordingStore, RouteSummary, StoreStats } from './recording-store.js';
import { unreadableBody } from './unreadable-body.js';
import { groupRecordings } from './group-recordings.js';

/** How a store is opened. */
export interface SqliteStoreOptions {
  /** Open for reading only; the file must exist. Default: false (create it when missing). */
  readonly readonly?: boolean;
  /** How long to wait for another process's write lock before failing, in ms. Default: 5000. */
  readonly busyTimeoutMs?: number;
  /**
   * Who copies the write-ahead log back into the database file. `automatic`: SQLite, inside the
   * commit that fills 64 MB of log. `external`: nobody here; the owner calls {@link
   * SqliteRecordingStore.checkpoint} or has another connection do it, so that commits never wait
   * for a checkpoint. Default: `automatic`.
   */
  readonly checkpoints?: 'automatic' | 'external';
}

/** Size a log checkpointed by its owner is cut back to when it starts over (bytes). */
const EXTERNAL_LOG_LIMIT = 16 * 1024 * 1024;

interface ExchangeRow {
  source: string;
  service: string;
  session: string;
  recorded_at: number;
  duration_ms: number;
  method: string;
  url: string;
  path: string;
  route: string;
  query: string;
  request_headers: string;
  request_body_content: string | Buffer | null;
  request_body_size: number | null;
  request_body_truncated: number;
  status: number | null;
  response_headers: string | null;
  response_body_content: string | Buffer | null;
  response_body_size: number | null;
  response_body_truncated: number;
  content_type: string | null;
  content_encoding: string | null;
  shape: string | null;
  error_code: string | null;
  error_message: string | null;
}

/**
 * The SQLite implementation of {@link RecordingStore} (better-sqlite3). WAL mode with
 * `synchronous=NORMAL`: a crash may lose the last transactions but never corrupts the store,
 * and readers (`check`) never block the recorder. The file is created with mode 0600: it holds
 * what the sandbox said, which is nobody else's business even after redaction.
 */
export class SqliteRecordingStore implements RecordingStore {
  readonly location: string;
  readonly #db: Database.Database;
  readonly #shapeIds = new Map<string, number>();
  /**
   * Ids of shape objects already stored: the capture pipeline hands the same shape object for a
   * body it prepared before, and serialising and hashing it again is most of the cost of a row.
   */
  #shapeObjectIds = new WeakMap<BodyShape, number>();
  /** Digests of bodies this connection stored lately: an identical body is not sent to SQLite again. */
  readonly #knownBodies = new Set<string>();
  /** Sorted header-name lists, by the names in the order they came. */
  readonly #sortedNames = new Map<string, string>();
  /** JSON of frozen headers and queries, which the capture worker shares between exchanges. */
  readonly #written = new WeakMap<object, string>();
  /** Sorted names of frozen headers and queries, likewise. */
  readonly #names = new WeakMap<object, string>();
  readonly #prepared = new Map<string, Database.Statement>();
  /** Shapes already parsed for {@link recordedRequests}, by id (ids are never reused while open for reading). */
  readonly #parsedShapes = new Map<number, BodyShape>();
  readonly #statements;
  readonly #insertBatch: (exchanges: readonly Exchange[]) => void;
  /** Device and inode of the file as opened (writable stores only): to notice it being deleted. */
  readonly #identity: string | null;

  /** Run after closing: deletes the private copy a store in a read-only directory is read from. */
  readonly #afterClose: (() => void) | undefined;

  private constructor(location: string, db: Database.Database, afterClose?: () => void) {
    this.location = location;
    this.#db = db;
    this.#afterClose = afterClose;
    this.#identity = db.readonly || db.memory ? null : fileIdentity(location);
    this.#statements = {
      insertBody: db.prepare('INSERT OR IGNORE INTO bodies (hash, content) VALUES (?, ?)'),
      // UTF-8 bytes stored as TEXT as they are: SQLite reads a BLOB cast to TEXT in the database's encoding.
      insertTextBytes: db.prepare('INSERT OR IGNORE INTO bodies (hash, content) VALUES (?, CAST(? AS TEXT))'),
      insertShape: db.prepare('INSERT OR IGNORE INTO shapes (hash, shape) VALUES (?, ?)'),
      shapeId: db.prepare('SELECT id FROM shapes WHERE hash = ?').pluck(),
      insertExchange: db.prepare(`
        INSERT INTO exchanges (
          source, service, session, recorded_at, duration_ms, method, url, path, route, query,
          query_names, request_headers, request_body, request_body_size, request_body_truncated,
          status, response_headers, response_body, response_body_size, response_body_truncated,
          content_type, content_encoding, shape_id, error_code, error_message, header_names, body_unreadable
        ) VALUES (${Array.from({ length: 27 }, () => '?').join(', ')})`),
    };
    this.#insertBatch = db.transaction((exchanges: readonly Exchange[]) => {
      for (const exchange of exchanges) this.#insertOne(exchange);
    });
  }

  /**
   * Opens (and unless read-only, creates and migrates) the store at `file`.
   * @throws MockdriftError `STORE_UNAVAILABLE` when the file cannot be opened or created,
   *   `STORE_INVALID` when it is not a mockdrift store, `STORE_TOO_NEW` when a newer mockdrift wrote it.
   */
  static open(file: string, options: SqliteStoreOptions = {}): SqliteRecordingStore {
    const readonly = options.readonly ?? false;
    assertStoreFile(file);
    let db: Database.Database;
    try {
      if (!readonly) createPrivateFile(file);
      db = new Database(file, { readonly, fileMustExist: readonly });
    } catch (error) {
      throw new MockdriftError(
        'STORE_UNAVAILABLE',
        `Cannot open the recordings store ${file}: ${describeError(error)}. ` +
          (readonly ? 'Record some traffic first (mockdrift record), or pass --db.' : 'Check the path and its permissions, or pass --db.'),
        { cause: error },
      );
    }
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      if (!readonly) {
        // 16 KiB pages for a new store (an existing one keeps its own): a recorded body of tens of
        // kilobytes spans a quarter of the overflow pages, and of the WAL frames and checkpoint
        // copies that go with them. Only possible before the first table and the switch to WAL.
        db.pragma('page_size = 16384');
        db.pragma('journal_mode = WAL');
        // Deleted rows (prune) are overwritten with zeros, not left readable in free pages.
        db.pragma('secure_delete = ON');
        db.pragma('synchronous = NORMAL');
        // Checkpoint every 64 MB of WAL instead of every 4 MB: fewer, larger copies and syncs
        // while recording; closing the store checkpoints what is left.
        const pageSize = db.pragma('page_size', { simple: true }) as number;
        db.pragma(`wal_autocheckpoint = ${options.checkpoints === 'external' ? 0 : Math.round((64 * 1024 * 1024) / pageSize)}`);
        // When the log starts over, a file grown past this is cut back to it: no more disk stays
        // taken than a busy stretch needed.
        if (options.checkpoints === 'external') db.pragma(`journal_size_limit = ${EXTERNAL_LOG_LIMIT}`);
        db.pragma('cache_size = -32768');
      }
      const version = readonly ? (db.pragma('user_version', { simple: true }) as number) : migrate(db);
      if (version > SCHEMA_VERSION) {
        throw new MockdriftError(
          'STORE_TOO_NEW',
          `The recordings store ${file} has schema version ${version}; this mockdrift reads up to ${SCHEMA_VERSION}. Upgrade mockdrift.`,
        );
      }
      if (readonly && version === 0) {
        throw new MockdriftError(
          'STORE_INVALID',
          `${file} is not a mockdrift recordings store (it has no schema). Record into it first, or pass another --db.`,
        );
      }
      if (readonly && version < SCHEMA_VERSION) {
        // A store written by an older mockdrift: upgrade it once, then read as asked.
        db.close();
        SqliteRecordingStore.open(file, { ...options, readonly: false }).close();
        return SqliteRecordingStore.open(file, options);
      }
      return new SqliteRecordingStore(file, db);
    } catch (error) {
      db.close();
      if (error instanceof MockdriftError) throw error;
      if (readonly && isReadOnlyDirectory(error)) return SqliteRecordingStore.#openCopy(file, options);
      throw new MockdriftError(
        'STORE_INVALID',
        `Cannot use ${file} as a recordings store: ${describeError(error)}. Is it a mockdrift database? Pass another --db.`,
        { cause: error },
      );
    }
  }

  insert(exchanges: readonly Exchange[]): void {
    if (exchanges.length === 0) return;
    // SQLite goes on writing to a file deleted under it (and to its -wal): every row would be
    // lost with it, silently. Fail the batch instead, so that the loss is retried, warned and counted.
    if (this.#identity !== null && fileIdentity(this.location) !== this.#identity) {
      throw new MockdriftError(
        'STORE_UNAVAILABLE',
        `the recordings store ${this.location} was deleted or replaced while mockdrift was writing to it; restart mockdrift record to record into a new one`,
      );
    }
    try {
      this.#insertBatch(exchanges);
    } catch (error) {
      // The rollback removed the shape and body rows this batch added: forget them (SQLite may reuse ids).
      this.#shapeIds.clear();
      this.#shapeObjectIds = new WeakMap();
      this.#parsedShapes.clear();
      this.#knownBodies.clear();
      throw error;
    }
  }

  #insertOne(exchange: Exchange): void {
    // Bound by position, in the order of the statement's columns: binding by name costs a lookup per column.
    this.#statements.insertExchange.run(
      exchange.source,
      exchange.service,
      exchange.session,
      exchange.recordedAt,
      exchange.durationMs,
      exchange.method,
      exchange.url,
      exchange.path,
      exchange.route,
      this.#json(exchange.query),
      this.#queryNames(exchange.query),
      this.#json(exchange.requestHeaders),
      this.#storeBody(exchange.requestBody),
      exchange.requestBody?.size ?? null,
      exchange.requestBody?.truncated ? 1 : 0,
      exchange.status,
      exchange.responseHeaders ? this.#json(exchange.responseHeaders) : null,
      this.#storeBody(exchange.responseBody),
      exchange.responseBody?.size ?? null,
      exchange.responseBody?.truncated ? 1 : 0,
      exchange.contentType,
      exchange.contentEncoding,
      exchange.responseShape ? this.#shapeIdOf(exchange.responseShape) : null,
      exchange.error?.code ?? null,
      exchange.error?.message ?? null,
      exchange.responseHeaders ? this.#headerNames(exchange.responseHeaders) : null,
      unreadableBody(exchange),
    );
  }

  /**
   * What `derive` makes of headers or a query. A frozen one is shared by many exchanges (the
   * capture worker shares them): worked out once, and remembered in `memo`.
   */
  #once<T extends object>(memo: WeakMap<object, string>, value: T, derive: (value: T) => string): string {
    if (!Object.isFrozen(value)) return derive(value);
    let derived = memo.get(value);
    if (derived === undefined) {
      derived = derive(value);
      memo.set(value, derived);
    }
    return derived;
  }

  /** JSON of headers or a query. */
  #json(value: object): string {
    return this.#once(this.#written, value, JSON.stringify);
  }

  /** The header names of a response, sorted and joined. */
  #headerNames(headers: HeaderMap): string {
    return this.#once(this.#names, headers, this.#sortNames);
  }

  /** The names of a query's parameters, sorted and joined. */
  #queryNames(query: Readonly<Record<string, readonly string[]>>): string {
    return this.#once(this.#names, query, queryNamesKey);
  }

  /** Header names sorted and joined: the same few sets come again and again, in the same order. */
  readonly #sortNames = (headers: HeaderMap): string => {
    const names = Object.keys(headers);
    const key = names.join(',');
    let sorted = this.#sortedNames.get(key);
    if (sorted === undefined) {
      sorted = names.sort().join(',');
      if (this.#sortedNames.size >= 1024) this.#sortedNames.clear();
      this.#sortedNames.set(key, sorted);
    }
    return sorted;
  };

  /**
   * Whether the store already holds this exchange: same service, time, method, URL, status and
   * response body (by digest). Lets an import of the same HAR twice add nothing the second time.
   */
  contains(exchange: Exchange): boolean {
    const body = exchange.responseBody;
    const digest = body ? (body.hash ?? createHash('sha1').update(body.content).digest('hex')) : null;
    const statement = this.#statement(
      'SELECT 1 FROM exchanges WHERE recorded_at = ? AND service = ? AND method = ? AND url = ? AND status IS ? AND response_body IS ? LIMIT 1',
    );
    return statement.get(exchange.recordedAt, exchange.service, exchange.method, exchange.url, exchange.status, digest) !== undefined;
  }

  #storeBody(body: StoredBody | null): string | null {
    if (!body) return null;
    const hash = body.hash ?? createHash('sha1').update(body.content).digest('hex');
    if (this.#knownBodies.has(hash)) return hash;
    if (typeof body.content === 'string') this.#statements.insertBody.run(hash, body.content);
    else if (body.text === true) this.#statements.insertTextBytes.run(hash, asBuffer(body.content));
    else this.#statements.insertBody.run(hash, Buffer.from(body.content));
    if (this.#knownBodies.size >= 4096) this.#knownBodies.clear();
    this.#knownBodies.add(hash);
    return hash;
  }

  #shapeIdOf(shape: BodyShape): number {
    let id = this.#shapeObjectIds.get(shape);
    if (id === undefined) {
      id = this.#shapeId(serializeShape(shape));
      this.#shapeObjectIds.set(shape, id);
    }
    return id;
  }

  #shapeId(text: string): number {
    const s = this.#statements;
    const hash = createHash('sha1').update(text).digest('hex');
    const cached = this.#shapeIds.get(hash);
    if (cached !== undefined) return cached;
    s.insertShape.run(hash, text);
    const id = s.shapeId.get(hash) as number;
    this.#shapeIds.set(hash, id);
    return id;
  }

  routes(filter: ExchangeFilter = {}): RouteSummary[] {
    const { where, params } = whereClause(filter);
    const rows = this.#db
      .prepare(
        `SELECT service, method, route, status, count(*) AS count,
                min(recorded_at) AS first, max(recorded_at) AS last
           FROM exchanges ${where}
          GROUP BY service, method, route, status
          ORDER BY service, route, method, status`,
      )
      .all(params) as Array<{ service: string; method: string; route: string; status: number | null; count: number; first: number; last: number }>;
    return rows
      .filter((row) => row.status !== null)
      .map((row) => ({
        service: row.service,
        method: row.method,
        route: row.route,
        status: row.status!,
        count: row.count,
        firstSeen: new Date(row.first).toISOString(),
        lastSeen: new Date(row.last).toISOString(),
      }));
  }

  *exchanges(filter: ExchangeFilter = {}): IterableIterator<Exchange> {
    const { where, params } = whereClause(filter, 'e.');
    const statement = this.#db.prepare(`
      SELECT e.*, rq.content AS request_body_content, rs.content AS response_body_content, s.shape
        FROM exchanges e
        LEFT JOIN bodies rq ON rq.hash = e.request_body
        LEFT JOIN bodies rs ON rs.hash = e.response_body
        LEFT JOIN shapes s ON s.id = e.shape_id
        ${where}
       ORDER BY e.recorded_at, e.id`);
    for (const row of statement.iterate(params) as IterableIterator<ExchangeRow>) yield toExchange(row);
  }

  count(filter: ExchangeFilter = {}): number {
    const { where, params } = whereClause(filter);
    return this.#db.prepare(`SELECT count(*) FROM exchanges ${where}`).pluck().get(params) as number;
  }

  recordedGroups(filter: Pick<ExchangeFilter, 'service' | 'since'> = {}): RecordedGroup[] {
    const { where, params } = whereClause(filter);
    // One row per distinct (group, header set, shape): SQLite does the counting; no body is read.
    const rows = this.#db
      .prepare(
        `SELECT service, method, route, status, query_names, content_type, header_names, shape_id, body_unreadable,
                count(*) AS count, min(recorded_at) AS first, max(recorded_at) AS last, min(path) AS sample_path,
                sum(response_body IS NULL OR response_body_size = 0) AS empty
           FROM exchanges ${where}${where ? ' AND' : ' WHERE'} status IS NOT NULL
          GROUP BY service, method, route, status, query_names, content_type, header_names, shape_id, body_unreadable`,
      )
      .all(params) as GroupRow[];
    const shapes = this.#shapesById(rows.map((row) => row.shape_id).filter((id): id is number => id !== null));
    return groupRecordings(
      rows.map((row) => ({
        service: row.service,
        method: row.method,
        route: row.route,
        status: row.status,
        queryNames: row.query_names,
        contentType: row.content_type,
        headerNames: row.header_names,
        shapeId: row.shape_id,
        bodyUnreadable: row.body_unreadable,
        count: row.count,
        empty: row.empty,
        first: row.first,
        last: row.last,
        samplePath: row.sample_path,
      })),
      shapes,
    );
  }

  recordedRequests(selector: RequestSelector, limit: number): RecordedRequest[] {
    const params: Record<string, unknown> = { service: selector.service, method: selector.method, limit };
    if (selector.since !== undefined) params['since'] = selector.since;
    // By path (one request: a few rows through the path index) or by route (every request of it).
    const where = selector.path !== undefined ? 'e.path = @path' : 'e.route = @route';
    params[selector.path !== undefined ? 'path' : 'route'] = selector.path ?? selector.route ?? '';
    // One row per distinct request and answer; bodies are read once per distinct request body.
    const rows = this.#statement(
      `SELECT e.path, e.route, e.query, e.request_body, e.status, e.content_type, e.header_names, e.shape_id, e.body_unreadable,
              max(e.response_body IS NULL OR e.response_body_size = 0) AS empty,
              count(*) AS count, min(e.recorded_at) AS first, max(e.recorded_at) AS last
         FROM exchanges e
        WHERE e.service = @service AND e.method = @method AND ${where} AND e.status IS NOT NULL AND e.error_code IS NULL
              ${selector.since !== undefined ? 'AND e.recorded_at >= @since' : ''}
        GROUP BY e.path, e.route, e.query, e.request_body, e.status, e.content_type, e.header_names, e.shape_id, e.body_unreadable
        ORDER BY last DESC LIMIT @limit`,
    ).all(params) as RequestRow[];
    // Shapes parsed once per store: a check asks for the requests of many paths sharing a few shapes.
    const missing = rows.map((row) => row.shape_id).filter((id): id is number => id !== null && !this.#parsedShapes.has(id));
    if (missing.length > 0) {
      if (this.#parsedShapes.size > 10_000) this.#parsedShapes.clear();
      for (const [id, shape] of this.#shapesById(missing)) this.#parsedShapes.set(id, shape);
    }
    const shapes = this.#parsedShapes;
    const bodyText = this.#statement('SELECT content FROM bodies WHERE hash = ?').pluck();
    const bodies = new Map<string, string | null>();
    const textOf = (hash: string | null): string | null => {
      if (hash === null) return null;
      if (!bodies.has(hash)) {
        const content = bodyText.get(hash) as string | Buffer | undefined;
        bodies.set(hash, typeof content === 'string' ? content : null);
      }
      return bodies.get(hash)!;
    };
    return rows.map((row) => ({
      service: selector.service,
      method: selector.method,
      route: row.route,
      path: row.path,
      query: JSON.parse(row.query) as Record<string, string[]>,
      requestBody: textOf(row.request_body),
      status: row.status,
      contentType: row.content_type,
      headerNames: row.header_names ? row.header_names.split(',') : [],
      shape: row.shape_id === null ? null : (shapes.get(row.shape_id) ?? null),
      unreadable: row.body_unreadable,
      empty: row.empty === 1,
      count: row.count,
      firstSeen: row.first,
      lastSeen: row.last,
    }));
  }

  sampleBodies(selector: GroupSelector, limit: number): unknown[] {
    const conditions = ['e.service = @service', 'e.method = @method', 'e.route = @route', 'e.status = @status', 'e.error_code IS NULL', 'e.shape_id IS NOT NULL'];
    const params: Record<string, unknown> = { service: selector.service, method: selector.method, route: selector.route, status: selector.status, limit };
    if (selector.queryNames !== undefined) {
      conditions.push('e.query_names = @queryNames');
      params['queryNames'] = [...selector.queryNames].sort().join('&');
    }
    if (selector.since !== undefined) {
      conditions.push('e.recorded_at >= @since');
      params['since'] = selector.since;
    }
    const contents = this.#statement(
      `SELECT b.content FROM exchanges e JOIN bodies b ON b.hash = e.response_body
        WHERE ${conditions.join(' AND ')} ORDER BY e.recorded_at DESC, e.id DESC LIMIT @limit`,
    )
      .pluck()
      .all(params) as Array<string | Buffer>;
    return contents.map((content) => JSON.parse(content.toString()) as unknown);
  }

  nearestRecordingOf(selector: GroupSelector, shapes: readonly BodyShape[], time: number, direction: 'after' | 'before'): number | null {
    const ids: number[] = [];
    const lookup = this.#statement('SELECT id FROM shapes WHERE hash = ?').pluck();
    for (const shape of shapes) {
      const id = lookup.get(createHash('sha1').update(serializeShape(shape)).digest('hex')) as number | undefined;
      if (id !== undefined) ids.push(id);
    }
    if (ids.length === 0) return null;
    const conditions = ['service = @service', 'method = @method', 'route = @route', 'status = @status', 'error_code IS NULL'];
    const params: Record<string, unknown> = { service: selector.service, method: selector.method, route: selector.route, status: selector.status, time };
    if (selector.queryNames !== undefined) {
      conditions.push('query_names = @queryNames');
      params['queryNames'] = [...selector.queryNames].sort().join('&');
    }
    if (selector.since !== undefined) {
      conditions.push('recorded_at >= @since');
      params['since'] = selector.since;
    }
    conditions.push(direction === 'after' ? 'recorded_at > @time' : 'recorded_at < @time');
    // One indexed lookup per shape (min/max over the shape's slice of exchanges_by_shape_time).
    const statement = this.#statement(
      `SELECT ${direction === 'after' ? 'min' : 'max'}(recorded_at) FROM exchanges WHERE ${conditions.join(' AND ')} AND shape_id = @shapeId`,
    ).pluck();
    let nearest: number | null = null;
    for (const shapeId of new Set(ids)) {
      const found = statement.get({ ...params, shapeId }) as number | null;
      if (found === null) continue;
      if (nearest === null || (direction === 'after' ? found < nearest : found > nearest)) nearest = found;
    }
    return nearest;
  }

  /** A prepared statement, prepared once per text: a check asks the same few questions many times. */
  #statement(sql: string): Database.Statement {
    let statement = this.#prepared.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#prepared.set(sql, statement);
    }
    return statement;
  }

  #shapesById(ids: readonly number[]): Map<number, BodyShape> {
    const shapes = new Map<number, BodyShape>();
    const unique = [...new Set(ids)];
    const statement = this.#statement('SELECT id, shape FROM shapes WHERE id IN (SELECT value FROM json_each(?))');
    // In slices: SQLite limits how much one statement may bind, and json_each takes one text.
    for (let i = 0; i < unique.length; i += 10_000) {
      const rows = statement.all(JSON.stringify(unique.slice(i, i + 10_000))) as Array<{ id: number; shape: string }>;
      for (const row of rows) shapes.set(row.id, parseShape(row.shape));
    }
    return shapes;
  }

  stats(): StoreStats {
    const count = (sql: string): number => this.#db.prepare(sql).pluck().get() as number;
    return {
      exchanges: count('SELECT count(*) FROM exchanges'),
      failed: count('SELECT count(*) FROM exchanges WHERE error_code IS NOT NULL'),
      bodies: count('SELECT count(*) FROM bodies'),
      shapes: count('SELECT count(*) FROM shapes'),
    };
  }

  prune(olderThan: number, options: { readonly dryRun?: boolean } = {}): PruneResult {
    let result: PruneResult = { exchanges: 0, bodies: 0, shapes: 0 };
    const run = this.#db.transaction(() => {
      result = this.#deleteOlderThan(olderThan);
      // A dry run does the same deletes, so its counts are exact, and rolls them back.
      if (options.dryRun) throw new DryRunRollback();
    });
    try {
      run.immediate();
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
      return result;
    } finally {
      // Deleted shape ids may be handed out again by SQLite, and deleted bodies must be written anew.
      this.#shapeIds.clear();
      this.#shapeObjectIds = new WeakMap();
      this.#parsedShapes.clear();
      this.#knownBodies.clear();
    }
    // Give the space back: without a checkpoint the WAL keeps every deleted page.
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    reclaimFreePages(this.#db);
    return result;
  }

  #deleteOlderThan(olderThan: number): PruneResult {
    const exchanges = this.#db.prepare('DELETE FROM exchanges WHERE recorded_at < ?').run(olderThan).changes;
    // Bodies are shared between exchanges (stored once per hash): only unreferenced ones go.
    const bodies = this.#db
      .prepare(
        `DELETE FROM bodies WHERE hash NOT IN (
           SELECT request_body FROM exchanges WHERE request_body IS NOT NULL
           UNION SELECT response_body FROM exchanges WHERE response_body IS NOT NULL)`,
      )
      .run().changes;
    const shapes = this.#db
      .prepare('DELETE FROM shapes WHERE id NOT IN (SELECT shape_id FROM exchanges WHERE shape_id IS NOT NULL)')
      .run().changes;
    return { exchanges, bodies, shapes };
  }

  /** Runs SQLite's own consistency check; `['ok']` for a healthy store. */
  integrityCheck(): string[] {
    const rows = this.#db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    return rows.map((row) => row.integrity_check);
  }

  /** Bytes in the write-ahead log file now (0 when there is none). */
  walBytes(): number {
    return statSync(`${this.location}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  }

  /**
   * Copies what the write-ahead log holds back into the database file, without waiting for
   * readers or writers (a passive checkpoint: what cannot be copied now is copied next time).
   */
  checkpoint(): void {
    this.#db.pragma('wal_checkpoint(PASSIVE)');
  }

  close(): void {
    if (this.#db.open) this.#db.close();
    this.#afterClose?.();
  }

  /** Reads a store whose directory is read-only from a private copy (SQLite would need to write its `-shm` beside it). */
  static #openCopy(file: string, options: SqliteStoreOptions): SqliteRecordingStore {
    let copy;
    try {
      copy = readOnlyCopy(file);
    } catch (error) {
      throw new MockdriftError(
        'STORE_UNAVAILABLE',
        `Cannot read the recordings store ${file}: its directory is read-only and copying it failed: ${describeError(error)}. Make the directory writable, or copy the store elsewhere and pass --db.`,
        { cause: error },
      );
    }
    try {
      const store = SqliteRecordingStore.open(copy.file, options);
      return new SqliteRecordingStore(file, store.#db, copy.remove);
    } catch (error) {
      copy.remove();
      throw error;
    }
  }
}

/** Thrown inside a dry run's transaction to roll it back. */
class DryRunRollback extends Error {}

/** A Buffer over the same memory: better-sqlite3 binds Buffers, not other typed arrays. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `dev:ino` of a file, or null when there is none. */
function fileIdentity(file: string): string | null {
  const stats = statSync(file, { throwIfNoEntry: false });
  return stats ? `${stats.dev}:${stats.ino}` : null;
}

/**
 * After a large prune, rebuilds the file so that it shrinks: VACUUM when at least a quarter of
 * its pages (and 1 MiB) are free. secure_delete has already zeroed them; this gives them back.
 */
function reclaimFreePages(db: Database.Database): void {
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  if (free * pageSize < 1024 * 1024 || free * 4 < pages) return;
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** Creates the store file with mode 0600 before SQLite does (SQLite would use the umask). */
function createPrivateFile(file: string): void {
  if (file === ':memory:') return;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** The key that groups recordings by the names of their query parameters (SPEC §5). */
export function queryNamesKey(query: Readonly<Record<string, readonly string[]>>): string {
  return Object.keys(query).sort().join('&');
}

/** SQL conditions for a filter; `table` prefixes the column names when the query joins. */
function whereClause(filter: ExchangeFilter, table = ''): { where: string; params: Record<string, unknown> } {
  const conditions: string[] = [];
  const params: Record<string, unknown> = {};
  const add = (column: string, operator: string, name: string, value: unknown): void => {
    conditions.push(`${table}${column} ${operator} @${name}`);
    params[name] = value;
  };
  if (filter.service !== undefined) add('service', '=', 'service', filter.service);
  if (filter.method !== undefined) add('method', '=', 'method', filter.method.toUpperCase());
  if (filter.route !== undefined) add('route', '=', 'route', filter.route);
  if (filter.status !== undefined) add('status', '=', 'status', filter.status);
  if (filter.since !== undefined) add('recorded_at', '>=', 'since', filter.since);
  if (filter.before !== undefined) add('recorded_at', '<', 'before', filter.before);
  if (!filter.includeFailed) conditions.push(`${table}error_code IS NULL`);
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

interface GroupRow {
  service: string;
  method: string;
  route: string;
  status: number;
  query_names: string;
  content_type: string | null;
  header_names: string | null;
  shape_id: number | null;
  body_unreadable: UnreadableReason | null;
  count: number;
  first: number;
  last: number;
  sample_path: string;
  empty: number;
}

interface RequestRow {
  path: string;
  route: string;
  query: string;
  request_body: string | null;
  status: number;
  content_type: string | null;
  header_names: string | null;
  shape_id: number | null;
  body_unreadable: UnreadableReason | null;
  empty: number;
  count: number;
  first: number;
  last: number;
}


function toBody(content: string | Buffer | null, size: number | null, truncated: number): StoredBody | null {
  if (content === null) return null;
  return { content: typeof content === 'string' ? content : new Uint8Array(content), size: size ?? 0, truncated: truncated === 1 };
}

function toExchange(row: ExchangeRow): Exchange {
  const error: ExchangeError | null =
    row.error_code === null ? null : { code: row.error_code as ExchangeError['code'], message: row.error_message ?? '' };
  return {
    source: row.source as ExchangeSource,
    service: row.service,
    session: row.session,
    recordedAt: row.recorded_at,
    durationMs: row.duration_ms,
    method: row.method,
    url: row.url,
    path: row.path,
    route: row.route,
    query: JSON.parse(row.query) as Record<string, string[]>,
    requestHeaders: JSON.parse(row.request_headers) as HeaderMap,
    requestBody: toBody(row.request_body_content, row.request_body_size, row.request_body_truncated),
    status: row.status,
    responseHeaders: row.response_headers === null ? null : (JSON.parse(row.response_headers) as HeaderMap),
    responseBody: toBody(row.response_body_content, row.response_body_size, row.response_body_truncated),
    contentType: row.content_type,
    contentEncoding: row.content_encoding,
    responseShape: row.shape === null ? null : parseShape(row.shape),
    error,
  };
}
