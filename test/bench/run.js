// `npm run bench`: the proxy, check and start-up benchmarks of SPEC §7. Prints the tables and
// writes BENCHMARKS.md from the figures it measured. Loopback only; every load is bounded.
// Options (environment): BENCH_ROUNDS (default 3), BENCH_SECONDS (default 10, each load of 50
// connections), BENCH_ONE_REQUESTS (default 2000) and BENCH_ONE_SECONDS (default 10): the bounds of
// each one-connection loop, BENCH_SKIP (comma-separated: proxy, varying, one, check, startup,
// postgres). BENCHMARKS.md is written only by a full run (nothing skipped).
// The proxy section: the same body and a different body every time (through passthrough,
// mockdrift and the reference recorder; talkback and mockttp too with the same body), one
// connection with one request at a time, and CPU per request by thread of each proxy process.
// A CPU profile of `mockdrift record` per thread is a separate, optional run:
//   BENCH_PROFILE=1 node test/bench/profile.js [size] [fixed|varying]   (see profile.js)
import { cpus, totalmem } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchCheck } from './check-bench.js';
import { CLOCK_TICKS, benchOneConnection, benchProxies } from './proxy-bench.js';
import { benchStartup } from './startup-bench.js';
import { benchPostgres } from './postgres-bench.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ONE_REQUESTS = Number(process.env.BENCH_ONE_REQUESTS ?? 2000);
const ONE_SECONDS = Number(process.env.BENCH_ONE_SECONDS ?? 10);
/** The configurations of the different-body table. */
const VARYING_CONFIGURATIONS = ['passthrough', 'mockdrift', 'naive-recorder'];
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const OUTPUT = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));
const READING = fileURLToPath(new URL('./reading.md', import.meta.url));

