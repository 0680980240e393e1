/**
 * Schema migrations of the PostgreSQL store, applied in order. Everything lives in a schema of
 * its own (`mockdrift`), so that a database shared with other applications keeps its tables; the
 * applied versions are rows of `mockdrift.migrations`. Never edit a released migration: append one.
 */
export const POSTGRES_SCHEMA = 'mockdrift';

export const POSTGRES_MIGRATIONS: ReadonlyArray<{ readonly version: number; readonly sql: string }> = [
  {
    version: 1,
    sql: `
      -- Bodies once per distinct content, as in the SQLite store. Text and bytes both go to
      -- bytea (a text column cannot hold NUL); is_text says which the reader gets back.
      CREATE TABLE mockdrift.bodies (
        id      bigserial PRIMARY KEY,
        hash    text COLLATE "C" NOT NULL UNIQUE,
        content bytea NOT NULL,
        is_text boolean NOT NULL
      );

      -- lz4 where the server has it (PostgreSQL 14 and later, built with lz4): bodies above 2 KB
      -- are compressed on insert, and pglz took 2.5x as long for 64 KB bodies.
      DO $$
      BEGIN
        IF current_setting('server_version_num')::int >= 140000 THEN
          EXECUTE 'ALTER TABLE mockdrift.bodies ALTER COLUMN content SET COMPRESSION lz4';
        END IF;
      EXCEPTION WHEN others THEN
        NULL; -- a server built without lz4 keeps its default
      END $$;

      CREATE TABLE mockdrift.shapes (
        id    bigserial PRIMARY KEY,
        hash  text COLLATE "C" NOT NULL UNIQUE,
        shape text NOT NULL
      );

      -- Byte-wise collation ("C") everywhere: the same order and the same min() as SQLite.
      CREATE TABLE mockdrift.exchanges (
        id                      bigserial PRIMARY KEY,
        source                  text COLLATE "C" NOT NULL,
        service                 text COLLATE "C" NOT NULL,
        session                 text COLLATE "C" NOT NULL,
        recorded_at             bigint NOT NULL,
        duration_ms             double precision NOT NULL,
        method                  text COLLATE "C" NOT NULL,
        url                     text COLLATE "C" NOT NULL,
        path                    text COLLATE "C" NOT NULL,
        route                   text COLLATE "C" NOT NULL,
        query                   text NOT NULL,
        query_names             text COLLATE "C" NOT NULL,
        request_headers         text NOT NULL,
        request_body            text COLLATE "C",
        request_body_size       bigint,
        request_body_truncated  boolean NOT NULL DEFAULT false,
        status                  integer,
        response_headers        text,
        response_body           text COLLATE "C",
        response_body_size      bigint,
        response_body_truncated boolean NOT NULL DEFAULT false,
        content_type            text COLLATE "C",
        content_encoding        text COLLATE "C",
        shape_id                bigint,
        error_code              text COLLATE "C",
        error_message           text,
        header_names            text COLLATE "C"
      );
      -- The aggregate of check and routes groups by these; sampling reads the newest of a group.
      CREATE INDEX exchanges_by_route ON mockdrift.exchanges (service, method, route, status, recorded_at);
      CREATE INDEX exchanges_by_time ON mockdrift.exchanges (recorded_at);

      -- Bumped (and locked) by every prune; writers lock it shared: they forget which bodies and
      -- shapes they believe stored when it changed.
      CREATE TABLE mockdrift.state (
        singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        prune_generation bigint NOT NULL DEFAULT 0
      );
      INSERT INTO mockdrift.state DEFAULT VALUES;
    `,
  },
  {
    version: 2,
    sql: `
      -- Why a response body could not be read (truncated, undecodable, invalid-json), NULL when it
      -- could: such a recording never agrees with a fixture (the SQLite store's version 4).
      ALTER TABLE mockdrift.exchanges ADD COLUMN body_unreadable text COLLATE "C";
      -- Recordings of one concrete request, and when each shape of a group was seen.
      CREATE INDEX exchanges_by_path ON mockdrift.exchanges (service, method, path);
      CREATE INDEX exchanges_by_shape_time ON mockdrift.exchanges (service, method, route, status, query_names, shape_id, recorded_at);
    `,
  },
];

/** The schema version this build of mockdrift writes to PostgreSQL. */
export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1]!.version;

/**
 * Advisory lock key (arbitrary, fixed): migrations run under it so that two recorders starting
 * at once do not both create the schema.
 */
export const MIGRATION_LOCK = 0x6d6f636b;
