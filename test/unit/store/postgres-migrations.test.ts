// Migrations of the PostgreSQL store against a real server: a schema of its own, other tables
// left alone, a newer schema refused, concurrent first opens creating it once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MockdriftError } from '../../../src/model/errors.js';
import { PostgresBackend } from '../../../src/store/postgres-backend.js';
import { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from '../../../src/store/postgres-migrations.js';
import { PostgresRecordingStore } from '../../../src/store/postgres-recording-store.js';
import { postgresConnection } from '../../../src/store/store-location.js';
import { adminQuery, freshDatabase, postgresServer } from '../../support/postgres.js';

let database: Awaited<ReturnType<typeof freshDatabase>>;

beforeEach(async () => {
  database = await freshDatabase('migrations');
});
afterEach(async () => {
  await database.drop();
});

function openError(action: () => unknown): MockdriftError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(MockdriftError);
    return error as MockdriftError;
  }
  throw new Error('expected the store to refuse');
}

describe('PostgreSQL store migrations', () => {
  it('creates the mockdrift schema at the current version and leaves the other tables of the database alone', async () => {
    await adminQuery(database.name, 'CREATE TABLE public.exchanges (id integer PRIMARY KEY, note text)');
    await adminQuery(database.name, "INSERT INTO public.exchanges VALUES (1, 'theirs')");
    PostgresRecordingStore.open(database.url).close();
    const tables = await adminQuery<{ table_schema: string; table_name: string }>(
      database.name,
      "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('public', 'mockdrift') ORDER BY 1, 2",
    );
    expect(tables.map((t) => `${t.table_schema}.${t.table_name}`)).toEqual([
      'mockdrift.bodies',
      'mockdrift.exchanges',
      'mockdrift.migrations',
      'mockdrift.shapes',
      'mockdrift.state',
      'public.exchanges',
    ]);
    expect(await adminQuery(database.name, 'SELECT * FROM public.exchanges')).toEqual([{ id: 1, note: 'theirs' }]);
    expect(await adminQuery(database.name, 'SELECT version FROM mockdrift.migrations')).toEqual(POSTGRES_MIGRATIONS.map(({ version }) => ({ version })));
  });

  it('reopens an existing schema without migrating it again', async () => {
    PostgresRecordingStore.open(database.url).close();
    PostgresRecordingStore.open(database.url).close();
    PostgresRecordingStore.open(database.url, { readonly: true }).close();
    expect(await adminQuery(database.name, 'SELECT count(*)::int AS n FROM mockdrift.migrations')).toEqual([{ n: POSTGRES_MIGRATIONS.length }]);
  });

  it('creates the schema once when several writers open a new database at the same moment', async () => {
    const backends = Array.from({ length: 6 }, () => new PostgresBackend(postgresConnection(database.url, {})));
    try {
      await Promise.all(backends.map((backend) => backend.open(false)));
    } finally {
      await Promise.all(backends.map((backend) => backend.close()));
    }
    expect(await adminQuery(database.name, 'SELECT version FROM mockdrift.migrations')).toEqual(POSTGRES_MIGRATIONS.map(({ version }) => ({ version })));
  });

  it('refuses a schema written by a newer mockdrift, saying which version and what to do', async () => {
    PostgresRecordingStore.open(database.url).close();
    await adminQuery(database.name, 'INSERT INTO mockdrift.migrations (version) VALUES ($1)', [POSTGRES_SCHEMA_VERSION + 1]);
    for (const readonly of [false, true]) {
      const error = openError(() => PostgresRecordingStore.open(database.url, { readonly }));
      expect(error.code).toBe('STORE_TOO_NEW');
      expect(error.message).toContain(`schema version ${POSTGRES_SCHEMA_VERSION + 1}`);
      expect(error.message).toMatch(/Upgrade mockdrift/);
      expect(error.message).not.toContain(postgresServer().password);
    }
  });

  it('opens a database with no schema read-only as nothing recorded yet, and creates nothing', async () => {
    const error = openError(() => PostgresRecordingStore.open(database.url, { readonly: true }));
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message).toMatch(/No recordings in postgres:\/\/mockdrift@127\.0\.0\.1:\d+\/migrations_\w+ yet/);
    expect(await adminQuery(database.name, "SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = 'mockdrift'")).toEqual([{ n: 0 }]);
  });

  it('names the store by its URL without the password', () => {
    const store = PostgresRecordingStore.open(database.url);
    try {
      expect(store.location).toBe(`postgres://mockdrift@127.0.0.1:${postgresServer().port}/${database.name}`);
    } finally {
      store.close();
    }
  });
});
