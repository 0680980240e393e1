import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnCli, type RunningCli } from '../support/cli.js';
import { request } from '../support/http-client.js';
import { tempDir } from '../support/temp-dir.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

/**
 * Soak: the real `mockdrift record` process under sustained load from many keep-alive
 * connections. Run with `npm run test:soak` (not part of `npm test`). Figures are printed so
 * that they show in the run's output; the only timing assertions are generous "no hang" bounds.
 */

const STARTED = /mockdrift recording (http:\/\/127\.0\.0\.1:\d+) ->/;

/** A JSON document of about `bytes` bytes: a page of items, as a list endpoint answers. */
function jsonOfSize(bytes: number): string {
  const items: Array<{ sku: string; name: string; price: number; in_stock: boolean }> = [];
  let text = '';
  for (let i = 0; text.length < bytes; i++) {
    items.push({ sku: `SKU-${100000 + i}`, name: `widget number ${i}`, price: 1000 + i, in_stock: i % 3 !== 0 });
    if (i % 20 === 0) text = JSON.stringify({ object: 'list', items });
  }
  return JSON.stringify({ object: 'list', items });
}

const BODY_2K = jsonOfSize(2 * 1024);
const BODY_64K = jsonOfSize(64 * 1024);
const BODY_GZIP = gzipSync(jsonOfSize(8 * 1024));

/** The sandbox: 2 KB JSON, 64 KB JSON, gzip JSON, a POST echo, and `/r/<n>` naming the request. */
function sandbox(): Promise<Upstream> {
  return startUpstream((req, res, body) => {
    const path = req.url ?? '/';
    const json = { 'content-type': 'application/json' };
    if (path.startsWith('/json/2k')) res.writeHead(200, json).end(BODY_2K);
    else if (path.startsWith('/json/64k')) res.writeHead(200, json).end(BODY_64K);
    else if (path.startsWith('/gzip')) res.writeHead(200, { ...json, 'content-encoding': 'gzip' }).end(BODY_GZIP);
    else if (path.startsWith('/echo')) res.writeHead(200, json).end(body);
    else if (path.startsWith('/r/')) res.writeHead(200, json).end(JSON.stringify({ id: path.slice(3), pad: 'x'.repeat(1024) }));
    else res.writeHead(404, json).end('{"error":"not_found"}');
  });
}

