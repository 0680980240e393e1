import type { Database } from 'better-sqlite3';

/**
 * Schema migrations, applied in order. The store's version lives in SQLite's `user_version`, so a
 * store can be inspected with the `sqlite3` shell and a newer mockdrift can upgrade an older store
 * in place. Never edit a released migration: append a new one.
 */
export const MIGRATIONS: ReadonlyArray<{ readonly version: number; readonly sql: string }> = [
  {
    version: 1,
    sql: `
      -- Bodies are stored once per distinct content: sandboxes repeat themselves a lot.
      CREATE TABLE bodies (
        hash    TEXT PRIMARY KEY,
        content BLOB NOT NULL
      ) WITHOUT ROWID;

      -- Structural summaries of JSON response bodies, de-duplicated: thousands of recordings of
      -- one route share a handful of shapes, which is what keeps a check fast.
      CREATE TABLE shapes (
        id    INTEGER PRIMARY KEY,
        hash  TEXT NOT NULL UNIQUE,
        shape TEXT NOT NULL
      );

      CREATE TABLE exchanges (
        id                      INTEGER PRIMARY KEY,
        source                  TEXT    NOT NULL,
        service                 TEXT    NOT NULL,
        session                 TEXT    NOT NULL,
        recorded_at             INTEGER NOT NULL,
        duration_ms             REAL    NOT NULL,
        method                  TEXT    NOT NULL,
        url                     TEXT    NOT NULL,
        path                    TEXT    NOT NULL,
        route                   TEXT    NOT NULL,
        query                   TEXT    NOT NULL,
        query_names             TEXT    NOT NULL,
        request_headers         TEXT    NOT NULL,
        request_body            TEXT,
        request_body_size       INTEGER,
        request_body_truncated  INTEGER NOT NULL DEFAULT 0,
        status                  INTEGER,
        response_headers        TEXT,
        response_body           TEXT,
        response_body_size      INTEGER,
        response_body_truncated INTEGER NOT NULL DEFAULT 0,
        content_type            TEXT,
        content_encoding        TEXT,
        shape_id                INTEGER,
        error_code              TEXT,
        error_message           TEXT
      );
      CREATE INDEX exchanges_by_route ON exchanges (service, method, route, status);
      CREATE INDEX exchanges_by_time ON exchanges (recorded_at);
    `,
  },
  {
    version: 2,
    sql: `
      -- Names of the response headers, sorted and comma-separated: lets a check tell which
      -- headers a route sends without reading every row's headers.
      ALTER TABLE exchanges ADD COLUMN header_names TEXT;
      UPDATE exchanges SET header_names = (
        SELECT group_concat(key, ',') FROM (SELECT key FROM json_each(exchanges.response_headers) ORDER BY key)
      ) WHERE response_headers IS NOT NULL;
    `,
  },
  {
    version: 3,
    sql: `
      -- Bodies in a rowid table: appended in order instead of inserted at random places of a
      -- B-tree keyed by digest, which moved large bodies around on every page split (2x the
      -- write cost for 64 KB bodies). The digest keeps its uniqueness in an index of its own.
      CREATE TABLE bodies_v3 (
        id      INTEGER PRIMARY KEY,
        hash    TEXT NOT NULL UNIQUE,
        content BLOB NOT NULL
      );
      INSERT INTO bodies_v3 (hash, content) SELECT hash, content FROM bodies;
      DROP TABLE bodies;
      ALTER TABLE bodies_v3 RENAME TO bodies;
    `,
  },
  {
    version: 4,
    sql: `
      -- Why a response body could not be read (truncated, undecodable, invalid-json), NULL when it
      -- could: such a recording never agrees with a fixture, and a check counts them per group.
      ALTER TABLE exchanges ADD COLUMN body_unreadable TEXT;
      UPDATE exchanges SET body_unreadable = CASE
          WHEN response_body_truncated = 1 THEN 'truncated'
          WHEN content_encoding IS NOT NULL AND lower(trim(content_encoding)) <> 'identity'
               AND (content_type IS NULL OR content_type LIKE 'text/%' OR content_type LIKE 'application/%json' OR content_type LIKE 'application/%xml')
               AND (SELECT typeof(content) FROM bodies WHERE hash = exchanges.response_body) = 'blob' THEN 'undecodable'
          WHEN shape_id IS NULL AND (content_type = 'text/json' OR content_type = 'application/json' OR content_type LIKE 'application/%+json') THEN 'invalid-json'
        END
       WHERE status IS NOT NULL AND response_body IS NOT NULL AND response_body_size > 0;
      -- Recordings of one concrete request (same path), for comparing a fixture with its own request.
      CREATE INDEX exchanges_by_path ON exchanges (service, method, path);
    `,
  },
  {
    version: 5,
    sql: `
      -- When each shape of a group was seen: its first and last time, and the recording nearest
      -- to a given time, straight from the index (check's since/lastAgreed, history) without
      -- reading exchanges row by row.
      CREATE INDEX exchanges_by_shape_time ON exchanges (service, method, route, status, query_names, shape_id, recorded_at);
    `,
  },
  {
    version: 6,
    sql: `
      -- Every lookup by route is served by exchanges_by_shape_time, whose key starts with the same
      -- columns: keeping both cost each recorded row one more B-tree insert for nothing.
      DROP INDEX exchanges_by_route;
    `,
  },
];

/** The schema version this build of mockdrift writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings the schema up to {@link SCHEMA_VERSION}. Runs in one immediate transaction so that two
 * processes opening a new store at once do not both create it.
 * @returns the version the store had before.
 */
export function migrate(db: Database): number {
  return db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }
    return current;
  }).immediate();
}
