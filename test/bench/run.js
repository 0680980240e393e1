// `npm run bench`: the proxy, check and start-up benchmarks of SPEC §7. Prints the tables and
// writes BENCHMARKS.md from the figures it measured. Loopback only; every load is bounded.
// Options (environment): BENCH_ROUNDS (default 3), BENCH_SECONDS (default 10), BENCH_SKIP
// (comma-separated: proxy, varying, check, startup, postgres). BENCHMARKS.md is written only by a full run.
import { cpus, totalmem } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchCheck } from './check-bench.js';
import { benchProxies } from './proxy-bench.js';
import { benchStartup } from './startup-bench.js';
import { benchPostgres } from './postgres-bench.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const OUTPUT = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));
const READING = fileURLToPath(new URL('./reading.md', import.meta.url));

const log = (line) => process.stderr.write(`${line}\n`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

const TABLE_HEAD = [
  '| body | configuration | req/s | × passthrough | × direct | p50 ms | p99 ms | p99 added ms | RSS MB (last / peak) | stored of answered | errors |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
].join('\n');

/** Both body sizes for one kind of body: table rows and verdicts against the targets. */
async function proxyTable({ bodies, only }) {
  const rows = [];
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
        `| ${label} | ${name} | ${Math.round(s.rps)} | ${fixed(s.rps / base.rps)} | ${direct} | ${s.p50} | ${s.p99} | ${name === 'direct' ? '—' : `${s.p99 - base.p99 >= 0 ? '+' : ''}${s.p99 - base.p99}`} | ${name === 'direct' ? 'upstream ' : ''}${Math.round(s.rss)} / ${Math.round(s.peakRss)} | ${keeps} | ${s.errors} |`,
      );
    }
    const md = summary.mockdrift;
    const ratio = md.rps / base.rps;
    const added = md.p99 - base.p99;
    const [ratioTarget, latencyTarget] = size === 2048 ? [0.85, 2] : [0.6, 20];
    const tag = bodies === 'fixed' ? label : `${label}, a different body every time`;
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
  return { rows, verdicts, storedEverything };
}

async function main() {
  const started = Date.now();
  const sections = [];
  const verdicts = [];
  let storedEverything = true;

  if (!SKIP.has('proxy')) {
    log(`proxy: 50 connections, ${SECONDS} s per load, ${ROUNDS} interleaved rounds`);
    const fixed = await proxyTable({ bodies: 'fixed' });
    const varying = SKIP.has('varying') ? null : await proxyTable({ bodies: 'varying', only: ['passthrough', 'mockdrift'] });
    verdicts.push(...fixed.verdicts);
    if (!fixed.storedEverything || (varying && !varying.storedEverything)) storedEverything = false;
    sections.push(
      [
        '## Proxy',
        '',
        `Each load: autocannon, 50 connections, ${SECONDS} s, every request to a path of its own (\`/v1/items/N\`). Configurations run in ${ROUNDS} interleaved rounds (direct, passthrough, mockdrift, talkback, mockttp, then again); the tables show medians. *passthrough* is http-proxy with the same keep-alive agent and no recording: the baseline of the ratios. The upstream answers JSON of the given size: the same body every time in the first table (the setting of SPEC §7), a body with an id and a time of its own in every answer in the second.`,
        '',
        '### The same body every time',
        '',
        TABLE_HEAD,
        ...fixed.rows,
        ...(varying
          ? [
              '',
              '### A different body every time',
              '',
              'Every body is new, so every one is decoded, parsed, redacted, summarised and written: the worst case for the recorder.',
              '',
              TABLE_HEAD,
              ...varying.rows,
              '',
              ...varying.verdicts.map((verdict) => `- ${verdict}`),
            ]
          : []),
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
