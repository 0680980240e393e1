import pg from 'pg';
import { MockdriftError } from '../model/errors.js';
import type { GroupSelector, RequestSelector, UnreadableReason } from '../model/recorded-group.js';
import { MIGRATION_LOCK, POSTGRES_MIGRATIONS, POSTGRES_SCHEMA, POSTGRES_SCHEMA_VERSION } from './postgres-migrations.js';
import type { PgCalls, PgExchangeRecord, PgExchangeRow, PgGroupRow, PgInsert, PgInsertResult, PgRequestRow } from './postgres-protocol.js';
import type { ExchangeFilter, PruneResult, RouteSummary, StoreStats } from './recording-store.js';
import { describeConnection, withoutPassword, type PostgresConnection } from './store-location.js';

// bigint columns (ids, times, counts) as numbers: every value mockdrift stores is far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (text: string) => Number(text));

/** The oldest server whose SQL the store uses (ON CONFLICT, unnest of several arrays). */
const MIN_SERVER_VERSION = 110000;

/**
 * The PostgreSQL store's asynchronous side: a `pg` pool and the SQL. It runs on a thread of its
 * own (see {@link PostgresRecordingStore}); errors leave it as MockdriftErrors whose messages name
 * the server and database and never hold the password.
 */
export class PostgresBackend implements AsyncCalls {
  readonly #connection: PostgresConnection;
  readonly #label: string;
  #pool: pg.Pool | null = null;
  #generation = 0;

  constructor(connection: PostgresConnection) {
    this.#connection = connection;
    this.#label = describeConnection(connection);
  }

  async open(readonly: boolean): Promise<{ generation: number }> {
    const pool = await this.#connect();
    this.#pool = pool;
    const version = await this.#schemaVersion(pool);
    if (version > POSTGRES_SCHEMA_VERSION) {
      throw new MockdriftError(
        'STORE_TOO_NEW',
        `The recordings store ${this.#label} has schema version ${version} (schema ${POSTGRES_SCHEMA}); this mockdrift reads up to ${POSTGRES_SCHEMA_VERSION}. Upgrade mockdrift.`,
      );
    }
    if (readonly && version === 0) {
      throw new MockdriftError(
        'STORE_UNAVAILABLE',
        `No recordings in ${this.#label} yet: the database has no ${POSTGRES_SCHEMA} schema. Record into it first (mockdrift record --db URL).`,
      );
    }
    if (version < POSTGRES_SCHEMA_VERSION) await this.#migrate(pool);
    const state = await pool.query<{ prune_generation: number }>(`SELECT prune_generation FROM ${POSTGRES_SCHEMA}.state`);
    this.#generation = state.rows[0]?.prune_generation ?? 0;
    return { generation: this.#generation };
  }

  async #connect(): Promise<pg.Pool> {
    const c = this.#connection;
    const attempt = async (ssl: pg.PoolConfig['ssl']): Promise<pg.Pool> => {
      const pool = new pg.Pool({
        host: c.host,
        port: c.port,
        database: c.database,
        user: c.user,
        ...(c.password !== undefined ? { password: c.password } : {}),
        ssl,
        application_name: c.applicationName,
        connectionTimeoutMillis: c.connectTimeoutMs,
        max: 4,
        idleTimeoutMillis: 10_000,
      });
      // An idle client losing its server is reported at the next query; not a crash of the thread.
      pool.on('error', () => {});
      try {
        const client = await pool.connect();
        try {
          const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
          const serverVersion = Number(rows[0]?.v ?? 0);
          if (serverVersion < MIN_SERVER_VERSION) {
            throw new MockdriftError('STORE_UNAVAILABLE', `The PostgreSQL server of ${this.#label} is version ${serverVersion}; mockdrift needs 11 or newer.`);
          }
        } finally {
          client.release();
        }
        return pool;
      } catch (error) {
        await pool.end().catch(() => {});
        throw error;
      }
    };
    const tls = c.tls === false ? false : { ...c.tls, ...(c.tls.skipHostCheck ? { checkServerIdentity: () => undefined } : {}) };
    try {
      return await attempt(tls);
    } catch (error) {
      if (error instanceof MockdriftError) throw error;
      // prefer and allow (the default) fall back to a plain connection when the server has no TLS.
      if (tls !== false && (c.sslmode === 'prefer' || c.sslmode === 'allow') && /does not support SSL/i.test(String((error as Error).message))) {
        try {
          return await attempt(false);
        } catch (plainError) {
          throw this.#unreachable(plainError);
        }
      }
      throw this.#unreachable(error);
    }
  }

