import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/model/exchange.js';
import { MockdriftError, type MockdriftErrorCode } from '../../../src/model/errors.js';
import { shapeOf } from '../../../src/model/shape.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src/store/migrations.js';
import { SqliteRecordingStore } from '../../../src/store/sqlite-recording-store.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');

let counter = 0;

/** A realistic recorded exchange: a JSON charge from a payments sandbox, with overrides. */
function makeExchange(overrides: Partial<Exchange> = {}): Exchange {
  counter += 1;
  const body = { id: `ch_${counter}`, object: 'charge', amount: 1200, currency: 'usd', paid: true, created: '2026-03-01T12:00:00Z' };
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

/** An exchange whose upstream never answered. */
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
  return {
    ...exchange,
    responseShape: exchange.responseShape === null ? null : { ...exchange.responseShape },
  };
}

function expectStoreError(action: () => unknown, code: MockdriftErrorCode): MockdriftError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(MockdriftError);
  expect((thrown as MockdriftError).code).toBe(code);
  return thrown as MockdriftError;
}

describe('SqliteRecordingStore', () => {
  let dir: string;
  let file: string;
  const opened: Array<{ close(): void }> = [];

  const open = (...args: Parameters<typeof SqliteRecordingStore.open>): SqliteRecordingStore => {
    const store = SqliteRecordingStore.open(...args);
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mockdrift-'));
    file = path.join(dir, 'recordings', 'nested', 'mockdrift.db');
  });

  afterEach(() => {
    for (const store of opened.splice(0)) store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('opening', () => {
    it('creates the file with mode 0600 and its parent directories', () => {
      open(file);
      expect(fs.existsSync(file)).toBe(true);
      if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    });

    it('sets the schema version and WAL journal mode', () => {
      open(file);
      const other = new Database(file, { readonly: true });
      opened.push(other);
      expect(other.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    });

    it('reopens an existing store without migrating it again', () => {
      const first = open(file);
      first.insert([makeExchange()]);
      first.close();
      const second = open(file);
      expect(second.count()).toBe(1);
      const readonly = open(file, { readonly: true });
      expect(readonly.count()).toBe(1);
      expect(readonly.location).toBe(file);
    });

    it('throws STORE_UNAVAILABLE when a read-only store is missing', () => {
      expectStoreError(() => open(path.join(dir, 'missing.db'), { readonly: true }), 'STORE_UNAVAILABLE');
      expect(fs.existsSync(path.join(dir, 'missing.db'))).toBe(false);
    });

    it('throws STORE_UNAVAILABLE when the file cannot be created', () => {
      const blocker = path.join(dir, 'not-a-dir');
      fs.writeFileSync(blocker, 'x');
      expectStoreError(() => open(path.join(blocker, 'mockdrift.db')), 'STORE_UNAVAILABLE');
    });

    it('throws STORE_INVALID when the file is not SQLite', () => {
      const text = path.join(dir, 'hello.db');
      fs.writeFileSync(text, 'hello');
      expectStoreError(() => open(text), 'STORE_INVALID');
      expectStoreError(() => open(text, { readonly: true }), 'STORE_INVALID');
      expect(fs.readFileSync(text, 'utf8')).toBe('hello');
    });

    it('throws STORE_TOO_NEW when a newer mockdrift wrote the store', () => {
      open(file).close();
      const db = new Database(file);
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      db.close();
      const error = expectStoreError(() => open(file), 'STORE_TOO_NEW');
      expect(error.message).toContain(file);
      expectStoreError(() => open(file, { readonly: true }), 'STORE_TOO_NEW');
    });

    it('throws STORE_INVALID when a read-only store is valid SQLite but not a mockdrift store', () => {
      const other = path.join(dir, 'other.db');
      const db = new Database(other);
      db.exec('CREATE TABLE notes (text TEXT)');
      db.close();
      expectStoreError(() => open(other, { readonly: true }), 'STORE_INVALID');
    });

    it('passes the integrity check', () => {
      const store = open(file);
      store.insert([makeExchange(), failedExchange()]);
      expect(store.integrityCheck()).toEqual(['ok']);
    });
  });

  describe('insert and read back', () => {
    it('round-trips every field of a JSON exchange', () => {
      const store = open(file);
      const exchange = makeExchange({
        method: 'POST',
        query: { expand: ['customer', 'invoice'], limit: ['3'] },
        requestHeaders: { 'content-type': 'application/json', 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] },
        requestBody: { content: '{"amount":1200,"note":"caf\u00e9 \u2615"}', size: 37, truncated: false },
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

    it('round-trips a shape', () => {
      const store = open(file);
      const exchange = makeExchange();
      store.insert([exchange]);
      const [read] = [...store.exchanges()];
      expect(read!.responseShape).not.toBeNull();
      expect({ ...read!.responseShape }).toEqual({ ...exchange.responseShape });
    });

    it('round-trips a binary body as bytes', () => {
      const store = open(file);
      const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x00]);
      const exchange = makeExchange({
        responseBody: { content: bytes, size: bytes.length, truncated: false },
        contentType: 'image/png',
        contentEncoding: null,
        responseShape: null,
      });
      store.insert([exchange]);
      const [read] = [...store.exchanges()];
      const content = read!.responseBody!.content;
      expect(content).toBeInstanceOf(Uint8Array);
      expect(typeof content).not.toBe('string');
      expect(Array.from(content as Uint8Array)).toEqual(Array.from(bytes));
      expect(read!.responseBody!.size).toBe(bytes.length);
      expect(read!.contentEncoding).toBeNull();
    });

    it('round-trips an empty text body as an empty body, not as no body', () => {
      const store = open(file);
      store.insert([makeExchange({ responseBody: { content: '', size: 0, truncated: false }, responseShape: null, status: 204 })]);
      const [read] = [...store.exchanges()];
      expect(read!.responseBody).toEqual({ content: '', size: 0, truncated: false });
    });

    it('round-trips a failed exchange with no status', () => {
      const store = open(file);
      const exchange = failedExchange();
      store.insert([exchange]);
      const read = [...store.exchanges({ includeFailed: true })];
      expect(read).toHaveLength(1);
      expect(plain(read[0]!)).toEqual(plain(exchange));
      expect(read[0]!.status).toBeNull();
      expect(read[0]!.error).toEqual({ code: 'upstream-unreachable', message: 'connect ECONNREFUSED 127.0.0.1:9' });
    });

    it('returns exchanges oldest first, whatever the insert order', () => {
      const store = open(file);
      const late = makeExchange({ recordedAt: T0 + 5000 });
      const early = makeExchange({ recordedAt: T0 + 1000 });
      store.insert([late]);
      store.insert([early]);
      expect([...store.exchanges()].map((exchange) => exchange.recordedAt)).toEqual([T0 + 1000, T0 + 5000]);
    });

    it('accepts an empty batch', () => {
      const store = open(file);
      store.insert([]);
      expect(store.count()).toBe(0);
    });

    it('stores an identical body once', () => {
      const store = open(file);
      const body = { content: '{"object":"list","data":[]}', size: 27, truncated: false };
      store.insert([makeExchange({ responseBody: body }), makeExchange({ responseBody: body })]);
      store.insert([makeExchange({ responseBody: body, requestBody: body })]);
      expect(store.stats()).toMatchObject({ exchanges: 3, bodies: 1 });
      for (const exchange of store.exchanges()) expect(exchange.responseBody?.content).toBe(body.content);
    });

    it('stores an identical shape once', () => {
      const store = open(file);
      // Different bodies (different ids) with one structure.
      store.insert([makeExchange(), makeExchange()]);
      store.insert([makeExchange()]);
      store.insert([makeExchange({ responseShape: shapeOf({ object: 'list', data: [] }) })]);
      expect(store.stats()).toMatchObject({ exchanges: 4, bodies: 4, shapes: 2 });
    });

    it('counts exchanges and failed exchanges in stats', () => {
      const store = open(file);
      store.insert([makeExchange(), failedExchange(), failedExchange()]);
      expect(store.stats()).toEqual({ exchanges: 3, failed: 2, bodies: 1, shapes: 1 });
    });

    it('writes a batch atomically: one invalid exchange stores none of the batch', () => {
      const store = open(file);
      const kept = makeExchange();
      store.insert([kept]);
      const fresh = makeExchange({
        responseBody: { content: '{"brand":"new"}', size: 15, truncated: false },
        responseShape: shapeOf({ brand: 'new' }),
      });
      expect(() => store.insert([fresh, makeExchange(), makeExchange({ method: null as never })])).toThrow(/NOT NULL/);
      expect(store.count()).toBe(1);
      expect(store.stats()).toEqual({ exchanges: 1, failed: 0, bodies: 1, shapes: 1 });
      expect(store.integrityCheck()).toEqual(['ok']);
    });

    it('keeps the shape of an exchange inserted after a batch that rolled back', () => {
      const store = open(file);
      const shape = shapeOf({ brand: 'new', count: 1 });
      const exchange = makeExchange({ responseShape: shape, recordedAt: T0 + 2000 });
      expect(() => store.insert([exchange, makeExchange({ method: null as never })])).toThrow();
      store.insert([makeExchange({ responseShape: shapeOf({ other: true }), recordedAt: T0 + 1000 })]);
      store.insert([exchange]);
      const shapes = [...store.exchanges()].map((read) => ({ ...read.responseShape }));
      expect(shapes).toEqual([{ ...shapeOf({ other: true }) }, { ...shape }]);
      expect(store.stats().shapes).toBe(2);
    });
  });

  describe('routes', () => {
    it('groups by service, method, route and status with counts and first and last times', () => {
      const store = open(file);
      store.insert([
        makeExchange({ recordedAt: T0 + 3000 }),
        makeExchange({ recordedAt: T0 + 1000 }),
        makeExchange({ recordedAt: T0 + 2000, status: 404 }),
        makeExchange({ recordedAt: T0 + 4000, method: 'POST', route: '/v1/charges', path: '/v1/charges', status: 201 }),
        makeExchange({ recordedAt: T0 + 5000, service: 'accounts', route: '/v2/accounts/:id' }),
        failedExchange({ recordedAt: T0 + 6000 }),
        failedExchange({ recordedAt: T0 + 7000, status: 200, error: { code: 'upstream-aborted', message: 'socket hang up' } }),
      ]);
      expect(store.routes()).toEqual([
        {
          service: 'accounts',
          method: 'GET',
          route: '/v2/accounts/:id',
          status: 200,
          count: 1,
          firstSeen: new Date(T0 + 5000).toISOString(),
          lastSeen: new Date(T0 + 5000).toISOString(),
        },
        {
          service: 'payments',
          method: 'POST',
          route: '/v1/charges',
          status: 201,
          count: 1,
          firstSeen: '2026-03-01T12:00:04.000Z',
          lastSeen: '2026-03-01T12:00:04.000Z',
        },
        {
          service: 'payments',
          method: 'GET',
          route: '/v1/charges/:id',
          status: 200,
          count: 2,
          firstSeen: '2026-03-01T12:00:01.000Z',
          lastSeen: '2026-03-01T12:00:03.000Z',
        },
        {
          service: 'payments',
          method: 'GET',
          route: '/v1/charges/:id',
          status: 404,
          count: 1,
          firstSeen: '2026-03-01T12:00:02.000Z',
          lastSeen: '2026-03-01T12:00:02.000Z',
        },
      ]);
    });

    it('applies the filter', () => {
      const store = open(file);
      store.insert([
        makeExchange({ recordedAt: T0 + 1000 }),
        makeExchange({ recordedAt: T0 + 2000, status: 500 }),
        makeExchange({ recordedAt: T0 + 3000, service: 'accounts' }),
      ]);
      expect(store.routes({ service: 'payments', status: 500 }).map((route) => route.status)).toEqual([500]);
      expect(store.routes({ since: T0 + 2500 }).map((route) => route.service)).toEqual(['accounts']);
      expect(store.routes({ method: 'get', route: '/v1/charges/:id', service: 'payments' })).toHaveLength(2);
      expect(store.routes({ service: 'nobody' })).toEqual([]);
    });
  });

  describe('filters', () => {
    let store: SqliteRecordingStore;

    beforeEach(() => {
      store = open(file);
      store.insert([
        makeExchange({ recordedAt: T0 + 1000 }),
        makeExchange({ recordedAt: T0 + 2000, status: 404 }),
        makeExchange({ recordedAt: T0 + 3000, service: 'accounts', route: '/v2/accounts/:id', method: 'DELETE' }),
        makeExchange({ recordedAt: T0 + 4000 }),
        failedExchange({ recordedAt: T0 + 2500 }),
      ]);
    });

    const times = (filter: Parameters<SqliteRecordingStore['exchanges']>[0]): number[] =>
      [...store.exchanges(filter)].map((exchange) => exchange.recordedAt - T0);

    it('leaves out failed exchanges unless asked for them', () => {
      expect(store.count()).toBe(4);
      expect(store.count({ includeFailed: true })).toBe(5);
      expect(times({})).toEqual([1000, 2000, 3000, 4000]);
      expect(times({ includeFailed: true })).toEqual([1000, 2000, 2500, 3000, 4000]);
    });

    it('filters by service', () => {
      expect(store.count({ service: 'accounts' })).toBe(1);
      expect(store.count({ service: 'payments' })).toBe(3);
      expect(store.count({ service: 'payments', includeFailed: true })).toBe(4);
      expect(times({ service: 'accounts' })).toEqual([3000]);
    });

    it('filters by method whatever its case, and by route', () => {
      expect(times({ method: 'delete' })).toEqual([3000]);
      expect(store.count({ route: '/v1/charges/:id' })).toBe(3);
    });

    it('filters by status', () => {
      expect(times({ status: 404 })).toEqual([2000]);
      expect(store.count({ status: 200 })).toBe(3);
    });

    it('filters by time: since is inclusive and before is exclusive', () => {
      expect(times({ since: T0 + 2000 })).toEqual([2000, 3000, 4000]);
      expect(times({ before: T0 + 3000 })).toEqual([1000, 2000]);
      expect(times({ since: T0 + 2000, before: T0 + 4000, includeFailed: true })).toEqual([2000, 2500, 3000]);
      expect(store.count({ since: T0 + 2000, before: T0 + 4000 })).toBe(2);
      expect(store.count({ since: T0 + 5000 })).toBe(0);
    });

    it('combines every filter', () => {
      const filter = { service: 'payments', status: 200, since: T0 + 1500, before: T0 + 5000 };
      expect(times(filter)).toEqual([4000]);
      expect(store.count(filter)).toBe(1);
    });
  });

  describe('two writers', () => {
    it('lets two store instances on one file both insert, and the counts add up', () => {
      const first = open(file);
      const second = open(file);
      const shared = { content: '{"shared":true}', size: 15, truncated: false };
      first.insert([makeExchange({ responseBody: shared }), makeExchange()]);
      second.insert([makeExchange({ responseBody: shared }), failedExchange()]);
      first.insert([makeExchange({ service: 'accounts' })]);
      expect(first.count({ includeFailed: true })).toBe(5);
      expect(second.count({ includeFailed: true })).toBe(5);
      expect(second.count({ service: 'accounts' })).toBe(1);
      expect(first.stats()).toEqual({ exchanges: 5, failed: 1, bodies: 3, shapes: 1 });
      const readonly = open(file, { readonly: true });
      expect(readonly.count({ includeFailed: true })).toBe(5);
      expect(readonly.integrityCheck()).toEqual(['ok']);
    });

    it('lets a reader see what a writer committed', () => {
      const writer = open(file);
      const reader = open(file, { readonly: true });
      expect(reader.count()).toBe(0);
      writer.insert([makeExchange()]);
      expect(reader.count()).toBe(1);
    });
  });
});

describe('when shapes were seen', () => {
  const at = (iso: string): number => Date.parse(iso);
  const withNote = { id: 'ch', note: 'x' };
  const withoutNote = { id: 'ch' };
  const exchangeAt = (iso: string, body: object): Exchange =>
    makeExchange({ recordedAt: at(iso), responseShape: shapeOf(body), query: {}, url: 'https://sandbox.payments.example/v1/charges/ch_1' });

  it('gives each shape of a group its first and last time, and the recording of some shapes nearest to a time', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mockdrift-times-'));
    const store = SqliteRecordingStore.open(path.join(dir, 'times.db'));
    try {
      store.insert([
        exchangeAt('2026-11-01T00:00:00Z', withNote),
        exchangeAt('2026-11-02T00:00:00Z', withoutNote),
        exchangeAt('2026-11-03T00:00:00Z', withNote),
        exchangeAt('2026-11-05T00:00:00Z', withoutNote),
      ]);
      const [group] = store.recordedGroups();
      const noted = group!.shapes.find((entry) => '$.note' in entry.shape)!;
      expect(noted).toMatchObject({ count: 2, firstSeen: at('2026-11-01T00:00:00Z'), lastSeen: at('2026-11-03T00:00:00Z') });
      const selector = { service: 'payments', method: 'GET', route: '/v1/charges/:id', status: 200, queryNames: [] };
      const without = [shapeOf(withoutNote)];
      expect(store.nearestRecordingOf(selector, without, at('2026-11-03T00:00:00Z'), 'after')).toBe(at('2026-11-05T00:00:00Z'));
      expect(store.nearestRecordingOf(selector, without, at('2026-11-03T00:00:00Z'), 'before')).toBe(at('2026-11-02T00:00:00Z'));
      expect(store.nearestRecordingOf(selector, without, at('2026-11-05T00:00:00Z'), 'after')).toBeNull();
      // A shape the store never saw, or another route, has no recording.
      expect(store.nearestRecordingOf(selector, [shapeOf({ other: 1 })], 0, 'after')).toBeNull();
      expect(store.nearestRecordingOf({ ...selector, route: '/v1/refunds' }, without, 0, 'after')).toBeNull();
      // --since narrows it like every other read.
      expect(store.nearestRecordingOf({ ...selector, since: at('2026-11-04T00:00:00Z') }, without, 0, 'after')).toBe(at('2026-11-05T00:00:00Z'));
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migrations', () => {
  it('upgrades a store written with schema version 1, keeping its recordings and bodies', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mockdrift-migrate-'));
    try {
      const file = path.join(dir, 'old.db');
      const old = new Database(file);
      old.exec(MIGRATIONS[0]!.sql);
      old.pragma('user_version = 1');
      old.prepare('INSERT INTO bodies (hash, content) VALUES (?, ?)').run('abc', '{"a":1}');
      old.prepare(
        `INSERT INTO exchanges (source, service, session, recorded_at, duration_ms, method, url, path, route, query, query_names,
           request_headers, status, response_headers, response_body, response_body_size)
         VALUES ('record', 'default', 's', 1, 1, 'GET', 'http://x/a', '/a', '/a', '{}', '', '{}', 200, '{"content-type":"application/json"}', 'abc', 7)`,
      ).run();
      old.close();

      const store = SqliteRecordingStore.open(file);
      const [exchange] = [...store.exchanges()];
      expect(exchange?.responseBody?.content).toBe('{"a":1}');
      expect(store.recordedGroups()[0]?.headers.get('content-type')).toBe(1);
      store.close();
      const check = new Database(file, { readonly: true });
      expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      check.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates a new store with 16 KiB pages and leaves an existing store its own page size', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mockdrift-pages-'));
    try {
      const fresh = path.join(dir, 'fresh.db');
      SqliteRecordingStore.open(fresh).close();
      const old = path.join(dir, 'old.db');
      const db = new Database(old);
      db.exec(MIGRATIONS[0]!.sql);
      db.pragma('user_version = 1');
      db.close();
      const store = SqliteRecordingStore.open(old);
      store.insert([makeExchange()]);
      store.close();
      const pageSize = (file: string): number => {
        const reader = new Database(file, { readonly: true });
        try {
          return reader.pragma('page_size', { simple: true }) as number;
        } finally {
          reader.close();
        }
      };
      expect(pageSize(fresh)).toBe(16384);
      expect(pageSize(old)).toBe(4096);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps one index by route: lookups by route use the index by shape and time, whose key starts the same', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mockdrift-index-'));
    try {
      const file = path.join(dir, 'store.db');
      SqliteRecordingStore.open(file).close();
      const db = new Database(file, { readonly: true });
      const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'exchanges' AND sql IS NOT NULL").pluck().all();
      expect(indexes).not.toContain('exchanges_by_route');
      expect(indexes).toContain('exchanges_by_shape_time');
      const plan = db
        .prepare("EXPLAIN QUERY PLAN SELECT count(*) FROM exchanges WHERE service = 'a' AND method = 'GET' AND route = '/x' AND status = 200")
        .all()
        .map((row) => (row as { detail: string }).detail)
        .join('\n');
      expect(plan).toContain('exchanges_by_shape_time');
      db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
