// The check benchmark: synthetic stores written through the store's own batched writer, 1,000
// fixtures over 200 routes, and the wall time and peak memory of `mockdrift check`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareExchange } from '../../dist/capture/prepare-exchange.js';
import { Redactor } from '../../dist/capture/redactor.js';
import { BatchedWriter } from '../../dist/store/batched-writer.js';
import { openRecordingStore } from '../../dist/store/open-recording-store.js';

const MEASURE = fileURLToPath(new URL('./measure.js', import.meta.url));
const ROUTES = 200;
const FIXTURES = 1000;

/** A route name of letters only (`/v1/bc/...`): a number in it would read as an id. */
function routeName(route) {
  let name = '';
  for (let n = route + 26; n > 0; n = Math.floor(n / 26)) name = String.fromCharCode(97 + (n % 26)) + name;
  return name;
}

/** What route `r` answers: a resource with a nested object, a list and a field that is sometimes there. */
function body(route, n) {
  return {
    id: `obj_${route}_${n}`,
    [`name_${route % 7}`]: `thing ${n}`,
    amount: 1000 + (n % 97),
    currency: 'eur',
    status: n % 5 === 0 ? 'pending' : 'succeeded',
    created_at: new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString(),
    customer: { user_id: `usr_${n % 50}`, email: `user${n % 50}@example.com` },
    items: Array.from({ length: 1 + (n % 3) }, (_, i) => ({ sku: `SKU-${i}`, qty: i + 1 })),
    ...(n % 4 === 0 ? { note: null } : {}),
  };
}

/** Writes `recordings` synthetic exchanges into the store at `dbPath` (a SQLite file or a postgres:// URL). */
export async function buildStore(dbPath, recordings) {
  const store = openRecordingStore(dbPath);
  const writer = new BatchedWriter((batch) => store.insert(batch), { sizeOf: () => 1024 });
  const options = { redactor: new Redactor(), maxBodyBytes: 10 * 1024 * 1024 };
  const started = Date.UTC(2026, 10, 1);
  for (let n = 0; n < recordings; n++) {
    const route = n % ROUTES;
    const text = JSON.stringify(body(route, n));
    writer.add(
      await prepareExchange(
        {
          source: 'record',
          service: 'bench',
          session: 'bench',
          startedAt: started + n,
          durationMs: 5,
          method: 'GET',
          url: `https://sandbox.example/v1/${routeName(route)}/res_${100000 + n}`,
          requestHeaders: { accept: 'application/json' },
          requestBody: null,
          requestBodyTruncated: false,
          status: 200,
          responseHeaders: { 'content-type': 'application/json' },
          responseBody: new Uint8Array(Buffer.from(text)),
          responseBodyTruncated: false,
          error: null,
        },
        options,
      ),
    );
  }
  await writer.flush();
  store.close();
}

/** Five fixtures per route; one in ten has drifted (a renamed field). */
export function writeFixtures(dir) {
  mkdirSync(join(dir, 'fixtures'), { recursive: true });
  for (let f = 0; f < FIXTURES; f++) {
    const route = f % ROUTES;
    const fixtureBody = body(route, f);
    if (f % 10 === 0) {
      fixtureBody.customer = { userId: fixtureBody.customer.user_id, email: fixtureBody.customer.email };
    }
    const fixture = { service: 'bench', request: { method: 'GET', path: `/v1/${routeName(route)}/res_${900000 + f}` }, response: { status: 200, body: fixtureBody } };
    writeFileSync(join(dir, 'fixtures', `f${f}.json`), `${JSON.stringify(fixture, null, 2)}\n`);
  }
}

export function timeCheck(dir, db = 'store.db') {
  const rssFile = join(dir, 'rss.txt');
  const started = performance.now();
  const result = spawnSync(process.execPath, [MEASURE, 'check', '--db', db, '--format', 'json', '--output', 'report.json', '--quiet'], {
    cwd: dir,
    env: { ...process.env, BENCH_RSS_FILE: rssFile, NO_COLOR: '1' },
    encoding: 'utf8',
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 1) throw new Error(`check exited ${result.status}: ${result.stderr}`);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  return { seconds, rss: Number(readFileSync(rssFile, 'utf8')), findings: report.findings.length, verified: report.summary.verified };
}

/** `mockdrift history` over the whole store (every route, every field) and over one route, as JSON. */
function timeHistory(dir, extra) {
  const rssFile = join(dir, 'history-rss.txt');
  const started = performance.now();
  const result = spawnSync(process.execPath, [MEASURE, 'history', '--db', 'store.db', '--format', 'json', ...extra], {
    cwd: dir,
    env: { ...process.env, BENCH_RSS_FILE: rssFile, NO_COLOR: '1' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`history exited ${result.status}: ${result.stderr}`);
  const routes = JSON.parse(result.stdout).routes.length;
  return { seconds, rss: Number(readFileSync(rssFile, 'utf8')), routes };
}

export async function benchCheck({ sizes, runs, log }) {
  const results = [];
  for (const recordings of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'mockdrift-check-bench-'));
    try {
      const building = performance.now();
      await buildStore(join(dir, 'store.db'), recordings);
      writeFixtures(dir);
      log(`  store of ${recordings} recordings written in ${((performance.now() - building) / 1000).toFixed(1)} s`);
      const timings = [];
      for (let run = 0; run < runs; run++) timings.push(timeCheck(dir));
      const best = timings.map((timing) => timing.seconds).sort((a, b) => a - b);
      const median = best[Math.floor(best.length / 2)];
      const rss = Math.max(...timings.map((timing) => timing.rss));
      log(`  check of ${recordings} recordings × ${FIXTURES} fixtures: median ${median.toFixed(2)} s, peak ${Math.round(rss)} MB, ${timings[0].verified} verified`);
      const histories = [];
      for (let run = 0; run < runs; run++) histories.push(timeHistory(dir, []));
      const historySeconds = histories.map((h) => h.seconds).sort((a, b) => a - b)[Math.floor(histories.length / 2)];
      const oneRoute = timeHistory(dir, ['--route', `GET /v1/${routeName(0)}/:id`]);
      log(`  history of ${recordings} recordings: all ${histories[0].routes} routes median ${historySeconds.toFixed(2)} s; one route ${oneRoute.seconds.toFixed(2)} s`);
      results.push({
        recordings,
        fixtures: FIXTURES,
        routes: ROUTES,
        seconds: median,
        rss,
        verified: timings[0].verified,
        findings: timings[0].findings,
        history: { seconds: historySeconds, rss: Math.max(...histories.map((h) => h.rss)), oneRoute: oneRoute.seconds },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}
