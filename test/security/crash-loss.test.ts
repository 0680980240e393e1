import { existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

/*
 * `kill -9` of `record` under load: what was answered before the kill and is not in the store
 * is the loss. Exchanges wait at most the batch interval (250 ms) in memory before they are
 * committed (SQLite WAL: a committed transaction survives the process being killed), so the loss
 * is bounded in time: only exchanges answered in the last moments before the kill may be missing.
 * The test measures that window and holds it to LOSS_WINDOW_BOUND_MS (generous: the machine is
 * shared); the figure is printed for docs/SECURITY.md.
 */

/** Every exchange answered longer ago than this before the kill must be in the store. */
const LOSS_WINDOW_BOUND_MS = 1500;
const LOAD_MS = 2500;
const CLIENTS = 16;

describe('kill -9 of record under load', () => {
  const dir = tempDir('mockdrift-crash-');
  const cwd = dir.path;
  let upstream: Upstream;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: req.url, items: [{ sku: 'a', qty: 1 }], note: 'x'.repeat(200) }));
    });
  });
  afterAll(async () => {
    await upstream?.close();
    dir.remove();
  });

  it(`loses only exchanges answered in the last ${LOSS_WINDOW_BOUND_MS} ms before the kill (measured, printed)`, async () => {
    const record = spawnCli(['record', '--target', upstream.url, '--port', '0', '--quiet'], { cwd });
    const [, proxyUrl] = await record.waitForLine(/mockdrift recording (http:\/\/\S+)/);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    const answeredAt = new Map<string, number>();
    let stop = false;
    let sequence = 0;
    const get = (path: string): Promise<void> =>
      new Promise((resolve) => {
        const req = http.get(`${proxyUrl}${path}`, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) answeredAt.set(path, Date.now());
            resolve();
          });
          res.on('error', () => resolve());
        });
        req.on('error', () => resolve());
        req.setTimeout(2000, () => req.destroy());
      });
    const started = Date.now();
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (!stop && Date.now() - started < LOAD_MS + 3000) await get(`/v1/items/${sequence++}`);
    });
    await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
    const killedAt = Date.now();
    record.process.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    await record.exited(5000);
    agent.destroy();

    const dbPath = join(cwd, 'recordings', 'mockdrift.db');
    expect(existsSync(dbPath)).toBe(true);
    const db = new Database(dbPath);
    const stored = new Set(db.prepare('SELECT path FROM exchanges').pluck().all() as string[]);
    const integrity = db.pragma('integrity_check', { simple: true });
    db.close();

    const answeredBeforeKill = [...answeredAt].filter(([, at]) => at <= killedAt);
    const lost = answeredBeforeKill.filter(([path]) => !stored.has(path));
    const window = lost.reduce((oldest, [, at]) => Math.max(oldest, killedAt - at), 0);
    console.log(
      `kill -9 under load: ${answeredBeforeKill.length} answered, ${stored.size} stored, ${lost.length} lost ` +
        `(${((100 * lost.length) / Math.max(1, answeredBeforeKill.length)).toFixed(2)} %), all answered in the last ${window} ms before the kill`,
    );
    expect(integrity).toBe('ok');
    expect(answeredBeforeKill.length).toBeGreaterThan(50);
    expect(window).toBeLessThanOrEqual(LOSS_WINDOW_BOUND_MS);
  }, 30_000);
});
