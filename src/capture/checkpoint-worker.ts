/**
 * The checkpointer: a thread with a connection of its own to the SQLite store that copies the
 * write-ahead log back into the database file when the capture worker asks. A checkpoint copies
 * tens of megabytes and waits for the disk; done inside a commit, as SQLite does by default, it
 * would stop recording for that long every 64 MB.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { describeError } from '../model/errors.js';
import { CheckpointState, COMMITS, STATE, type CheckpointWorkerData, type FromCheckpointer, type ToCheckpointer } from './checkpoint-protocol.js';

const port = parentPort;
if (!port) throw new Error('checkpoint-worker must run as a worker thread');
const data = workerData as CheckpointWorkerData;
const send = (message: FromCheckpointer): void => port.postMessage(message);
const state = new Int32Array(data.state);
const fail = (message: string): void => {
  Atomics.store(state, STATE, CheckpointState.failed);
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
    checkpoint(db);
    Atomics.compareExchange(state, STATE, CheckpointState.asked, CheckpointState.idle);
  } catch (error) {
    fail(describeError(error));
  }
});

/** Copies of the log made for one request, at most. */
const MAX_PASSES = 8;
/** How long one pass waits for the recorder's next commit, in ms. */
const COMMIT_WAIT_MS = 250;

/**
 * Copies the log into the database file until all of it is there. The log starts over (and stops
 * growing) only when the recorder begins a commit with all of it copied. While it records, each
 * pass finds new commits; so the next pass starts as soon as the recorder's next commit lands,
 * copying only that commit, and is most likely done before the recorder commits again. Passive:
 * never waits for the recorder or for readers.
 */
function checkpoint(connection: Database.Database): void {
  for (let pass = 1; ; pass++) {
    const [result] = connection.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number; checkpointed: number }>;
    if (!result || result.checkpointed >= result.log || pass >= MAX_PASSES) return;
    if (Atomics.load(state, STATE) === CheckpointState.closing) return;
    Atomics.wait(state, COMMITS, Atomics.load(state, COMMITS), COMMIT_WAIT_MS);
  }
}
