import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** The run's PostgreSQL cluster (test/support/postgres-global-setup.ts). */
export function postgresServer(): { readonly host: string; readonly port: number; readonly user: string; readonly password: string } {
  return inject('postgres');
}

/** URL of database `name` on the run's cluster, password included. */
export function postgresUrl(name: string, options: { password?: string } = {}): string {
  const server = postgresServer();
  return `postgres://${server.user}:${encodeURIComponent(options.password ?? server.password)}@${server.host}:${server.port}/${name}?sslmode=disable`;
}

/** Runs SQL as the cluster's superuser on database `name`. */
export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(name: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: postgresUrl(name) });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on the run's cluster; returns its name and URL. */
export async function freshDatabase(prefix = 'test'): Promise<{ readonly name: string; readonly url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await adminQuery('postgres', `CREATE DATABASE ${name}`);
  return {
    name,
    url: postgresUrl(name),
    drop: async () => {
      await adminQuery('postgres', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
