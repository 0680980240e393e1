import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { MockdriftError } from '../model/errors.js';
import type { SqliteRecordingStore } from '../store/sqlite-recording-store.js';

/**
 * Opens the store for a command that only reads it (`routes`, `export`), read-only, so that a store
 * in a read-only directory can be read and a missing one is not created.
 * @throws MockdriftError `STORE_UNAVAILABLE` naming the path and how to make a store.
 */
export async function openStoreToRead(cwd: string, db: string): Promise<SqliteRecordingStore> {
  const { SqliteRecordingStore } = await import('../store/sqlite-recording-store.js');
  return SqliteRecordingStore.open(existingStore(cwd, db), { readonly: true });
}

/**
 * The absolute path of an existing store.
 * @throws MockdriftError `STORE_UNAVAILABLE` naming the path and the next step when there is none.
 */
export function existingStore(cwd: string, db: string): string {
  const path = resolve(cwd, db);
  if (!existsSync(path)) {
    throw new MockdriftError(
      'STORE_UNAVAILABLE',
      `No recordings store at ${db}${path !== db ? ` (${path})` : ''}. Record some traffic first (mockdrift record --target URL, or mockdrift import --har FILE), or pass --db to name the store.`,
    );
  }
  return path;
}
