import pg from 'pg';
import { MockdriftError } from '../model/errors.js';
import type { GroupSelector } from '../model/recorded-group.js';
import { MIGRATION_LOCK, POSTGRES_MIGRATIONS, POSTGRES_SCHEMA, POSTGRES_SCHEMA_VERSION, PRUNE_LOCK } from './postgres-migrations.js';
import type { PgCalls, PgExchangeRecord, PgGroupRow, PgInsert, PgInsertResult } from './postgres-protocol.js';
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
  readonly #shapeIds = new Map<string, number>();
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
    try {
      return await this.#transaction(this.#db, async (client) => {
        // Shared with other writers, exclusive with prune: a prune never deletes a body that a
        // batch in flight refers to.
        const { rows } = await client.query<{ g: number }>(
          `SELECT pg_advisory_xact_lock_shared($1), (SELECT prune_generation FROM ${POSTGRES_SCHEMA}.state) AS g`,
          [PRUNE_LOCK],
        );
        const generation = rows[0]?.g ?? 0;
        if (generation !== this.#generation) this.#shapeIds.clear();
        this.#generation = generation;
        if (generation !== batch.generation) return { written: false, generation };
        await this.#insertBodies(client, batch);
        const shapeIds = await this.#insertShapes(client, batch);
        await this.#insertExchanges(client, batch, shapeIds);
        return { written: true, generation };
      });
    } catch (error) {
      this.#shapeIds.clear();
      throw this.#failed('write to', error);
    }
  }

  async #insertBodies(client: pg.PoolClient, batch: PgInsert): Promise<void> {
    // In digest order, the same in every writer: two batches sharing bodies cannot deadlock.
    const bodies = [...new Map(batch.bodies.map((body) => [body.hash, body])).values()].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
    // Multi-row inserts of up to 200 bodies: bytes go as binary parameters, not hex text.
    for (let start = 0; start < bodies.length; start += 200) {
      const slice = bodies.slice(start, start + 200);
      const values: string[] = [];
      const params: unknown[] = [];
      for (const body of slice) {
        values.push(`($${params.length + 1}, $${params.length + 2}, $${params.length + 3})`);
        params.push(body.hash, Buffer.from(body.content.buffer, body.content.byteOffset, body.content.byteLength), body.isText);
      }
      await client.query(`INSERT INTO ${POSTGRES_SCHEMA}.bodies (hash, content, is_text) VALUES ${values.join(', ')} ON CONFLICT (hash) DO NOTHING`, params);
    }
  }

  async #insertShapes(client: pg.PoolClient, batch: PgInsert): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    const missing = new Map<string, string>();
    for (const shape of batch.shapes) {
      const known = this.#shapeIds.get(shape.hash);
      if (known !== undefined) ids.set(shape.hash, known);
      else missing.set(shape.hash, shape.text);
    }
    if (missing.size === 0) return ids;
    const hashes = [...missing.keys()].sort();
    await client.query(
      `INSERT INTO ${POSTGRES_SCHEMA}.shapes (hash, shape) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (hash) DO NOTHING`,
      [hashes, hashes.map((hash) => missing.get(hash)!)],
    );
    const { rows } = await client.query<{ id: number; hash: string }>(`SELECT id, hash FROM ${POSTGRES_SCHEMA}.shapes WHERE hash = ANY($1::text[])`, [hashes]);
    for (const row of rows) ids.set(row.hash, row.id);
    // Remembered only once committed (see insert: a failure clears them).
    for (const row of rows) this.#shapeIds.set(row.hash, row.id);
    if (this.#shapeIds.size > 50_000) this.#shapeIds.clear();
    return ids;
  }

  async #insertExchanges(client: pg.PoolClient, batch: PgInsert, shapeIds: ReadonlyMap<string, number>): Promise<void> {
    // One statement per batch: a column per array, unnest makes the rows.
    const columns: Array<[string, string, (row: PgInsert['rows'][number]) => unknown]> = [
      ['source', 'text', (r) => r.source],
      ['service', 'text', (r) => r.service],
      ['session', 'text', (r) => r.session],
      ['recorded_at', 'int8', (r) => r.recordedAt],
      ['duration_ms', 'float8', (r) => r.durationMs],
      ['method', 'text', (r) => r.method],
      ['url', 'text', (r) => r.url],
      ['path', 'text', (r) => r.path],
      ['route', 'text', (r) => r.route],
      ['query', 'text', (r) => r.query],
      ['query_names', 'text', (r) => r.queryNames],
      ['request_headers', 'text', (r) => r.requestHeaders],
      ['request_body', 'text', (r) => r.requestBody],
      ['request_body_size', 'int8', (r) => r.requestBodySize],
      ['request_body_truncated', 'bool', (r) => r.requestBodyTruncated],
      ['status', 'int4', (r) => r.status],
      ['response_headers', 'text', (r) => r.responseHeaders],
      ['response_body', 'text', (r) => r.responseBody],
      ['response_body_size', 'int8', (r) => r.responseBodySize],
      ['response_body_truncated', 'bool', (r) => r.responseBodyTruncated],
      ['content_type', 'text', (r) => r.contentType],
      ['content_encoding', 'text', (r) => r.contentEncoding],
      ['shape_id', 'int8', (r) => (r.shapeHash === null ? null : (shapeIds.get(r.shapeHash) ?? null))],
      ['error_code', 'text', (r) => r.errorCode],
      ['error_message', 'text', (r) => r.errorMessage],
      ['header_names', 'text', (r) => r.headerNames],
    ];
    const params = columns.map(([, , value]) => batch.rows.map(value));
    await client.query(
      `INSERT INTO ${POSTGRES_SCHEMA}.exchanges (${columns.map(([name]) => name).join(', ')})
       SELECT * FROM unnest(${columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`,
      params,
    );
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
      `SELECT service, method, route, status, query_names, content_type, header_names, shape_id,
              count(*)::int8 AS count, min(recorded_at) AS first, max(recorded_at) AS last, min(path) AS sample_path
         FROM ${POSTGRES_SCHEMA}.exchanges ${where}${where ? ' AND' : ' WHERE'} status IS NOT NULL
        GROUP BY service, method, route, status, query_names, content_type, header_names, shape_id
        ORDER BY service, method, route, status, query_names, content_type NULLS FIRST, header_names NULLS FIRST, shape_id NULLS FIRST`,
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
      count: row['count'] as number,
      first: row['first'] as number,
      last: row['last'] as number,
      samplePath: row['sample_path'] as string,
    }));
    const ids = [...new Set(groupRows.map((row) => row.shapeId).filter((id): id is number => id !== null))];
    const shapes: Array<[number, string]> = [];
    for (let i = 0; i < ids.length; i += 10_000) {
      const result = await this.#read(`SELECT id, shape FROM ${POSTGRES_SCHEMA}.shapes WHERE id = ANY($1::int8[])`, [ids.slice(i, i + 10_000)]);
      for (const row of result.rows as Array<{ id: number; shape: string }>) shapes.push([row.id, row.shape]);
    }
    return { rows: groupRows, shapes };
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
      await client.query('SELECT pg_advisory_xact_lock($1)', [PRUNE_LOCK]);
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
      // Writers elsewhere believe some of these bodies and shapes stored: tell them to forget.
      if (bodies > 0 || shapes > 0) await client.query(`UPDATE ${POSTGRES_SCHEMA}.state SET prune_generation = prune_generation + 1`);
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
    } finally {
      this.#shapeIds.clear();
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
