import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { prepareExchange, type PrepareOptions } from '../../../src/capture/prepare-exchange.js';
import { Redactor } from '../../../src/capture/redactor.js';
import { MockdriftError } from '../../../src/model/errors.js';
import type { Exchange } from '../../../src/model/exchange.js';
import { shapeOf } from '../../../src/model/shape.js';
import { exchangesToHar, harToCaptured, type HarImportOptions } from '../../../src/store/har.js';

const FORMATS = new URL('../../fixtures/formats/har/', import.meta.url);
const options: HarImportOptions = { service: 'payments', session: 'import-1', file: 'checkout.har' };
const prepare: PrepareOptions = { redactor: new Redactor(), maxBodyBytes: 1024 * 1024 };
const CREATOR = { name: 'mockdrift', version: '0.0.0-test' };

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, FORMATS), 'utf8'));
}

/** A one-entry HAR; `entry` overrides the parts of a plain JSON GET. */
function har(entry: Record<string, unknown> = {}, response: Record<string, unknown> = {}): unknown {
  return {
    log: {
      version: '1.2',
      entries: [
        {
          startedDateTime: '2026-05-01T10:00:00.000Z',
          time: 42,
          request: { method: 'GET', url: 'https://sandbox.example/v1/charges/ch_1NqkZ2LkdIwHu7ix', headers: [{ name: 'Accept', value: 'application/json' }] },
          response: {
            status: 200,
            headers: [{ name: 'Content-Type', value: 'application/json' }],
            content: { size: 12, mimeType: 'application/json', text: '{"id":"ch_1"}' },
            ...response,
          },
          ...entry,
        },
      ],
    },
  };
}

function stored(overrides: Partial<Exchange> = {}): Exchange {
  const body = { id: 'ch_1', amount: 1200 };
  const text = JSON.stringify(body);
  return {
    source: 'record',
    service: 'payments',
    session: 'rec-1',
    recordedAt: Date.parse('2026-05-01T10:00:00.123Z'),
    durationMs: 12.5,
    method: 'POST',
    url: 'https://sandbox.example/v1/charges?expand=customer&expand=source',
    path: '/v1/charges',
    route: '/v1/charges',
    query: { expand: ['customer', 'source'] },
    requestHeaders: { 'content-type': 'application/json', authorization: 'Bearer [REDACTED]' },
    requestBody: { content: '{"amount":1200}', size: 15, truncated: false },
    status: 201,
    responseHeaders: { 'content-type': 'application/json', 'content-encoding': 'gzip', location: '/v1/charges/ch_1', 'set-cookie': ['a=[REDACTED]', 'b=[REDACTED]'] },
    responseBody: { content: text, size: text.length, truncated: false },
    contentType: 'application/json',
    contentEncoding: 'gzip',
    responseShape: shapeOf(body),
    error: null,
    ...overrides,
  };
}

function thrown(action: () => unknown): MockdriftError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(MockdriftError);
    return error as MockdriftError;
  }
  throw new Error('expected an error');
}

