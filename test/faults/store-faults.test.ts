import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli, type RunningCli } from '../support/cli.js';
import { request, runConcurrently } from '../support/http-client.js';
import { startRecorder, waitFor, type Recorder } from '../support/recorder.js';
import { tempDir } from '../support/temp-dir.js';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { sleep } from './raw-server.js';

/** The store failing under a running recorder: locked, unwritable, deleted, corrupt, shared. */

const STARTED = /mockdrift recording (http:\/\/127\.0\.0\.1:\d+) ->/;
const STACK_TRACE = /\n\s+at /;

let dir: ReturnType<typeof tempDir>;
let upstream: Upstream;
let recorder: Recorder | undefined;
const running: RunningCli[] = [];

beforeEach(async () => {
  dir = tempDir();
  upstream = await startUpstream((req, res, body) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url, received: body.length })),
  );
});

afterEach(async () => {
  for (const cli of running.splice(0)) if (cli.process.exitCode === null && cli.process.signalCode === null) cli.process.kill('SIGKILL');
  await recorder?.stop();
  recorder = undefined;
  await upstream.close();
  dir.remove();
});

function record(args: readonly string[]): RunningCli {
  const cli = spawnCli(['record', '--quiet', '--port', '0', ...args], { cwd: dir.path });
  running.push(cli);
  return cli;
}

function countIn(dbPath: string): number {
  const db = openReadonly(dbPath);
  try {
    return db.prepare('SELECT count(*) FROM exchanges').pluck().get() as number;
  } finally {
    db.close();
  }
}

function openReadonly(dbPath: string): Database.Database {
  return new Database(dbPath, { readonly: true, fileMustExist: true });
}

