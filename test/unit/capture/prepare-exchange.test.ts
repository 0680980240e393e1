import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { prepareExchange, type PrepareOptions } from '../../../src/capture/prepare-exchange.js';
import { Redactor } from '../../../src/capture/redactor.js';
import { BodyCache } from '../../../src/capture/body-cache.js';
import type { CapturedExchange } from '../../../src/model/exchange.js';
import { RouteTemplate } from '../../../src/model/route.js';

const options: PrepareOptions = { redactor: new Redactor(), maxBodyBytes: 1024 * 1024 };
const bytes = (text: string | Buffer): Uint8Array => new Uint8Array(Buffer.from(text));

function captured(overrides: Partial<CapturedExchange> = {}): CapturedExchange {
  return {
    source: 'record',
    service: 'payments',
    session: 's-1',
    startedAt: 1_790_000_000_000,
    durationMs: 12.5,
    method: 'get',
    url: 'https://sandbox.example/v1/charges/ch_1NqkZ2LkdIwHu7ix?expand=customer&limit=3',
    requestHeaders: { host: 'sandbox.example', accept: 'application/json', connection: 'keep-alive' },
    requestBody: null,
    requestBodyTruncated: false,
    status: 200,
    responseHeaders: { 'content-type': 'application/json; charset=utf-8', 'transfer-encoding': 'chunked' },
    responseBody: bytes('{"id":"ch_1","amount":1200,"created_at":"2026-11-20T10:00:00Z"}'),
    responseBodyTruncated: false,
    error: null,
    ...overrides,
  };
}