describe('harToCaptured', () => {
  it('reads a DevTools export: times, method, URL, headers without HTTP/2 pseudo-headers, bodies', () => {
    const captured = harToCaptured(fixture('payments-devtools.har'), options);
    expect(captured).toHaveLength(4);
    const [list, create] = captured;
    expect(list).toMatchObject({
      source: 'import',
      service: 'payments',
      session: 'import-1',
      startedAt: Date.parse('2024-05-14T09:21:07.412Z'),
      durationMs: 143.2,
      method: 'GET',
      url: 'https://sandbox.payments.example.com/v1/charges?limit=2&status=succeeded',
      requestHeaders: { accept: 'application/json', authorization: 'Bearer sk_test_redacted' },
      requestBody: null,
      status: 200,
      error: null,
    });
    expect(Object.keys(list!.requestHeaders).some((name) => name.startsWith(':'))).toBe(false);
    expect(Buffer.from(create!.requestBody!).toString()).toBe('{"amount":2599,"currency":"eur","source":"tok_visa"}');
    expect(Buffer.from(create!.responseBody!).toString()).toContain('"status":"pending"');
  });

  it('stores status-0 entries as failed requests, with the browser\'s reason', () => {
    const failed = harToCaptured(fixture('payments-devtools.har'), options)[2]!;
    expect(failed).toMatchObject({ method: 'POST', status: null, responseHeaders: null, responseBody: null });
    expect(failed.error).toEqual({ code: 'upstream-unreachable', message: 'the browser recorded no response (net::ERR_BLOCKED_BY_CLIENT)' });
    const bare = harToCaptured(har({}, { status: 0, _error: null }), options)[0]!;
    expect(bare.error).toEqual({ code: 'upstream-unreachable', message: 'the browser recorded no response' });
  });

  it('marks decoded HAR text as decoded, so the stored exchange keeps it and its content encoding', async () => {
    const [list] = harToCaptured(fixture('payments-devtools.har'), options);
    // HAR holds the decoded text under `content-encoding: gzip`.
    expect(list!.bodiesDecoded).toBe(true);
    expect(Buffer.from(list!.responseBody!).toString()).toMatch(/^\{"object":"list"/);
    const exchange = await prepareExchange(list!, prepare);
    expect(exchange.contentEncoding).toBe('gzip');
    expect(exchange.responseHeaders).toMatchObject({ 'content-encoding': 'gzip' });
    expect(JSON.parse(exchange.responseBody!.content as string)).toMatchObject({ object: 'list', has_more: true });
    expect(exchange.responseShape).not.toBeNull();
    expect(exchange.requestHeaders['authorization']).toBe('Bearer [REDACTED]');
  });

  it('keeps a body that is still encoded (Polly.JS stores encoded responses as base64) as it is', async () => {
    const wire = gzipSync('{"ok":true}');
    const input = har({}, {
      headers: [{ name: 'content-type', value: 'application/json' }, { name: 'content-encoding', value: 'gzip' }],
      content: { mimeType: 'application/json', encoding: 'base64', text: wire.toString('base64') },
    });
    const [captured] = harToCaptured(input, options);
    expect(Buffer.from(captured!.responseBody!)).toEqual(wire);
    expect(captured!.bodiesDecoded).toBe(false);
    const exchange = await prepareExchange(captured!, prepare);
    expect(exchange.responseBody?.content).toBe('{"ok":true}');
    expect(exchange.contentEncoding).toBe('gzip');
  });

  it('stores decoded text under an encoding Node cannot undo (zstd) as text, keeping the header', async () => {
    const input = har({}, { headers: [{ name: 'content-type', value: 'application/json' }, { name: 'content-encoding', value: 'zstd' }] });
    const [captured] = harToCaptured(input, options);
    expect(captured!.responseHeaders).toHaveProperty('content-encoding', 'zstd');
    const exchange = await prepareExchange(captured!, prepare);
    expect(exchange.responseBody?.content).toBe('{"id":"ch_1"}');
    expect(exchange.contentEncoding).toBe('zstd');
  });

  it('decodes base64 content: binary bodies stay bytes, text stays text', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    const binary = har({}, { headers: [{ name: 'content-type', value: 'image/png' }], content: { mimeType: 'image/png', encoding: 'base64', text: png.toString('base64') } });
    const [image] = harToCaptured(binary, options);
    expect(Buffer.from(image!.responseBody!)).toEqual(png);
    // Stored as size and digest only: bytes that cannot be scanned for secrets are not kept.
    const exchange = await prepareExchange(image!, prepare);
    expect(exchange.responseBody!.size).toBe(png.length);
    expect((exchange.responseBody!.content as Uint8Array).length).toBe(0);

    const text = har({}, { content: { mimeType: 'application/json', encoding: 'base64', text: Buffer.from('{"id":"ch_2"}').toString('base64') } });
    expect(Buffer.from(harToCaptured(text, options)[0]!.responseBody!).toString()).toBe('{"id":"ch_2"}');
  });

  it('reads a Polly.JS recording under the given service', () => {
    const captured = harToCaptured(fixture('warehouse-polly.har'), { ...options, service: 'warehouse' });
    expect(captured.map((c) => [c.service, c.method, c.status])).toEqual([
      ['warehouse', 'POST', 201],
      ['warehouse', 'GET', 200],
      ['warehouse', 'DELETE', 204],
    ]);
    expect(captured[2]!.responseBody).toBeNull();
  });

  it('keeps repeated headers in order and form-encodes postData params', () => {
    const input = har({
      request: {
        method: 'post',
        url: 'https://sandbox.example/v1/tokens',
        headers: [{ name: 'X-Tag', value: 'a' }, { name: 'x-tag', value: 'b' }],
        postData: { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'card', value: '4242' }, { name: 'exp', value: '12/30' }] },
      },
    });
    const [captured] = harToCaptured(input, options);
    expect(captured!.method).toBe('POST');
    expect(captured!.requestHeaders).toEqual({ 'x-tag': ['a', 'b'] });
    expect(Buffer.from(captured!.requestBody!).toString()).toBe('card=4242&exp=12%2F30');
  });

  it('rejects what is not HAR, naming the file', () => {
    expect(thrown(() => harToCaptured({ entries: [] }, options))).toMatchObject({
      code: 'FIXTURE_INVALID',
      message: expect.stringMatching(/^checkout\.har: not a HAR 1\.2 file \(/),
    });
    expect(thrown(() => harToCaptured([], options)).code).toBe('FIXTURE_INVALID');
  });

  it.each([
    ['a status that is no number', har({}, { status: '200' }), /entry 0: response status "200"/],
    ['a relative URL', har({ request: { method: 'GET', url: '/v1/charges' } }), /entry 0: request URL "\/v1\/charges" is not an absolute URL/],
    ['no method', har({ request: { url: 'https://sandbox.example/' } }), /entry 0: has no valid request method/],
    ['no start time', har({ startedDateTime: 'yesterday' }), /entry 0: startedDateTime "yesterday"/],
    ['no response', har({ response: undefined }), /entry 0: has no response object/],
  ])('rejects an entry with %s, naming the file and the entry', (_name, input, message) => {
    const error = thrown(() => harToCaptured(input, options));
    expect(error.code).toBe('FIXTURE_INVALID');
    expect(error.message).toMatch(/^checkout\.har: /);
    expect(error.message).toMatch(message);
  });
});

