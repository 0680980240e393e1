import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli, type RunningCli } from '../support/cli.js';
import { request, runConcurrently } from '../support/http-client.js';
import { waitFor } from '../support/recorder.js';
import { tempDir } from '../support/temp-dir.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

const STARTED = /mockdrift recording (http:\/\/127\.0\.0\.1:\d+) -> (\S+) \((?:service (\S+), )?store (\S+)\)/;

let dir: ReturnType<typeof tempDir>;
let upstream: Upstream;
let running: RunningCli | undefined;

beforeEach(async () => {
  dir = tempDir();
  upstream = await startUpstream((req, res, body) => {
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'session=s3cr3t-session-value; HttpOnly' });
    res.end(JSON.stringify({ id: 7, path: req.url, received: body.length, created_at: '2026-11-20T10:00:00Z' }));
  });
});

afterEach(async () => {
  if (running && running.process.exitCode === null) running.process.kill('SIGKILL');
  running = undefined;
  await upstream.close();
  dir.remove();
});

function countIn(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM exchanges').pluck().get() as number;
  } finally {
    db.close();
  }
}

async function startRecording(extra: string[] = []): Promise<{ url: string; match: RegExpMatchArray }> {
  running = spawnCli(['record', '--target', upstream.url, '--port', '0', ...extra], { cwd: dir.path });
  const match = await running.waitForLine(STARTED);
  return { url: match[1]!, match };
}

