import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Checkpointer } from '../../../src/capture/checkpointer.js';
import type { Exchange } from '../../../src/model/exchange.js';
import { SqliteRecordingStore } from '../../../src/store/sqlite-recording-store.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mockdrift-checkpoint-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function exchange(): Exchange {
  counter += 1;
  const content = JSON.stringify({ id: counter, pad: 'x'.repeat(64 * 1024) });
  return {
    source: 'record',
    service: 'default',
    session: 's',
    recordedAt: Date.parse('2026-12-02T09:00:00Z') + counter,
    durationMs: 1,
    method: 'GET',
    url: `http://sandbox.test/v1/items/${counter}`,
    path: `/v1/items/${counter}`,
    route: '/v1/items/:id',
    query: {},
    requestHeaders: {},
    requestBody: null,
    status: 200,
    responseHeaders: { 'content-type': 'application/json' },
    responseBody: { content, size: content.length, truncated: false },
    contentType: 'application/json',
    contentEncoding: null,
    responseShape: null,
    error: null,
  };
}

const walBytes = (file: string): number => fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;

describe('Checkpointer', () => {
  it('keeps the log of a store that is written without pause from growing, checkpointing in a thread of its own', async () => {
    const file = path.join(dir, 'store.db');
    const store = SqliteRecordingStore.open(file, { checkpoints: 'external' });
    const warnings: string[] = [];
    // The recorder itself would step in only from 64 MB on: below, the thread did the work.
    const checkpointer = new Checkpointer(store, { askAtBytes: 1024 * 1024, inlineAtBytes: 64 * 1024 * 1024, onWarning: (message) => warnings.push(message) });
    let largest = 0;
    // About 40 MB in commits of ten 64 KB bodies: without checkpoints the log would hold it all.
    for (let batch = 0; batch < 60; batch++) {
      store.insert(Array.from({ length: 10 }, exchange));
      checkpointer.afterCommit(10 * 64 * 1024);
      largest = Math.max(largest, walBytes(file));
      await sleep(5);
    }
    expect(warnings).toEqual([]);
    expect(largest).toBeLessThan(16 * 1024 * 1024);
    expect(fs.statSync(file).size).toBeGreaterThan(20 * 1024 * 1024);
    await checkpointer.close();
    expect(store.count()).toBe(600);
    store.close();
    // The last connection out checkpoints and removes the log: nothing was left behind in it.
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const reader = SqliteRecordingStore.open(file, { readonly: true });
    expect(reader.count()).toBe(600);
    reader.close();
  });

  it('checkpoints in the recorder itself when the log outgrows what the thread keeps up with', async () => {
    const file = path.join(dir, 'store.db');
    const store = SqliteRecordingStore.open(file, { checkpoints: 'external' });
    // The thread is asked only from 1 GB on: the recorder's own limit (2 MB) is what holds.
    const checkpointer = new Checkpointer(store, { askAtBytes: 1024 ** 3, inlineAtBytes: 2 * 1024 * 1024 });
    let largest = 0;
    for (let batch = 0; batch < 30; batch++) {
      store.insert(Array.from({ length: 10 }, exchange));
      checkpointer.afterCommit(10 * 64 * 1024);
      largest = Math.max(largest, walBytes(file));
    }
    expect(largest).toBeLessThan(4 * 1024 * 1024);
    await checkpointer.close();
    store.close();
  });

  it('a store opened for external checkpoints does not checkpoint on commit', () => {
    const file = path.join(dir, 'store.db');
    const store = SqliteRecordingStore.open(file, { checkpoints: 'external' });
    for (let batch = 0; batch < 20; batch++) store.insert(Array.from({ length: 10 }, exchange));
    // 13 MB of bodies, all still in the log.
    expect(walBytes(file)).toBeGreaterThan(12 * 1024 * 1024);
    store.checkpoint();
    store.close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });
});
