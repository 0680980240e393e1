import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

const BEARER = 'tok_9f8e7d6c5b4a39281706';
const COOKIE = 's3cr3t-cookie-value-77';
const SET_COOKIE = 'fresh-session-value-88';
const PASSWORD = 'hunter2-password-xyz';
const QUERY_TOKEN = 'qs-secret-token-555';

let dir: ReturnType<typeof tempDir>;

beforeEach(() => {
  dir = tempDir();
});

afterEach(() => {
  dir.remove();
});

function entry(method: string, url: string, status: number, startedDateTime: string, extra: { request?: object; response?: object } = {}): object {
  return {
    startedDateTime,
    time: 35.5,
    request: {
      method,
      url,
      httpVersion: 'http/2.0',
      headers: [
        { name: ':authority', value: 'sandbox.payments.example' },
        { name: 'accept', value: 'application/json' },
        { name: 'authorization', value: `Bearer ${BEARER}` },
        { name: 'cookie', value: `session=${COOKIE}` },
      ],
      cookies: [{ name: 'session', value: COOKIE }],
      queryString: [],
      headersSize: -1,
      bodySize: 0,
      ...extra.request,
    },
    response: {
      status,
      statusText: '',
      httpVersion: 'http/2.0',
      headers: [
        { name: 'content-type', value: 'application/json' },
        { name: 'content-encoding', value: 'gzip' },
        { name: 'set-cookie', value: `session=${SET_COOKIE}; HttpOnly` },
      ],
      cookies: [],
      content: { size: 40, mimeType: 'application/json', text: JSON.stringify({ id: 'ch_3PqR7tLkdIwHu7ix', amount: 2599, client_secret: 'pi_secret_zz' }) },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
      ...extra.response,
    },
    cache: {},
    timings: { send: 0, wait: 35.5, receive: 0 },
  };
}

/** A DevTools-style export of a checkout: credentials in headers, a cookie, a password, a token in a query. */
function devtoolsHar(startedDateTime = new Date(Date.now() - 60_000).toISOString()): object {
  return {
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: '537.36' },
      pages: [],
      entries: [
        entry('GET', `https://sandbox.payments.example/v1/charges/ch_3PqR7tLkdIwHu7ix?access_token=${QUERY_TOKEN}`, 200, startedDateTime),
        entry('GET', 'https://sandbox.payments.example/v1/charges/ch_9XyzW3LkdIwHu7iy', 200, startedDateTime),
        entry('POST', 'https://sandbox.payments.example/v1/sessions', 201, startedDateTime, {
          request: { postData: { mimeType: 'application/json', text: JSON.stringify({ email: 'a@example.com', password: PASSWORD }) } },
        }),
        entry('POST', 'https://sandbox.payments.example/v1/telemetry', 0, startedDateTime, {
          response: { headers: [], content: { size: 0, mimeType: 'x-unknown' }, _error: 'net::ERR_BLOCKED_BY_CLIENT' },
        }),
      ],
    },
  };
}

function writeJson(name: string, value: unknown): string {
  writeFileSync(join(dir.path, name), JSON.stringify(value, null, 2));
  return name;
}

function rawStore(db: string): Buffer {
  const path = join(dir.path, db);
  return Buffer.concat([readFileSync(path), existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0)]);
}

async function routes(db: string): Promise<Array<Record<string, unknown>>> {
  const result = await runCli(['routes', '--format', 'json', '--db', db], { cwd: dir.path });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Array<Record<string, unknown>>;
}

const summary = (rows: Array<Record<string, unknown>>): unknown[] =>
  rows.map(({ service, method, route, status, count }) => ({ service, method, route, status, count }));

