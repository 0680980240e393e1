import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaptureWriter } from '../../src/capture/capture-writer.js';
import { loadFixtures } from '../../src/formats/load-fixtures.js';
import type { Exchange } from '../../src/model/exchange.js';
import type { FixtureInteraction, FixtureRequest } from '../../src/model/fixture.js';
import { probe, type ProbeEvent, type ProbeOptions } from '../../src/probe/prober.js';
import { SqliteRecordingStore } from '../../src/store/sqlite-recording-store.js';
import { tempDir } from '../support/temp-dir.js';
import { closedPort, startUpstream, type Handler, type Upstream } from '../support/upstream.js';

let dir: ReturnType<typeof tempDir>;
let dbPath: string;
let writer: CaptureWriter;
let upstream: Upstream | undefined;

beforeEach(async () => {
  dir = tempDir();
  dbPath = join(dir.path, 'mockdrift.db');
  writer = await CaptureWriter.start({ dbPath });
});

afterEach(async () => {
  await writer.close();
  await upstream?.close();
  upstream = undefined;
  dir.remove();
});

/** A fixture interaction as a loader would produce it. */
function interaction(method: string, path: string | null, request: Partial<FixtureRequest> = {}): FixtureInteraction {
  return {
    file: 'fixtures/test.json',
    format: 'native',
    index: 0,
    name: `${method} ${path ?? request.pathPattern}`,
    service: null,
    request: { method, path, query: null, headers: {}, ...request },
    response: { status: 200, headers: {}, body: {}, contentType: 'application/json' },
    matchers: {},
    pinsLiterals: false,
    location: { interactionPointer: [], bodyPointer: null, line: 1, lineOf: () => 1 },
  };
}

const json: Handler = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ path: req.url, ok: true }));
};

function run(options: Partial<ProbeOptions> & Pick<ProbeOptions, 'interactions'>): ReturnType<typeof probe> {
  return probe({ target: upstream!.url, sink: writer, ...options });
}

/** Everything stored so far, failures included, in the order stored. */
async function stored(): Promise<Exchange[]> {
  await writer.flush();
  const store = SqliteRecordingStore.open(dbPath, { readonly: true });
  try {
    return [...store.exchanges({ includeFailed: true })];
  } finally {
    store.close();
  }
}