describe('prepareExchange', () => {
  it('maps the URL to path, route and query, and upper-cases the method', async () => {
    const exchange = await prepareExchange(captured(), options);
    expect(exchange).toMatchObject({
      method: 'GET',
      path: '/v1/charges/ch_1NqkZ2LkdIwHu7ix',
      route: '/v1/charges/:id',
      query: { expand: ['customer'], limit: ['3'] },
      contentType: 'application/json',
      status: 200,
    });
  });

  it('reads the query as URLSearchParams would, repeated names, empty values and encodings included', async () => {
    const part = fc.stringMatching(/^[a-z0-9_.~%+=;-]{0,6}$/);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(part, fc.tuple(part, part).map(([name, value]) => `${name}=${value}`)), { maxLength: 6 }), async (pairs) => {
        const search = `?${pairs.join('&')}`;
        const exchange = await prepareExchange(captured({ url: `http://sandbox.test/v1/things${search}` }), options);
        const expected: Record<string, string[]> = {};
        // What was stored went through redaction first: compare with the stored URL's own query.
        for (const [name, value] of new URLSearchParams(new URL(exchange.url).search)) (expected[name] ??= []).push(value);
        expect({ ...exchange.query }).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('uses route templates before the id heuristics', async () => {
    const exchange = await prepareExchange(captured({ url: 'https://sandbox.example/users/alice' }), {
      ...options,
      routes: [RouteTemplate.parse('/users/:login')],
    });
    expect(exchange.route).toBe('/users/:login');
  });

  it('drops the headers a Connection header names, and keeps headers without any hop-by-hop one as they are', async () => {
    const exchange = await prepareExchange(
      captured({
        requestHeaders: { accept: 'application/json', connection: 'x-hop, keep-alive', 'x-hop': '1', 'x-kept': '2' },
        responseHeaders: { 'content-type': 'application/json', etag: 'W/"1"' },
      }),
      options,
    );
    expect(exchange.requestHeaders).toEqual({ accept: 'application/json', 'x-kept': '2' });
    expect(exchange.responseHeaders).toEqual({ 'content-type': 'application/json', etag: 'W/"1"' });
  });

  it('drops connection-level headers from what is stored', async () => {
    const exchange = await prepareExchange(captured(), options);
    expect(exchange.requestHeaders).not.toHaveProperty('connection');
    expect(exchange.responseHeaders).not.toHaveProperty('transfer-encoding');
    expect(exchange.requestHeaders['accept']).toBe('application/json');
  });

  it('keeps a large JSON body that needs no redaction as its UTF-8 bytes, flagged as text, with the digest of the text', async () => {
    const text = JSON.stringify({ note: 'caf\u00e9', items: Array.from({ length: 2000 }, (_, i) => ({ sku: `SKU-${i}` })) });
    const exchange = await prepareExchange(captured({ responseBody: bytes(text) }), options);
    const body = exchange.responseBody!;
    expect(body.text).toBe(true);
    expect(Buffer.from(body.content as Uint8Array).toString('utf8')).toBe(text);
    expect(body.hash).toBe(createHash('sha1').update(text).digest('hex'));
    expect(exchange.responseShape?.['$.items[*].sku']).toBeDefined();
    // A large body that does need redaction is rewritten: a string, secrets gone.
    const secret = JSON.stringify({ password: 'hunter2', items: JSON.parse(text).items });
    const redacted = await prepareExchange(captured({ responseBody: bytes(secret) }), options);
    expect(typeof redacted.responseBody?.content).toBe('string');
    expect(redacted.responseBody?.content).not.toContain('hunter2');
  });

  it('never takes a large body for another whose start, middle and end are the same', async () => {
    const cached: PrepareOptions = { ...options, cache: new BodyCache() };
    const items = Array.from({ length: 3000 }, (_, i) => ({ n: i }));
    const first = JSON.stringify({ items, tail: 'end' });
    // The same length, the same sampled stretches; one digit differs a quarter of the way in.
    const at = Math.floor(first.length / 4);
    const digit = first.slice(at).search(/[0-8]/) + at;
    const second = first.slice(0, digit) + String(Number(first[digit]) + 1) + first.slice(digit + 1);
    expect(second.length).toBe(first.length);
    const a = await prepareExchange(captured({ responseBody: bytes(first) }), cached);
    const b = await prepareExchange(captured({ responseBody: bytes(second) }), cached);
    expect(b.responseBody?.hash).not.toBe(a.responseBody?.hash);
    expect(Buffer.from(b.responseBody!.content as Uint8Array).toString()).toBe(second);
    // And the same bytes again come from the cache: the very same prepared body.
    const again = await prepareExchange(captured({ responseBody: bytes(second) }), cached);
    expect(again.responseBody).toBe(b.responseBody);
  });

  it('summarises a JSON response as a shape', async () => {
    const exchange = await prepareExchange(captured(), options);
    expect(exchange.responseShape).toEqual({
      $: { types: ['object'] },
      '$.amount': { types: ['number'], formats: ['integer'] },
      '$.created_at': { types: ['string'], formats: ['date-time'] },
      '$.id': { types: ['string'] },
    });
  });

  it('stores a gzip body decoded, keeping the encoding name', async () => {
    const json = '{"ok":true}';
    const exchange = await prepareExchange(
      captured({ responseHeaders: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, responseBody: bytes(gzipSync(json)) }),
      options,
    );
    expect(exchange.responseBody?.content).toBe(json);
    expect(exchange.contentEncoding).toBe('gzip');
  });

  it('redacts secrets in the URL, the headers and both bodies', async () => {
    const exchange = await prepareExchange(
      captured({
        method: 'POST',
        url: 'https://sandbox.example/v1/login?api_key=abc123secret&page=2',
        requestHeaders: { authorization: 'Bearer abcdefghijklmnop', 'content-type': 'application/json' },
        requestBody: bytes('{"user":"ada","password":"hunter2"}'),
        responseHeaders: { 'content-type': 'application/json', 'set-cookie': ['sid=zzz; HttpOnly'] },
        responseBody: bytes('{"access_token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl","expires_in":3600}'),
      }),
      options,
    );
    const stored = JSON.stringify(exchange);
    for (const secret of ['abc123secret', 'abcdefghijklmnop', 'hunter2', 'zzz', 'eyJhbGciOiJIUzI1NiJ9']) expect(stored).not.toContain(secret);
    expect(exchange.query).toEqual({ api_key: ['[REDACTED]'], page: ['2'] });
    expect(exchange.responseShape?.['$.access_token']).toEqual({ types: ['string'] });
    expect(exchange.responseShape?.['$.expires_in']).toEqual({ types: ['number'], formats: ['integer'] });
  });

  it('keeps the bytes of a JSON body with nothing to redact exactly as sent', async () => {
    const text = '{ "b": 1,\n  "a": [1, 2] }';
    const exchange = await prepareExchange(captured({ responseBody: bytes(text) }), options);
    expect(exchange.responseBody?.content).toBe(text);
  });

  it('stores a binary body as its size and SHA-256 digest only, with no shape', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00]);
    const exchange = await prepareExchange(captured({ responseHeaders: { 'content-type': 'image/png' }, responseBody: new Uint8Array(png) }), options);
    expect((exchange.responseBody?.content as Uint8Array).length).toBe(0);
    expect(exchange.responseBody?.size).toBe(10);
    expect(exchange.responseBody?.hash).toBe(`sha256:${createHash('sha256').update(png).digest('hex')}`);
    expect(exchange.responseShape).toBeNull();
  });

  it('keeps a binary body as bytes when redact.binaryBodies is keep', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00]);
    const keep = { ...options, redactor: new Redactor({ binaryBodies: 'keep' }) };
    const exchange = await prepareExchange(captured({ responseHeaders: { 'content-type': 'image/png' }, responseBody: new Uint8Array(png) }), keep);
    expect(Buffer.from(exchange.responseBody?.content as Uint8Array).equals(png)).toBe(true);
    expect(exchange.responseShape).toBeNull();
  });

  it('treats a truncated JSON body as text: redacted, flagged, no shape', async () => {
    const exchange = await prepareExchange(
      captured({ responseBody: bytes('{"user":"ada","password":"hun'), responseBodyTruncated: true }),
      options,
    );
    expect(exchange.responseBody?.truncated).toBe(true);
    expect(exchange.responseBody?.content).not.toContain('hun');
    expect(exchange.responseShape).toBeNull();
  });

  it('reads JSON sent as text/plain, and leaves malformed JSON as text', async () => {
    const plain = await prepareExchange(captured({ responseHeaders: { 'content-type': 'text/plain' }, responseBody: bytes('[{"a":1}]') }), options);
    expect(plain.responseShape?.['$[*].a']).toEqual({ types: ['number'], formats: ['integer'] });
    const broken = await prepareExchange(captured({ responseBody: bytes('{"a":') }), options);
    expect(broken.responseBody?.content).toBe('{"a":');
    expect(broken.responseShape).toBeNull();
  });

  it('copes with 100,000 levels of nesting that hold a secret', async () => {
    const deep = '['.repeat(100_000) + '{"password":"hunter2"}' + ']'.repeat(100_000);
    const exchange = await prepareExchange(captured({ responseBody: bytes(deep) }), options);
    expect(String(exchange.responseBody?.content)).not.toContain('hunter2');
  });

  it('keeps an exchange that got no response', async () => {
    const exchange = await prepareExchange(
      captured({ status: null, responseHeaders: null, responseBody: null, error: { code: 'upstream-unreachable', message: 'ECONNREFUSED' } }),
      options,
    );
    expect(exchange).toMatchObject({ status: null, responseBody: null, responseShape: null, contentType: null, error: { code: 'upstream-unreachable' } });
  });
});