  #unreachable(error: unknown): MockdriftError {
    return new MockdriftError(
      'STORE_UNAVAILABLE',
      `Cannot connect to the recordings store ${this.#label} (host ${this.#connection.host}:${this.#connection.port}, database ${this.#connection.database}): ${this.#describe(error)}. Check the server, the credentials and --db.`,
    );
  }

  /** One line, without the password, whatever the driver or the server said. */
  #describe(error: unknown): string {
    const text = error instanceof AggregateError && error.errors.length > 0 ? (error.errors as unknown[]).map((e) => (e as Error).message).join('; ') : error instanceof Error ? error.message || String((error as NodeJS.ErrnoException).code ?? error.name) : String(error);
    return withoutPassword(text, this.#connection.password).replace(/\s*\n\s*/g, ' ');
  }

  async #schemaVersion(pool: pg.Pool): Promise<number> {
    const exists = await pool.query<{ t: string | null }>(`SELECT to_regclass('${POSTGRES_SCHEMA}.migrations')::text AS t`);
    if (!exists.rows[0]?.t) return 0;
    const { rows } = await pool.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${POSTGRES_SCHEMA}.migrations`);
    return rows[0]?.v ?? 0;
  }

  async #migrate(pool: pg.Pool): Promise<void> {
    await this.#transaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${POSTGRES_SCHEMA}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${POSTGRES_SCHEMA}.migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${POSTGRES_SCHEMA}.migrations`);
      const current = rows[0]?.v ?? 0;
      if (current > POSTGRES_SCHEMA_VERSION) return; // a newer mockdrift got there first: open() refuses next time
      for (const migration of POSTGRES_MIGRATIONS) {
        if (migration.version <= current) continue;
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${POSTGRES_SCHEMA}.migrations (version) VALUES ($1)`, [migration.version]);
      }
    });
  }

  async #transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  get #db(): pg.Pool {
    if (!this.#pool) throw new Error('the PostgreSQL store is not open');
    return this.#pool;
  }

  async insert(batch: PgInsert): Promise<PgInsertResult> {
    const params: unknown[] = [batch.generation];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    // One statement, so one round trip and its own transaction. The state row is locked shared
    // first: a prune locks it exclusively, so a batch either runs before a prune or sees its new
    // generation and writes nothing (the caller then sends every body and shape again).
    const ctes = [
      `g AS (SELECT prune_generation AS generation FROM ${POSTGRES_SCHEMA}.state FOR SHARE)`,
      'ok AS (SELECT generation FROM g WHERE generation = $1)',
    ];
    // In digest order, the same in every writer: two batches sharing bodies cannot deadlock.
    const bodies = [...new Map(batch.bodies.map((body) => [body.hash, body])).values()].sort((a, b) => compare(a.hash, b.hash));
    if (bodies.length > 0) {
      // Bytes go as binary parameters, not as hex text.
      const values = bodies.map(
        (body) => `(${param(body.hash)}::text, ${param(Buffer.from(body.content.buffer, body.content.byteOffset, body.content.byteLength))}::bytea, ${param(body.isText)}::bool)`,
      );
      ctes.push(
        `b AS (INSERT INTO ${POSTGRES_SCHEMA}.bodies (hash, content, is_text)
               SELECT v.hash, v.content, v.is_text FROM (VALUES ${values.join(', ')}) AS v(hash, content, is_text)
                WHERE EXISTS (SELECT 1 FROM ok) ON CONFLICT (hash) DO NOTHING)`,
      );
    }
    const shapes = [...new Map(batch.shapes.map((shape) => [shape.hash, shape.text])).entries()].sort(([a], [b]) => compare(a, b));
    // DO UPDATE (a no-op) rather than DO NOTHING: it returns the id of a shape another writer
    // committed a moment ago, which this statement's snapshot would not see.
    ctes.push(
      `s AS (INSERT INTO ${POSTGRES_SCHEMA}.shapes (hash, shape)
             SELECT u.hash, u.shape FROM unnest(${param(shapes.map(([hash]) => hash))}::text[], ${param(shapes.map(([, text]) => text))}::text[]) AS u(hash, shape)
              WHERE EXISTS (SELECT 1 FROM ok)
             ON CONFLICT (hash) DO UPDATE SET hash = EXCLUDED.hash RETURNING id, hash)`,
    );
    // The function scan yields the rows in array order, so ids follow the batch as in SQLite.
    ctes.push(
      `e AS (INSERT INTO ${POSTGRES_SCHEMA}.exchanges (${EXCHANGE_COLUMNS.map(([column]) => column).join(', ')}, shape_id)
             SELECT ${EXCHANGE_COLUMNS.map(([, field]) => `x."${field}"`).join(', ')},
                    COALESCE((SELECT s.id FROM s WHERE s.hash = x."shapeHash"), (SELECT t.id FROM ${POSTGRES_SCHEMA}.shapes t WHERE t.hash = x."shapeHash"))
               FROM json_to_recordset(${param(batch.rowsJson)}::json) AS x(${EXCHANGE_COLUMNS.map(([, field, type]) => `"${field}" ${type}`).join(', ')}, "shapeHash" text)
              WHERE EXISTS (SELECT 1 FROM ok)
             RETURNING 1)`,
    );
    try {
      const { rows } = await this.#db.query<{ generation: number; written: number }>(
        `WITH ${ctes.join(',\n')} SELECT (SELECT generation FROM g) AS generation, (SELECT count(*) FROM e)::int8 AS written`,
        params,
      );
      const generation = rows[0]?.generation ?? 0;
      return { written: generation === batch.generation, generation };
    } catch (error) {
      throw this.#failed('write to', error);
    }
  }

  async routes(filter: ExchangeFilter): Promise<RouteSummary[]> {
    const { where, params } = whereClause(filter);
    const { rows } = await this.#read(
      `SELECT service, method, route, status, count(*)::int8 AS count, min(recorded_at) AS first, max(recorded_at) AS last
         FROM ${POSTGRES_SCHEMA}.exchanges ${where}
        GROUP BY service, method, route, status
        ORDER BY service, route, method, status`,
      params,
    );
    return (rows as Array<{ service: string; method: string; route: string; status: number | null; count: number; first: number; last: number }>)
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

  async page(filter: ExchangeFilter, after: { recordedAt: number; id: number } | null, limit: number): Promise<PgExchangeRecord[]> {
    const { where, params } = whereClause(filter, 'e.');
    const conditions = where ? [where.replace(/^WHERE /, '')] : [];
    if (after) {
      params.push(after.recordedAt, after.id);
      conditions.push(`(e.recorded_at, e.id) > ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit);
    const { rows } = await this.#read(
      `SELECT e.*, rq.content AS rq_content, rq.is_text AS rq_text, rs.content AS rs_content, rs.is_text AS rs_text, s.shape
         FROM ${POSTGRES_SCHEMA}.exchanges e
         LEFT JOIN ${POSTGRES_SCHEMA}.bodies rq ON rq.hash = e.request_body
         LEFT JOIN ${POSTGRES_SCHEMA}.bodies rs ON rs.hash = e.response_body
         LEFT JOIN ${POSTGRES_SCHEMA}.shapes s ON s.id = e.shape_id
        ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY e.recorded_at, e.id
        LIMIT $${params.length}`,
      params,
    );
    return (rows as Array<Record<string, unknown>>).map((row) => ({
      id: row['id'] as number,
      source: row['source'] as string,
      service: row['service'] as string,
      session: row['session'] as string,
      recordedAt: row['recorded_at'] as number,
      durationMs: row['duration_ms'] as number,
      method: row['method'] as string,
      url: row['url'] as string,
      path: row['path'] as string,
      route: row['route'] as string,
      query: row['query'] as string,
      queryNames: row['query_names'] as string,
      requestHeaders: row['request_headers'] as string,
      requestBody: row['rq_content'] ? { content: new Uint8Array(row['rq_content'] as Buffer), isText: row['rq_text'] as boolean } : null,
      requestBodySize: row['request_body_size'] as number | null,
      requestBodyTruncated: row['request_body_truncated'] as boolean,
      status: row['status'] as number | null,
      responseHeaders: row['response_headers'] as string | null,
      responseBody: row['rs_content'] ? { content: new Uint8Array(row['rs_content'] as Buffer), isText: row['rs_text'] as boolean } : null,
      responseBodySize: row['response_body_size'] as number | null,
      responseBodyTruncated: row['response_body_truncated'] as boolean,
      contentType: row['content_type'] as string | null,
      contentEncoding: row['content_encoding'] as string | null,
      shape: row['shape'] as string | null,
      errorCode: row['error_code'] as string | null,
      errorMessage: row['error_message'] as string | null,
      headerNames: row['header_names'] as string | null,
    }));
  }

  async count(filter: ExchangeFilter): Promise<number> {
    const { where, params } = whereClause(filter);
    const { rows } = await this.#read(`SELECT count(*)::int8 AS n FROM ${POSTGRES_SCHEMA}.exchanges ${where}`, params);
    return (rows[0] as { n: number }).n;
  }

  async groups(filter: Pick<ExchangeFilter, 'service' | 'since'>): Promise<{ rows: PgGroupRow[]; shapes: Array<[number, string]> }> {
    const { where, params } = whereClause(filter);
    // The aggregate of the SQLite store: one row per distinct (group, header set, shape); no body is read.
    const { rows } = await this.#read(
      `SELECT service, method, route, status, query_names, content_type, header_names, shape_id, body_unreadable,
              count(*)::int8 AS count, min(recorded_at) AS first, max(recorded_at) AS last, min(path) AS sample_path,
              sum(CASE WHEN response_body IS NULL OR response_body_size = 0 THEN 1 ELSE 0 END)::int8 AS empty
         FROM ${POSTGRES_SCHEMA}.exchanges ${where}${where ? ' AND' : ' WHERE'} status IS NOT NULL
        GROUP BY service, method, route, status, query_names, content_type, header_names, shape_id, body_unreadable
        ORDER BY service, method, route, status, query_names, content_type NULLS FIRST, header_names NULLS FIRST, shape_id NULLS FIRST, body_unreadable NULLS FIRST`,
      params,
    );
    const groupRows = (rows as Array<Record<string, unknown>>).map((row) => ({
      service: row['service'] as string,
      method: row['method'] as string,
      route: row['route'] as string,
      status: row['status'] as number,
      queryNames: row['query_names'] as string,
      contentType: row['content_type'] as string | null,
      headerNames: row['header_names'] as string | null,
      shapeId: row['shape_id'] as number | null,
      bodyUnreadable: row['body_unreadable'] as UnreadableReason | null,
      count: row['count'] as number,
      empty: row['empty'] as number,
      first: row['first'] as number,
      last: row['last'] as number,
      samplePath: row['sample_path'] as string,
    }));
    return { rows: groupRows, shapes: await this.#shapes(groupRows.map((row) => row.shapeId)) };
  }

  async #shapes(shapeIds: ReadonlyArray<number | null>): Promise<Array<[number, string]>> {
    const ids = [...new Set(shapeIds.filter((id): id is number => id !== null))];
    const shapes: Array<[number, string]> = [];
    for (let i = 0; i < ids.length; i += 10_000) {
      const result = await this.#read(`SELECT id, shape FROM ${POSTGRES_SCHEMA}.shapes WHERE id = ANY($1::int8[])`, [ids.slice(i, i + 10_000)]);
      for (const row of result.rows as Array<{ id: number; shape: string }>) shapes.push([row.id, row.shape]);
    }
    return shapes;
  }

  /** The distinct requests of a route or a concrete path, and their answers (as the SQLite store's recordedRequests). */
  async requests(selector: RequestSelector, limit: number): Promise<{ rows: PgRequestRow[]; shapes: Array<[number, string]> }> {
    const params: unknown[] = [selector.service, selector.method, selector.path ?? selector.route ?? ''];
    const conditions = ['e.service = $1', 'e.method = $2', selector.path !== undefined ? 'e.path = $3' : 'e.route = $3', 'e.status IS NOT NULL', 'e.error_code IS NULL'];
    if (selector.since !== undefined) {
      params.push(selector.since);
      conditions.push(`e.recorded_at >= $${params.length}`);
    }
    params.push(limit);
    const { rows } = await this.#read(
      `SELECT e.path, e.route, e.query, e.status, e.content_type, e.header_names, e.shape_id, e.body_unreadable,
              CASE WHEN rb.is_text THEN convert_from(rb.content, 'UTF8') END AS request_body,
              bool_or(e.response_body IS NULL OR e.response_body_size = 0) AS empty,
              count(*)::int8 AS count, min(e.recorded_at) AS first, max(e.recorded_at) AS last
         FROM ${POSTGRES_SCHEMA}.exchanges e LEFT JOIN ${POSTGRES_SCHEMA}.bodies rb ON rb.hash = e.request_body
        WHERE ${conditions.join(' AND ')}
        GROUP BY e.path, e.route, e.query, e.request_body, rb.is_text, rb.content, e.status, e.content_type, e.header_names, e.shape_id, e.body_unreadable
        ORDER BY last DESC LIMIT $${params.length}`,
      params,
    );
    const requestRows = (rows as Array<Record<string, unknown>>).map((row) => ({
      path: row['path'] as string,
      route: row['route'] as string,
      query: row['query'] as string,
      requestBody: (row['request_body'] as string | null) ?? null,
      status: row['status'] as number,
      contentType: row['content_type'] as string | null,
      headerNames: row['header_names'] as string | null,
      shapeId: row['shape_id'] as number | null,
      bodyUnreadable: row['body_unreadable'] as UnreadableReason | null,
      empty: row['empty'] as boolean,
      count: row['count'] as number,
      first: row['first'] as number,
      last: row['last'] as number,
    }));
    return { rows: requestRows, shapes: await this.#shapes(requestRows.map((row) => row.shapeId)) };
  }

  /** The time of the group's recording nearest to `time` (strictly after or before) whose shape is one of `shapeHashes`. */
  async nearest(selector: GroupSelector, shapeHashes: readonly string[], time: number, direction: 'after' | 'before'): Promise<number | null> {
    if (shapeHashes.length === 0) return null;
    const params: unknown[] = [selector.service, selector.method, selector.route, selector.status, time, [...shapeHashes]];
    const conditions = ['e.service = $1', 'e.method = $2', 'e.route = $3', 'e.status = $4', 'e.error_code IS NULL', direction === 'after' ? 'e.recorded_at > $5' : 'e.recorded_at < $5'];
    if (selector.queryNames !== undefined) {
      params.push([...selector.queryNames].sort().join('&'));
      conditions.push(`e.query_names = $${params.length}`);
    }
    if (selector.since !== undefined) {
      params.push(selector.since);
      conditions.push(`e.recorded_at >= $${params.length}`);
    }
    const { rows } = await this.#read(
      `SELECT ${direction === 'after' ? 'min' : 'max'}(e.recorded_at) AS at FROM ${POSTGRES_SCHEMA}.exchanges e
        WHERE ${conditions.join(' AND ')} AND e.shape_id IN (SELECT id FROM ${POSTGRES_SCHEMA}.shapes WHERE hash = ANY($6::text[]))`,
      params,
    );
    return ((rows[0] as { at: number | null } | undefined)?.at ?? null) as number | null;
  }

  /** Whether an exchange with this time, service, method, URL, status and response body is stored. */
  async contains(key: { recordedAt: number; service: string; method: string; url: string; status: number | null; responseBody: string | null }): Promise<boolean> {
    const { rows } = await this.#read(
      `SELECT 1 FROM ${POSTGRES_SCHEMA}.exchanges
        WHERE recorded_at = $1 AND service = $2 AND method = $3 AND url = $4
          AND status IS NOT DISTINCT FROM $5::int4 AND response_body IS NOT DISTINCT FROM $6::text LIMIT 1`,
      [key.recordedAt, key.service, key.method, key.url, key.status, key.responseBody],
    );
    return rows.length > 0;
  }

  async sampleBodies(selector: GroupSelector, limit: number): Promise<string[]> {
    const params: unknown[] = [selector.service, selector.method, selector.route, selector.status];
    const conditions = ['e.service = $1', 'e.method = $2', 'e.route = $3', 'e.status = $4', 'e.error_code IS NULL', 'e.shape_id IS NOT NULL'];
    if (selector.queryNames !== undefined) {
      params.push([...selector.queryNames].sort().join('&'));
      conditions.push(`e.query_names = $${params.length}`);
    }
    if (selector.since !== undefined) {
      params.push(selector.since);
      conditions.push(`e.recorded_at >= $${params.length}`);
    }
    params.push(limit);
    const { rows } = await this.#read(
      `SELECT convert_from(b.content, 'UTF8') AS content FROM ${POSTGRES_SCHEMA}.exchanges e JOIN ${POSTGRES_SCHEMA}.bodies b ON b.hash = e.response_body
        WHERE ${conditions.join(' AND ')} ORDER BY e.recorded_at DESC, e.id DESC LIMIT $${params.length}`,
      params,
    );
    return (rows as Array<{ content: string }>).map((row) => row.content);
  }

  async stats(): Promise<StoreStats> {
    const { rows } = await this.#read(
      `SELECT (SELECT count(*) FROM ${POSTGRES_SCHEMA}.exchanges)::int8 AS exchanges,
              (SELECT count(*) FROM ${POSTGRES_SCHEMA}.exchanges WHERE error_code IS NOT NULL)::int8 AS failed,
              (SELECT count(*) FROM ${POSTGRES_SCHEMA}.bodies)::int8 AS bodies,
              (SELECT count(*) FROM ${POSTGRES_SCHEMA}.shapes)::int8 AS shapes`,
      [],
    );
    return rows[0] as StoreStats;
  }

  async prune(olderThan: number, dryRun: boolean): Promise<PruneResult> {
    const run = async (client: pg.PoolClient): Promise<PruneResult> => {
      // First: the state row stays locked until the prune commits, so writers wait for it and
      // then learn that bodies and shapes they believe stored may be gone.
      await client.query(`UPDATE ${POSTGRES_SCHEMA}.state SET prune_generation = prune_generation + 1`);
      const exchanges = (await client.query(`DELETE FROM ${POSTGRES_SCHEMA}.exchanges WHERE recorded_at < $1`, [olderThan])).rowCount ?? 0;
      const bodies =
        (
          await client.query(
            `DELETE FROM ${POSTGRES_SCHEMA}.bodies WHERE hash NOT IN (
               SELECT request_body FROM ${POSTGRES_SCHEMA}.exchanges WHERE request_body IS NOT NULL
               UNION SELECT response_body FROM ${POSTGRES_SCHEMA}.exchanges WHERE response_body IS NOT NULL)`,
          )
        ).rowCount ?? 0;
      const shapes =
        (await client.query(`DELETE FROM ${POSTGRES_SCHEMA}.shapes WHERE id NOT IN (SELECT shape_id FROM ${POSTGRES_SCHEMA}.exchanges WHERE shape_id IS NOT NULL)`))
          .rowCount ?? 0;
      return { exchanges, bodies, shapes };
    };
    try {
      if (!dryRun) return await this.#transaction(this.#db, run);
      // A dry run does the same deletes, so its counts are exact, and rolls them back.
      const client = await this.#db.connect();
      try {
        await client.query('BEGIN');
        return await run(client);
      } finally {
        await client.query('ROLLBACK').catch(() => {});
        client.release();
      }
    } catch (error) {
      throw this.#failed('prune', error);
    }
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    await pool?.end();
  }

  async #read(sql: string, params: unknown[]): Promise<pg.QueryResult> {
    try {
      return await this.#db.query(sql, params);
    } catch (error) {
      throw this.#failed('read', error);
    }
  }

  #failed(what: string, error: unknown): MockdriftError {
    if (error instanceof MockdriftError) return error;
    return new MockdriftError('STORE_UNAVAILABLE', `Cannot ${what} the recordings store ${this.#label}: ${this.#describe(error)}`);
  }
}

