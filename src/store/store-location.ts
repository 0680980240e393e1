import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MockdriftError } from '../model/errors.js';

/** Whether `--db` names a PostgreSQL server (`postgres://` or `postgresql://`) rather than a SQLite file. */
export function isPostgresLocation(db: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(db.trim());
}

/**
 * Where a store lives, ready to open: a PostgreSQL URL as given, a SQLite path resolved against
 * `cwd`. The capture worker and the commands open the same store whatever their directory.
 */
export function resolveStoreLocation(cwd: string, db: string): string {
  return isPostgresLocation(db) ? db.trim() : resolve(cwd, db);
}

/**
 * How a store is named in messages, logs and reports: a SQLite path as given, a PostgreSQL URL
 * without its password and parameters (`postgres://user@host:5432/db`). Never the password.
 */
export function storeLabel(db: string): string {
  if (!isPostgresLocation(db)) return db;
  try {
    return describeConnection(postgresConnection(db, {}));
  } catch {
    return 'postgres://(an invalid URL)';
  }
}

/** The TLS settings of a connection, as `pg` takes them; false for a plain connection. */
export type TlsSettings = false | { readonly rejectUnauthorized: boolean; readonly ca?: string; readonly cert?: string; readonly key?: string; readonly servername?: string; readonly skipHostCheck?: boolean };

/** Everything needed to connect to a PostgreSQL store, resolved from the URL and the `PG*` variables. */
export interface PostgresConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** Undefined when neither the URL nor PGPASSWORD give one: `pg` then reads ~/.pgpass. */
  readonly password: string | undefined;
  /** libpq's sslmode: disable, allow, prefer, require, verify-ca or verify-full. */
  readonly sslmode: string;
  readonly tls: TlsSettings;
  readonly applicationName: string;
  readonly connectTimeoutMs: number;
}

const SSL_MODES = new Set(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']);

/**
 * Reads a `postgres://user:password@host:port/dbname?sslmode=…` URL. What the URL leaves out comes
 * from the standard variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE,
 * PGSSLROOTCERT, PGSSLCERT, PGSSLKEY, PGCONNECT_TIMEOUT, PGAPPNAME), then libpq's defaults
 * (localhost, 5432, the user's name as user and database, sslmode=prefer).
 * @throws MockdriftError `USAGE` for a URL that cannot be read (the message never holds the password).
 */
export function postgresConnection(db: string, env: NodeJS.ProcessEnv): PostgresConnection {
  let url: URL;
  try {
    url = new URL(db.trim());
  } catch {
    throw new MockdriftError('USAGE', '--db: not a valid PostgreSQL URL; expected postgres://user[:password]@host:port/dbname');
  }
  const param = (name: string): string | undefined => url.searchParams.get(name) ?? undefined;
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const user = (url.username ? decode(url.username) : undefined) ?? param('user') ?? env['PGUSER'] ?? env['USER'] ?? 'postgres';
  const password = url.password ? decode(url.password) : (param('password') ?? env['PGPASSWORD']);
  const host = (url.hostname ? decode(url.hostname).replace(/^\[|\]$/g, '') : undefined) ?? param('host') ?? env['PGHOST'] ?? 'localhost';
  const portText = url.port || param('port') || env['PGPORT'] || '5432';
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new MockdriftError('USAGE', `--db: the port ${portText} is not a port number`);
  const path = decode(url.pathname.replace(/^\//, ''));
  const database = path || param('dbname') || env['PGDATABASE'] || user;
  const sslmode = (param('sslmode') ?? env['PGSSLMODE'] ?? 'prefer').toLowerCase();
  if (!SSL_MODES.has(sslmode)) {
    throw new MockdriftError('USAGE', `--db: sslmode=${sslmode} is not one of ${[...SSL_MODES].join(', ')}`);
  }
  const file = (name: string, value: string | undefined): string | undefined => {
    if (value === undefined || value === '') return undefined;
    try {
      return readFileSync(value, 'utf8');
    } catch {
      throw new MockdriftError('USAGE', `--db: cannot read ${name} file ${value}`);
    }
  };
  const ca = file('sslrootcert', param('sslrootcert') ?? env['PGSSLROOTCERT']);
  const cert = file('sslcert', param('sslcert') ?? env['PGSSLCERT']);
  const key = file('sslkey', param('sslkey') ?? env['PGSSLKEY']);
  const extras = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  // libpq's meanings: require encrypts without checking the certificate, verify-ca checks the
  // chain, verify-full the chain and the host name. prefer and allow try TLS and fall back.
  const tls: TlsSettings =
    sslmode === 'disable'
      ? false
      : sslmode === 'verify-full'
        ? { rejectUnauthorized: true, ...extras }
        : sslmode === 'verify-ca'
          ? { rejectUnauthorized: true, skipHostCheck: true, ...extras }
          : { rejectUnauthorized: false, ...extras };
  const timeoutText = param('connect_timeout') ?? env['PGCONNECT_TIMEOUT'];
  const timeoutSeconds = timeoutText === undefined ? 10 : Number(timeoutText);
  return {
    host,
    port,
    database,
    user,
    password,
    sslmode,
    tls,
    applicationName: param('application_name') ?? env['PGAPPNAME'] ?? 'mockdrift',
    connectTimeoutMs: Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds * 1000 : 10_000,
  };
}

/** `postgres://user@host:port/db`: the connection without its password. */
export function describeConnection(connection: Pick<PostgresConnection, 'user' | 'host' | 'port' | 'database'>): string {
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
  return `postgres://${encodeURIComponent(connection.user)}@${host}:${connection.port}/${encodeURIComponent(connection.database)}`;
}

/** Removes every occurrence of the password from a text that may quote a URL or a server's words. */
export function withoutPassword(text: string, password: string | undefined): string {
  if (!password) return text;
  let result = text;
  for (const form of new Set([password, encodeURIComponent(password)])) result = result.split(form).join('***');
  return result;
}
