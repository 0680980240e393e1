import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../support/http-client.js';
import { startRecorder, waitFor, type Recorder } from '../support/recorder.js';
import { closedPort } from '../support/upstream.js';
import { startRawServer, type RawServer } from './raw-server.js';

/**
 * A sandbox that misbehaves at the TCP level, in front of the real proxy and capture worker. Each
 * upstream answers `/ok` properly, so that "the proxy keeps serving" is checked through the same
 * proxy and the same upstream after the fault.
 */

let recorder: Recorder | undefined;
let upstream: RawServer | undefined;

afterEach(async () => {
  await recorder?.stop();
  await upstream?.close();
  recorder = undefined;
  upstream = undefined;
});

const OK = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{"ok":true}';

/** A raw upstream: `/ok` gets a proper answer, every other request gets `misbehave`. */
function rawUpstream(misbehave: (socket: Socket) => void): Promise<RawServer> {
  return startRawServer((socket) => {
    let head = '';
    let handled = false;
    socket.on('data', (chunk: Buffer) => {
      if (handled) return;
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      handled = true;
      if (head.startsWith('GET /ok ')) socket.end(OK);
      else misbehave(socket);
    });
  });
}

/** The proxy still forwards a normal request and gets the normal answer. */
async function expectStillServing(r: Recorder): Promise<void> {
  const response = await request(`${r.proxy.url}/ok`, { timeoutMs: 5000 });
  expect(response.status).toBe(200);
  expect(response.body.toString()).toBe('{"ok":true}');
}

/**
 * The stored exchange for `path` (failed ones included). Waits for the proxy to hand it over
 * first: a client in this process may see its connection cut a moment before the proxy's own
 * `close` event runs.
 */
async function storedExchange(r: Recorder, path: string): Promise<{ status: number | null; errorCode: string | null }> {
  await waitFor(() => r.captured.some((exchange) => new URL(exchange.url).pathname === path), 5000);
  const store = await r.flushAndOpen();
  try {
    const exchange = [...store.exchanges({ includeFailed: true })].find((e) => e.path === path);
    if (!exchange) throw new Error(`no exchange stored for ${path}; warnings: ${r.warnings.join('; ')}`);
    return { status: exchange.status, errorCode: exchange.error?.code ?? null };
  } finally {
    store.close();
  }
}

/**
 * A sandbox that sends its headers and the first byte of a `length`-byte body at once, then one
 * more byte every `everyMs` (nothing once the proxy hung up).
 */
