import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { HOP_BY_HOP_HEADERS } from '../../src/model/headers.js';
import { rawRequest, request, runConcurrently } from '../support/http-client.js';
import { startRecorder, waitFor, type Recorder } from '../support/recorder.js';
import { closedPort, startUpstream, type Upstream } from '../support/upstream.js';

const json = (value: unknown): string => JSON.stringify(value);

/** A JSON document of about `bytes` bytes. */
function jsonOfSize(bytes: number): string {
  const items: Array<{ sku: string; name: string; qty: number }> = [];
  let text = '';
  for (let i = 0; text.length < bytes; i++) {
    items.push({ sku: `SKU${100000 + i}`, name: `widget number ${i}`, qty: i % 7 });
    if (i % 50 === 0) text = json({ items });
  }
  return json({ items });
}

const BODY_2K = jsonOfSize(2 * 1024);
const BODY_64K = jsonOfSize(64 * 1024);

let upstream: Upstream;
let recorder: Recorder;

afterEach(async () => {
  await recorder?.stop();
  await upstream?.close();
});

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP_HEADERS.has(name)));
}

describe('the recording proxy, in front of a real sandbox', () => {
  describe('answers exactly what the sandbox answers', () => {
    const cases: Array<[string, (res: http.ServerResponse) => void]> = [
      ['a plain JSON body', (res) => res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'r-1' }).end(BODY_2K)],
      [
        'a chunked body',
        (res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write(BODY_2K.slice(0, 1000));
          setTimeout(() => res.end(BODY_2K.slice(1000)), 5);
        },
      ],
      [
        'a gzip body',
        (res) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', vary: 'accept-encoding' }).end(gzipSync(BODY_2K)),
      ],
      ['a 64 KB body', (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(BODY_64K)],
      ['a 404 with set-cookie', (res) => res.writeHead(404, { 'set-cookie': ['a=1; Path=/', 'b=2'], 'content-type': 'text/plain' }).end('nope')],
      ['an empty 204', (res) => res.writeHead(204).end()],
    ];

    it.each(cases)('for %s: same status, headers and body bytes as a direct request', async (_name, answer) => {
      upstream = await startUpstream((_req, res) => answer(res));
      recorder = await startRecorder(upstream.url);
      const direct = await request(`${upstream.url}/v1/things/42?q=1`);
      const proxied = await request(`${recorder.proxy.url}/v1/things/42?q=1`);
      expect(proxied.status).toBe(direct.status);
      expect(withoutHopByHop(proxied.headers)).toEqual(withoutHopByHop(direct.headers));
      expect(proxied.body.equals(direct.body)).toBe(true);
    });

    it('stores the decoded JSON of a gzip response, and its encoding', async () => {
      upstream = await startUpstream((_req, res) =>
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(BODY_2K)),
      );
      recorder = await startRecorder(upstream.url);
      await request(`${recorder.proxy.url}/v1/things`);
      const store = await recorder.flushAndOpen();
      const [exchange] = [...store.exchanges()];
      store.close();
      expect(exchange?.responseBody?.content).toBe(BODY_2K);
      expect(exchange?.contentEncoding).toBe('gzip');
      expect(exchange?.contentType).toBe('application/json');
      expect(exchange?.responseShape?.['$.items[*].sku']).toEqual({ types: ['string'] });
    });

    it('forwards request bodies and headers, with the Host of the target', async () => {
      upstream = await startUpstream((_req, res, body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
      recorder = await startRecorder(upstream.url);
      const sent = json({ amount: 1200, currency: 'eur' });
      const response = await request(`${recorder.proxy.url}/v1/charges`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-trace': 't-1', host: 'evil.example' },
        body: sent,
      });
      expect(response.body.toString()).toBe(sent);
      expect(upstream.requests[0]?.headers['x-trace']).toBe('t-1');
      expect(upstream.requests[0]?.headers.host).toBe(`127.0.0.1:${upstream.port}`);
      const store = await recorder.flushAndOpen();
      const [exchange] = [...store.exchanges()];
      store.close();
      expect(exchange).toMatchObject({ method: 'POST', path: '/v1/charges', route: '/v1/charges', status: 200, service: 'default', source: 'record' });
      expect(exchange?.requestBody?.content).toBe(sent);
    });

    it('keeps the connection to the sandbox alive between requests', async () => {
      const ports = new Set<number>();
      upstream = await startUpstream((req, res) => {
        ports.add(req.socket.remotePort ?? 0);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
      recorder = await startRecorder(upstream.url);
      for (let i = 0; i < 10; i++) await request(`${recorder.proxy.url}/ping`, { headers: { connection: 'close' } });
      expect(ports.size).toBe(1);
      expect(upstream.requests.every((r) => r.headers.connection !== 'close')).toBe(true);
    });
  });

  it("honours the client's Connection: close, and keeps its own connection to the sandbox alive", async () => {
    upstream = await startUpstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    recorder = await startRecorder(upstream.url);
    const { port } = new URL(recorder.proxy.url);
    const response = await rawRequest(Number(port), 'GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    expect(response.toLowerCase()).toContain('connection: close');
    expect(upstream.requests[0]?.headers.connection).not.toBe('close');
  });

  it('answers and stores all of 400 requests sent over 20 concurrent connections', async () => {
    upstream = await startUpstream((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(json({ url: req.url })));
    recorder = await startRecorder(upstream.url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
    const responses = await runConcurrently(400, 20, (i) => request(`${recorder.proxy.url}/orders/${i}`, { agent }));
    agent.destroy();
    expect(responses.filter((r) => r.status === 200)).toHaveLength(400);
    const store = await recorder.flushAndOpen();
    expect(store.count()).toBe(400);
    expect(store.routes()).toEqual([expect.objectContaining({ method: 'GET', route: '/orders/:id', status: 200, count: 400 })]);
    store.close();
  });

  it('holds new requests while the recorder is too far behind, and still answers and stores them all', async () => {
    upstream = await startUpstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(BODY_64K));
    // A backlog of two bodies at most: the proxy must wait for the worker over and over.
    recorder = await startRecorder(upstream.url, { writer: { maxBacklogBytes: 140_000 } });
    let sawOverload = false;
    const watch = setInterval(() => (sawOverload ||= recorder.writer.overloaded), 1);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const responses = await runConcurrently(60, 10, (i) => request(`${recorder.proxy.url}/big/${i}`, { agent }));
    clearInterval(watch);
    agent.destroy();
    expect(responses.every((response) => response.status === 200 && response.body.length === BODY_64K.length)).toBe(true);
    expect(sawOverload).toBe(true);
    const store = await recorder.flushAndOpen();
    expect(store.count()).toBe(60);
    store.close();
  });

  it('stores a body over --max-body truncated and flagged, and still sends all of it', async () => {
    upstream = await startUpstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(BODY_64K));
    recorder = await startRecorder(upstream.url, { maxBodyBytes: 10_000, writer: { maxBodyBytes: 10_000 } });
    const response = await request(`${recorder.proxy.url}/big`);
    expect(response.body.toString()).toBe(BODY_64K);
    const store = await recorder.flushAndOpen();
    const [exchange] = [...store.exchanges()];
    store.close();
    expect(exchange?.responseBody?.truncated).toBe(true);
    expect(exchange?.responseBody?.size).toBe(10_000);
    expect(exchange?.responseShape).toBeNull();
  });

  describe('when the sandbox fails', () => {
    it('answers 502 naming the cause when the sandbox refuses connections, stores the failure, and keeps serving', async () => {
      const port = await closedPort();
      recorder = await startRecorder(`http://127.0.0.1:${port}`);
      for (let i = 0; i < 2; i++) {
        const response = await request(`${recorder.proxy.url}/v1/charges`);
        expect(response.status).toBe(502);
        const body = JSON.parse(response.body.toString()) as { error: string; message: string };
        expect(body.error).toBe('upstream_unreachable');
        expect(body.message).toContain('ECONNREFUSED');
      }
      const store = await recorder.flushAndOpen();
      const failed = [...store.exchanges({ includeFailed: true })];
      expect(store.count()).toBe(0);
      store.close();
      expect(failed).toHaveLength(2);
      expect(failed[0]).toMatchObject({ status: null, error: { code: 'upstream-unreachable' } });
    });

    it('answers 504 when the sandbox stays silent past the timeout, and keeps serving', async () => {
      upstream = await startUpstream((req, res) => {
        if (req.url === '/slow') return; // never answers
        res.writeHead(200).end('ok');
      });
      recorder = await startRecorder(upstream.url, { timeoutMs: 300 });
      const started = Date.now();
      const response = await request(`${recorder.proxy.url}/slow`);
      expect(response.status).toBe(504);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(JSON.parse(response.body.toString())).toMatchObject({ error: 'upstream_timeout' });
      expect((await request(`${recorder.proxy.url}/fast`)).status).toBe(200);
      await waitFor(() => recorder.captured.length === 2);
      expect(recorder.captured[0]?.error?.code).toBe('upstream-timeout');
    });

    it('ends the client connection promptly when the sandbox dies mid-body, and keeps serving', async () => {
      upstream = await startUpstream((req, res) => {
        if (req.url !== '/dies') return void res.writeHead(200).end('ok');
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
        res.write(BODY_2K);
        setTimeout(() => res.socket?.destroy(), 50);
      });
      recorder = await startRecorder(upstream.url);
      const started = Date.now();
      await expect(request(`${recorder.proxy.url}/dies`, { timeoutMs: 8000 })).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
      expect(Date.now() - started).toBeLessThan(3000);
      expect((await request(`${recorder.proxy.url}/fine`)).status).toBe(200);
      await waitFor(() => recorder.captured.length === 2);
      const dead = recorder.captured.find((exchange) => exchange.url.endsWith('/dies'));
      expect(dead?.error?.code).toBe('upstream-aborted');
      const store = await recorder.flushAndOpen();
      expect(store.count({ includeFailed: true })).toBe(2);
      store.close();
    });

    it('ends the client connection when the sandbox stalls mid-body past the timeout', async () => {
      upstream = await startUpstream((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
        res.write(BODY_2K); // and then nothing
      });
      recorder = await startRecorder(upstream.url, { timeoutMs: 300 });
      await expect(request(`${recorder.proxy.url}/stalls`, { timeoutMs: 8000 })).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
      await waitFor(() => recorder.captured.length === 1);
      expect(recorder.captured[0]?.error?.code).toBe('upstream-timeout');
    });
  });

  it('cancels the upstream request when the client disconnects mid-response', async () => {
    upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items":[');
      // A slow stream that would last ~10 s if nobody cancelled it.
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent++ > 1000) return clearInterval(timer);
        res.write('{"n":1},');
      }, 10);
    });
    recorder = await startRecorder(upstream.url);
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${recorder.proxy.url}/stream`, { agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.setTimeout(5000, () => reject(new Error('no data')));
    });
    await waitFor(() => upstream.requests.length === 1);
    const aborted = await Promise.race([upstream.requests[0]!.aborted, new Promise<string>((r) => setTimeout(() => r('timeout'), 3000))]);
    expect(aborted).toBe(true);
    await waitFor(() => recorder.captured.length === 1);
    expect(recorder.captured[0]?.error?.code).toBe('client-aborted');
  });

  describe('is not an open proxy', () => {
    it('refuses absolute-URI requests without forwarding them', async () => {
      upstream = await startUpstream((_req, res) => res.writeHead(200).end('ok'));
      recorder = await startRecorder(upstream.url);
      const { port } = new URL(recorder.proxy.url);
      const response = await rawRequest(Number(port), 'GET http://example.invalid/steal HTTP/1.1\r\nHost: example.invalid\r\nConnection: close\r\n\r\n');
      expect(response).toMatch(/^HTTP\/1\.1 400/);
      expect(upstream.requests).toHaveLength(0);
      expect(recorder.captured).toHaveLength(0);
    });

    it('refuses CONNECT tunnels', async () => {
      upstream = await startUpstream((_req, res) => res.writeHead(200).end('ok'));
      recorder = await startRecorder(upstream.url);
      const { port } = new URL(recorder.proxy.url);
      const response = await rawRequest(Number(port), 'CONNECT example.invalid:443 HTTP/1.1\r\nHost: example.invalid:443\r\n\r\n');
      expect(response).toMatch(/^HTTP\/1\.1 405/);
      expect(upstream.requests).toHaveLength(0);
    });

    it('listens on the loopback interface by default', async () => {
      upstream = await startUpstream((_req, res) => res.writeHead(200).end('ok'));
      recorder = await startRecorder(upstream.url);
      expect(recorder.proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });
  });

  it('records into the service it is named for, and joins the target path', async () => {
    upstream = await startUpstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    recorder = await startRecorder(`${upstream.url}/api/`, { service: 'payments' });
    await request(`${recorder.proxy.url}/v1/charges/ch_1NqkZ2LkdIwHu7ix?expand=customer`);
    expect(upstream.requests[0]?.url).toBe('/api/v1/charges/ch_1NqkZ2LkdIwHu7ix?expand=customer');
    const store = await recorder.flushAndOpen();
    const [exchange] = [...store.exchanges()];
    store.close();
    expect(exchange).toMatchObject({
      service: 'payments',
      path: '/api/v1/charges/ch_1NqkZ2LkdIwHu7ix',
      route: '/api/v1/charges/:id',
      query: { expand: ['customer'] },
    });
  });
});
