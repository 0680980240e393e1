// The proxy benchmark: the same load through each configuration, in interleaved rounds.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
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
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start: ${stderr}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      // A bare port (the helper servers), or mockdrift's start-up line naming its URL.
      const match = /^(\d+)$/m.exec(stdout) ?? /recording http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]), stderr: () => stderr });
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr}`)));
  });
}

export function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
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

/**
 * Runs every configuration for one body size, `rounds` times in interleaved order, and returns
 * each one's per-round results plus, for the recorders, how many exchanges they stored.
 */
export async function benchProxies({ size, bodies = 'fixed', only, rounds, seconds, log }) {
  const workDir = mkdtempSync(join(tmpdir(), 'mockdrift-bench-'));
  const upstream = await startChild([join(HERE, 'servers.js'), 'upstream', String(size), bodies]);
  const target = `http://127.0.0.1:${upstream.port}`;
  const tapes = join(workDir, 'tapes');
  const db = join(workDir, 'mockdrift.db');
  const all = [
    { name: 'direct', start: async () => ({ port: upstream.port, child: null }) },
    { name: 'passthrough', start: () => startChild([join(HERE, 'servers.js'), 'passthrough', target]) },
    { name: 'mockdrift', start: () => startChild([BIN, 'record', '--target', target, '--port', '0', '--quiet', '--db', db]) },
    { name: 'talkback', start: () => startChild([join(HERE, 'servers.js'), 'talkback', target, tapes]) },
    { name: 'mockttp', start: () => startChild([join(HERE, 'servers.js'), 'mockttp', target]) },
  ];
  const configs = only ? all.filter((config) => only.includes(config.name)) : all;
  const running = {};
  for (const config of configs) running[config.name] = await config.start();
  const results = Object.fromEntries(configs.map((config) => [config.name, []]));
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const config of configs) {
        const { port, child } = running[config.name];
        const result = await load(port, seconds);
        const memory = child ? rssOf(child.pid) : rssOf(upstream.child.pid);
        results[config.name].push({ ...result, rss: memory.rss, peakRss: memory.peak });
        log(`  ${size / 1024} KB ${bodies} round ${round} ${config.name.padEnd(11)} ${Math.round(result.rps)} req/s, p99 ${result.p99} ms, ${result.errors} errors`);
      }
    }
  } finally {
    for (const config of configs) if (running[config.name].child) await stopChild(running[config.name].child);
    await stopChild(upstream.child);
  }
  const stored = {
    mockdrift: countRows(db),
    ...(configs.some((config) => config.name === 'talkback') ? { talkback: countFiles(tapes) } : {}),
    // mockttp forwards and keeps nothing it could be asked for afterwards.
    ...(configs.some((config) => config.name === 'mockttp') ? { mockttp: 0 } : {}),
  };
  rmSync(workDir, { recursive: true, force: true });
  return { results, stored };
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
