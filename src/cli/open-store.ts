import { existsSync } from 'node:fs';
import { MockdriftError } from '../model/errors.js';
import type { RecordingStore } from '../store/recording-store.js';
import { isPostgresLocation, resolveStoreLocation } from '../store/store-location.js';

/**
 * Opens the store for a command that only reads it (`routes`, `export`), read-only, so that a store
 * in a read-only directory can be read and a missing one is not created. A `postgres://` URL opens
 * the shared store (read-only too).
 * @throws MockdriftError `STORE_UNAVAILABLE` naming the path and how to make a store.
 */
export async function openStoreToRead(cwd: string, db: string, env: NodeJS.ProcessEnv = process.env): Promise<RecordingStore> {
  const { openRecordingStore } = await import('../store/open-recording-store.js');
  return openRecordingStore(existingStore(cwd, db), { readonly: true, env });
}

/**
 * The location of an existing store: the absolute path of a SQLite file, or a PostgreSQL URL as
 * given (whether the server holds a store is for the store to say).
 * @throws MockdriftError `STORE_UNAVAILABLE` naming the path and the next step when there is none.
 */
export function existingStore(cwd: string, db: string): string {
  const location = resolveStoreLocation(cwd, db);
  if (isPostgresLocation(location)) return location;
  if (!existsSync(location)) {
    throw new MockdriftError(
      'STORE_UNAVAILABLE',
      `No recordings store at ${db}${location !== db ? ` (${location})` : ''}. Record some traffic first (mockdrift record --target URL, or mockdrift import --har FILE), or pass --db to name the store.`,
    );
  }
  return location;
}
