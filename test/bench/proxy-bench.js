// The proxy benchmark: the same load through each configuration, in interleaved rounds.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/mockdrift', import.meta.url));

/** Starts a child process and resolves with it and the first port it prints. */
export function startChild(args, options = {}) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not start: ${stderr}`));
    }, 20_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      // A bare port (the helper servers), or mockdrift's start-up line naming its URL.
      const match = /^(\d+)$/m.exec(stdout) ?? /recording http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]), stderr: () => stderr });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr}`));
    });
  });
}

export function stopChild(child) {
  return new Promise((resolve) => {
    // A child killed by a signal has no exit code, only a signal code: it has exited too.
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/** Resident set size of a process now, and its peak, in MB (Linux). */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** One load: 50 connections, `seconds` long, every request to a path of its own. */
export async function load(port, seconds, connections = 50) {
  let n = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `/v1/items/${++n}?expand=prices` }) }],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    answered: result['2xx'],
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, 100 on Linux almost always). */
export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
const TICK_US = 1e6 / CLOCK_TICKS;

/** utime + stime, in clock ticks, from the text of a /proc stat file. */
function ticksOf(stat) {
  // The command name (field 2) may hold spaces: count fields from its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * CPU time (µs) a process has used so far: in all, including threads that have already ended,
 * and per live thread (by tid). Linux only.
 */
export function threadTimes(pid) {
  const total = ticksOf(readFileSync(`/proc/${pid}/stat`, 'utf8')) * TICK_US;
  const threads = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(Number(tid), ticksOf(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')) * TICK_US);
    } catch {
      // The thread ended between the listing and the read: its time is in the total.
    }
  }
  return { total, threads };
}

/**
 * Splits the CPU time a process used between two `threadTimes` readings: its main thread (tid ==
 * pid), its busiest other thread when `worker` is set (the capture worker of mockdrift), and the
 * rest (V8 and libuv helper threads, threads that ended).
 */
export function splitCpu(pid, before, after, worker) {
  const total = after.total - before.total;
  const main = (after.threads.get(pid) ?? 0) - (before.threads.get(pid) ?? 0);
  let busiest = 0;
  if (worker) {
    for (const [tid, time] of after.threads) {
      if (tid !== pid) busiest = Math.max(busiest, time - (before.threads.get(tid) ?? 0));
    }
  }
  return { main, worker: worker ? busiest : null, other: Math.max(0, total - main - busiest), total };
}

/** The CPU time of the bench process itself (the load generator), µs. */
const ownCpu = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

/**
 * Waits until a process has stopped using the CPU (less than one clock tick in 250 ms, at most
 * 30 s), then until the system has written its dirty pages to disk (`sync`).
 */
export async function settle(pid) {
  const deadline = Date.now() + 30_000;
  let last = threadTimes(pid).total;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = threadTimes(pid).total;
    if (now - last < TICK_US) break;
    last = now;
  }
  execFileSync('sync');
}

/** Every configuration the proxy benchmark knows, in the order of its rounds. */
export const CONFIGURATIONS = ['direct', 'passthrough', 'mockdrift', 'naive-recorder', 'talkback', 'mockttp'];

function configurations({ upstream, target, workDir }) {
  const tapes = join(workDir, 'tapes');
  const db = join(workDir, 'mockdrift.db');
  const naiveDb = join(workDir, 'naive.db');
  return [
    { name: 'direct', start: async () => ({ port: upstream.port, child: null }) },
    { name: 'passthrough', start: () => startChild([join(HERE, 'servers.js'), 'passthrough', target]) },
    { name: 'mockdrift', worker: true, stored: () => countRows(db), start: () => startChild([BIN, 'record', '--target', target, '--port', '0', '--quiet', '--db', db]) },
    { name: 'naive-recorder', stored: () => countNaiveRows(naiveDb), start: () => startChild([join(HERE, 'servers.js'), 'naive-recorder', target, naiveDb]) },
    { name: 'talkback', stored: () => countFiles(tapes), start: () => startChild([join(HERE, 'servers.js'), 'talkback', target, tapes]) },
    // mockttp forwards and keeps nothing it could be asked for afterwards.
    { name: 'mockttp', stored: () => 0, start: () => startChild([join(HERE, 'servers.js'), 'mockttp', target]) },
  ];
}