const log = (line) => process.stderr.write(`${line}\n`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** How the configurations are named in the tables. */
const LABELS = { 'naive-recorder': 'reference recorder' };
const labelOf = (name) => LABELS[name] ?? name;

/** The targets of the proxy (req/s ÷ passthrough at least, p99 added at most, ms), by body kind and size. */
const TARGETS = {
  fixed: { 2048: [0.85, 3], 65536: [0.8, 10] },
  varying: { 2048: [0.75, 5], 65536: [0.4, 50] },
};
/** One connection, one request at a time: mean latency mockdrift adds to the passthrough's, at most (ms). */
const ONE_CONNECTION_TARGET = 0.3;

const TABLE_HEAD = [
  '| body | configuration | req/s | × passthrough | × direct | p50 ms | p99 ms | p99 added ms | RSS MB (last / peak) | stored of answered | errors |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
].join('\n');

const CPU_HEAD = [
  '| body | configuration | main thread | worker | other threads | proxy total | upstream | load generator | all |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|',
].join('\n');

/** CPU µs per answered request, summed over the rounds of one configuration. */
function cpuRow(label, name, runs) {
  const answered = runs.reduce((total, run) => total + run.answered, 0);
  const sum = (pick) => runs.reduce((total, run) => total + pick(run.cpu), 0);
  const per = (value) => (answered > 0 ? Math.round(value / answered) : 'n/a');
  const proxy = runs[0].cpu.proxy;
  const upstream = sum((cpu) => cpu.upstream);
  const load = sum((cpu) => cpu.load);
  if (!proxy) return `| ${label} | ${labelOf(name)} | — | — | — | — | ${per(upstream)} | ${per(load)} | ${per(upstream + load)} |`;
  const total = sum((cpu) => cpu.proxy.total);
  const worker = proxy.worker === null ? '—' : per(sum((cpu) => cpu.proxy.worker));
  return `| ${label} | ${labelOf(name)} | ${per(sum((cpu) => cpu.proxy.main))} | ${worker} | ${per(sum((cpu) => cpu.proxy.other))} | ${per(total)} | ${per(upstream)} | ${per(load)} | ${per(total + upstream + load)} |`;
}

/** Both body sizes for one kind of body: table rows, CPU rows and verdicts against the targets. */
async function proxyTable({ bodies, only }) {
  const rows = [];
  const cpuRows = [];
  const verdicts = [];
  let storedEverything = true;
  for (const size of [2048, 65536]) {
    const { results, stored } = await benchProxies({ size, bodies, only, rounds: ROUNDS, seconds: SECONDS, log });
    const summary = Object.fromEntries(
      Object.entries(results).map(([name, runs]) => [
        name,
        {
          rps: median(runs.map((run) => run.rps)),
          p50: median(runs.map((run) => run.p50)),
          p99: median(runs.map((run) => run.p99)),
          answered: runs.reduce((total, run) => total + run.answered, 0),
          errors: runs.reduce((total, run) => total + run.errors, 0),
          rss: runs[runs.length - 1].rss,
          peakRss: Math.max(...runs.map((run) => run.peakRss)),
        },
      ]),
    );
    const base = summary.passthrough;
    const label = size === 2048 ? '2 KB' : '64 KB';
    for (const name of Object.keys(summary)) {
      const s = summary[name];
      const storedCount = stored[name];
      const direct = summary.direct ? fixed(s.rps / summary.direct.rps) : '—';
      const keeps = storedCount === undefined ? '—' : name === 'mockttp' ? 'keeps none' : `${storedCount} of ${s.answered}`;
      rows.push(
        `| ${label} | ${labelOf(name)} | ${Math.round(s.rps)} | ${fixed(s.rps / base.rps)} | ${direct} | ${s.p50} | ${s.p99} | ${name === 'direct' ? '—' : `${s.p99 - base.p99 >= 0 ? '+' : ''}${s.p99 - base.p99}`} | ${name === 'direct' ? 'upstream ' : ''}${Math.round(s.rss)} / ${Math.round(s.peakRss)} | ${keeps} | ${s.errors} |`,
      );
      cpuRows.push(cpuRow(label, name, results[name]));
    }
    const md = summary.mockdrift;
    const ratio = md.rps / base.rps;
    const added = md.p99 - base.p99;
    const [ratioTarget, latencyTarget] = TARGETS[bodies][size];
    const tag = bodies === 'fixed' ? `${label}, the same body` : `${label}, a different body every time`;
    verdicts.push(`${tag}: recording ${fixed(ratio)}× passthrough (target ≥ ${ratioTarget}×) — ${ratio >= ratioTarget ? 'met' : 'NOT met'}`);
    verdicts.push(`${tag}: p99 added ${added} ms (target ≤ ${latencyTarget} ms) — ${added <= latencyTarget ? 'met' : 'NOT met'}`);
    verdicts.push(`${tag}: stored ${stored.mockdrift} of ${md.answered} answered exchanges — ${stored.mockdrift >= md.answered ? 'met' : 'NOT met'}`);
    if (summary.talkback && summary.mockttp) {
      verdicts.push(
        `${tag}: ahead of talkback (${fixed(summary.talkback.rps / base.rps)}×) and mockttp (${fixed(summary.mockttp.rps / base.rps)}×) — ${md.rps > summary.talkback.rps && md.rps > summary.mockttp.rps ? 'met' : 'NOT met'}`,
      );
    }
    if (stored.mockdrift < md.answered) storedEverything = false;
  }
  return { rows, cpuRows, verdicts, storedEverything };
}

/** The one-connection table (2 KB, the same body) and its verdict. */
async function oneConnectionTable() {
  log(`one connection: up to ${ONE_REQUESTS} requests or ${ONE_SECONDS} s per configuration, ${ROUNDS} interleaved rounds`);
  const results = await benchOneConnection({ rounds: ROUNDS, requests: ONE_REQUESTS, seconds: ONE_SECONDS, log });
  const summary = Object.fromEntries(
    Object.entries(results).map(([name, runs]) => [
      name,
      {
        count: runs.reduce((total, run) => total + run.count, 0),
        errors: runs.reduce((total, run) => total + run.errors, 0),
        mean: median(runs.map((run) => run.mean)),
        p50: median(runs.map((run) => run.p50)),
        p99: median(runs.map((run) => run.p99)),
      },
    ]),
  );
  const base = summary.passthrough;
  const rows = Object.entries(summary).map(([name, s]) => {
    const added = name === 'direct' ? '—' : `${s.mean - base.mean >= 0 ? '+' : ''}${fixed(s.mean - base.mean, 3)}`;
    return `| 2 KB | ${labelOf(name)} | ${s.count} | ${fixed(s.mean, 3)} | ${fixed(s.p50, 3)} | ${fixed(s.p99, 3)} | ${added} | ${s.errors} |`;
  });
  const added = summary.mockdrift.mean - base.mean;
  const verdict = `one connection, one request at a time (2 KB): mean added ${fixed(added, 3)} ms (target ≤ ${ONE_CONNECTION_TARGET} ms) — ${added <= ONE_CONNECTION_TARGET ? 'met' : 'NOT met'}`;
  return { rows, verdict };
}

async function main() {
  const started = Date.now();
  const sections = [];
  const verdicts = [];
  let storedEverything = true;

  if (!SKIP.has('proxy')) {
    log(`proxy: 50 connections, ${SECONDS} s per load, ${ROUNDS} interleaved rounds`);
    const sameBody = await proxyTable({ bodies: 'fixed' });
    const newBody = SKIP.has('varying') ? null : await proxyTable({ bodies: 'varying', only: VARYING_CONFIGURATIONS });
    const oneConnection = SKIP.has('one') ? null : await oneConnectionTable();
    verdicts.push(...sameBody.verdicts, ...(newBody ? newBody.verdicts : []), ...(oneConnection ? [oneConnection.verdict] : []));
    if (!sameBody.storedEverything || (newBody && !newBody.storedEverything)) storedEverything = false;
    sections.push(
      [
        '## Proxy',
        '',
        `Each load: autocannon, 50 connections, ${SECONDS} s, every request to a path of its own (\`/v1/items/N\`). Configurations run in ${ROUNDS} interleaved rounds (direct, passthrough, mockdrift, reference recorder, talkback, mockttp, then again); the tables show medians. After each load the benchmark waits until that proxy has stopped using the CPU (a recorder may still be storing what it was sent) and until the system has written its dirty pages (\`sync\`), so that no load pays for the one before; the CPU table counts that catching-up. *passthrough* is http-proxy with the same keep-alive agent and no recording: the baseline of the ratios. The *reference recorder* is that passthrough plus a copy of every exchange (method, URL, status, both header sets as JSON, the response body) written from the event loop into SQLite (WAL, \`synchronous=NORMAL\`, one transaction per 500 rows or per 100 ms): no redaction, no shapes — what plain recording costs on this machine. The upstream answers JSON of the given size: the same body every time in the first table (the setting of SPEC §7), a body with an id and a time of its own in every answer in the second.`,
        '',
        '### The same body every time',
        '',
        TABLE_HEAD,
        ...sameBody.rows,
        ...(newBody
          ? [
              '',
              '### A different body every time',
              '',
              `Every body is new, so every one is decoded, parsed, redacted, summarised and written: the worst case for the recorder. Configurations: ${VARYING_CONFIGURATIONS.map(labelOf).join(', ')} (talkback and mockttp only in the first table, to keep the run short).`,
              '',
              TABLE_HEAD,
              ...newBody.rows,
            ]
          : []),
        ...(oneConnection
          ? [
              '',
              '### One connection, one request at a time',
              '',
              `What a single user feels: one keep-alive connection, the next request sent when the answer to the last one has arrived (2 KB, the same body, each to a path of its own). 200 requests to warm up, then up to ${ONE_REQUESTS} requests or ${ONE_SECONDS} s per configuration, in ${ROUNDS} interleaved rounds; latency from sending a request to the end of its answer; medians of the rounds' figures.`,
              '',
              '| body | configuration | requests | mean ms | p50 ms | p99 ms | mean added ms | errors |',
              '|---|---|---:|---:|---:|---:|---:|---:|',
              ...oneConnection.rows,
            ]
          : []),
        '',
        '### CPU per request',
        '',
        `CPU time (user + system, from \`/proc/PID/task/*/stat\` before and after each load) divided by the answered requests, in µs, summed over the rounds. *main thread*: the proxy process's event loop; *worker*: for mockdrift the busiest other thread (the capture worker); *other threads*: the rest of the proxy process (V8 and libuv helpers; for configurations without a worker, every thread but the main one). *upstream* and *load generator* (autocannon in the benchmark's own process) share the same two cores; *all* is their sum with the proxy's. Resolution: one clock tick (${fixed(1000 / CLOCK_TICKS, 0)} ms) per thread and load.`,
        '',
        CPU_HEAD,
        ...sameBody.cpuRows.map((row) => row.replace(/^\| /, '| same, ')),
        ...(newBody ? newBody.cpuRows.map((row) => row.replace(/^\| /, '| different, ')) : []),
      ].join('\n'),
    );
  }

  if (!SKIP.has('check')) {
    log('check: synthetic stores over 200 routes, 1,000 fixtures');
    const results = await benchCheck({ sizes: [10_000, 100_000], runs: 3, log });
    const [small, large] = results;
    const growth = large.seconds / small.seconds;
    verdicts.push(`check of ${large.recordings} recordings × ${large.fixtures} fixtures: ${fixed(large.seconds)} s (target ≤ 3 s) — ${large.seconds <= 3 ? 'met' : 'NOT met'}`);
    verdicts.push(`check memory: ${Math.round(large.rss)} MB peak (target ≤ 300 MB) — ${large.rss <= 300 ? 'met' : 'NOT met'}`);
    verdicts.push(`history of ${large.recordings} recordings (every route): ${fixed(large.history.seconds)} s (target ≤ 3 s) — ${large.history.seconds <= 3 ? 'met' : 'NOT met'}`);
    verdicts.push(`check growth from 10k to 100k recordings: ${fixed(growth)}× the time for 10× the recordings (linear or better: ≤ 10×) — ${growth <= 10 ? 'met' : 'NOT met'}`);
    sections.push(
      [
        '## Check',
        '',
        'Stores written through the store\'s own batched writer (every body through the capture pipeline: decoded, redacted, summarised as a shape); `mockdrift check --format json` over 1,000 native fixtures, one in ten with a renamed field. Median of 3 runs; peak RSS of the checking process.',
        '',
        '| recordings | routes | fixtures | wall time s | peak RSS MB | verified | findings |',
        '|---:|---:|---:|---:|---:|---:|---:|',
        ...results.map((r) => `| ${r.recordings} | ${r.routes} | ${r.fixtures} | ${fixed(r.seconds)} | ${Math.round(r.rss)} | ${r.verified} | ${r.findings} |`),
        '',
        '`mockdrift history --format json` over the same stores, from the stored shapes and their times (no body read): every route, median of 3 runs, and one route.',
        '',
        '| recordings | every route s | peak RSS MB | one route s |',
        '|---:|---:|---:|---:|',
        ...results.map((r) => `| ${r.recordings} | ${fixed(r.history.seconds)} | ${Math.round(r.history.rss)} | ${fixed(r.history.oneRoute)} |`),
      ].join('\n'),
    );
  }

  if (!SKIP.has('postgres')) {
    const { section, verdicts: postgresVerdicts } = await benchPostgres({ rounds: ROUNDS, seconds: SECONDS, log });
    verdicts.push(...postgresVerdicts);
    sections.push(section);
  }

  if (!SKIP.has('startup')) {
    log('start-up');
    const results = benchStartup({ runs: 11, log });
    const version = results.find((r) => r.command === 'mockdrift --version');
    verdicts.push(`start-up (mockdrift --version): ${Math.round(version.ms)} ms (target ≤ 150 ms) — ${version.ms <= 150 ? 'met' : 'NOT met'}`);
    sections.push(['## Start-up', '', 'Wall time of the whole process, median of 11 runs.', '', '| command | ms |', '|---|---:|', ...results.map((r) => `| ${r.command} | ${Math.round(r.ms)} |`)].join('\n'));
  }

  const cpu = cpus();
  const document = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} in ${Math.round((Date.now() - started) / 1000)} s. Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}, ${process.platform}. Everything runs on this one machine, on loopback: the load generator, the upstream and the proxy share its cores.`,
    '',
    '## Targets (SPEC §7)',
    '',
    ...verdicts.map((verdict) => `- ${verdict}`),
    '',
    ...sections.flatMap((section) => [section, '']),
    readReading(),
  ].join('\n');
  if (SKIP.size === 0) writeFileSync(OUTPUT, `${document.trimEnd()}\n`);
  process.stdout.write(`${document}\n`);
  if (!storedEverything) {
    log('mockdrift stored fewer exchanges than were answered');
    process.exitCode = 1;
  }
}

function readReading() {
  try {
    return readFileSync(READING, 'utf8');
  } catch {
    return '';
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
