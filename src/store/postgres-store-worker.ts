/**
 * The PostgreSQL store's client thread: runs the `pg` pool and answers the calls of
 * {@link PostgresRecordingStore} one at a time. Each reply is posted, then the shared flag is set
 * and notified, so that the caller (blocked in Atomics.wait) can take it synchronously.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { describeError, isMockdriftError } from '../model/errors.js';
import { PostgresBackend, type AsyncCalls } from './postgres-backend.js';
import type { PgReply, PgRequest, PgWorkerData } from './postgres-protocol.js';
import { withoutPassword } from './store-location.js';

const data = workerData as PgWorkerData;
const port: MessagePort = data.port;
const signal = new Int32Array(data.signal);
const backend = new PostgresBackend(data.connection);

function reply(message: PgReply): void {
  port.postMessage(message);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

// Strictly one call at a time, in order: the caller waits for each reply before sending the next.
let tail: Promise<void> = Promise.resolve();
port.on('message', (request: PgRequest) => {
  tail = tail.then(async () => {
    try {
      const call = backend[request.call] as (...args: unknown[]) => Promise<unknown>;
      const value = await call.apply(backend, [...request.args]);
      reply({ ok: true, value });
    } catch (error) {
      // The backend's own errors are already worded and cleaned; anything else is cleaned here.
      reply(
        isMockdriftError(error)
          ? { ok: false, code: error.code, message: error.message }
          : { ok: false, code: null, message: withoutPassword(describeError(error), data.connection.password).replace(/\s*\n\s*/g, ' ') },
      );
    }
    if (request.call === 'close') port.close();
  });
});

export type { AsyncCalls };
