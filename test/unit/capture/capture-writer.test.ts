import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaptureWriter } from '../../../src/capture/capture-writer.js';
import type { CapturedExchange } from '../../../src/model/exchange.js';
import { SqliteRecordingStore } from '../../../src/store/sqlite-recording-store.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mockdrift-writer-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function captured(n: number, requestBody: Uint8Array | null, responseBody: Uint8Array | null): CapturedExchange {
  return {
    source: 'record',
    service: 'default',
    session: 's',
    startedAt: Date.parse('2026-12-02T09:00:00Z') + n,
    durationMs: 1,
    method: requestBody ? 'POST' : 'GET',
    url: `http://sandbox.test/v1/items/${n}`,
    requestHeaders: { 'content-type': 'application/json' },
    requestBody,
    requestBodyTruncated: false,
    status: 200,
    responseHeaders: { 'content-type': 'application/json' },
    responseBody,
    responseBodyTruncated: false,
    error: null,
  };
}

describe('CaptureWriter', () => {
  it('stores every body byte for byte, whether it owns its memory, is a view into a larger buffer, empty or absent', async () => {
    const dbPath = path.join(dir, 'store.db');
    const writer = await CaptureWriter.start({ dbPath });
    // A socket's read buffer holds several messages: bodies arrive as views at odd offsets.
    const shared = Buffer.from(`xx${JSON.stringify({ shared: 'left' })}yy${JSON.stringify({ shared: 'right' })}zz`);
    const left = shared.subarray(2, 2 + JSON.stringify({ shared: 'left' }).length);
    const right = shared.subarray(left.byteOffset - shared.byteOffset + left.length + 2, shared.length - 2);
    const expected = new Map<string, { request: string | null; response: string | null }>();
    const exchanges: CapturedExchange[] = [];
    // More than one batch's worth, bodies of every kind in turn.
    for (let n = 0; n < 150; n++) {
      const own = new TextEncoder().encode(JSON.stringify({ n, text: 'é'.repeat(n) }));
      // Large bodies that own their memory move to the worker instead of being copied.
      const large = new TextEncoder().encode(JSON.stringify({ n, pad: 'x'.repeat(20_000 + n) }));
      const kinds: Array<[Uint8Array | null, Uint8Array | null]> = [
        [null, own],
        [left, right],
        [own, new Uint8Array(0)],
        [null, null],
        [null, large],
        [large, large],
      ];
      const [request, response] = kinds[n % kinds.length]!;
      exchanges.push(captured(n, request, response));
      const text = (body: Uint8Array | null): string | null => (body === null ? null : Buffer.from(body).toString('utf8'));
      if (n === 149) expect(large.byteLength).toBeGreaterThan(16 * 1024);
      expected.set(`http://sandbox.test/v1/items/${n}`, { request: text(request), response: text(response) });
    }
    for (const exchange of exchanges) writer.write(exchange);
    const stats = await writer.close();
    expect(stats).toMatchObject({ captured: 150, stored: 150, lost: 0 });
    // The bodies handed over are untouched: the log line reads them after the write.
    expect(Buffer.from(left).toString()).toBe(JSON.stringify({ shared: 'left' }));

    const store = SqliteRecordingStore.open(dbPath, { readonly: true });
    try {
      const stored = [...store.exchanges()];
      expect(stored).toHaveLength(150);
      for (const exchange of stored) {
        const want = expected.get(exchange.url)!;
        const got = (body: typeof exchange.responseBody): string | null =>
          body === null ? null : typeof body.content === 'string' ? body.content : Buffer.from(body.content).toString('utf8');
        expect({ url: exchange.url, request: got(exchange.requestBody), response: got(exchange.responseBody) }).toEqual({ url: exchange.url, ...want });
      }
    } finally {
      store.close();
    }
  });

  it('lets held requests go in the order they came once the worker has made room, and makes newcomers wait behind them', async () => {
    const writer = await CaptureWriter.start({ dbPath: path.join(dir, 'store.db'), maxBacklogBytes: 100_000 });
    const big = (n: number): CapturedExchange => captured(n, null, new TextEncoder().encode(JSON.stringify({ n, pad: 'x'.repeat(60_000) })));
    // Over the limit: what is handed over waits to be stored.
    for (let n = 0; n < 64; n++) writer.write(big(n));
    expect(writer.overloaded).toBe(true);
    const order: number[] = [];
    const held = [1, 2, 3].map((n) => writer.ready().then(() => order.push(n)));
    expect(writer.overloaded).toBe(true);
    await Promise.all(held);
    expect(order).toEqual([1, 2, 3]);
    const stats = await writer.close();
    expect(stats).toMatchObject({ captured: 64, stored: 64, lost: 0 });
  });

  it('stores every header set as it came, redacted, whether it repeats or changes every time', async () => {
    const dbPath = path.join(dir, 'store.db');
    const writer = await CaptureWriter.start({ dbPath });
    const headerSets = (n: number): Pick<CapturedExchange, 'requestHeaders' | 'responseHeaders'> => {
      // Null-prototype maps with a __proto__ header, as Node hands them over for a request that sends one.
      const request = Object.create(null) as Record<string, string>;
      request['host'] = 'sandbox.test';
      request['__proto__'] = 'odd';
      request['authorization'] = 'Bearer abcdefghijklmnop';
      return {
        requestHeaders: request,
        responseHeaders: { 'content-type': 'application/json', 'set-cookie': ['sid=zzz; HttpOnly', 'theme=dark'], 'x-request-id': n % 2 === 0 ? 'same' : `req-${n}` },
      };
    };
    for (let n = 0; n < 600; n++) writer.write({ ...captured(n, null, null), ...headerSets(n) });
    expect(await writer.close()).toMatchObject({ captured: 600, stored: 600, lost: 0 });

    const store = SqliteRecordingStore.open(dbPath, { readonly: true });
    try {
      const stored = [...store.exchanges()];
      expect(stored).toHaveLength(600);
      for (const exchange of stored) {
        const n = Number(exchange.url.split('/').pop());
        expect({ ...exchange.requestHeaders }).toEqual({ host: 'sandbox.test', ['__proto__']: 'odd', authorization: 'Bearer [REDACTED]' });
        expect(exchange.responseHeaders).toEqual({
          'content-type': 'application/json',
          'set-cookie': ['sid=[REDACTED]; HttpOnly', 'theme=[REDACTED]'],
          'x-request-id': n % 2 === 0 ? 'same' : `req-${n}`,
        });
      }
    } finally {
      store.close();
    }
  });
});