describe('mockdrift import / export / prune, run as a user runs them', () => {
  it('imports a DevTools HAR without writing its secrets to disk, and routes lists it', async () => {
    const file = writeJson('checkout.har', devtoolsHar());
    const result = await runCli(['import', file, '--service', 'payments', '--db', 'store.db'], { cwd: dir.path });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('imported 4 exchanges from checkout.har into store.db (1 failed requests)');

    const raw = rawStore('store.db');
    // The bytes are searchable: what is no secret is there in the clear.
    expect(raw.includes('a@example.com')).toBe(true);
    for (const secret of [BEARER, COOKIE, SET_COOKIE, PASSWORD, QUERY_TOKEN, 'pi_secret_zz']) {
      expect(raw.includes(secret), `${secret} reached the store`).toBe(false);
    }
    expect(summary(await routes('store.db'))).toEqual([
      { service: 'payments', method: 'GET', route: '/v1/charges/:id', status: 200, count: 2 },
      { service: 'payments', method: 'POST', route: '/v1/sessions', status: 201, count: 1 },
    ]);
  });

  it('exports to a HAR that imports into a fresh store with the same routes', async () => {
    await runCli(['import', writeJson('checkout.har', devtoolsHar()), '--service', 'payments', '--db', 'a.db'], { cwd: dir.path });
    const polly = join(import.meta.dirname, '../fixtures/formats/har/warehouse-polly.har');
    await runCli(['import', polly, '--service', 'warehouse', '--db', 'a.db'], { cwd: dir.path });

    const exported = await runCli(['export', '--har', 'out/all.har', '--include-failed', '--db', 'a.db'], { cwd: dir.path });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trim()).toBe('exported 7 exchanges to out/all.har');
    const har = JSON.parse(readFileSync(join(dir.path, 'out/all.har'), 'utf8')) as { log: { entries: Array<{ response: { status: number } }> } };
    expect(har.log.entries.filter((e) => e.response.status === 0)).toHaveLength(1);

    // No --service: each entry names its own.
    const imported = await runCli(['import', 'out/all.har', '--db', 'b.db'], { cwd: dir.path });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('(1 failed requests)');
    const before = summary(await routes('a.db'));
    expect(before.length).toBeGreaterThan(3);
    expect(summary(await routes('b.db'))).toEqual(before);

    const oneRoute = await runCli(['export', '--har', 'one.har', '--route', 'GET /v1/charges/:id', '--db', 'a.db'], { cwd: dir.path });
    expect(oneRoute.stdout.trim()).toBe('exported 2 exchanges to one.har');
  });

  it('prunes what is older than the retention', async () => {
    await runCli(['import', writeJson('old.har', devtoolsHar('2020-01-15T08:00:00.000Z')), '--db', 'store.db'], { cwd: dir.path });
    expect(await routes('store.db')).toHaveLength(2);

    const dry = await runCli(['prune', '--older-than', '30d', '--dry-run', '--db', 'store.db'], { cwd: dir.path });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^would prune 4 exchanges recorded before /);
    expect(await routes('store.db')).toHaveLength(2);

    const pruned = await runCli(['prune', '--older-than', '30d', '--db', 'store.db'], { cwd: dir.path });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/^pruned 4 exchanges recorded before .* from store\.db/);
    expect(await routes('store.db')).toEqual([]);
  });

  it('rejects a file that is not HAR with exit 2, naming the file, and creates no store', async () => {
    const notHar = await runCli(['import', writeJson('notes.har', { entries: [] }), '--db', 'store.db'], { cwd: dir.path });
    expect(notHar.code).toBe(2);
    expect(notHar.stderr).toContain('notes.har: not a HAR 1.2 file');
    expect(existsSync(join(dir.path, 'store.db'))).toBe(false);

    writeFileSync(join(dir.path, 'broken.har'), '{\n  "log": {\n    "entries": [,]\n  }\n}\n');
    const broken = await runCli(['import', 'broken.har', '--db', 'store.db'], { cwd: dir.path });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.har:3:\d+: not valid JSON/);

    const missing = await runCli(['import', 'missing.har', '--db', 'store.db'], { cwd: dir.path });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing.har');
  });

  it('fails export with exit 2 when there is no store', async () => {
    const result = await runCli(['export', '--har', 'out.har', '--db', 'nothing.db'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nothing.db');
  });

  it('shows examples in --help', async () => {
    for (const command of ['import', 'export', 'prune']) {
      const help = await runCli([command, '--help'], { cwd: dir.path });
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`Examples:[\\s\\S]*mockdrift ${command}`));
    }
  });
});
