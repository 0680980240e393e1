// The shared PostgreSQL store as teams use it: several recorders at once on one database, one
// check over all of it, HAR round trips, prune, and the password never on screen. Real CLIs, a
// real server (test/support/postgres-global-setup.ts), real upstreams on loopback.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, type CliResult } from '../support/cli.js';
import { request, runConcurrently } from '../support/http-client.js';
import { adminQuery, freshDatabase, postgresServer, postgresUrl } from '../support/postgres.js';
import { tempDir } from '../support/temp-dir.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

const RECORDERS = 4;
const PER_RECORDER = 60;

let dir: ReturnType<typeof tempDir>;
let upstream: Upstream;
let database: Awaited<ReturnType<typeof freshDatabase>>;
let charge = 0;

const FIXTURE = {
  interactions: [
    {
      request: { method: 'POST', path: '/v1/charges', body: { amount: 1200 } },
      response: { status: 201, headers: { 'content-type': 'application/json' }, body: { id: 'ch_1', transaction_id: 'txn_1', amount: 1200, currency: 'eur' } },
    },
    {
      request: { method: 'GET', path: '/v1/balance' },
      response: { status: 200, body: { available: 100, currency: 'eur' } },
    },
  ],
};

function expectNoPassword(result: Pick<CliResult, 'stdout' | 'stderr'>, password = postgresServer().password): void {
  expect(result.stdout).not.toContain(password);
  expect(result.stderr).not.toContain(password);
  expect(result.stdout + result.stderr).not.toContain(encodeURIComponent(password));
}

/** Runs `count` requests through a recorder of `service` on `db`, then stops it with SIGTERM. */
async function recordBatch(db: string, service: string, count: number): Promise<CliResult> {
  const recorder = spawnCli(['record', '--target', upstream.url, '--port', '0', '--service', service, '--db', db], { cwd: dir.path });
  const [, url] = await recorder.waitForLine(/recording (http:\/\/\S+)/, 20_000);
  await runConcurrently(count, 8, (i) =>
    i % 2 === 0
      ? request(`${url!}/v1/charges`, { method: 'POST', body: '{"amount":1200}', headers: { 'content-type': 'application/json' } })
      : request(`${url!}/v1/balance?n=${i}`),
  );
  recorder.process.kill('SIGTERM');
  return recorder.exited(30_000);
}

beforeAll(async () => {
  dir = tempDir();
  database = await freshDatabase('e2e');
  // Another application's table in the same database: mockdrift must leave it alone.
  await adminQuery(database.name, 'CREATE TABLE public.orders (id serial PRIMARY KEY, total integer NOT NULL)');
  await adminQuery(database.name, 'INSERT INTO public.orders (total) VALUES (10), (20)');
  upstream = await startUpstream((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.method === 'POST' && req.url === '/v1/charges') {
      charge += 1;
      res.writeHead(201).end(JSON.stringify({ id: `ch_${charge}abc`, txn_id: `txn_${charge}x`, amount: 1200 + charge, currency: 'eur' }));
    } else if (req.url?.startsWith('/v1/balance')) {
      res.writeHead(200).end(JSON.stringify({ available: 50 + charge, currency: 'eur' }));
    } else {
      res.writeHead(404).end('{"error":"not_found"}');
    }
  });
  mkdirSync(join(dir.path, 'fixtures'), { recursive: true });
  writeFileSync(join(dir.path, 'fixtures', 'payments.json'), `${JSON.stringify(FIXTURE, null, 2)}\n`);
}, 60_000);

afterAll(async () => {
  await upstream?.close();
  await database?.drop();
  dir?.remove();
});