/** Starts the named configurations in front of one upstream; `stop` ends every child started. */
async function startAll({ size, bodies, only }) {
  const workDir = mkdtempSync(join(tmpdir(), 'mockdrift-bench-'));
  const running = {};
  let upstream = null;
  const stop = async () => {
    for (const { child } of Object.values(running)) if (child) await stopChild(child);
    if (upstream) await stopChild(upstream.child);
  };
  try {
    upstream = await startChild([join(HERE, 'servers.js'), 'upstream', String(size), bodies]);
    const target = `http://127.0.0.1:${upstream.port}`;
    const all = configurations({ upstream, target, workDir });
    const configs = only ? all.filter((config) => only.includes(config.name)) : all;
    for (const config of configs) running[config.name] = await config.start();
    return { workDir, upstream, configs, running, stop };
  } catch (error) {
    await stop();
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}

function assertRunning(name, { child, stderr }) {
  if (child && (child.exitCode !== null || child.signalCode !== null)) {
    throw new Error(`${name} exited during the benchmark (${child.exitCode ?? child.signalCode}): ${stderr()}`);
  }
}

/**
 * Runs every configuration for one body size, `rounds` times in interleaved order, and returns
 * each one's per-round results (with the CPU time of the proxy's threads, of the upstream and of
 * the load generator) plus, for the recorders, how many exchanges they stored.
 */
export async function benchProxies({ size, bodies = 'fixed', only, rounds, seconds, log }) {
  const { workDir, upstream, configs, running, stop } = await startAll({ size, bodies, only });
  const results = Object.fromEntries(configs.map((config) => [config.name, []]));
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const config of configs) {
        const { port, child } = running[config.name];
        assertRunning(config.name, running[config.name]);
        const before = { proxy: child ? threadTimes(child.pid) : null, upstream: threadTimes(upstream.child.pid).total, load: ownCpu() };
        const result = await load(port, seconds);
        // The next load starts on a quiet machine: this one's recorder done storing what it was
        // sent, and what it wrote on its way to the disk (it would otherwise burden the next one).
        if (child) await settle(child.pid);
        assertRunning(config.name, running[config.name]);
        const after = { proxy: child ? threadTimes(child.pid) : null, upstream: threadTimes(upstream.child.pid).total, load: ownCpu() };
        const cpu = {
          proxy: child ? splitCpu(child.pid, before.proxy, after.proxy, config.worker) : null,
          upstream: after.upstream - before.upstream,
          load: after.load - before.load,
        };
        const memory = child ? rssOf(child.pid) : rssOf(upstream.child.pid);
        results[config.name].push({ ...result, rss: memory.rss, peakRss: memory.peak, cpu });
        log(`  ${size / 1024} KB ${bodies} round ${round} ${config.name.padEnd(14)} ${Math.round(result.rps)} req/s, p99 ${result.p99} ms, ${result.errors} errors`);
      }
    }
  } catch (error) {
    await stop();
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  await stop();
  // Counted after the recorders exited on SIGTERM: what they stored is what a user would find.
  const stored = {};
  try {
    for (const config of configs) if (config.stored) stored[config.name] = config.stored();
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return { results, stored };
}

/**
 * One request at a time over one keep-alive connection, to a path of its own each: `warmup`
 * requests first, then up to `requests` timed ones or `seconds`, whichever ends first. Latency of
 * each from the request's start to the end of its answer, in ms (performance.now(), µs precision).
 */
export async function sequential(port, { requests = 2000, seconds = 10, warmup = 200 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let n = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path: `/v1/items/${++n}?expand=prices`, agent }, (response) => {
        response.on('error', reject);
        response.on('end', () => resolve(response.statusCode));
        response.on('close', () => response.complete || reject(new Error(`answer from port ${port} cut short`)));
        response.resume();
      });
      request.setTimeout(10_000, () => request.destroy(new Error(`no answer from port ${port} in 10 s`)));
      request.on('error', reject);
    });
  const latencies = [];
  let errors = 0;
  try {
    const warmEnd = performance.now() + Math.min(seconds, 5) * 1000;
    for (let i = 0; i < warmup && performance.now() < warmEnd; i++) await one();
    const end = performance.now() + seconds * 1000;
    while (latencies.length + errors < requests && performance.now() < end) {
      const start = performance.now();
      const status = await one();
      const elapsed = performance.now() - start;
      if (status === 200) latencies.push(elapsed);
      else errors += 1;
    }
  } finally {
    agent.destroy();
  }
  const sorted = Float64Array.from(latencies).sort();
  const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
  const mean = sorted.length ? sorted.reduce((sum, value) => sum + value, 0) / sorted.length : NaN;
  return { count: sorted.length, errors, mean, p50: at(0.5), p99: at(0.99) };
}

/**
 * The one-connection benchmark: `sequential` against each configuration (2 KB, the same body),
 * `rounds` times in interleaved order; returns each one's per-round results.
 */
export async function benchOneConnection({ only = ['direct', 'passthrough', 'mockdrift'], rounds, requests, seconds, log }) {
  const { workDir, configs, running, stop } = await startAll({ size: 2048, bodies: 'fixed', only });
  const results = Object.fromEntries(configs.map((config) => [config.name, []]));
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const config of configs) {
        const result = await sequential(running[config.name].port, { requests, seconds });
        results[config.name].push(result);
        log(`  one connection round ${round} ${config.name.padEnd(14)} ${result.count} requests, mean ${result.mean.toFixed(3)} ms, p99 ${result.p99.toFixed(3)} ms`);
      }
    }
  } finally {
    await stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  return results;
}

function countNaiveRows(db) {
  const connection = new Database(db, { readonly: true });
  try {
    return connection.prepare('SELECT count(*) FROM exchanges').pluck().get();
  } finally {
    connection.close();
  }
}

function countRows(db) {
  const connection = new Database(db, { readonly: true });
  try {
    return connection.prepare('SELECT count(*) FROM exchanges WHERE error_code IS NULL').pluck().get();
  } finally {
    connection.close();
  }
}

function countFiles(dir) {
  try {
    return readdirSync(dir, { recursive: true }).filter((name) => String(name).endsWith('.json5') || String(name).endsWith('.json')).length;
  } catch {
    return 0;
  }
}