describe('the recorder, when its store fails', () => {
  it('loses nothing when another process holds the write lock for 3 s: the batches are retried, and it says so', async () => {
    recorder = await startRecorder(upstream.url, { writer: { busyTimeoutMs: 200 } });
    expect((await request(`${recorder.proxy.url}/v1/before`)).status).toBe(200);
    (await recorder.flushAndOpen()).close(); // the store exists, in WAL mode, with its schema

    const locker = new Database(recorder.dbPath);
    locker.pragma('busy_timeout = 1000');
    locker.exec('BEGIN EXCLUSIVE');
    let sent = 1;
    try {
      const lockedUntil = Date.now() + 3000;
      for (let i = 0; i < 100 && Date.now() < lockedUntil; i++) {
        // The proxy answers at full speed: the locked store is the worker's problem, not the client's.
        const response = await request(`${recorder.proxy.url}/v1/during/${i}`, { timeoutMs: 2000 });
        expect(response.status).toBe(200);
        sent += 1;
        await sleep(50);
      }
      await waitFor(() => recorder!.warnings.some((w) => /retrying/.test(w)), 3000);
    } finally {
      locker.exec('COMMIT');
      locker.close();
    }
    const stats = await recorder.writer.flush();
    expect(stats).toMatchObject({ captured: sent, stored: sent, lost: 0, lastError: null });
    const store = await recorder.flushAndOpen();
    expect(store.count()).toBe(sent);
    store.close();
    expect(sent).toBeGreaterThan(10);
    expect(recorder.warnings.join('\n')).toMatch(/cannot write to .*mockdrift\.db \(attempt 1, retrying\): .*(locked|busy)/i);
  });

  it('refuses to start, exit 2 and one line, when a directory stands where the store should be', async () => {
    mkdirSync(join(dir.path, 'taken.db'));
    const result = await record(['--target', upstream.url, '--db', 'taken.db']).exited(20_000);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/Cannot open the recordings store .*taken\.db/);
    expect(result.stderr).not.toMatch(STACK_TRACE);
  });

  // What happens: SQLite keeps writing to the open, unlinked file (and its -wal), so without a
  // check every exchange from then on would vanish with the file while the recorder exits 0. The
  // store notices that its file is gone before each batch: the proxy keeps answering, a warning
  // says so at once, the batches are given up after the retry window (30 s), and the exit code is 2.
  it('keeps serving when its store file is deleted mid-run, warns at once, and exits 2 naming the loss', async () => {
    const cli = record(['--target', upstream.url, '--db', 'doomed.db']);
    const url = (await cli.waitForLine(STARTED))[1]!;
    for (let i = 0; i < 5; i++) expect((await request(`${url}/v1/before/${i}`)).status).toBe(200);
    const dbPath = join(dir.path, 'doomed.db');
    await waitFor(() => countIn(dbPath) === 5, 5000);
    unlinkSync(dbPath);
    for (let i = 0; i < 20; i++) expect((await request(`${url}/v1/after/${i}`, { timeoutMs: 5000 })).status).toBe(200);
    await waitFor(() => /doomed\.db.*(deleted|replaced)/.test(cli.stderr()), 5000);
    expect(cli.process.exitCode).toBeNull(); // still running
    cli.process.kill('SIGTERM');
    const result = await cli.exited(60_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error 20 exchange\(s\) could not be written to doomed\.db: .*deleted/);
    expect(result.stderr).not.toMatch(STACK_TRACE);
  }, 60_000);

  it('gives up a deleted store within one retry window however many batches are queued, and keeps serving', async () => {
    recorder = await startRecorder(upstream.url, { writer: { batch: { maxItems: 5, intervalMs: 20, retryDelayMs: 50, giveUpAfterMs: 1000 } } });
    expect((await request(`${recorder.proxy.url}/v1/before`)).status).toBe(200);
    await recorder.writer.flush();
    unlinkSync(recorder.dbPath);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const responses = await runConcurrently(100, 10, (i) => request(`${recorder!.proxy.url}/v1/after/${i}`, { agent, timeoutMs: 5000 }));
    agent.destroy();
    expect(responses.filter((r) => r.status === 200)).toHaveLength(100);
    await waitFor(() => recorder!.captured.length === 101);
    // 100 exchanges in batches of 5: 20 batches. One window of 1 s for all of them, not 20.
    const started = Date.now();
    const stats = await recorder.writer.flush();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stats).toMatchObject({ captured: 101, stored: 1, lost: 100 });
    expect(stats.lastError).toMatch(/deleted or replaced/);
    expect(recorder.warnings.join('\n')).toMatch(/cannot write to .*mockdrift\.db \(attempt 1, retrying\): .*deleted or replaced/);
    expect((await request(`${recorder.proxy.url}/v1/still-serving`)).status).toBe(200);
  });

  describe('refuses a corrupt store (random bytes), exit 2 and one line, and leaves the file alone', () => {
    it.each([
      ['record', ['record', '--quiet', '--port', '0', '--target', 'http://127.0.0.1:9']],
      ['routes', ['routes']],
    ])('%s', async (_name, args) => {
      const file = join(dir.path, 'corrupt.db');
      const garbage = randomBytes(16 * 1024);
      writeFileSync(file, garbage);
      const result = await runCli([...args, '--db', 'corrupt.db'], { cwd: dir.path });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/corrupt\.db.*(not a database|not a mockdrift)/i);
      expect(result.stderr).not.toMatch(STACK_TRACE);
      expect(readFileSync(file).equals(garbage)).toBe(true);
    });
  });

  it('has two record processes share one store: 200 + 200 exchanges, all stored, integrity ok', async () => {
    const second = await startUpstream((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ other: req.url })));
    try {
      // Started together: both create and migrate the same new file at once.
      const clis = [
        record(['--target', upstream.url, '--service', 'alpha', '--db', 'shared.db']),
        record(['--target', second.url, '--service', 'beta', '--db', 'shared.db']),
      ];
      const urls = await Promise.all(clis.map(async (cli) => (await cli.waitForLine(STARTED, 15_000))[1]!));
      await Promise.all(
        urls.map(async (url) => {
          const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
          const responses = await runConcurrently(200, 20, (i) => request(`${url}/v1/items/${i}`, { agent, timeoutMs: 10_000 }));
          agent.destroy();
          expect(responses.filter((r) => r.status === 200)).toHaveLength(200);
        }),
      );
      for (const cli of clis) cli.process.kill('SIGTERM');
      const results = await Promise.all(clis.map((cli) => cli.exited(30_000)));
      expect(results.map((r) => r.code)).toEqual([0, 0]);
      for (const result of results) expect(result.stderr).not.toMatch(/warning|error/i);
    } finally {
      await second.close();
    }
    const db = openReadonly(join(dir.path, 'shared.db'));
    try {
      expect(db.prepare('SELECT service, count(*) AS n FROM exchanges GROUP BY service ORDER BY service').all()).toEqual([
        { service: 'alpha', n: 200 },
        { service: 'beta', n: 200 },
      ]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
