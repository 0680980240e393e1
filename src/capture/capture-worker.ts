/**
 * The capture worker: a thread of its own that decodes, redacts, summarises and stores what the
 * proxy captured. The proxy's event loop only copies bytes; a transaction of a few thousand
 * exchanges (tens of ms of SQLite and JSON work) never stands between a client and its response.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Exchange } from '../model/exchange.js';
import { describeError, isMockdriftError } from '../model/errors.js';
import { RouteTemplate } from '../model/route.js';
import { ShapeCache } from '../model/shape.js';
import { BatchedWriter } from '../store/batched-writer.js';
import { openRecordingStore } from '../store/open-recording-store.js';
import type { RecordingStore } from '../store/recording-store.js';
import { SqliteRecordingStore } from '../store/sqlite-recording-store.js';
import { Checkpointer } from './checkpointer.js';
import { batchLength, exchangeAt, type CaptureBatch, type CaptureWorkerData, type FromWorker, type ToWorker } from './capture-protocol.js';
import { BodyCache } from './body-cache.js';
import { HeaderTexts } from './header-texts.js';
import { prepareExchange, type PrepareOptions } from './prepare-exchange.js';
import { Redactor } from './redactor.js';
import { RecentBodies } from './similar-json.js';

const port = parentPort;
if (!port) throw new Error('capture-worker must run as a worker thread');
const data = workerData as CaptureWorkerData;
const send = (message: FromWorker): void => port.postMessage(message);

let store: RecordingStore;
let prepare: PrepareOptions;
try {
  prepare = {
    redactor: new Redactor(data.redaction),
    routes: data.routes.map((template) => RouteTemplate.parse(template)),
    maxBodyBytes: data.maxBodyBytes,
    cache: new BodyCache(),
    shapes: new ShapeCache(),
    recent: new RecentBodies(),
    headers: new WeakMap(),
    queries: new Map(),
  };
  store = openRecordingStore(data.dbPath, { busyTimeoutMs: data.busyTimeoutMs, checkpoints: 'external' });
} catch (error) {
  send({ type: 'fatal', code: isMockdriftError(error) ? error.code : null, message: describeError(error) });
  process.exit(1);
}

// A SQLite store's log is checkpointed by a thread of its own: commits never wait for it.
const checkpointer =
  store instanceof SqliteRecordingStore
    ? new Checkpointer(store, { busyTimeoutMs: data.busyTimeoutMs, onWarning: (message) => send({ type: 'warning', message }) })
    : null;

const writer = new BatchedWriter<Exchange>((batch) => {
  store.insert(batch);
  if (checkpointer) {
    let bytes = 0;
    for (const exchange of batch) bytes += bodyBytes(exchange);
    checkpointer.afterCommit(bytes);
  }
}, {
  ...data.batch,
  sizeOf: bodyBytes,
  onError: (error, attempt) => {
    // Say it once, then now and again: a store locked for seconds is worth one line, not fifty.
    if (attempt === 1 || attempt % 10 === 0) {
      send({ type: 'warning', message: `cannot write to ${store.location} (attempt ${attempt}, retrying): ${describeError(error)}` });
    }
  },
});

let failedToPrepare = 0;
const headerTexts = new HeaderTexts();

async function capture(batch: CaptureBatch): Promise<void> {
  const count = batchLength(batch);
  const headers = (text: string) => headerTexts.get(text);
  // Room is reported as it is made, not once per batch: a proxy holding requests until the
  // worker catches up lets them go a few at a time.
  const fixed = count > 0 ? (batch.bytes - bodyBytesOf(batch.spans)) / count : 0;
  let done = 0;
  let reported = 0;
  for (let i = 0; i < count; i++) {
    const captured = exchangeAt(batch, i, headers);
    try {
      writer.add(await prepareExchange(captured, prepare));
    } catch (error) {
      failedToPrepare += 1;
      send({ type: 'warning', message: `could not store ${captured.method} ${captured.url}: ${describeError(error)}` });
    }
    done += fixed + (captured.requestBody?.byteLength ?? 0) + (captured.responseBody?.byteLength ?? 0);
    if (done - reported >= REPORT_EVERY_BYTES && i < count - 1) {
      send({ type: 'consumed', bytes: done - reported });
      reported = done;
    }
  }
  send({ type: 'consumed', bytes: batch.bytes - reported });
}

/** How much preparing has to free before the proxy hears of it mid-batch. */
const REPORT_EVERY_BYTES = 256 * 1024;

function bodyBytesOf(spans: Int32Array): number {
  let total = 0;
  for (let at = 0; at < spans.length; at += 3) if (spans[at]! >= 0) total += spans[at + 2]!;
  return total;
}

async function flushed(id: number): Promise<void> {
  const stats = await writer.flush();
  send({ type: 'flushed', id, stats: { stored: stats.written, lost: stats.lost + failedToPrepare, lastError: stats.lastError } });
}

// Messages are handled strictly in order: a flush covers every capture sent before it.
let tail: Promise<void> = Promise.resolve();
port.on('message', (message: ToWorker) => {
  tail = tail.then(async () => {
    switch (message.type) {
      case 'capture':
        return capture(message);
      case 'flush':
        return flushed(message.id);
      case 'close':
        await flushed(message.id);
        await checkpointer?.close();
        store.close();
        port.close();
        return;
    }
  });
});

send({ type: 'ready' });

function bodyBytes(exchange: Exchange): number {
  return (exchange.requestBody?.size ?? 0) + (exchange.responseBody?.size ?? 0) + 512;
}