describe('exchangesToHar', () => {
  it('writes a HAR 1.2 log with request, response, timings and the _mockdrift extension', () => {
    const document = exchangesToHar([stored()], CREATOR);
    expect(document.log).toMatchObject({ version: '1.2', creator: CREATOR, pages: [] });
    const [entry] = document.log.entries;
    expect(entry).toEqual({
      startedDateTime: '2026-05-01T10:00:00.123Z',
      time: 12.5,
      request: {
        method: 'POST',
        url: 'https://sandbox.example/v1/charges?expand=customer&expand=source',
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: [
          { name: 'content-type', value: 'application/json' },
          { name: 'authorization', value: 'Bearer [REDACTED]' },
        ],
        queryString: [
          { name: 'expand', value: 'customer' },
          { name: 'expand', value: 'source' },
        ],
        postData: { mimeType: 'application/json', text: '{"amount":1200}' },
        headersSize: -1,
        bodySize: 15,
      },
      response: {
        status: 201,
        statusText: 'Created',
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: [
          { name: 'content-type', value: 'application/json' },
          { name: 'content-encoding', value: 'gzip' },
          { name: 'location', value: '/v1/charges/ch_1' },
          { name: 'set-cookie', value: 'a=[REDACTED]' },
          { name: 'set-cookie', value: 'b=[REDACTED]' },
        ],
        content: { size: 27, mimeType: 'application/json', text: '{"id":"ch_1","amount":1200}' },
        redirectURL: '/v1/charges/ch_1',
        headersSize: -1,
        bodySize: -1,
        _error: null,
      },
      cache: {},
      timings: { send: 0, wait: 12.5, receive: 0 },
      _mockdrift: { service: 'payments', session: 'rec-1', source: 'record' },
    });
    // A stable key order: the same store exports to the same bytes.
    expect(Object.keys(entry!)).toEqual(['startedDateTime', 'time', 'request', 'response', 'cache', 'timings', '_mockdrift']);
  });

  it('writes binary bodies as base64 and flags truncated ones', () => {
    const bytes = new Uint8Array([0, 1, 2, 0xff]);
    const [entry] = exchangesToHar(
      [stored({ responseHeaders: { 'content-type': 'application/octet-stream' }, responseBody: { content: bytes, size: 4, truncated: true }, responseShape: null })],
      CREATOR,
    ).log.entries;
    expect(entry!.response.content).toEqual({ size: 4, mimeType: 'application/octet-stream', text: 'AAEC/w==', encoding: 'base64', _truncated: true });
  });

  it('writes failed exchanges with status 0 and their error', () => {
    const error = { code: 'upstream-timeout', message: 'no response within 30000 ms' } as const;
    const [entry] = exchangesToHar(
      [stored({ status: null, responseHeaders: null, responseBody: null, contentType: null, contentEncoding: null, responseShape: null, error })],
      CREATOR,
    ).log.entries;
    expect(entry!.response).toMatchObject({ status: 0, statusText: '', headers: [], content: { size: 0, mimeType: '' }, redirectURL: '', _error: error.message });
    expect(entry!._mockdrift.error).toEqual(error);
  });

  it('round-trips through harToCaptured and the capture pipeline', async () => {
    const failed = stored({ method: 'GET', url: 'https://sandbox.example/v1/charges/ch_1NqkZ2LkdIwHu7ix', path: '/v1/charges/ch_1NqkZ2LkdIwHu7ix', route: '/v1/charges/:id', query: {}, requestBody: null, status: null, responseHeaders: null, responseBody: null, contentType: null, contentEncoding: null, responseShape: null, error: { code: 'upstream-aborted', message: 'socket hang up' } });
    const originals = [stored(), stored({ service: 'warehouse' }), failed];
    const document = JSON.parse(JSON.stringify(exchangesToHar(originals, CREATOR))) as unknown;
    const imported = await Promise.all(harToCaptured(document, { ...options, service: 'other' }).map((c) => prepareExchange(c, prepare)));
    // A freshly prepared body carries its digest; one read from the store does not.
    const body = (b: Exchange['responseBody']): unknown => (b ? { content: b.content, size: b.size, truncated: b.truncated } : b);
    const key = (e: Exchange): unknown => ({
      service: e.service, recordedAt: e.recordedAt, durationMs: e.durationMs, method: e.method, url: e.url, route: e.route, query: e.query,
      requestHeaders: e.requestHeaders, requestBody: body(e.requestBody), status: e.status, responseHeaders: e.responseHeaders,
      responseBody: body(e.responseBody), contentType: e.contentType, contentEncoding: e.contentEncoding, error: e.error,
    });
    expect(imported.map(key)).toEqual(originals.map(key));
    expect(imported.every((e) => e.source === 'import' && e.session === 'import-1')).toBe(true);
    expect(JSON.stringify(imported[0]!.responseShape)).toBe(JSON.stringify(originals[0]!.responseShape));
  });
});