describe('prepareExchange with a body cache', () => {
  it('reuses the prepared body for identical wire bytes, and prepares different ones anew', async () => {
    const { BodyCache } = await import('../../../src/capture/body-cache.js');
    const cached = { ...options, cache: new BodyCache() };
    const first = await prepareExchange(captured(), cached);
    const second = await prepareExchange(captured({ url: 'https://sandbox.example/v1/charges/ch_other' }), cached);
    expect(second.responseBody).toBe(first.responseBody);
    expect(second.responseShape).toBe(first.responseShape);
    expect(second.path).toBe('/v1/charges/ch_other');
    const other = await prepareExchange(captured({ responseBody: bytes('{"id":"ch_2","amount":"12.00"}') }), cached);
    expect(other.responseBody).not.toBe(first.responseBody);
    expect(other.responseShape?.['$.amount']?.types).toEqual(['string']);
  });

  it('never reuses a body prepared under another content type or encoding', async () => {
    const { BodyCache } = await import('../../../src/capture/body-cache.js');
    const cached = { ...options, cache: new BodyCache() };
    const json = await prepareExchange(captured(), cached);
    const text = await prepareExchange(captured({ responseHeaders: { 'content-type': 'application/octet-stream' } }), cached);
    expect(json.responseShape).not.toBeNull();
    expect(text.responseShape).toBeNull();
  });

  it('knows a route\'s repeated body without a digest, and only under the same coding, type and boundary', async () => {
    const cache = new BodyCache();
    const cached = { ...options, cache };
    const first = await prepareExchange(captured(), cached);
    // From here on, the same bytes on the same route are recognised by comparison alone: no digest, no lookup.
    const lookups = vi.spyOn(cache, 'get');
    const again = await prepareExchange(captured({ url: 'https://sandbox.example/v1/charges/ch_2NqkZ2LkdIwHu7iy' }), cached);
    expect(lookups).not.toHaveBeenCalled();
    lookups.mockRestore();
    expect(again.responseBody).toBe(first.responseBody);
    expect(again.responseShape).toBe(first.responseShape);
    const plain = await prepareExchange(captured({ responseHeaders: { 'content-type': 'application/octet-stream' } }), cached);
    expect(plain.responseShape).toBeNull();

    // One multipart body under two boundaries: only the one its parts are delimited by finds the password.
    const boundary = 'b0undary';
    const form = bytes(`--${boundary}\r\ncontent-disposition: form-data; name="password"\r\n\r\nhunter2secret\r\n--${boundary}--\r\n`);
    const multipart = (name: string): Partial<CapturedExchange> => ({
      method: 'POST',
      requestHeaders: { host: 'sandbox.example', 'content-type': `multipart/form-data; boundary=${name}` },
      requestBody: form,
    });
    await prepareExchange(captured(multipart('other-boundary')), cached);
    const right = await prepareExchange(captured(multipart(boundary)), cached);
    expect(right.requestBody!.content).not.toContain('hunter2secret');
    const uncached = await prepareExchange(captured(multipart(boundary)), options);
    expect(right.requestBody).toEqual(uncached.requestBody);
  });

  it('gives every stored body the digest of its content', async () => {
    const { createHash } = await import('node:crypto');
    const exchange = await prepareExchange(captured(), options);
    const content = exchange.responseBody!.content as string;
    expect(exchange.responseBody?.hash).toBe(createHash('sha1').update(content).digest('hex'));
    const redacted = await prepareExchange(captured({ responseBody: bytes('{"password":"hunter2"}') }), options);
    expect(redacted.responseBody?.hash).toBe(createHash('sha1').update(redacted.responseBody!.content as string).digest('hex'));
  });
});

