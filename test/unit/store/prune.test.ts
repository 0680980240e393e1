import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/model/exchange.js';
import { shapeOf } from '../../../src/model/shape.js';
import { SqliteRecordingStore } from '../../../src/store/sqlite-recording-store.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00.000Z');

let dir: string;
let store: SqliteRecordingStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mockdrift-prune-'));
  store = SqliteRecordingStore.open(join(dir, 'store.db'));
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A JSON exchange recorded `daysAgo` days before NOW whose response body is `body`. */
function exchange(daysAgo: number, body: unknown, overrides: Partial<Exchange> = {}): Exchange {
  const text = JSON.stringify(body);
  return {
    source: 'record',
    service: 'payments',
    session: 's-1',
    recordedAt: NOW - daysAgo * DAY,
    durationMs: 5,
    method: 'GET',
    url: 'https://sandbox.example/v1/charges/ch_1',
    path: '/v1/charges/ch_1',
    route: '/v1/charges/:id',
    query: {},
    requestHeaders: {},
    requestBody: null,
    status: 200,
    responseHeaders: { 'content-type': 'application/json' },
    responseBody: { content: text, size: text.length, truncated: false },
    contentType: 'application/json',
    contentEncoding: null,
    responseShape: shapeOf(body),
    error: null,
    ...overrides,
  };
}

describe('SqliteRecordingStore.prune', () => {
  it('deletes old exchanges, then the bodies and shapes only they used', () => {
    const shared = { id: 'ch_1', amount: 100 };
    store.insert([
      exchange(40, shared), // old, but its body and shape are also used by a kept exchange
      exchange(40, { legacy: true }), // old, with a body and a shape of its own
      exchange(35, shared, { status: null, responseHeaders: null, responseBody: null, responseShape: null, error: { code: 'upstream-timeout', message: 'slow' } }),
      exchange(2, shared),
      exchange(1, { id: 'ch_2', amount: 200 }, { requestBody: { content: '{"legacy":true}', size: 15, truncated: false } }),
    ]);
    expect(store.stats()).toMatchObject({ exchanges: 5, bodies: 3, shapes: 2 });

    expect(store.prune(NOW - 30 * DAY)).toEqual({ exchanges: 3, bodies: 0, shapes: 1 });
    // `{"legacy":true}` survives as a request body of a kept exchange; the legacy shape does not.
    expect(store.stats()).toMatchObject({ exchanges: 2, failed: 0, bodies: 3, shapes: 1 });
    expect([...store.exchanges()].map((e) => e.recordedAt)).toEqual([NOW - 2 * DAY, NOW - DAY]);
    expect(store.integrityCheck()).toEqual(['ok']);
  });

  it('counts orphaned bodies and leaves the WAL truncated', () => {
    store.insert([exchange(40, { a: 1 }), exchange(40, { b: 2 }), exchange(1, { c: 3 })]);
    expect(store.prune(NOW - 30 * DAY)).toEqual({ exchanges: 2, bodies: 2, shapes: 2 });
    expect(statSync(join(dir, 'store.db-wal')).size).toBe(0);
    expect(store.prune(NOW - 30 * DAY)).toEqual({ exchanges: 0, bodies: 0, shapes: 0 });
  });

  it('reports without deleting on a dry run', () => {
    store.insert([exchange(40, { a: 1 }), exchange(1, { c: 3 })]);
    expect(store.prune(NOW - 30 * DAY, { dryRun: true })).toEqual({ exchanges: 1, bodies: 1, shapes: 1 });
    expect(store.stats()).toMatchObject({ exchanges: 2, bodies: 2, shapes: 2 });
  });

  it('keeps writing correct shape ids after pruning (deleted ids are reused by SQLite)', () => {
    store.insert([exchange(1, { keep: 1 }), exchange(40, { gone: 1 })]);
    store.prune(NOW - 30 * DAY);
    store.insert([exchange(0, { gone: 1 })]);
    const shapes = [...store.exchanges()].map((e) => JSON.stringify(e.responseShape));
    expect(shapes).toEqual([JSON.stringify(shapeOf({ keep: 1 })), JSON.stringify(shapeOf({ gone: 1 }))]);
  });
});
