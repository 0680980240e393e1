import { closeSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describeError, MockdriftError } from '../model/errors.js';

/** The first 16 bytes of every SQLite 3 database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Tables every mockdrift store has, whatever its schema version. */
const OWN_TABLES = ['exchanges', 'bodies'] as const;

/**
 * Refuses, before anything opens it for writing, a file that exists, is not empty and is not a
 * mockdrift store: a file that is no SQLite database, or a database without mockdrift's tables
 * (somebody else's `users` table). Such a file is left byte for byte as it was: nothing is
 * created in it, its `user_version` and mode are not touched. An empty database (no tables at
 * all) is fine: it becomes a store.
 * @throws MockdriftError `STORE_INVALID` (exit 2) naming the file and what to do.
 */
export function assertStoreFile(file: string): void {
  if (file === ':memory:') return;
  let size: number;
  try {
    const stat = statSync(file);
    // A directory or a device: opening it fails with its own message, and writes nothing.
    if (!stat.isFile()) return;
    size = stat.size;
  } catch {
    return; // Missing (it will be created) or unreadable (opening it says so).
  }
  if (size === 0) return;
  if (!startsWithSqliteHeader(file)) throw refusal(file, 'it is not an SQLite database');
  const tables = tablesOf(file);
  if (tables === undefined || tables.length === 0) return;
  if (!OWN_TABLES.every((table) => tables.includes(table))) {
    const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
    throw refusal(file, `it is an SQLite database of something else (tables: ${shown})`);
  }
}

function refusal(file: string, reason: string): MockdriftError {
  return new MockdriftError(
    'STORE_INVALID',
    `${file} is not a mockdrift recordings store: ${reason}. mockdrift left it untouched; pass another --db (or a path that does not exist yet).`,
  );
}

function startsWithSqliteHeader(file: string): boolean {
  const header = Buffer.alloc(SQLITE_HEADER.length);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    return readSync(fd, header, 0, header.length, 0) === header.length && header.equals(SQLITE_HEADER);
  } catch {
    return true; // Cannot tell: let SQLite say what is wrong.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The table names, read through a read-only connection (which writes nothing); undefined when unreadable. */
function tablesOf(file: string): string[] | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  } catch (error) {
    // A database that SQLite cannot read at all is not a store either.
    if (/not a database|malformed/i.test(describeError(error))) throw refusal(file, `SQLite cannot read it (${describeError(error)})`);
    return undefined;
  } finally {
    db?.close();
  }
}