describe('probe, against a real sandbox, into a real store', () => {
  it('stores one exchange per fixture request, as the sandbox answered it', async () => {
    upstream = await startUpstream((req, res) => {
      if (req.url === '/v1/gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync('{"zipped":true}'));
      } else json(req, res, Buffer.alloc(0));
    });
    const result = await run({
      interactions: [
        interaction('GET', '/v1/balance'),
        interaction('get', '/v1/charges', { query: { limit: ['2'], tag: ['a', 'b'] } }),
        interaction('GET', '/v1/gzip'),
        interaction('HEAD', '/v1/balance'),
      ],
      service: 'payments',
    });
    expect(result).toMatchObject({ sent: 4, answered: 4, failed: 0, skipped: [], unreachable: false });
    expect(upstream.requests.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'GET /v1/balance',
      'GET /v1/charges?limit=2&tag=a&tag=b',
      'GET /v1/gzip',
      'HEAD /v1/balance',
    ]);
    const exchanges = await stored();
    expect(exchanges).toHaveLength(4);
    expect(exchanges.every((e) => e.source === 'probe' && e.service === 'payments' && e.status === 200)).toBe(true);
    const charges = exchanges.find((e) => e.path === '/v1/charges')!;
    expect(charges.query).toEqual({ limit: ['2'], tag: ['a', 'b'] });
    // Stored decoded: the raw gzip bytes went to the capture worker, which decodes them.
    const gzip = exchanges.find((e) => e.path === '/v1/gzip')!;
    expect(gzip.contentEncoding).toBe('gzip');
    expect(gzip.responseBody?.content).toBe('{"zipped":true}');
  });

  it("puts the target's path prefix before each path", async () => {
    upstream = await startUpstream(json);
    await probe({ target: `${upstream.url}/api/`, sink: writer, interactions: [interaction('GET', '/v1/x')] });
    expect(upstream.requests.map((r) => r.url)).toEqual(['/api/v1/x']);
  });

  it('skips unsafe methods unless allowed, paths it cannot know, and sends identical requests once', async () => {
    upstream = await startUpstream(json);
    const fixtures = [
      interaction('POST', '/v1/charges', { body: { amount: 1200 } }),
      interaction('GET', null, { pathPattern: '/v1/charges/.*' }),
      interaction('GET', '/v1/balance'),
      interaction('GET', '/v1/balance'),
    ];
    const events: ProbeEvent[] = [];
    const safe = await run({ interactions: fixtures, onProgress: (event) => events.push(event) });
    expect(safe.sent).toBe(1);
    expect(safe.duplicates).toBe(1);
    expect(safe.skipped).toEqual([
      { name: 'POST /v1/charges', file: 'fixtures/test.json', request: 'POST /v1/charges', reason: 'unsafe method (pass --allow-unsafe)' },
      { name: 'GET /v1/charges/.*', file: 'fixtures/test.json', request: 'GET /v1/charges/.*', reason: 'no concrete path' },
    ]);
    expect(events.filter((e) => e.type === 'skipped')).toHaveLength(2);
    expect(upstream.requests.map((r) => r.method)).toEqual(['GET']);

    const unsafe = await run({ interactions: fixtures, allowUnsafe: true });
    expect(unsafe.sent).toBe(2);
    const post = upstream.requests.find((r) => r.method === 'POST')!;
    expect(JSON.parse(post.body.toString())).toEqual({ amount: 1200 });
    expect(post.headers['content-type']).toBe('application/json');
    expect(await stored()).toHaveLength(3);
  });

  it('replays fixtures loaded from files, with their headers and body', async () => {
    upstream = await startUpstream(json);
    mkdirSync(join(dir.path, 'fixtures'));
    writeFileSync(
      join(dir.path, 'fixtures', 'charge.json'),
      JSON.stringify({
        request: {
          method: 'PUT',
          path: '/v1/charges/ch_1',
          headers: { 'Content-Type': 'application/vnd.api+json', 'X-Trace': 'fixture', Host: 'mocks.example', Connection: 'close' },
          body: { amount: 5 },
        },
        response: { status: 200, body: { id: 'ch_1' } },
      }),
    );
    const interactions = await loadFixtures(['fixtures/'], { cwd: dir.path });
    await run({ interactions, allowUnsafe: true, headers: { 'X-Trace': 'option' } });
    const [received] = upstream.requests;
    expect(received!.headers['content-type']).toBe('application/vnd.api+json');
    expect(received!.headers['x-trace']).toBe('option');
    expect(received!.headers.host).toBe(`127.0.0.1:${upstream.port}`);
    expect(received!.body.toString()).toBe('{"amount":5}');
  });

  it('retries a 503 and stores the answer that finally came', async () => {
    let hits = 0;
    upstream = await startUpstream((req, res) => {
      hits += 1;
      if (hits < 3) res.writeHead(503).end('busy');
      else json(req, res, Buffer.alloc(0));
    });
    const retries: ProbeEvent[] = [];
    const result = await run({ interactions: [interaction('GET', '/v1/x')], onProgress: (e) => e.type === 'retry' && retries.push(e) });
    expect(hits).toBe(3);
    expect(retries).toHaveLength(2);
    expect(result).toMatchObject({ sent: 1, answered: 1, failed: 0 });
    const exchanges = await stored();
    expect(exchanges.map((e) => e.status)).toEqual([200]);
  });

  it('waits as long as Retry-After says', async () => {
    let hits = 0;
    upstream = await startUpstream((req, res) => {
      hits += 1;
      if (hits === 1) res.writeHead(429, { 'retry-after': '1' }).end();
      else json(req, res, Buffer.alloc(0));
    });
    const started = performance.now();
    const result = await run({ interactions: [interaction('GET', '/v1/x')] });
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(result.answered).toBe(1);
    expect(hits).toBe(2);
  });

  it('gives up after the retries and stores the last answer', async () => {
    upstream = await startUpstream((_req, res) => res.writeHead(503).end('still busy'));
    const result = await run({ interactions: [interaction('GET', '/v1/x')], retries: 1 });
    expect(upstream.requests).toHaveLength(2);
    expect(result).toMatchObject({ sent: 1, answered: 1, unreachable: false });
    expect((await stored()).map((e) => e.status)).toEqual([503]);
  });

  it('stops waiting for a silent sandbox after the timeout, and stores the failure', async () => {
    upstream = await startUpstream(() => {
      // Never answers.
    });
    const started = performance.now();
    const result = await run({ interactions: [interaction('GET', '/v1/slow')], timeoutMs: 300, retries: 0 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1000);
    expect(result).toMatchObject({ sent: 1, answered: 0, failed: 1, unreachable: true });
    const [failure] = await stored();
    expect(failure).toMatchObject({ status: null, error: { code: 'upstream-timeout' } });
  });

  it('retries a silent sandbox too, each attempt within the timeout', async () => {
    upstream = await startUpstream(() => {});
    const started = performance.now();
    await run({ interactions: [interaction('GET', '/v1/slow')], timeoutMs: 200, retries: 1 });
    expect(upstream.requests).toHaveLength(2);
    // Two attempts of 200 ms plus at most 200 ms of back-off.
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('sends the headers of the options, and their secrets never reach the disk', async () => {
    upstream = await startUpstream(json);
    const token = 'Bearer sandbox-token-7f3a9c1e5b';
    await run({ interactions: [interaction('GET', '/v1/me', { headers: { authorization: 'Bearer from-fixture' } })], headers: { Authorization: token } });
    expect(upstream.requests[0]!.headers.authorization).toBe(token);
    const [exchange] = await stored();
    expect(exchange!.requestHeaders['authorization']).not.toContain('sandbox-token');
    const bytes = [dbPath, `${dbPath}-wal`].filter(existsSync).map((file) => readFileSync(file).toString('latin1'));
    expect(bytes.join('')).toContain('/v1/me');
    expect(bytes.join('')).not.toContain('sandbox-token-7f3a9c1e5b');
  });

  it('reports a sandbox where nothing listens as unreachable, and stores each failure', async () => {
    const port = await closedPort();
    const result = await probe({
      target: `http://127.0.0.1:${port}`,
      sink: writer,
      interactions: [interaction('GET', '/v1/a'), interaction('GET', '/v1/b')],
      retries: 1,
    });
    expect(result).toMatchObject({ sent: 2, answered: 0, failed: 2, unreachable: true });
    const exchanges = await stored();
    expect(exchanges).toHaveLength(2);
    expect(exchanges[0]).toMatchObject({ status: null, error: { code: 'upstream-unreachable' } });
    expect(exchanges[0]!.error!.message).toContain('ECONNREFUSED');
  });

  it('keeps at most `concurrency` requests under way', async () => {
    let inFlight = 0;
    let most = 0;
    upstream = await startUpstream((req, res) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        json(req, res, Buffer.alloc(0));
      }, 30);
    });
    const interactions = Array.from({ length: 12 }, (_, i) => interaction('GET', `/v1/items/${i}`));
    const result = await run({ interactions, concurrency: 3 });
    expect(result.answered).toBe(12);
    expect(most).toBe(3);
    expect(await stored()).toHaveLength(12);
  });
});
