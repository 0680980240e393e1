import { PostgresRecordingStore } from './postgres-recording-store.js';
import type { RecordingStore } from './recording-store.js';
import { SqliteRecordingStore } from './sqlite-recording-store.js';
import { isPostgresLocation } from './store-location.js';

/** How {@link openRecordingStore} opens a store. */
export interface OpenStoreOptions {
  /** Only read. Default: false (create the store or schema when missing). */
  readonly readonly?: boolean;
  /** SQLite: how long to wait for another process's write lock, in ms. Default: 5000. */
  readonly busyTimeoutMs?: number;
  /** SQLite: who checkpoints the write-ahead log; see {@link SqliteStoreOptions.checkpoints}. Default: `automatic`. */
  readonly checkpoints?: 'automatic' | 'external';
  /** PostgreSQL: where the `PG*` variables are read from. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Opens the store `location` names: a `postgres://` or `postgresql://` URL opens the shared
 * PostgreSQL store, anything else the SQLite file at that (already resolved) path.
 * @throws MockdriftError `STORE_*` as the two stores' `open` do.
 */
export function openRecordingStore(location: string, options: OpenStoreOptions = {}): RecordingStore {
  if (isPostgresLocation(location)) {
    return PostgresRecordingStore.open(location, { readonly: options.readonly ?? false, ...(options.env ? { env: options.env } : {}) });
  }
  return SqliteRecordingStore.open(location, {
    readonly: options.readonly ?? false,
    ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
    ...(options.checkpoints !== undefined ? { checkpoints: options.checkpoints } : {}),
  });
}
