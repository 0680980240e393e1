import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../support/http-client.js';
import { startRecorder, type Recorder } from '../support/recorder.js';

const tls = {
  key: readFileSync(new URL('../fixtures/tls/sandbox-key.pem', import.meta.url)),
  cert: readFileSync(new URL('../fixtures/tls/sandbox-cert.pem', import.meta.url)),
};

let server: https.Server;
let recorder: Recorder;
const hosts: string[] = [];

async function startHttpsSandbox(): Promise<string> {
  server = https.createServer(tls, (req, res) => {
    hosts.push(req.headers.host ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ secure: true, path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await recorder?.stop();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  hosts.length = 0;
});

describe('an HTTPS sandbox', () => {
  it('is recorded through a plain-HTTP proxy with --insecure, with the Host of the sandbox', async () => {
    const target = await startHttpsSandbox();
    recorder = await startRecorder(target, { insecure: true });
    const response = await request(`${recorder.proxy.url}/v1/balance`);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ secure: true, path: '/v1/balance' });
    expect(hosts).toEqual([new URL(target).host]);
    const store = await recorder.flushAndOpen();
    const [exchange] = [...store.exchanges()];
    store.close();
    expect(exchange?.url).toBe(`${target}/v1/balance`);
  });

  it('with a self-signed certificate is refused without --insecure, with a 502 that says why', async () => {
    const target = await startHttpsSandbox();
    recorder = await startRecorder(target);
    const response = await request(`${recorder.proxy.url}/v1/balance`);
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body.toString()).message).toMatch(/self[- ]signed certificate/i);
    expect(hosts).toEqual([]);
  });
});