describe('prepareExchange with the last body of each route', () => {
  const page = (id: string, extra: Record<string, unknown> = {}): Uint8Array =>
    bytes(JSON.stringify({ id, created_at: `2026-12-02T10:00:${id.slice(-2).padStart(2, '0')}Z`, ...extra, items: Array.from({ length: 30 }, (_, i) => ({ sku: `SKU-${i}`, price: i * 100 })) }));
  const stripeKey = ['sk', 'live', '4eC39HqLyjWDarjtT1zdp7dc'].join('_');
  const text = (exchange: { responseBody: { content: string | Uint8Array } | null }): string => {
    const value = exchange.responseBody!.content;
    return typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
  };

  it('stores every exchange exactly as the full path does, parsing only bodies whose structure changed', async () => {
    const { RecentBodies } = await import('../../../src/capture/similar-json.js');
    const bodies = [
      page('req_01'),
      page('req_02'),
      page('req_03', { note: 'a new field' }),
      page('req_04', { note: 'the same field' }),
      page(stripeKey, { note: 'a key where the id was' }),
      page('req_06', { note: 'clean again' }),
      page('req_07', { note: 17 }),
      bytes(JSON.stringify({ error: 'not found', detail: 'no page by that id '.repeat(30) })),
    ];
    const recent = { ...options, recent: new RecentBodies() };
    const parsed: boolean[] = [];
    for (const [i, body] of bodies.entries()) {
      const exchange = captured({ url: `https://sandbox.example/v1/pages/${i}`, responseBody: body });
      const full = await prepareExchange(exchange, options);
      const parse = vi.spyOn(JSON, 'parse');
      const fast = await prepareExchange(exchange, recent);
      parsed.push(parse.mock.calls.some(([argument]) => typeof argument === 'string' && argument.length > 200));
      parse.mockRestore();
      expect(text(fast)).toBe(text(full));
      expect(fast.responseBody?.hash).toBe(full.responseBody?.hash);
      expect(fast.responseShape).toEqual(full.responseShape);
    }
    expect(text(await prepareExchange(captured({ responseBody: bodies[4] }), recent))).not.toContain(stripeKey);
    // Parsed: the first body, a new field, the key, a field turned into a number, another
    // structure. Not parsed: bodies that only changed values, compared with the last clean one (a
    // redacted body is not remembered: the sixth is compared with the fourth).
    expect(parsed).toEqual([true, false, true, false, true, false, true, true]);
  });
});