function trickle(everyMs: number, length = 100): Promise<RawServer> {
  return rawUpstream((socket) => {
    socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${length}\r\n\r\nx`);
    let sent = 1;
    const timer = setInterval(() => {
      if (socket.destroyed || sent >= length) return void clearInterval(timer);
      socket.write('x');
      sent += 1;
    }, everyMs);
    socket.once('close', () => clearInterval(timer));
  });
}

describe('the recording proxy, when the sandbox misbehaves', () => {
  it('answers 502 when the sandbox refuses the connection, stores the failure, and keeps serving', async () => {
    const port = await closedPort();
    recorder = await startRecorder(`http://127.0.0.1:${port}`);
    const response = await request(`${recorder.proxy.url}/v1/refused`, { timeoutMs: 5000 });
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body.toString())).toMatchObject({ error: 'upstream_unreachable' });
    expect(await storedExchange(recorder, '/v1/refused')).toEqual({ status: null, errorCode: 'upstream-unreachable' });
    // Still alive: a second request gets the same clean answer.
    expect((await request(`${recorder.proxy.url}/v1/refused`, { timeoutMs: 5000 })).status).toBe(502);
  });

  // A FIN after a partial response, or an RST (SO_LINGER 0) as a crashing host sends.
  const hangUps: Array<[string, (socket: Socket) => void]> = [
    ['closes (FIN)', (socket) => socket.destroy()],
    ['resets (RST)', (socket) => socket.resetAndDestroy()],
  ];

  it.each(hangUps)('answers 502 when the sandbox %s the connection in the middle of the headers, and stores the failure', async (_how, hangUp) => {
    upstream = await rawUpstream((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Ty');
      setTimeout(() => hangUp(socket), 20);
    });
    recorder = await startRecorder(upstream.url);
    const response = await request(`${recorder.proxy.url}/v1/half-headers`, { timeoutMs: 5000 });
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body.toString())).toMatchObject({ error: 'upstream_unreachable' });
    // The sandbox was reached, but a hang-up before the end of the headers reads as ECONNRESET,
    // the same as one on connect.
    expect(await storedExchange(recorder, '/v1/half-headers')).toEqual({ status: null, errorCode: 'upstream-unreachable' });
    await expectStillServing(recorder);
  });

  it.each(hangUps)('ends the client connection promptly when the sandbox %s the connection in the middle of the body, and stores the failure', async (_how, hangUp) => {
    upstream = await rawUpstream((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"items":[');
      setTimeout(() => hangUp(socket), 50);
    });
    recorder = await startRecorder(upstream.url);
    const started = Date.now();
    await expect(request(`${recorder.proxy.url}/v1/half-body`, { timeoutMs: 8000 })).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    expect(Date.now() - started).toBeLessThan(5000); // no hang: the client timeout (8 s) was not needed
    expect(await storedExchange(recorder, '/v1/half-body')).toEqual({ status: 200, errorCode: 'upstream-aborted' });
    await expectStillServing(recorder);
  });

  it('answers 502 when the sandbox answers something that is not HTTP', async () => {
    upstream = await rawUpstream((socket) => socket.end('hello\r\n\r\n'));
    recorder = await startRecorder(upstream.url);
    const response = await request(`${recorder.proxy.url}/v1/garbage`, { timeoutMs: 5000 });
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body.toString())).toHaveProperty('message');
    expect(await storedExchange(recorder, '/v1/garbage')).toEqual({ status: null, errorCode: 'proxy-error' }); // HPE_INVALID_CONSTANT
    await expectStillServing(recorder);
  });

  it('survives a sandbox answering 10,000 headers: a 502 or a clean answer, never a crash', async () => {
    const headers = Array.from({ length: 10_000 }, (_, i) => `x-h${i}: v${i}\r\n`).join('');
    upstream = await rawUpstream((socket) => socket.end(`HTTP/1.1 200 OK\r\n${headers}content-length: 2\r\nconnection: close\r\n\r\n{}`));
    recorder = await startRecorder(upstream.url);
    const response = await request(`${recorder.proxy.url}/v1/many-headers`, { timeoutMs: 5000 });
    expect([200, 502]).toContain(response.status);
    if (response.status === 502) expect(JSON.parse(response.body.toString())).toHaveProperty('error');
    else expect(response.body.toString()).toBe('{}');
    const stored = await storedExchange(recorder, '/v1/many-headers');
    if (response.status === 502) expect(stored).toEqual({ status: null, errorCode: 'proxy-error' }); // HPE_HEADER_OVERFLOW
    await expectStillServing(recorder);
  });

  // The proxy's timeout is a silence timeout ("how long the sandbox may stay silent"): a body that
  // keeps coming is not cut however long it takes, one that stops coming for longer is. One byte a
  // second against a 1000 ms timeout is a tie that the 250 ms sweep decides by chance (tried 8
  // runs: three 504s, two cuts, three complete answers), so the trickle here is a byte every 2 s.
  it('cuts the client within a few seconds when the sandbox trickles its body slower than the timeout, and stores upstream-timeout', async () => {
    upstream = await trickle(2000);
    recorder = await startRecorder(upstream.url, { timeoutMs: 1000 });
    const started = Date.now();
    await expect(request(`${recorder.proxy.url}/v1/trickle`, { timeoutMs: 15_000 })).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    expect(Date.now() - started).toBeLessThan(5000); // cut by the proxy, not by the client's 15 s
    expect(await storedExchange(recorder, '/v1/trickle')).toEqual({ status: 200, errorCode: 'upstream-timeout' });
    await expectStillServing(recorder);
  });

  it('lets a body that keeps coming (a byte every 50 ms for 2 s) finish, although that is past the timeout', async () => {
    upstream = await trickle(50, 40);
    recorder = await startRecorder(upstream.url, { timeoutMs: 1000 });
    const response = await request(`${recorder.proxy.url}/v1/slow-but-steady`, { timeoutMs: 20_000 });
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('x'.repeat(40));
    expect(await storedExchange(recorder, '/v1/slow-but-steady')).toEqual({ status: 200, errorCode: null });
  });
});
