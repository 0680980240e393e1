// The PostgreSQL rows of the bench: recording into a shared PostgreSQL store against recording
// into SQLite (the same proxy, the same load, interleaved rounds), and check over 100k recordings
// in each. The server is a throwaway cluster on a loopback port (test/support/postgres-cluster.js).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import Database from 'better-sqlite3';
import { startPostgresCluster } from '../support/postgres-cluster.js';
import { buildStore, timeCheck, writeFixtures } from './check-bench.js';
import { load, rssOf, startChild, stopChild } from './proxy-bench.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/mockdrift', import.meta.url));

async function createDatabase(cluster, name) {
  const client = new pg.Client({ connectionString: cluster.url('postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return cluster.url(name);
}

async function countPostgres(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM mockdrift.exchanges WHERE error_code IS NULL');
    return rows[0].n;
  } finally {
    await client.end();
  }
}

function countSqlite(db) {
  const connection = new Database(db, { readonly: true });
  try {
    return connection.prepare('SELECT count(*) FROM exchanges WHERE error_code IS NULL').pluck().get();
  } finally {
    connection.close();
  }
}

/**
 * Recording throughput: `mockdrift record` into SQLite and into PostgreSQL, `rounds` interleaved
 * loads of `seconds` each per body size and body kind. A fresh recorder per load, stopped with
 * SIGTERM after it, so that the stored count covers what its flush wrote.
 */
export async function benchPostgresRecording({ cluster, rounds, seconds, log }) {
  const rows = [];
  for (const [size, bodies] of [
    [2048, 'fixed'],
    [2048, 'varying'],
    [65536, 'fixed'],
  ]) {
    const workDir = mkdtempSync(join(tmpdir(), 'mockdrift-pg-bench-'));
    const upstream = await startChild([join(HERE, 'servers.js'), 'upstream', String(size), bodies]);
    const target = `http://127.0.0.1:${upstream.port}`;
    const results = { sqlite: [], postgres: [] };
    const stored = { sqlite: 0, postgres: 0 };
    const answered = { sqlite: 0, postgres: 0 };
    try {
      const sqliteDb = join(workDir, 'mockdrift.db');
      const postgresDb = await createDatabase(cluster, `bench_record_${size}_${bodies}`);
      for (let round = 1; round <= rounds; round++) {
        for (const [name, db] of [
          ['sqlite', sqliteDb],
          ['postgres', postgresDb],
        ]) {
          const recorder = await startChild([BIN, 'record', '--target', target, '--port', '0', '--quiet', '--db', db]);
          const result = await load(recorder.port, seconds);
          const memory = rssOf(recorder.child.pid);
          await stopChild(recorder.child);
          results[name].push({ ...result, rss: memory.rss });
          answered[name] += result.answered;
          log(`  ${size / 1024} KB ${bodies} round ${round} ${name.padEnd(8)} ${Math.round(result.rps)} req/s, p99 ${result.p99} ms, ${result.errors} errors`);
        }
      }
      stored.sqlite = countSqlite(sqliteDb);
      stored.postgres = await countPostgres(postgresDb);
    } finally {
      await stopChild(upstream.child);
      rmSync(workDir, { recursive: true, force: true });
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const summary = (name) => ({
      rps: median(results[name].map((r) => r.rps)),
      p99: median(results[name].map((r) => r.p99)),
      rss: Math.max(...results[name].map((r) => r.rss)),
      stored: stored[name],
      answered: answered[name],
    });
    rows.push({ size, bodies, sqlite: summary('sqlite'), postgres: summary('postgres') });
  }
  return rows;
}

/** Check over stores of `sizes` recordings, one SQLite file and one PostgreSQL database each. */
export async function benchPostgresCheck({ cluster, sizes, runs, log }) {
  const results = [];
  for (const recordings of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'mockdrift-pg-check-bench-'));
    try {
      writeFixtures(dir);
      const row = { recordings };
      for (const [name, db] of [
        ['sqlite', join(dir, 'store.db')],
        ['postgres', await createDatabase(cluster, `bench_check_${recordings}`)],
      ]) {
        const building = performance.now();
        await buildStore(db, recordings);
        const writeSeconds = (performance.now() - building) / 1000;
        const timings = [];
        for (let run = 0; run < runs; run++) timings.push(timeCheck(dir, db));
        const sorted = timings.map((timing) => timing.seconds).sort((a, b) => a - b);
        row[name] = {
          writeSeconds,
          seconds: sorted[Math.floor(sorted.length / 2)],
          rss: Math.max(...timings.map((timing) => timing.rss)),
          findings: timings[0].findings,
          verified: timings[0].verified,
        };
        log(`  ${name} ${recordings} recordings: written in ${writeSeconds.toFixed(1)} s, check median ${row[name].seconds.toFixed(2)} s, ${timings[0].findings} findings`);
      }
      results.push(row);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

/** Runs both with a throwaway cluster; returns the markdown section and the verdicts. */
export async function benchPostgres({ rounds, seconds, log }) {
  const cluster = await startPostgresCluster();
  try {
    log(`postgres: recording into SQLite and PostgreSQL, 50 connections, ${seconds} s per load, ${rounds} interleaved rounds`);
    const recording = await benchPostgresRecording({ cluster, rounds, seconds, log });
    log('postgres: check over 10k and 100k recordings in each store');
    const check = await benchPostgresCheck({ cluster, sizes: [10_000, 100_000], runs: 3, log });
    const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
    const verdicts = [];
    for (const row of recording) {
      const ratio = row.postgres.rps / row.sqlite.rps;
      const tag = `${row.size / 1024} KB${row.bodies === 'varying' ? ', a different body every time' : ''}`;
      verdicts.push(`${tag}: recording into PostgreSQL ${fixed(ratio)}× SQLite (target ≥ 0.8×) — ${ratio >= 0.8 ? 'met' : 'NOT met'}`);
      verdicts.push(`${tag}: PostgreSQL stored ${row.postgres.stored} of ${row.postgres.answered} answered exchanges — ${row.postgres.stored >= row.postgres.answered ? 'met' : 'NOT met'}`);
    }
    const large = check[check.length - 1];
    verdicts.push(
      `check of ${large.recordings} recordings in PostgreSQL: ${fixed(large.postgres.seconds)} s, SQLite ${fixed(large.sqlite.seconds)} s; same findings (${large.postgres.findings} and ${large.sqlite.findings}) — ${large.postgres.findings === large.sqlite.findings && large.postgres.seconds <= 3 ? 'met' : 'NOT met'}`,
    );
    const section = [
      '## PostgreSQL store',
      '',
      `A throwaway PostgreSQL cluster on this machine (loopback, \`fsync=off\` as a test server runs). Recording: \`mockdrift record\` into a SQLite file and into a PostgreSQL database, the same upstream and load (autocannon, 50 connections, ${seconds} s), ${rounds} interleaved rounds, a new recorder per load stopped by SIGTERM; medians. Check: the stores of the check benchmark written into each, \`mockdrift check\` over the same 1,000 fixtures, median of 3 runs.`,
      '',
      '| body | store | req/s | × SQLite | p99 ms | recorder RSS MB (peak) | stored of answered |',
      '|---|---|---:|---:|---:|---:|---:|',
      ...recording.flatMap((row) =>
        ['sqlite', 'postgres'].map(
          (name) =>
            `| ${row.size / 1024} KB${row.bodies === 'varying' ? ', varying' : ''} | ${name === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | ${Math.round(row[name].rps)} | ${fixed(row[name].rps / row.sqlite.rps)} | ${row[name].p99} | ${Math.round(row[name].rss)} | ${row[name].stored} of ${row[name].answered} |`,
        ),
      ),
      '',
      '| recordings | store | written in s | check s | peak RSS MB | verified | findings |',
      '|---:|---|---:|---:|---:|---:|---:|',
      ...check.flatMap((row) =>
        ['sqlite', 'postgres'].map(
          (name) =>
            `| ${row.recordings} | ${name === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | ${fixed(row[name].writeSeconds, 1)} | ${fixed(row[name].seconds)} | ${Math.round(row[name].rss)} | ${row[name].verified} | ${row[name].findings} |`,
        ),
      ),
    ].join('\n');
    return { section, verdicts };
  } finally {
    cluster.stop();
  }
}

// `node test/bench/postgres-bench.js`: this part alone (BENCH_ROUNDS, BENCH_SECONDS as for run.js).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { section, verdicts } = await benchPostgres({
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    seconds: Number(process.env.BENCH_SECONDS ?? 10),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${verdicts.map((verdict) => `- ${verdict}`).join('\n')}\n\n${section}\n`);
}
