/**
 * The checkpointer: a thread with a connection of its own to the SQLite store that copies the
 * write-ahead log back into the database file when the capture worker asks. A checkpoint copies
 * tens of megabytes and waits for the disk; done inside a commit, as SQLite does by default, it
 * would stop recording for that long every 64 MB.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { describeError } from '../model/errors.js';
import { CheckpointState, type CheckpointWorkerData, type FromCheckpointer, type ToCheckpointer } from './checkpoint-protocol.js';

const port = parentPort;
if (!port) throw new Error('checkpoint-worker must run as a worker thread');
const data = workerData as CheckpointWorkerData;
const send = (message: FromCheckpointer): void => port.postMessage(message);
const state = new Int32Array(data.state);
const fail = (message: string): void => {
  Atomics.store(state, 0, CheckpointState.failed);
  send({ type: 'failed', message });
};

let db: Database.Database | null = null;
try {
  db = new Database(data.dbPath, { fileMustExist: true });
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(data.busyTimeoutMs))}`);
  // This connection never writes; it must not checkpoint on its own schedule either.
  db.pragma('wal_autocheckpoint = 0');
} catch (error) {
  fail(describeError(error));
}

port.on('message', (message: ToCheckpointer) => {
  if (message === 'close') {
    db?.close();
    db = null;
    send({ type: 'closed' });
    port.close();
    return;
  }
  if (!db) {
    fail('the checkpointer has no connection to the store');
    return;
  }
  try {
    // Passive: never waits for the recorder or for readers; what it cannot copy now, it copies next time.
    db.pragma('wal_checkpoint(PASSIVE)');
    Atomics.store(state, 0, CheckpointState.done);
  } catch (error) {
    fail(describeError(error));
  }
});
