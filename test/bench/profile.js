// CPU profile of `mockdrift record` under load, per thread, per answered request. Not part of
// `npm run bench`. Usage:
//   BENCH_PROFILE=1 node test/bench/profile.js [size] [fixed|varying]
// (size in bytes, default 2048; default fixed). Starts the benchmark upstream and `mockdrift
// record` under `node --cpu-prof`, loads it with autocannon (50 connections, BENCH_SECONDS,
// default 5, at most 60), stops it with SIGTERM and prints, for each thread's .cpuprofile (the main
// thread and the capture worker), the top functions by self time in µs per answered request, idle
// time left out. BENCH_PROFILE_TOP (default 25) sets how many; BENCH_PROFILE_DIR keeps the
// .cpuprofile files in that folder (otherwise a temp folder, removed at the end). Loopback only.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, startChild, stopChild } from './proxy-bench.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/mockdrift', import.meta.url));
const size = Number(process.argv[2] ?? 2048);
const bodies = process.argv[3] ?? 'fixed';
const seconds = Math.min(60, Number(process.env.BENCH_SECONDS ?? 5));
const top = Number(process.env.BENCH_PROFILE_TOP ?? 25);

/** Self time per function (µs), summed over every node of the profile that names it. */
function selfTimes(profile) {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byNode.get(profile.samples[i]);
    // timeDeltas[i] is the time before sample i; the next delta is what sample i stood for.
    const delta = profile.timeDeltas[i + 1] ?? 0;
    if (!node || delta <= 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^file:\/\//, '').split('/').slice(-2).join('/')}:${lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + delta);
  }
  return self;
}

async function main() {
  if (!Number.isInteger(size) || size <= 0 || !['fixed', 'varying'].includes(bodies)) {
    throw new Error('usage: BENCH_PROFILE=1 node test/bench/profile.js [size in bytes] [fixed|varying]');
  }
  const workDir = mkdtempSync(join(tmpdir(), 'mockdrift-profile-'));
  const profileDir = process.env.BENCH_PROFILE_DIR ?? join(workDir, 'profiles');
  mkdirSync(profileDir, { recursive: true });
  let upstream = null;
  let recorder = null;
  let result;
  try {
    upstream = await startChild([join(HERE, 'servers.js'), 'upstream', String(size), bodies]);
    const target = `http://127.0.0.1:${upstream.port}`;
    recorder = await startChild(['--cpu-prof', `--cpu-prof-dir=${profileDir}`, BIN, 'record', '--target', target, '--port', '0', '--quiet', '--db', join(workDir, 'mockdrift.db')]);
    // A short warm-up; the profile covers it too, so its answers count in the per-request figures.
    const warmUp = await load(recorder.port, 1);
    process.stderr.write(`profiling ${size} B ${bodies} for ${seconds} s\n`);
    result = await load(recorder.port, seconds);
    result.answered += warmUp.answered;
  } finally {
    if (recorder) await stopChild(recorder.child);
    if (upstream) await stopChild(upstream.child);
  }
  const files = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'));
  const pid = recorder.child.pid;
  // Node names them CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main one.
  const threads = files
    .filter((name) => name.split('.')[3] === String(pid))
    .map((name) => ({ name, thread: Number(name.split('.')[4]) }))
    .sort((a, b) => a.thread - b.thread);
  const answered = result.answered;
  const lines = [
    `${size} B, ${bodies === 'fixed' ? 'the same body' : 'a different body every time'}: ${Math.round(result.rps)} req/s over ${seconds} s; ${answered} answered with the 1 s warm-up. Self time in µs per answered request, idle left out; start-up is in the profile too.`,
  ];
  for (const { name, thread } of threads) {
    const profile = JSON.parse(readFileSync(join(profileDir, name), 'utf8'));
    const self = selfTimes(profile);
    self.delete('(idle)');
    const total = [...self.values()].reduce((sum, value) => sum + value, 0);
    const ranked = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
    lines.push('', `${thread === 0 ? 'main thread' : `worker thread ${thread}`}: ${(total / answered).toFixed(1)} µs busy per request (${name})`);
    for (const [key, value] of ranked) lines.push(`${(value / answered).toFixed(2).padStart(9)}  ${key.length > 110 ? `${key.slice(0, 110)}…` : key}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (!process.env.BENCH_PROFILE_DIR) rmSync(workDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