describe('mockdrift record, run as a user runs it', () => {
  it('prints where it listens, what it forwards to and where it stores', async () => {
    const { match } = await startRecording();
    expect(match[2]).toBe(upstream.url);
    expect(match[4]).toBe('recordings/mockdrift.db');
    running!.process.kill('SIGINT');
    expect((await running!.exited()).code).toBe(0);
  });

  it('records the traffic of a real HTTP client, and routes lists it', async () => {
    const { url } = await startRecording(['--service', 'warehouse']);
    for (const id of [101, 102, 103]) {
      const response = await fetch(`${url}/api/v1/shipments/SHIP${id}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: 7, path: `/api/v1/shipments/SHIP${id}` });
    }
    await fetch(`${url}/api/v1/shipments`, { method: 'POST', body: JSON.stringify({ carrier: 'dhl' }), headers: { 'content-type': 'application/json' } });
    running!.process.kill('SIGTERM');
    const result = await running!.exited();
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/200 GET \/api\/v1\/shipments\/SHIP101 \d+ ms/);
    expect(result.stderr).toMatch(/stored 4 of 4 exchange\(s\)/);

    const routes = await runCli(['routes', '--format', 'json'], { cwd: dir.path });
    expect(routes.code).toBe(0);
    expect(JSON.parse(routes.stdout)).toEqual([
      expect.objectContaining({ service: 'warehouse', method: 'POST', route: '/api/v1/shipments', status: 200, count: 1 }),
      expect.objectContaining({ service: 'warehouse', method: 'GET', route: '/api/v1/shipments/:id', status: 200, count: 3 }),
    ]);
    const table = await runCli(['routes'], { cwd: dir.path });
    expect(table.stdout).toMatch(/^SERVICE\s+METHOD\s+ROUTE\s+STATUS\s+COUNT\s+FIRST SEEN\s+LAST SEEN$/m);
    expect(table.stdout).toMatch(/warehouse\s+GET\s+\/api\/v1\/shipments\/:id\s+200\s+3/);
  });

  it('answers and stores 400 requests over 20 connections, then exits 0 on SIGTERM with a sound store', async () => {
    const { url } = await startRecording(['--quiet']);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
    const responses = await runConcurrently(400, 20, (i) => request(`${url}/orders/${i}`, { agent }));
    expect(responses.filter((response) => response.status === 200)).toHaveLength(400);
    const stopping = Date.now();
    running!.process.kill('SIGTERM');
    const result = await running!.exited();
    agent.destroy();
    expect(result.code).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(5000);
    const dbPath = join(dir.path, 'recordings', 'mockdrift.db');
    expect(countIn(dbPath)).toBe(400);
    const db = new Database(dbPath, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('finishes the exchanges in flight before it exits on SIGTERM', async () => {
    await upstream.close();
    upstream = await startUpstream((_req, res) => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"slow":true}'), 700));
    const { url } = await startRecording();
    const pending = request(`${url}/slow`);
    await waitFor(() => upstream.requests.length === 1);
    running!.process.kill('SIGTERM');
    const response = await pending;
    expect(response.status).toBe(200);
    expect((await running!.exited()).code).toBe(0);
    expect(countIn(join(dir.path, 'recordings', 'mockdrift.db'))).toBe(1);
  });

  it('writes no bearer token, cookie, password or card number to the database files', async () => {
    const secrets = {
      token: 'tok_9f8e7d6c5b4a39281706',
      cookie: 'cookie-value-5a4b3c2d1e',
      password: 'hunter2-correct-horse',
      card: '4242424242424242',
    };
    const { url } = await startRecording();
    const dbPath = join(dir.path, 'recordings', 'mockdrift.db');
    await request(`${url}/v1/login`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.token}`, cookie: `sid=${secrets.cookie}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'ada', password: secrets.password, payment: { card_number: secrets.card, cvc: '123' } }),
    });
    await request(`${url}/v1/me?api_key=${secrets.token}`, { headers: { 'x-api-key': secrets.token } });
    // While the proxy runs the rows sit in the WAL: read both files raw.
    await waitFor(() => existsSync(dbPath) && countIn(dbPath) === 2);
    const rawWhileRunning = Buffer.concat([readFileSync(dbPath), existsSync(`${dbPath}-wal`) ? readFileSync(`${dbPath}-wal`) : Buffer.alloc(0)]);
    running!.process.kill('SIGTERM');
    expect((await running!.exited()).code).toBe(0);
    const rawAfterExit = Buffer.concat([readFileSync(dbPath), existsSync(`${dbPath}-wal`) ? readFileSync(`${dbPath}-wal`) : Buffer.alloc(0)]);
    for (const raw of [rawWhileRunning, rawAfterExit]) {
      expect(raw.includes('Bearer [REDACTED]')).toBe(true); // the rows are there…
      for (const secret of [...Object.values(secrets), 's3cr3t-session-value']) expect(raw.includes(secret)).toBe(false); // …the secrets are not
    }
  });

  it('creates the store readable by its owner only', async () => {
    const { url } = await startRecording();
    await request(`${url}/ping`);
    running!.process.kill('SIGTERM');
    await running!.exited();
    expect(statSync(join(dir.path, 'recordings', 'mockdrift.db')).mode & 0o777).toBe(0o600);
  });

  it('records every service of the config file in one process, one port each', async () => {
    const second = await startUpstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"w":1}'));
    writeFileSync(
      join(dir.path, 'mockdrift.config.json'),
      JSON.stringify({ services: { payments: { target: upstream.url }, warehouse: { target: second.url, port: 0 } } }),
    );
    running = spawnCli(['record'], { cwd: dir.path });
    await running.waitForLine(/warehouse, store/);
    const urls = [...running.stdout().matchAll(/mockdrift recording (\S+) -> \S+ \(service (\w+)/g)].map((m) => [m[2], m[1]] as const);
    expect(urls.map(([service]) => service)).toEqual(['payments', 'warehouse']);
    for (const [, url] of urls) expect((await request(`${url!}/v1/x`)).status).toBe(200);
    running.process.kill('SIGTERM');
    expect((await running.exited()).code).toBe(0);
    await second.close();
    const routes = JSON.parse((await runCli(['routes', '--format', 'json'], { cwd: dir.path })).stdout) as Array<{ service: string }>;
    expect(routes.map((route) => route.service)).toEqual(['payments', 'warehouse']);
  });

  it('takes its flags from MOCKDRIFT_* environment variables', async () => {
    running = spawnCli(['record', '--port', '0'], { cwd: dir.path, env: { MOCKDRIFT_TARGET: upstream.url, MOCKDRIFT_DB: 'elsewhere.db' } });
    const match = await running.waitForLine(STARTED);
    expect(match[2]).toBe(upstream.url);
    expect(match[4]).toBe('elsewhere.db');
    running.process.kill('SIGTERM');
    expect((await running.exited()).code).toBe(0);
  });

  describe('refuses to start, with exit code 2 and a clear message', () => {
    it.each([
      [['record'], /record needs --target URL/],
      [['record', '--target', 'http://127.0.0.1:1', '--port', 'abc'], /--port "abc" must be a whole number/],
      [['record', '--target', 'http://127.0.0.1:1', '--timeout', 'soon'], /--timeout "soon" is not a duration/],
      [['record', '--target', 'ftp://example.invalid'], /must be an http:\/\/ or https:\/\/ URL/],
      [['record', '--target', 'http://127.0.0.1:1', '--bogus'], /Unknown argument: bogus/],
      [['record', '--target', 'http://127.0.0.1:1', '--config', 'missing.json'], /Cannot read the config file missing\.json/],
    ])('for %j', async (args, message) => {
      const result = await runCli(args, { cwd: dir.path });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });

    it('when the port is taken', async () => {
      const { url } = await startRecording();
      const { port } = new URL(url);
      const result = await runCli(['record', '--target', upstream.url, '--port', port], { cwd: dir.path });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`Cannot listen on 127.0.0.1:${port}.*EADDRINUSE.*--port`));
    });

    it('when the store cannot be created', async () => {
      // A regular file where a directory should be: fails for every user, root included.
      writeFileSync(join(dir.path, 'not-a-dir'), 'x');
      const result = await runCli(['record', '--target', upstream.url, '--port', '0', '--db', 'not-a-dir/x.db'], { cwd: dir.path });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/Cannot open the recordings store .*not-a-dir\/x\.db/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });

    it('when the config file is not valid JSON, naming line and column', async () => {
      writeFileSync(join(dir.path, 'mockdrift.config.json'), '{\n  "target": "http://x",\n  "port": ,\n}\n');
      const result = await runCli(['record'], { cwd: dir.path });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/mockdrift\.config\.json:3:\d+: invalid JSON/);
    });
  });

  it('routes exits 2 naming the store when there is none', async () => {
    const result = await runCli(['routes', '--db', 'nowhere.db'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/No recordings store at nowhere\.db .*Record some traffic first/);
  });

  it('prints its version and help with an example for each command', async () => {
    const version = await runCli(['--version'], { cwd: dir.path });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    for (const command of ['record', 'routes']) {
      const help = await runCli([command, '--help'], { cwd: dir.path });
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Examples:');
    }
  });
});