describe('the PostgreSQL store, shared by several recorders', () => {
  it('stores every exchange of four recorders writing at once, each exactly once', async () => {
    const results = await Promise.all(Array.from({ length: RECORDERS }, (_, i) => recordBatch(database.url, `shard-${i}`, PER_RECORDER)));
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`store postgres://${postgresServer().user}@127.0.0.1:${postgresServer().port}/${database.name}`);
      expect(result.stderr).toMatch(new RegExp(`stored ${PER_RECORDER} of ${PER_RECORDER} exchange`));
      expectNoPassword(result);
    }
    const counts = await adminQuery<{ service: string; n: number; urls: number }>(
      database.name,
      'SELECT service, count(*)::int AS n, count(DISTINCT url)::int AS urls FROM mockdrift.exchanges GROUP BY service ORDER BY service',
    );
    expect(counts).toEqual(Array.from({ length: RECORDERS }, (_, i) => ({ service: `shard-${i}`, n: PER_RECORDER, urls: PER_RECORDER / 2 + 1 })));
    // Exactly once: no two rows of one recorder's session for the same request.
    const duplicates = await adminQuery<{ n: number }>(
      database.name,
      `SELECT count(*)::int AS n FROM (SELECT session, url, recorded_at, response_body FROM mockdrift.exchanges GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) d`,
    );
    expect(duplicates[0]!.n).toBe(0);
    expect(await adminQuery(database.name, 'SELECT total FROM public.orders ORDER BY id')).toEqual([{ total: 10 }, { total: 20 }]);
  }, 120_000);

  it('lists every shard in routes, through MOCKDRIFT_DB as well as --db', async () => {
    const routes = await runCli(['routes', '--format', 'json'], { cwd: dir.path, env: { MOCKDRIFT_DB: database.url } });
    expect(routes.code, routes.stderr).toBe(0);
    const summaries = JSON.parse(routes.stdout) as Array<{ service: string; route: string; count: number }>;
    expect(summaries.filter((s) => s.route === '/v1/charges').map((s) => [s.service, s.count])).toEqual(
      Array.from({ length: RECORDERS }, (_, i) => [`shard-${i}`, PER_RECORDER / 2]),
    );
    expectNoPassword(routes);
  });

  it('checks across every shard with the findings of the same recordings in SQLite, after a HAR round trip', async () => {
    const exported = await runCli(['export', '--har', 'all.har', '--db', database.url], { cwd: dir.path });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`exported ${RECORDERS * PER_RECORDER} exchanges`);
    const har = JSON.parse(readFileSync(join(dir.path, 'all.har'), 'utf8')) as { log: { entries: unknown[] } };
    expect(har.log.entries).toHaveLength(RECORDERS * PER_RECORDER);

    const imported = await runCli(['import', 'all.har', '--db', 'copy.db'], { cwd: dir.path });
    expect(imported.code, imported.stderr).toBe(0);

    const onPostgres = await runCli(['check', '--db', database.url, '--format', 'json'], { cwd: dir.path });
    const onSqlite = await runCli(['check', '--db', 'copy.db', '--format', 'json'], { cwd: dir.path });
    expect(onPostgres.code, onPostgres.stderr).toBe(1);
    expect(onSqlite.code, onSqlite.stderr).toBe(1);
    const findings = (text: string): unknown => (JSON.parse(text) as { findings: unknown[] }).findings;
    expect(findings(onPostgres.stdout)).toEqual(findings(onSqlite.stdout));
    expect(onPostgres.stdout).toContain('transaction_id');
    expectNoPassword(onPostgres);

    // And back: a HAR imported into PostgreSQL reads as it was written.
    const second = await freshDatabase('har');
    try {
      const back = await runCli(['import', 'all.har', '--db', second.url], { cwd: dir.path });
      expect(back.code, back.stderr).toBe(0);
      expectNoPassword(back);
      const again = await runCli(['export', '--har', 'again.har', '--db', second.url], { cwd: dir.path });
      expect(again.code, again.stderr).toBe(0);
      const entries = (file: string): unknown[] =>
        (JSON.parse(readFileSync(join(dir.path, file), 'utf8')) as { log: { entries: Array<{ request: unknown; response: unknown }> } }).log.entries.map((e) => [e.request, e.response]);
      expect(entries('again.har')).toEqual(entries('all.har'));
    } finally {
      await second.drop();
    }
  }, 90_000);

  it('prunes the shared store, dry run first', async () => {
    const dry = await runCli(['prune', '--older-than', '0s', '--dry-run', '--db', database.url], { cwd: dir.path });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`would prune ${RECORDERS * PER_RECORDER} exchanges`));
    expectNoPassword(dry);
    const pruned = await runCli(['prune', '--older-than', '0s', '--db', database.url], { cwd: dir.path });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(new RegExp(`^pruned ${RECORDERS * PER_RECORDER} exchanges`));
    expect(await adminQuery(database.name, 'SELECT count(*)::int AS n FROM mockdrift.exchanges')).toEqual([{ n: 0 }]);
    expect(await adminQuery(database.name, 'SELECT count(*)::int AS n FROM public.orders')).toEqual([{ n: 2 }]);
  });
});

