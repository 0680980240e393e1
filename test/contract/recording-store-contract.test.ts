// One suite, every store: the SQLite file and the shared PostgreSQL store (a real server, started
// by test/support/postgres-global-setup.ts) must answer every question of RecordingStore alike.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Exchange } from '../../src/model/exchange.js';
import { shapeOf } from '../../src/model/shape.js';
import { openRecordingStore } from '../../src/store/open-recording-store.js';
import type { ExchangeFilter, RecordingStore } from '../../src/store/recording-store.js';
import { adminQuery, freshDatabase } from '../support/postgres.js';
import { tempDir } from '../support/temp-dir.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
let counter = 0;

function makeExchange(overrides: Partial<Exchange> = {}): Exchange {
  counter += 1;
  const body = { id: `ch_${counter}`, object: 'charge', amount: 1200, currency: 'usd', paid: true };
  const text = JSON.stringify(body);
  return {
    source: 'record',
    service: 'payments',
    session: 'session-1',
    recordedAt: T0 + counter,
    durationMs: 12.5,
    method: 'GET',
    url: `https://sandbox.payments.example/v1/charges/ch_${counter}?expand=customer`,
    path: `/v1/charges/ch_${counter}`,
    route: '/v1/charges/:id',
    query: { expand: ['customer'] },
    requestHeaders: { accept: 'application/json', authorization: '[redacted]' },
    requestBody: null,
    status: 200,
    responseHeaders: { 'content-type': 'application/json; charset=utf-8', 'set-cookie': ['a=1', 'b=2'] },
    responseBody: { content: text, size: Buffer.byteLength(text), truncated: false },
    contentType: 'application/json',
    contentEncoding: 'gzip',
    responseShape: shapeOf(body),
    error: null,
    ...overrides,
  };
}

function failedExchange(overrides: Partial<Exchange> = {}): Exchange {
  return makeExchange({
    status: null,
    responseHeaders: null,
    responseBody: null,
    contentType: null,
    contentEncoding: null,
    responseShape: null,
    error: { code: 'upstream-unreachable', message: 'connect ECONNREFUSED 127.0.0.1:9' },
    ...overrides,
  });
}

/** Plain, comparable copies: parsed shapes have a null prototype, which toEqual tells apart. */
function plain(exchange: Exchange): unknown {
  return { ...exchange, responseShape: exchange.responseShape === null ? null : { ...exchange.responseShape } };
}

interface StoreKind {
  readonly name: string;
  setUp(): Promise<void>;
  /** A fresh, empty store location for one test. */
  fresh(): Promise<string>;
  tearDown(): Promise<void>;
}

const sqlite = (): StoreKind => {
  let dir: ReturnType<typeof tempDir>;
  let n = 0;
  return {
    name: 'SQLite',
    setUp: async () => {
      dir = tempDir('mockdrift-contract-');
    },
    fresh: async () => join(dir.path, `store-${++n}.db`),
    tearDown: async () => dir.remove(),
  };
};

const postgres = (): StoreKind => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  return {
    name: 'PostgreSQL',
    setUp: async () => {
      database = await freshDatabase('contract');
    },
    fresh: async () => {
      // Empty tables between tests; the first test creates the schema.
      await adminQuery(database.name, `DROP SCHEMA IF EXISTS mockdrift CASCADE`);
      return database.url;
    },
    tearDown: async () => database.drop(),
  };
};