describe('prepareExchange with headers and queries remembered', () => {
  const remembering = (): PrepareOptions => ({ ...options, headers: new WeakMap(), queries: new Map() });
  const frozen = <T extends object>(value: T): T => Object.freeze(value);

  it('stores exactly what the full path stores, secrets redacted, for the first exchange and every one after', async () => {
    const memo = remembering();
    const requestHeaders = frozen({ authorization: 'Bearer abcdefghijklmnop', accept: 'application/json', connection: 'keep-alive' });
    const responseHeaders = frozen({ 'content-type': 'application/json', 'set-cookie': ['sid=zzz; HttpOnly'], 'transfer-encoding': 'chunked' });
    const url = 'https://sandbox.example/v1/login?api_key=abc123secret&page=2';
    for (let n = 0; n < 3; n++) {
      const exchange = captured({ url, requestHeaders, responseHeaders });
      const full = await prepareExchange(exchange, options);
      const remembered = await prepareExchange(exchange, memo);
      expect(remembered).toEqual(full);
      const stored = JSON.stringify(remembered);
      for (const secret of ['abc123secret', 'abcdefghijklmnop', 'zzz']) expect(stored).not.toContain(secret);
    }
  });

  it('shares one frozen result between exchanges with the same frozen headers or the same query', async () => {
    const memo = remembering();
    const requestHeaders = frozen({ host: 'sandbox.example', accept: 'application/json' });
    const first = await prepareExchange(captured({ requestHeaders, url: 'https://sandbox.example/v1/items/1?expand=prices' }), memo);
    const second = await prepareExchange(captured({ requestHeaders, url: 'https://sandbox.example/v1/items/2?expand=prices' }), memo);
    expect(second.requestHeaders).toBe(first.requestHeaders);
    expect(Object.isFrozen(first.requestHeaders)).toBe(true);
    expect(second.query).toBe(first.query);
    expect(Object.isFrozen(first.query) && Object.isFrozen(first.query['expand'])).toBe(true);
    expect(second.path).toBe('/v1/items/2');
  });

  it('keeps a bounded number of query strings, and still prepares every one right', async () => {
    const queries = new Map();
    for (let n = 0; n < 1000; n++) {
      const exchange = await prepareExchange(captured({ url: `https://sandbox.example/v1/items?cursor=c${n}&token=tok_${n}abcdefghijkl` }), { ...options, queries });
      expect(exchange.query['cursor']).toEqual([`c${n}`]);
      expect(exchange.url).not.toContain(`tok_${n}abcdefghijkl`);
    }
    expect(queries.size).toBeLessThanOrEqual(256);
  });

  it('prepares headers that are not frozen every time: their owner may still change them', async () => {
    const memo = remembering();
    const requestHeaders = { host: 'sandbox.example', 'x-api-key': 'k-123456789' } as Record<string, string>;
    const first = await prepareExchange(captured({ requestHeaders }), memo);
    requestHeaders['x-trace'] = 'changed';
    const second = await prepareExchange(captured({ requestHeaders }), memo);
    expect(second.requestHeaders).not.toBe(first.requestHeaders);
    expect(second.requestHeaders['x-trace']).toBe('changed');
    expect(second.requestHeaders['x-api-key']).toBe('[REDACTED]');
  });
});