describe('connection errors', () => {
  it('refuses wrong credentials in one line naming host and database, without the password: exit 2, 3 for check', async () => {
    const wrong = 'not-the-Secret-42';
    const url = postgresUrl(database.name, { password: wrong });
    const routes = await runCli(['routes', '--db', url], { cwd: dir.path });
    expect(routes.code).toBe(2);
    expect(routes.stderr.trim().split('\n')).toHaveLength(1);
    expect(routes.stderr).toContain(`127.0.0.1:${postgresServer().port}`);
    expect(routes.stderr).toContain(`database ${database.name}`);
    expect(routes.stderr).toMatch(/password authentication failed/);
    expectNoPassword(routes, wrong);

    const check = await runCli(['check', '--db', url], { cwd: dir.path });
    expect(check.code).toBe(3);
    expect(check.stderr.trim().split('\n')).toHaveLength(1);
    expectNoPassword(check, wrong);

    const record = await runCli(['record', '--target', upstream.url, '--port', '0', '--db', url], { cwd: dir.path });
    expect(record.code).toBe(2);
    expect(record.stderr).toContain(`database ${database.name}`);
    expectNoPassword(record, wrong);
  });

  it('says so in one line when no server listens, exit 2 (3 for check)', async () => {
    const url = `postgres://mockdrift:Hunter2-Secret@127.0.0.1:1/nowhere?sslmode=disable`;
    const prune = await runCli(['prune', '--older-than', '1d', '--db', url], { cwd: dir.path });
    expect(prune.code).toBe(2);
    expect(prune.stderr.trim().split('\n')).toHaveLength(1);
    expect(prune.stderr).toMatch(/127\.0\.0\.1:1.*database nowhere.*ECONNREFUSED/);
    expectNoPassword(prune, 'Hunter2-Secret');
    const check = await runCli(['check', '--db', url], { cwd: dir.path });
    expect(check.code).toBe(3);
    expectNoPassword(check, 'Hunter2-Secret');
  });

  it('never prints the password of MOCKDRIFT_DB or of the config file, in help, errors or output', async () => {
    const env = { MOCKDRIFT_DB: database.url };
    for (const args of [['--help'], ['routes'], ['routes', '--verbose'], ['check', '--verbose'], ['export', '--har', 'x.har'], ['prune', '--older-than', '1d', '--dry-run']]) {
      const result = await runCli(args, { cwd: dir.path, env });
      // The store was pruned above: check says there is nothing to check (3); the others succeed.
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(args[0] === 'check' ? 3 : 0);
      expectNoPassword(result);
    }
    writeFileSync(join(dir.path, 'mockdrift.config.json'), JSON.stringify({ db: database.url }));
    try {
      const result = await runCli(['routes', '--verbose'], { cwd: dir.path });
      expect(result.code, result.stderr).toBe(0);
      expectNoPassword(result);
    } finally {
      writeFileSync(join(dir.path, 'mockdrift.config.json'), '{}');
    }
  });
});
