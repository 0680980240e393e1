import { describe, expect, it } from 'vitest';
import { MockdriftError } from '../../../src/model/errors.js';
import { isPostgresLocation, postgresConnection, resolveStoreLocation, storeLabel, withoutPassword } from '../../../src/store/store-location.js';

describe('store locations', () => {
  it('tells PostgreSQL URLs from SQLite paths', () => {
    expect(isPostgresLocation('postgres://u@h/db')).toBe(true);
    expect(isPostgresLocation('postgresql://u@h/db')).toBe(true);
    expect(isPostgresLocation('POSTGRES://u@h/db')).toBe(true);
    expect(isPostgresLocation('recordings/mockdrift.db')).toBe(false);
    expect(isPostgresLocation('postgres.db')).toBe(false);
    expect(resolveStoreLocation('/work', 'postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(resolveStoreLocation('/work', 'rec/m.db')).toBe('/work/rec/m.db');
  });

  it('labels a URL without its password or parameters', () => {
    expect(storeLabel('postgres://ci:s3cr%40t@db.internal:6543/drift?sslmode=require')).toBe('postgres://ci@db.internal:6543/drift');
    expect(storeLabel('recordings/mockdrift.db')).toBe('recordings/mockdrift.db');
    expect(storeLabel('postgres://[::1]:5432/x')).toContain('[::1]:5432/x');
  });

  it('reads every part of the URL, decoding escapes', () => {
    const c = postgresConnection('postgresql://ci:s3cr%40t@db.internal:6543/drift%20db?sslmode=verify-full&application_name=shard-1&connect_timeout=3', {});
    expect(c).toMatchObject({ host: 'db.internal', port: 6543, user: 'ci', password: 's3cr@t', database: 'drift db', sslmode: 'verify-full', applicationName: 'shard-1', connectTimeoutMs: 3000 });
    expect(c.tls).toEqual({ rejectUnauthorized: true });
  });

  it('fills what the URL leaves out from the PG* variables, then the defaults', () => {
    const env = { PGHOST: 'pg.example', PGPORT: '7000', PGUSER: 'ana', PGPASSWORD: 'from-env', PGDATABASE: 'shared', PGSSLMODE: 'require' };
    expect(postgresConnection('postgres://', env)).toMatchObject({ host: 'pg.example', port: 7000, user: 'ana', password: 'from-env', database: 'shared', sslmode: 'require', tls: { rejectUnauthorized: false } });
    expect(postgresConnection('postgres://bob@h/', {})).toMatchObject({ host: 'h', port: 5432, user: 'bob', password: undefined, database: 'bob', sslmode: 'prefer' });
    expect(postgresConnection('postgres://h/db?sslmode=disable', { PGSSLMODE: 'require' }).tls).toBe(false);
    expect(postgresConnection('postgres://h/db?sslmode=verify-ca', {}).tls).toEqual({ rejectUnauthorized: true, skipHostCheck: true });
  });

  it('refuses a bad sslmode, port or certificate file without quoting the password', () => {
    for (const url of ['postgres://u:pw-XYZ@h/db?sslmode=sometimes', 'postgres://u:pw-XYZ@h:99999/db', 'postgres://u:pw-XYZ@h/db?sslrootcert=/nonexistent/ca.pem']) {
      let thrown: unknown;
      try {
        postgresConnection(url, {});
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(MockdriftError);
      expect((thrown as MockdriftError).code).toBe('USAGE');
      expect((thrown as MockdriftError).message).not.toContain('pw-XYZ');
    }
  });

  it('removes a password from any text, plain or URL-encoded', () => {
    expect(withoutPassword('failed for p@ss and p%40ss', 'p@ss')).toBe('failed for *** and ***');
    expect(withoutPassword('nothing to hide', undefined)).toBe('nothing to hide');
  });
});
