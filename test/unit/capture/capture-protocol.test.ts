import { describe, expect, it } from 'vitest';
import { batchLength, exchangeAt, packBatch, type CaptureBatch } from '../../../src/capture/capture-protocol.js';
import type { CapturedExchange } from '../../../src/model/exchange.js';
import type { HeaderMap } from '../../../src/model/headers.js';

function exchange(n: number, changes: Partial<CapturedExchange> = {}): CapturedExchange {
  return {
    source: 'record',
    service: 'payments',
    session: 'session-a',
    startedAt: Date.parse('2026-12-02T09:00:00Z') + n,
    durationMs: 1.25 + n / 1000,
    method: 'GET',
    url: `http://sandbox.test/v1/items/${n}?expand=prices`,
    requestHeaders: { host: 'sandbox.test', accept: 'application/json' },
    requestBody: null,
    requestBodyTruncated: false,
    status: 200,
    responseHeaders: { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] },
    responseBody: Buffer.from(JSON.stringify({ n })),
    responseBodyTruncated: false,
    error: null,
    ...changes,
  };
}

/** What crosses to the worker: the batch as a message clones and transfers it. */
function sent(exchanges: readonly CapturedExchange[]): CaptureBatch {
  const batch = packBatch(exchanges);
  return structuredClone(batch, { transfer: [...batch.buffers] });
}

const parse = (text: string): HeaderMap => JSON.parse(text) as HeaderMap;

/** An exchange as the worker reads it back: bodies as plain bytes, to compare. */
function readBack(batch: CaptureBatch, index: number): CapturedExchange {
  const got = exchangeAt(batch, index, parse);
  const bytes = (body: Uint8Array | null): Uint8Array | null => (body === null ? null : new Uint8Array(body));
  return { ...got, requestBody: bytes(got.requestBody), responseBody: bytes(got.responseBody) };
}

function expected(exchange: CapturedExchange, bodies: { request: string | null; response: string | null }): CapturedExchange {
  const bytes = (text: string | null): Uint8Array | null => (text === null ? null : new Uint8Array(Buffer.from(text)));
  return { ...exchange, bodiesDecoded: exchange.bodiesDecoded === true, requestBody: bytes(bodies.request), responseBody: bytes(bodies.response) };
}

describe('capture batches', () => {
  it('carry every field of every exchange across: failures, missing responses, truncation, decoded bodies, several sessions', () => {
    const exchanges = [
      exchange(0),
      exchange(1, { method: 'POST', requestBody: Buffer.from('{"amount":100}'), requestBodyTruncated: true }),
      exchange(2, { status: null, responseHeaders: null, responseBody: null, error: { code: 'upstream-unreachable', message: 'connect ECONNREFUSED' } }),
      exchange(3, { source: 'import', service: 'warehouse', session: 'har-1', bodiesDecoded: true }),
      exchange(4, { responseBodyTruncated: true, error: { code: 'upstream-aborted', message: 'closed mid-body' } }),
      exchange(5, { status: 0 }),
      exchange(6, { session: 'session-b', responseBody: new Uint8Array(0) }),
      exchange(7),
    ];
    const bodies = exchanges.map((e) => ({
      request: e.requestBody === null ? null : Buffer.from(e.requestBody).toString(),
      response: e.responseBody === null ? null : Buffer.from(e.responseBody).toString(),
    }));
    const batch = sent(exchanges);
    expect(batchLength(batch)).toBe(exchanges.length);
    // The batch's sources, services and sessions are sent once each.
    expect(batch.contexts).toHaveLength(3);
    for (let i = 0; i < exchanges.length; i++) expect(readBack(batch, i)).toEqual(expected(exchanges[i]!, bodies[i]!));
  });

  it('moves a large body that owns its memory instead of copying it, once even when both bodies are that buffer', () => {
    const large = Buffer.allocUnsafeSlow(20_000).fill('x');
    const text = large.toString();
    const small = Buffer.from('xx{"small":true}yy').subarray(2, 16);
    const batch = sent([exchange(0, { method: 'PUT', requestBody: large, responseBody: large }), exchange(1, { responseBody: small })]);
    // The arena with the small body, and the large body's own buffer.
    expect(batch.buffers).toHaveLength(2);
    expect(large.byteLength).toBe(0);
    expect(Buffer.from(exchangeAt(batch, 0, parse).requestBody!).toString()).toBe(text);
    expect(Buffer.from(exchangeAt(batch, 0, parse).responseBody!).toString()).toBe(text);
    expect(Buffer.from(exchangeAt(batch, 1, parse).responseBody!).toString()).toBe('{"small":true}');
  });

  it('weighs each exchange its bodies plus a fixed allowance', () => {
    const batch = packBatch([exchange(0, { responseBody: Buffer.alloc(100) }), exchange(1, { responseBody: null })]);
    expect(batch.bytes).toBe(100 + 2 * 1024);
  });
});
