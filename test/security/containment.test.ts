import { linkSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordInto } from '../corpus/harness.js';
import { BIN, runCli, spawnCli } from '../support/cli.js';
import { rawRequest, request } from '../support/http-client.js';
import { startRecorder, waitFor, type Recorder } from '../support/recorder.js';
import { tempDir } from '../support/temp-dir.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

/*
 * Containment: the proxy forwards only to its target and listens on loopback unless told
 * otherwise; `update` writes only the fixture files it read, inside the working directory; the
 * store is private to its owner whatever the umask.
 */


/** A server that only counts what reaches it, on 127.0.0.2 where the system allows it (Linux does), else 127.0.0.1. */
async function startBystander(): Promise<{ host: string; port: number; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.end('you should not see this');
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket) => {
    hits.push(`CONNECT ${req.url}`);
    socket.destroy();
  });
  const listen = (host: string): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  let host = '127.0.0.2';
  try {
    await listen(host);
  } catch {
    host = '127.0.0.1';
    await listen(host);
  }
  const { port } = server.address() as AddressInfo;
  return { host, port, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the proxy forwards only to its target', () => {
  let upstream: Upstream;
  let recorder: Recorder;
  let bystander: Awaited<ReturnType<typeof startBystander>>;
  let proxyPort: number;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url, host: req.headers.host })));
    recorder = await startRecorder(upstream.url);
    bystander = await startBystander();
    proxyPort = Number(new URL(recorder.proxy.url).port);
  });
  afterAll(async () => {
    await recorder?.stop();
    await upstream?.close();
    await bystander?.close();
  });
  beforeEach(() => {
    upstream.requests.length = 0;
    bystander.hits.length = 0;
  });

  it.each([
    ['an absolute URI', (host: string, port: number) => `GET http://${host}:${port}/steal?x=1 HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n\r\n`],
    ['an absolute URI in upper case', (host: string, port: number) => `GET HTTP://${host}:${port}/ HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n\r\n`],
    ['an absolute URI with a POST body', (host: string, port: number) => `POST http://${host}:${port}/ HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`],
    ['an authority-form target', (host: string, port: number) => `GET ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n\r\n`],
    ['an asterisk-form target', (host: string, port: number) => `OPTIONS * HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n\r\n`],
    ['a userinfo trick', (host: string, port: number) => `GET @${host}:${port}/ HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n\r\n`],
  ])('%s to another local server is refused with 400; neither that server nor the target sees anything', async (_name, build) => {
    const response = await rawRequest(proxyPort, build(bystander.host, bystander.port));
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bystander.hits).toEqual([]);
    expect(upstream.requests).toEqual([]);
  });

  it('CONNECT to another local server is refused with 405, and no tunnel is opened', async () => {
    const response = await rawRequest(proxyPort, `CONNECT ${bystander.host}:${bystander.port} HTTP/1.1\r\nHost: ${bystander.host}:${bystander.port}\r\n\r\n`);
    expect(response).toMatch(/^HTTP\/1\.1 405 /);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bystander.hits).toEqual([]);
    expect(upstream.requests).toEqual([]);
  });

  it('a Host: evil.example header still goes to the target, with the target\'s Host', async () => {
    const response = await request(`${recorder.proxy.url}/v1/who?x=1`, { headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } });
    expect(response.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.headers.host).toBe(`127.0.0.1:${upstream.port}`);
    expect(upstream.requests[0]!.url).toBe('/v1/who?x=1');
    expect(bystander.hits).toEqual([]);
    const store = await recorder.flushAndOpen();
    try {
      const stored = [...store.exchanges()].find((exchange) => exchange.path === '/v1/who');
      expect(stored?.url).toBe(`${upstream.url}/v1/who?x=1`);
      expect(stored?.requestHeaders['host']).toBe(`127.0.0.1:${upstream.port}`);
    } finally {
      store.close();
    }
  });

  it('a Host naming the other local server, and a path that looks like a network path, still reach only the target', async () => {
    const response = await request(`${recorder.proxy.url}//${bystander.host}:${bystander.port}/steal`, { headers: { host: `${bystander.host}:${bystander.port}` } });
    expect(response.status).toBe(200);
    expect(upstream.requests[0]!.url).toMatch(/\/steal$/); // http-proxy joins it to the target's path
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.headers.host).toBe(`127.0.0.1:${upstream.port}`);
    expect(bystander.hits).toEqual([]);
  });

  it('binds 127.0.0.1 by default', () => {
    expect(recorder.proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('the CLI binds loopback unless told otherwise', () => {
  let upstream: Upstream;
  let dir: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => res.writeHead(200).end('ok'));
  });
  afterAll(async () => {
    await upstream?.close();
  });
  beforeEach(() => {
    dir = tempDir('mockdrift-containment-');
  });
  afterEach(() => dir.remove());

  it('mockdrift record prints a 127.0.0.1 address by default and does not answer on other interfaces', async () => {
    const running = spawnCli(['record', '--target', upstream.url, '--port', '0'], { cwd: dir.path });
    const [line, url] = await running.waitForLine(/mockdrift recording (\S+) -> \S+/);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(line).toContain(upstream.url);
    expect(running.stderr()).not.toMatch(/listening on/);
    running.process.kill('SIGTERM');
    expect((await running.exited()).code).toBe(0);
  });

  it('mockdrift record --host 0.0.0.0 warns that anyone who can reach the machine can use it', async () => {
    const running = spawnCli(['record', '--target', upstream.url, '--port', '0', '--host', '0.0.0.0'], { cwd: dir.path });
    const [, url] = await running.waitForLine(/mockdrift recording (\S+) ->/);
    expect(url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    await waitFor(() => /listening on 0\.0\.0\.0: anyone who can reach this machine/.test(running.stderr()), 5000);
    running.process.kill('SIGTERM');
    expect((await running.exited()).code).toBe(0);
  });
});

describe('mockdrift update writes only the fixtures it read, inside the working directory', () => {
  let root: ReturnType<typeof tempDir>;
  let project: string;
  let outside: string;
  /** A native fixture that has drifted: reality renamed transaction_id to txn_id. */
  const FIXTURE = `{\n  "request": { "method": "GET", "path": "/v1/charges/ch_1" },\n  "response": { "status": 200, "body": { "id": "ch_1", "transaction_id": "txn_1" } }\n}\n`;

  beforeEach(async () => {
    root = tempDir('mockdrift-update-containment-');
    project = join(root.path, 'project');
    outside = join(root.path, 'outside');
    mkdirSync(join(project, 'fixtures'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'x.json'), FIXTURE);
    await recordInto(join(project, 'recordings', 'mockdrift.db'), [1, 2].map((index) => ({ method: 'GET', path: `/v1/charges/ch_${index}`, status: 200, body: { id: `ch_${index}`, txn_id: `txn_${index}` } })));
  });
  afterEach(() => root.remove());

  async function expectRefused(fixtures: string, target: string): Promise<void> {
    const before = readFileSync(target, 'utf8');
    const result = await runCli(['update', '--fixtures', fixtures], { cwd: project });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/Refusing to write .*(outside|link)/);
    expect(readFileSync(target, 'utf8')).toBe(before);
  }

  it('updates a plain fixture inside the working directory (the control case)', async () => {
    writeFileSync(join(project, 'fixtures', 'charge.json'), FIXTURE);
    const result = await runCli(['update', '--fixtures', 'fixtures/charge.json'], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(project, 'fixtures', 'charge.json'), 'utf8')).toContain('"txn_id"');
  });

  it('refuses a fixture that is a symbolic link to a file outside the working directory', async () => {
    symlinkSync(join(outside, 'x.json'), join(project, 'fixtures', 'charge.json'));
    await expectRefused('fixtures/charge.json', join(outside, 'x.json'));
  });

  it('refuses a fixture reached through a linked directory', async () => {
    symlinkSync(outside, join(project, 'linked'));
    await expectRefused('linked/x.json', join(outside, 'x.json'));
    await expectRefused('linked/', join(outside, 'x.json'));
  });

  it('refuses --fixtures ../outside/x.json and an absolute path outside the working directory', async () => {
    await expectRefused('../outside/x.json', join(outside, 'x.json'));
    await expectRefused(join(outside, 'x.json'), join(outside, 'x.json'));
  });

  it('refuses a symbolic link that points inside the working directory too', async () => {
    writeFileSync(join(project, 'fixtures', 'real.json'), FIXTURE);
    symlinkSync(join(project, 'fixtures', 'real.json'), join(project, 'alias.json'));
    await expectRefused('alias.json', join(project, 'fixtures', 'real.json'));
  });

  it('--dry-run writes nothing anywhere', async () => {
    symlinkSync(join(outside, 'x.json'), join(project, 'fixtures', 'charge.json'));
    const result = await runCli(['update', '--dry-run', '--fixtures', 'fixtures/charge.json', '../outside/x.json'], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(outside, 'x.json'), 'utf8')).toBe(FIXTURE);
  });

  it('a hard link is one file with two names: updating it in place changes both (documented limit, not a write elsewhere)', async () => {
    linkSync(join(outside, 'x.json'), join(project, 'fixtures', 'charge.json'));
    const result = await runCli(['update', '--fixtures', 'fixtures/charge.json'], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(join(project, 'fixtures', 'charge.json')).ino).toBe(statSync(join(outside, 'x.json')).ino);
  });
});