/** Resident set size of a process in MB, from /proc (Linux); null once it is gone. */
function rssMb(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function openStore(dbPath: string): Database.Database {
  return new Database(dbPath, { readonly: true, fileMustExist: true });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let dir: ReturnType<typeof tempDir>;
let upstream: Upstream;
let cli: RunningCli | undefined;

beforeEach(async () => {
  dir = tempDir('mockdrift-soak-');
  upstream = await sandbox();
});

afterEach(async () => {
  if (cli && cli.process.exitCode === null && cli.process.signalCode === null) cli.process.kill('SIGKILL');
  cli = undefined;
  await upstream.close();
  dir.remove();
});

async function startRecording(dbPath: string): Promise<{ url: string; pid: number }> {
  cli = spawnCli(['record', '--quiet', '--port', '0', '--db', dbPath, '--target', upstream.url], { cwd: dir.path });
  const url = (await cli.waitForLine(STARTED, 20_000))[1]!;
  return { url, pid: cli.process.pid! };
}

describe('soak: mockdrift record under sustained load', () => {
  it('answers and stores everything from 200 keep-alive connections for 20 s, with flat memory', async () => {
    const dbPath = join(dir.path, 'soak.db');
    const { url, pid } = await startRecording(dbPath);
    const rssStart = rssMb(pid)!;

    // RSS once a second while the load runs (bounded: at most 60 samples).
    const samples: number[] = [];
    const sampler = setInterval(() => {
      const rss = rssMb(pid);
      if (rss !== null && samples.length < 60) samples.push(rss);
    }, 1000);
    let posted = 0;
    let result: autocannon.Result;
    try {
      result = await autocannon({
        url,
        connections: 200,
        duration: 20,
        timeout: 10,
        requests: [
          { method: 'GET', path: '/json/2k' },
          { method: 'GET', path: '/json/64k' },
          { method: 'GET', path: '/gzip', headers: { 'accept-encoding': 'gzip' } },
          {
            method: 'POST',
            path: '/echo',
            headers: { 'content-type': 'application/json' },
            // Every body of its own, as real traffic: nothing is stored once for all.
            setupRequest: (req) => ({ ...req, body: JSON.stringify({ n: ++posted, amount: 1200, currency: 'eur', note: 'y'.repeat(400) }) }),
          },
        ],
      });
    } finally {
      clearInterval(sampler);
    }
    // Warm-up is the first 5 s. RSS moves by tens of MB from one second to the next (two V8 heaps
    // and SQLite's cache filling up), so each figure is the median of three samples: at 4-6 s
    // for the warm-up and the last three seconds for the end.
    const rssWarm = median(samples.slice(3, 6));
    const rssEnd = median(samples.slice(-3));
    const rssPeak = Math.max(...samples);

    cli!.process.kill('SIGTERM');
    const stopping = Date.now();
    const exit = await cli!.exited(60_000);
    const stopMs = Date.now() - stopping;

    const db = openStore(dbPath);
    const stored = db.prepare('SELECT count(*) FROM exchanges').pluck().get() as number;
    const failed = db.prepare('SELECT count(*) FROM exchanges WHERE error_code IS NOT NULL').pluck().get() as number;
    const integrity = db.pragma('integrity_check', { simple: true });
    db.close();

    const mb = (value: number): string => `${value.toFixed(1)} MB`;
    console.log(
      [
        `soak 200 connections x 20 s: requests sent ${result.requests.sent}, answered 2xx ${result['2xx']}, ` +
          `non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}, ` +
          `stored ${stored} (${failed} failed: cut by the end of the load), ${result.requests.average.toFixed(0)} req/s, ` +
          `latency p50 ${result.latency.p50} ms p99 ${result.latency.p99} ms`,
        `soak RSS of the recorder: start ${mb(rssStart)}, after 5 s warm-up ${mb(rssWarm)}, end ${mb(rssEnd)} ` +
          `(${(rssEnd / rssWarm).toFixed(2)}x), peak ${mb(rssPeak)}; each second: ${samples.map((rss) => rss.toFixed(0)).join(' ')}`,
        `soak shutdown: ` +
          `SIGTERM to exit ${stopMs} ms, exit code ${exit.code}`,
      ].join('\n'),
    );

    expect(result.errors, exit.stderr).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result['2xx']).toBeGreaterThan(1000);
    expect(exit.code, exit.stderr).toBe(0);
    expect(stopMs).toBeLessThan(30_000); // no hang on shutdown
    expect(stored).toBeGreaterThanOrEqual(result['2xx']);
    expect(integrity).toBe('ok');
    expect(samples.length).toBeGreaterThanOrEqual(15);
    expect(rssEnd).toBeLessThan(1.5 * rssWarm);
  });

  it('stores every exchange a client saw completed when SIGTERM arrives 8 s into a 15 s load, and exits 0 with a sound store', async () => {
    const dbPath = join(dir.path, 'sigterm.db');
    const { url } = await startRecording(dbPath);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const completed: number[] = [];
    let sent = 0;
    let failedRequests = 0;
    let completedAfterSignal = 0;
    let signalled = false;
    let exited = false;
    cli!.process.once('exit', () => (exited = true));

    const started = Date.now();
    const endAt = started + 15_000;
    const MAX_REQUESTS = 2_000_000;
    const worker = async (): Promise<void> => {
      while (Date.now() < endAt && sent < MAX_REQUESTS && !exited) {
        const n = ++sent;
        try {
          const response = await request(`${url}/r/${n}`, { agent, timeoutMs: 10_000 });
          // Complete: a 200 with the whole body, naming this very request.
          if (response.status === 200 && (JSON.parse(response.body.toString()) as { id: string }).id === String(n)) {
            completed.push(n);
            if (signalled) completedAfterSignal += 1;
          }
        } catch {
          failedRequests += 1;
          await sleep(20); // refused once it stopped listening: do not spin
        }
      }
    };
    const load = Promise.all(Array.from({ length: 64 }, worker));
    await sleep(8000);
    const inFlightAtSignal = sent - completed.length - failedRequests;
    signalled = true;
    cli!.process.kill('SIGTERM');
    const exit = await cli!.exited(60_000);
    await load;
    agent.destroy();
    const elapsed = Date.now() - started;

    const db = openStore(dbPath);
    const paths = new Set(db.prepare('SELECT path FROM exchanges').pluck().all() as string[]);
    const integrity = db.pragma('integrity_check', { simple: true });
    db.close();
    const missing = completed.filter((n) => !paths.has(`/r/${n}`));

    console.log(
      `soak SIGTERM at 8 s: requests sent ${sent}, completed ${completed.length} (${completedAfterSignal} of them after the signal, ` +
        `~${inFlightAtSignal} in flight at it), failed ${failedRequests}, stored ${paths.size}, missing ${missing.length}; ` +
        `exit code ${exit.code} after ${elapsed} ms`,
    );

    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).not.toMatch(/warning|error/i);
    expect(completed.length).toBeGreaterThan(1000);
    expect(missing).toEqual([]);
    expect(integrity).toBe('ok');
    expect(elapsed).toBeLessThan(40_000); // no hang
  });
});
