import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Whether opening a store read-only failed only because its directory is read-only: SQLite reads a
 * WAL-mode database through a `-shm` file it must create next to it.
 */
export function isReadOnlyDirectory(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_READONLY_DIRECTORY' || code === 'SQLITE_READONLY_CANTINIT';
}

/** A private copy of a store (with its `-wal`), to read where the store's own directory is read-only. */
export interface ReadOnlyCopy {
  readonly file: string;
  /** Deletes the copy. */
  remove(): void;
}

/** Copies `file` (and its `-wal`, which holds the latest writes) into a fresh private temp directory. */
export function readOnlyCopy(file: string): ReadOnlyCopy {
  const dir = mkdtempSync(join(tmpdir(), 'mockdrift-readonly-'));
  const copy = join(dir, 'store.db');
  try {
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { file: copy, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