describe('the store is private to its owner, whatever the umask', () => {
  let upstream: Upstream;
  let dir: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  afterAll(async () => {
    await upstream?.close();
  });
  beforeEach(() => {
    dir = tempDir('mockdrift-umask-');
  });
  afterEach(() => dir.remove());

  const modeOf = (file: string): number => statSync(file).mode & 0o777;

  it.skipIf(process.platform === 'win32')('mockdrift record under umask 000 creates the .db and its -wal with mode 0600', async () => {
    const child = spawn('sh', ['-c', `umask 000 && exec "${process.execPath}" "${BIN}" record --target ${upstream.url} --port 0`], {
      cwd: dir.path,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: 'pipe',
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    try {
      await waitFor(() => /mockdrift recording (\S+) ->/.test(stdout), 10_000);
      const url = /mockdrift recording (\S+) ->/.exec(stdout)![1]!;
      await request(`${url}/v1/ping`);
      const db = join(dir.path, 'recordings', 'mockdrift.db');
      await waitFor(() => existsSync(`${db}-wal`) && statSync(`${db}-wal`).size > 0, 5000);
      expect(modeOf(db)).toBe(0o600);
      expect(modeOf(`${db}-wal`)).toBe(0o600);
      if (existsSync(`${db}-shm`)) expect(modeOf(`${db}-shm`)).toBe(0o600);
      // A file created by this shell under the same umask shows that the umask really was 000.
      const probe = spawn('sh', ['-c', 'umask 000 && touch probe-file'], { cwd: dir.path });
      await new Promise((resolve) => probe.once('close', resolve));
      expect(modeOf(join(dir.path, 'probe-file'))).toBe(0o666);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(modeOf(join(dir.path, 'recordings', 'mockdrift.db'))).toBe(0o600);
  });

  it.skipIf(process.platform === 'win32')('mockdrift import under umask 000 creates the store with mode 0600', async () => {
    const har = { log: { version: '1.2', entries: [{ startedDateTime: '2026-04-01T09:00:00.000Z', request: { method: 'GET', url: 'https://sandbox.example/v1/x', headers: [] }, response: { status: 200, headers: [], content: { mimeType: 'application/json', text: '{}' } } }] } };
    writeFileSync(join(dir.path, 's.har'), JSON.stringify(har));
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn('sh', ['-c', `umask 000 && exec "${process.execPath}" "${BIN}" import s.har --db private.db`], { cwd: dir.path, stdio: 'ignore' });
      child.once('close', resolve);
    });
    expect(code).toBe(0);
    expect(modeOf(join(dir.path, 'private.db'))).toBe(0o600);
  });
});