describe.each([sqlite(), postgres()])('RecordingStore contract: $name', (kind) => {
  let location: string;
  const opened: RecordingStore[] = [];
  const open = (options: { readonly?: boolean } = {}): RecordingStore => {
    const store = openRecordingStore(location, options);
    opened.push(store);
    return store;
  };

  beforeAll(() => kind.setUp());
  afterAll(() => kind.tearDown());
  beforeEach(async () => {
    location = await kind.fresh();
  });
  afterEach(() => {
    for (const store of opened.splice(0)) store.close();
  });

  describe('insert and read back', () => {
    it('round-trips every field of a JSON exchange', () => {
      const store = open();
      const exchange = makeExchange({
        method: 'POST',
        query: { expand: ['customer', 'invoice'], limit: ['3'] },
        requestHeaders: { 'content-type': 'application/json', 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] },
        requestBody: { content: '{"amount":1200,"note":"caf\u00e9 \u2615 \\"quoted\\" {braces}"}', size: 51, truncated: false },
        responseBody: { content: '{"id":"ch_1","object":"charge"', size: 65_536, truncated: true },
        responseShape: null,
        durationMs: 0.75,
        source: 'probe',
      });
      store.insert([exchange]);
      const read = [...store.exchanges()];
      expect(read).toHaveLength(1);
      expect(plain(read[0]!)).toEqual(plain(exchange));
    });

    it('stores a text body handed over as its UTF-8 bytes as text, read back as the same string', () => {
      const store = open();
      const json = JSON.stringify({ note: 'caf\u00e9 \u2615 \ud83d\ude00', items: Array.from({ length: 400 }, (_, i) => ({ sku: `SKU-${i}` })) });
      const bytes = Buffer.from(json, 'utf8');
      const exchange = makeExchange({ responseBody: { content: new Uint8Array(bytes), text: true, size: bytes.length, truncated: false }, contentEncoding: 'gzip' });
      store.insert([exchange]);
      const [read] = [...store.exchanges()];
      expect(read!.responseBody).toEqual({ content: json, size: bytes.length, truncated: false });
      // Text, not bytes a decoder failed on: the body is readable, its group agrees.
      expect(store.recordedGroups()[0]?.unreadable ?? {}).toEqual({});
      // The same body handed over as a string reads back the same.
      store.insert([makeExchange({ responseBody: { content: json, size: bytes.length, truncated: false } })]);
      const bodies = [...store.exchanges()].map((exchange) => exchange.responseBody?.content);
      expect(bodies).toEqual([json, json]);
    });

    it('round-trips a shape', () => {
      const store = open();
      const exchange = makeExchange();
      store.insert([exchange]);
      const [read] = [...store.exchanges()];
      expect({ ...read!.responseShape }).toEqual({ ...exchange.responseShape });
    });

    it('round-trips a binary body as bytes, NUL bytes included', () => {
      const store = open();
      const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x00]);
      store.insert([makeExchange({ responseBody: { content: bytes, size: bytes.length, truncated: false }, contentType: 'image/png', contentEncoding: null, responseShape: null })]);
      const [read] = [...store.exchanges()];
      const content = read!.responseBody!.content;
      expect(content).toBeInstanceOf(Uint8Array);
      expect(Array.from(content as Uint8Array)).toEqual(Array.from(bytes));
    });

    it('round-trips an empty text body as an empty body, not as no body', () => {
      const store = open();
      store.insert([makeExchange({ responseBody: { content: '', size: 0, truncated: false }, responseShape: null, status: 204 })]);
      const [read] = [...store.exchanges()];
      expect(read!.responseBody).toEqual({ content: '', size: 0, truncated: false });
    });

    it('round-trips a failed exchange with no status', () => {
      const store = open();
      const exchange = failedExchange();
      store.insert([exchange]);
      const read = [...store.exchanges({ includeFailed: true })];
      expect(read.map(plain)).toEqual([plain(exchange)]);
    });

    it('returns exchanges oldest first, whatever the insert order, across many pages', () => {
      const store = open();
      const exchanges = Array.from({ length: 1203 }, (_, i) => makeExchange({ recordedAt: T0 + 10_000 - i }));
      store.insert(exchanges.slice(0, 600));
      store.insert(exchanges.slice(600));
      const times = [...store.exchanges()].map((exchange) => exchange.recordedAt);
      expect(times).toHaveLength(1203);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(new Set(times).size).toBe(1203);
    });

    it('accepts an empty batch', () => {
      const store = open();
      store.insert([]);
      expect(store.count()).toBe(0);
    });

    it('stores an identical body and an identical shape once', () => {
      const store = open();
      const body = { content: '{"object":"list","data":[]}', size: 27, truncated: false };
      store.insert([makeExchange({ responseBody: body }), makeExchange({ responseBody: body })]);
      store.insert([makeExchange({ responseBody: body, requestBody: body })]);
      store.insert([makeExchange({ responseShape: shapeOf({ object: 'list', data: [] }) })]);
      expect(store.stats()).toEqual({ exchanges: 4, failed: 0, bodies: 2, shapes: 2 });
      expect([...store.exchanges()].slice(0, 3).map((exchange) => exchange.responseBody?.content)).toEqual([body.content, body.content, body.content]);
    });

    it('writes a batch atomically: one invalid exchange stores none of the batch', () => {
      const store = open();
      store.insert([makeExchange()]);
      const fresh = makeExchange({ responseBody: { content: '{"brand":"new"}', size: 15, truncated: false }, responseShape: shapeOf({ brand: 'new' }) });
      expect(() => store.insert([fresh, makeExchange(), makeExchange({ method: null as never })])).toThrow();
      expect(store.stats()).toEqual({ exchanges: 1, failed: 0, bodies: 1, shapes: 1 });
      // What the failed batch carried is written in full when it comes again.
      store.insert([fresh]);
      const last = [...store.exchanges()].at(-1)!;
      expect(last.responseBody?.content).toBe('{"brand":"new"}');
      expect({ ...last.responseShape }).toEqual({ ...shapeOf({ brand: 'new' }) });
    });
  });

  describe('queries', () => {
    let store: RecordingStore;
    beforeEach(() => {
      store = open();
      store.insert([
        makeExchange({ recordedAt: T0 + 1000 }),
        makeExchange({ recordedAt: T0 + 2000, status: 404, responseShape: shapeOf({ error: { code: 'x' } }) }),
        makeExchange({ recordedAt: T0 + 3000, service: 'accounts', route: '/v2/accounts/:id', path: '/v2/accounts/a1', method: 'DELETE' }),
        makeExchange({ recordedAt: T0 + 4000, query: {} }),
        makeExchange({ recordedAt: T0 + 4500, responseHeaders: { 'content-type': 'application/json', etag: '"1"' } }),
        failedExchange({ recordedAt: T0 + 2500 }),
      ]);
    });
    const times = (filter: ExchangeFilter): number[] => [...store.exchanges(filter)].map((exchange) => exchange.recordedAt - T0);

    it('routes: groups with counts and first and last times, ordered by service, route, method, status', () => {
      expect(store.routes()).toEqual([
        { service: 'accounts', method: 'DELETE', route: '/v2/accounts/:id', status: 200, count: 1, firstSeen: new Date(T0 + 3000).toISOString(), lastSeen: new Date(T0 + 3000).toISOString() },
        { service: 'payments', method: 'GET', route: '/v1/charges/:id', status: 200, count: 3, firstSeen: new Date(T0 + 1000).toISOString(), lastSeen: new Date(T0 + 4500).toISOString() },
        { service: 'payments', method: 'GET', route: '/v1/charges/:id', status: 404, count: 1, firstSeen: new Date(T0 + 2000).toISOString(), lastSeen: new Date(T0 + 2000).toISOString() },
      ]);
      expect(store.routes({ service: 'payments', status: 404 })).toHaveLength(1);
    });

    it('filters by service, method whatever its case, route, status and time', () => {
      expect(store.count()).toBe(5);
      expect(store.count({ includeFailed: true })).toBe(6);
      expect(times({ includeFailed: true })).toEqual([1000, 2000, 2500, 3000, 4000, 4500]);
      expect(times({ service: 'accounts' })).toEqual([3000]);
      expect(times({ method: 'delete' })).toEqual([3000]);
      expect(store.count({ route: '/v1/charges/:id' })).toBe(4);
      expect(times({ status: 404 })).toEqual([2000]);
      expect(times({ since: T0 + 2000, before: T0 + 4000, includeFailed: true })).toEqual([2000, 2500, 3000]);
      expect(store.count({ service: 'payments', status: 200, since: T0 + 1500, before: T0 + 5000 })).toBe(2);
    });

    it('recordedGroups: counts, header counts, shapes and query names per group, no failed exchange', () => {
      const groups = store.recordedGroups();
      const summary = groups
        .map((group) => ({
          key: `${group.service} ${group.method} ${group.route} ${group.status} ?${group.queryNames.join('&')}`,
          count: group.count,
          firstSeen: group.firstSeen - T0,
          lastSeen: group.lastSeen - T0,
          headers: Object.fromEntries([...group.headers].sort()),
          shapes: group.shapes.map((entry) => entry.count).sort(),
          samplePath: group.samplePath,
        }))
        .sort((a, b) => (a.key < b.key ? -1 : 1));
      expect(summary).toEqual([
        { key: 'accounts DELETE /v2/accounts/:id 200 ?expand', count: 1, firstSeen: 3000, lastSeen: 3000, headers: { 'content-type': 1, 'set-cookie': 1 }, shapes: [1], samplePath: '/v2/accounts/a1' },
        { key: 'payments GET /v1/charges/:id 200 ?', count: 1, firstSeen: 4000, lastSeen: 4000, headers: { 'content-type': 1, 'set-cookie': 1 }, shapes: [1], samplePath: expect.stringMatching(/^\/v1\/charges\/ch_/) },
        { key: 'payments GET /v1/charges/:id 200 ?expand', count: 2, firstSeen: 1000, lastSeen: 4500, headers: { 'content-type': 2, etag: 1, 'set-cookie': 1 }, shapes: [1, 1], samplePath: expect.stringMatching(/^\/v1\/charges\/ch_/) },
        { key: 'payments GET /v1/charges/:id 404 ?expand', count: 1, firstSeen: 2000, lastSeen: 2000, headers: { 'content-type': 1, 'set-cookie': 1 }, shapes: [1], samplePath: expect.stringMatching(/^\/v1\/charges\/ch_/) },
      ]);
      expect(store.recordedGroups({ service: 'accounts' })).toHaveLength(1);
      expect(store.recordedGroups({ since: T0 + 4200 })).toHaveLength(1);
    });

    it('sampleBodies: the newest parsed JSON bodies of a group, newest first, at most the limit', () => {
      const selector = { service: 'payments', method: 'GET', route: '/v1/charges/:id', status: 200 };
      const all = store.sampleBodies(selector, 10) as Array<{ id: string }>;
      expect(all).toHaveLength(3);
      expect(store.sampleBodies(selector, 1)).toEqual([all[0]]);
      expect(store.sampleBodies({ ...selector, queryNames: ['expand'] }, 10)).toHaveLength(2);
      expect(store.sampleBodies({ ...selector, since: T0 + 4200 }, 10)).toEqual([all[0]]);
    });
  });

  describe('prune', () => {
    it('deletes old exchanges, then the bodies and shapes only they used; a dry run deletes nothing', () => {
      const store = open();
      const shared = { content: '{"shared":true}', size: 15, truncated: false };
      store.insert([
        makeExchange({ recordedAt: T0 + 1000, responseBody: shared }),
        makeExchange({ recordedAt: T0 + 2000, responseShape: shapeOf({ old: true }) }),
        failedExchange({ recordedAt: T0 + 2500 }),
        makeExchange({ recordedAt: T0 + 3000, responseBody: shared }),
      ]);
      expect(store.prune(T0 + 2600, { dryRun: true })).toEqual({ exchanges: 3, bodies: 1, shapes: 1 });
      expect(store.count({ includeFailed: true })).toBe(4);
      expect(store.prune(T0 + 2600)).toEqual({ exchanges: 3, bodies: 1, shapes: 1 });
      expect(store.stats()).toEqual({ exchanges: 1, failed: 0, bodies: 1, shapes: 1 });
      expect(store.prune(T0 + 2600)).toEqual({ exchanges: 0, bodies: 0, shapes: 0 });
    });

    it('keeps storing complete exchanges after a prune removed the bodies and shapes this store wrote', () => {
      const store = open();
      const body = { content: '{"again":1}', size: 11, truncated: false };
      store.insert([makeExchange({ recordedAt: T0, responseBody: body, responseShape: shapeOf({ again: 1 }) })]);
      store.prune(T0 + 1);
      store.insert([makeExchange({ recordedAt: T0 + 10, responseBody: body, responseShape: shapeOf({ again: 1 }) })]);
      const [read] = [...store.exchanges()];
      expect(read!.responseBody?.content).toBe(body.content);
      expect({ ...read!.responseShape }).toEqual({ ...shapeOf({ again: 1 }) });
      expect(store.stats()).toEqual({ exchanges: 1, failed: 0, bodies: 1, shapes: 1 });
    });

    // A nightly prune while recorders elsewhere write is the shared store's everyday case.
    it.runIf(kind.name === 'PostgreSQL')('lets a second store forget what a prune elsewhere removed', () => {
      const writer = open();
      const pruner = open();
      const body = { content: '{"elsewhere":1}', size: 15, truncated: false };
      writer.insert([makeExchange({ recordedAt: T0, responseBody: body })]);
      pruner.prune(T0 + 1);
      writer.insert([makeExchange({ recordedAt: T0 + 10, responseBody: body })]);
      expect([...pruner.exchanges()].map((exchange) => exchange.responseBody?.content)).toEqual([body.content]);
    });
  });

  describe('two stores on one location', () => {
    it('lets two writers both insert and the counts add up; a reader sees what they committed', () => {
      const first = open();
      const second = open();
      const reader = open({ readonly: true });
      expect(reader.count()).toBe(0);
      const shared = { content: '{"shared":true}', size: 15, truncated: false };
      first.insert([makeExchange({ responseBody: shared }), makeExchange()]);
      second.insert([makeExchange({ responseBody: shared }), failedExchange()]);
      first.insert([makeExchange({ service: 'accounts' })]);
      expect(reader.count({ includeFailed: true })).toBe(5);
      expect(second.count({ service: 'accounts' })).toBe(1);
      expect(first.stats()).toEqual({ exchanges: 5, failed: 1, bodies: 3, shapes: 1 });
    });
  });
});
