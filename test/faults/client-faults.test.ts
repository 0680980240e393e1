import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { request, runConcurrently } from '../support/http-client.js';
import { startRecorder, waitFor, type Recorder } from '../support/recorder.js';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { sleep } from './raw-server.js';

/** Clients that misbehave, in front of the real proxy and capture worker. */

let recorder: Recorder | undefined;
let upstream: Upstream | undefined;
const sockets = new Set<net.Socket>();

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await recorder?.stop();
  await upstream?.close();
  recorder = undefined;
  upstream = undefined;
});

function connect(url: string): Promise<net.Socket> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
    sockets.add(socket);
  });
}

describe('the recording proxy, when clients misbehave', () => {
  it('keeps serving other clients while slowloris clients send their headers a byte every 200 ms', async () => {
    upstream = await startUpstream((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: req.url })));
    recorder = await startRecorder(upstream.url);
    const slow = await Promise.all(Array.from({ length: 20 }, () => connect(recorder!.proxy.url)));
    const head = 'GET /slowloris HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ' + 'a'.repeat(100);
    const answers: string[] = [];
    for (const socket of slow) {
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => answers.push(chunk.toString('latin1')));
    }
    let sent = 0;
    const drip = setInterval(() => {
      const byte = head[sent];
      if (byte === undefined) return void clearInterval(drip);
      for (const socket of slow) if (!socket.destroyed) socket.write(byte);
      sent += 1;
    }, 200);
    try {
      // For about 3 s of dripping, other clients come and go on fresh and kept-alive connections.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
      const deadline = Date.now() + 3000;
      let served = 0;
      for (let round = 0; round < 100 && Date.now() < deadline; round++) {
        const responses = await runConcurrently(10, 10, (i) => request(`${recorder!.proxy.url}/v1/normal/${round}-${i}`, { agent, timeoutMs: 5000 }));
        expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
        served += responses.length;
        await sleep(100);
      }
      agent.destroy();
      expect(served).toBeGreaterThanOrEqual(100);
      expect(sent).toBeGreaterThan(5); // the slow clients really were mid-headers all along
      expect(answers).toEqual([]); // and got nothing: no request was forwarded for them
      expect(upstream.requests.some((r) => r.url === '/slowloris')).toBe(false);
    } finally {
      clearInterval(drip);
    }
    for (const socket of slow) socket.destroy();
    expect((await request(`${recorder.proxy.url}/v1/after`, { timeoutMs: 5000 })).status).toBe(200);
  });

  it('cancels the upstream request when the client disconnects in the middle of an upload, and keeps serving', async () => {
    // An upstream of its own: it must see the request before its body is complete.
    const seen: Array<{ url: string; closed: Promise<{ complete: boolean; bytes: number }> }> = [];
    const server = http.createServer((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      const closed = new Promise<{ complete: boolean; bytes: number }>((resolve) => req.once('close', () => resolve({ complete: req.complete, bytes })));
      seen.push({ url: req.url ?? '', closed });
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received: bytes })));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      recorder = await startRecorder(target);
      const socket = await connect(recorder.proxy.url);
      socket.on('error', () => {});
      socket.write('POST /v1/upload HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/octet-stream\r\ncontent-length: 100000\r\n\r\n');
      socket.write(Buffer.alloc(1000, 7));
      // Give the proxy a moment to forward the start of it, then hang up.
      await waitFor(() => seen.length === 1, 3000).catch(() => {});
      socket.destroy();

      if (seen.length === 1) {
        const outcome = await Promise.race([seen[0]!.closed, sleep(5000).then(() => 'still open' as const)]);
        expect(outcome).not.toBe('still open');
        expect(outcome).toMatchObject({ complete: false });
      }
      await waitFor(() => recorder!.captured.some((e) => e.url.endsWith('/v1/upload')), 5000);
      const upload = recorder.captured.find((e) => e.url.endsWith('/v1/upload'));
      expect(upload?.error?.code).toBe('client-aborted');
      expect(upload?.status).toBeNull();

      // Still serving, uploads included.
      const response = await request(`${recorder.proxy.url}/v1/upload`, { method: 'POST', body: Buffer.alloc(100_000, 1), timeoutMs: 5000 });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body.toString())).toEqual({ received: 100_000 });
      const store = await recorder.flushAndOpen();
      expect(store.count({ includeFailed: true })).toBe(2);
      store.close();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
