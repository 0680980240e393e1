import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/model/exchange.js';
import { shapeOf } from '../../../src/model/shape.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { SqliteRecordingStore } from '../../../src/store/sqlite-recording-store.js';
import { unreadableBody } from '../../../src/store/unreadable-body.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
let counter = 0;

function exchange(overrides: Partial<Exchange> = {}): Exchange {
  counter += 1;
  const body = { id: `re_${counter}`, object: 'refund' };
  const text = JSON.stringify(body);
  return {
    source: 'record',
    service: 'payments',
    session: 's',
    recordedAt: T0 + counter,
    durationMs: 3,
    method: 'POST',
    url: 'https://sandbox.example/v1/refunds',
    path: '/v1/refunds',
    route: '/v1/refunds',
    query: {},
    requestHeaders: {},
    requestBody: { content: '{"charge":"ch_1","amount":100}', size: 30, truncated: false },
    status: 201,
    responseHeaders: { 'content-type': 'application/json' },
    responseBody: { content: text, size: text.length, truncated: false },
    contentType: 'application/json',
    contentEncoding: null,
    responseShape: shapeOf(body),
    error: null,
    ...overrides,
  };
}

const truncated = (): Partial<Exchange> => ({ responseBody: { content: '{"id": "re_', size: 11, truncated: true }, responseShape: null });
const undecodable = (): Partial<Exchange> => ({ responseBody: { content: new Uint8Array([1, 2, 3]), size: 3, truncated: false }, contentEncoding: 'gzip', responseShape: null });
const brokenJson = (): Partial<Exchange> => ({ responseBody: { content: '{"id": ', size: 7, truncated: false }, responseShape: null });
const empty = (): Partial<Exchange> => ({ status: 204, responseBody: { content: '', size: 0, truncated: false }, responseShape: null, contentType: null });

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mockdrift-store-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('unreadable bodies', () => {
  it('are told apart by what capture stored: truncated, undecodable, invalid JSON; empty and binary images are not', () => {
    expect(unreadableBody(exchange(truncated()))).toBe('truncated');
    expect(unreadableBody(exchange(undecodable()))).toBe('undecodable');
    expect(unreadableBody(exchange(brokenJson()))).toBe('invalid-json');
    expect(unreadableBody(exchange(empty()))).toBeNull();
    expect(unreadableBody(exchange())).toBeNull();
    expect(unreadableBody(exchange({ ...undecodable(), contentType: 'image/png' }))).toBeNull();
  });

  it('are counted per group by reason, and empty bodies too', () => {
    const store = SqliteRecordingStore.open(path.join(dir, 'r.db'));
    try {
      store.insert([exchange(), exchange(truncated()), exchange(truncated()), exchange(undecodable()), exchange(brokenJson()), exchange(empty())]);
      const groups = store.recordedGroups();
      const created = groups.find((group) => group.status === 201)!;
      expect(created.count).toBe(5);
      expect(created.unreadable).toEqual({ truncated: 2, undecodable: 1, 'invalid-json': 1 });
      expect(created.shapes.reduce((total, shape) => total + shape.count, 0)).toBe(1);
      expect(groups.find((group) => group.status === 204)).toMatchObject({ empty: 1, unreadable: {} });
    } finally {
      store.close();
    }
  });

  it('are found in a store written before the column existed, when it is upgraded', () => {
    const file = path.join(dir, 'old.db');
    const old = new Database(file);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 3)) old.exec(migration.sql);
    old.pragma('user_version = 3');
    old.exec(`INSERT INTO bodies (hash, content) VALUES ('t', '{"id": "x'), ('b', x'010203'), ('j', '{"id": ')`);
    const insert = old.prepare(
      `INSERT INTO exchanges (source, service, session, recorded_at, duration_ms, method, url, path, route, query, query_names, request_headers,
         status, response_headers, response_body, response_body_size, response_body_truncated, content_type, content_encoding, header_names)
       VALUES ('record', 'p', 's', 1, 1, 'GET', 'u', '/x', '/x', '{}', '', '{}', 200, '{}', ?, 3, ?, 'application/json', ?, '')`,
    );
    insert.run('t', 1, null);
    insert.run('b', 0, 'br');
    insert.run('j', 0, null);
    old.close();
    const store = SqliteRecordingStore.open(file, { readonly: true });
    try {
      expect(store.recordedGroups()[0]!.unreadable).toEqual({ truncated: 1, undecodable: 1, 'invalid-json': 1 });
    } finally {
      store.close();
    }
  });
});

describe('recorded requests', () => {
  it('lists a route by distinct request and answer, with the request body text, newest first and bounded', () => {
    const store = SqliteRecordingStore.open(path.join(dir, 'r.db'));
    try {
      store.insert([
        exchange(),
        exchange(),
        exchange({ requestBody: { content: '{"charge":"ch_2","amount":99999999}', size: 35, truncated: false }, status: 400 }),
        exchange({ path: '/v1/refunds', query: { expand: ['charge'] } }),
        exchange({ route: '/v1/other' }),
        exchange({ status: null, error: { code: 'upstream-timeout', message: 'slow' } }),
      ]);
      const requests = store.recordedRequests({ service: 'payments', method: 'POST', route: '/v1/refunds' }, 10);
      expect(requests).toHaveLength(3);
      expect(requests[0]).toMatchObject({ query: { expand: ['charge'] }, status: 201, count: 1 });
      expect(requests.find((request) => request.status === 400)).toMatchObject({ requestBody: '{"charge":"ch_2","amount":99999999}', count: 1, unreadable: null });
      expect(requests.find((request) => request.status === 201 && Object.keys(request.query).length === 0)).toMatchObject({ count: 2, path: '/v1/refunds' });
      expect(requests[0]!.shape).not.toBeNull();
      expect(store.recordedRequests({ service: 'payments', method: 'POST', route: '/v1/refunds' }, 1)).toHaveLength(1);
      expect(store.recordedRequests({ service: 'payments', method: 'GET', route: '/v1/refunds' }, 10)).toEqual([]);
    } finally {
      store.close();
    }
  });
});