/** The calls of {@link PgCalls}, each answering a promise. */
export type AsyncCalls = { [K in keyof PgCalls]: (...args: Parameters<PgCalls[K]>) => Promise<ReturnType<PgCalls[K]>> };

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Columns of an insert, the {@link PgExchangeRow} field that fills each, and its type. */
const EXCHANGE_COLUMNS: ReadonlyArray<readonly [string, keyof PgExchangeRow, string]> = [
  ['source', 'source', 'text'],
  ['service', 'service', 'text'],
  ['session', 'session', 'text'],
  ['recorded_at', 'recordedAt', 'int8'],
  ['duration_ms', 'durationMs', 'float8'],
  ['method', 'method', 'text'],
  ['url', 'url', 'text'],
  ['path', 'path', 'text'],
  ['route', 'route', 'text'],
  ['query', 'query', 'text'],
  ['query_names', 'queryNames', 'text'],
  ['request_headers', 'requestHeaders', 'text'],
  ['request_body', 'requestBody', 'text'],
  ['request_body_size', 'requestBodySize', 'int8'],
  ['request_body_truncated', 'requestBodyTruncated', 'bool'],
  ['status', 'status', 'int4'],
  ['response_headers', 'responseHeaders', 'text'],
  ['response_body', 'responseBody', 'text'],
  ['response_body_size', 'responseBodySize', 'int8'],
  ['response_body_truncated', 'responseBodyTruncated', 'bool'],
  ['content_type', 'contentType', 'text'],
  ['content_encoding', 'contentEncoding', 'text'],
  ['error_code', 'errorCode', 'text'],
  ['error_message', 'errorMessage', 'text'],
  ['header_names', 'headerNames', 'text'],
  ['body_unreadable', 'bodyUnreadable', 'text'],
];

/** SQL conditions for a filter with numbered parameters; `table` prefixes the column names. */
function whereClause(filter: ExchangeFilter, table = ''): { where: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, operator: string, value: unknown): void => {
    params.push(value);
    conditions.push(`${table}${column} ${operator} $${params.length}`);
  };
  if (filter.service !== undefined) add('service', '=', filter.service);
  if (filter.method !== undefined) add('method', '=', filter.method.toUpperCase());
  if (filter.route !== undefined) add('route', '=', filter.route);
  if (filter.status !== undefined) add('status', '=', filter.status);
  if (filter.since !== undefined) add('recorded_at', '>=', filter.since);
  if (filter.before !== undefined) add('recorded_at', '<', filter.before);
  if (!filter.includeFailed) conditions.push(`${table}error_code IS NULL`);
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}
