import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureWriter } from '../../src/capture/capture-writer.js';
import { RecordingProxy } from '../../src/proxy/recording-proxy.js';
import { SqliteRecordingStore } from '../../src/store/sqlite-recording-store.js';
import { checkFixtures } from '../../src/compare/check-fixtures.js';
import { loadFixtureSet } from '../../src/formats/load-fixtures.js';
import type { FixtureInteraction } from '../../src/model/fixture.js';
import { request } from '../support/http-client.js';
import { tempDir } from '../support/temp-dir.js';
import { startUpstream } from '../support/upstream.js';

/**
 * Every fixture file of the shared real-world folders (written by other people in public
 * repositories): each is read, and when its own responses are served by a sandbox and recorded
 * through the real proxy, checking the file against those recordings verifies every interaction
 * it has a fixed response for, with no breaking or warning finding.
 */

/** `../shared/real-fixtures` from the project root (or from a folder above it, in nested checkouts). */
function sharedFolder(): string | undefined {
  for (let dir = resolve('..'); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'real-fixtures');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

const ROOT = sharedFolder();
const FOLDERS = ['files', 'new-formats'];

function filesBelow(dir: string, depth = 0): string[] {
  if (depth > 8) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === '__files' ? [] : filesBelow(path, depth + 1);
      return /\.(json|har|ya?ml)$/i.test(name) ? [path] : [];
    });
}

const FILES = ROOT ? FOLDERS.flatMap((folder) => filesBelow(join(ROOT, folder)).map((path) => path.slice(ROOT.length + 1))) : [];

/** A concrete path a pattern-only interaction answers (`/v1/items/[^/]+` → `/v1/items/x1`), or undefined. */
function examplePath(pattern: string): string | undefined {
  const candidate = pattern
    .replace(/^\^/, '')
    .replace(/\$$/, '')
    .replace(/\[\^\/\]\+|\[\^\/\]\*|\.\+|\[a-zA-Z0-9_-\]\+|\[\w\\-]+\]\+/g, 'x1')
    .replace(/\\d\+|\[0-9\]\+|\\d\*|\[0-9\]\*/g, '1')
    .replace(/\[0-9\]\{(\d{1,2})\}|\\d\{(\d{1,2})\}/g, (_, a: string | undefined, b: string | undefined) => '1'.repeat(Number(a ?? b)))
    .replace(/(?<!\\)[()]/g, '')
    .replace(/\.\*/g, '')
    .replace(/\/\?/g, '/')
    .replace(/\\(.)/g, '$1')
    .replace(/\/+$/, '')
    .replace(/^(?!\/)/, '/');
  try {
    return new RegExp(`^(?:${pattern})$`).test(candidate) || new RegExp(`^(?:${pattern})$`).test(`${candidate}/`) ? candidate || '/' : undefined;
  } catch {
    return undefined;
  }
}

function requestPath(interaction: FixtureInteraction): string | undefined {
  const path = interaction.request.path ?? (interaction.request.pathPattern ? examplePath(interaction.request.pathPattern) : undefined);
  if (path === undefined) return undefined;
  const query = interaction.request.query;
  const params = new URLSearchParams();
  for (const [name, values] of Object.entries(query ?? {})) for (const value of values) params.append(name, value);
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** Headers a replaying sandbox must not copy: framing and encoding belong to its own answer. */
const NOT_REPLAYED = new Set(['content-length', 'transfer-encoding', 'content-encoding', 'connection', 'keep-alive', 'date']);

describe.skipIf(!ROOT)('the real-world fixture folders', () => {
  // One capture writer and store for the whole folder; each file records under a service of its own.
  const dir = tempDir('mockdrift-real-fixtures-');
  const dbPath = join(dir.path, 'recordings.db');
  let writer: CaptureWriter;
  let fileIndex = 0;
  beforeAll(async () => {
    writer = await CaptureWriter.start({ dbPath, onWarning: () => undefined });
  });
  afterAll(async () => {
    await writer?.close();
    dir.remove();
  });

  it('hold the files this test is about', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(150);
  });

  /** Serves each interaction's response (through `plant` first) to the real proxy, and checks `interactions` against what it stored. */
  async function replay(interactions: FixtureInteraction[], plant: (interaction: FixtureInteraction, body: unknown) => unknown = (_, body) => body) {
    const replayable = interactions.flatMap((interaction) => {
      const path = requestPath(interaction);
      return path === undefined ? [] : [{ interaction, path, method: interaction.request.method === 'ANY' ? 'GET' : interaction.request.method }];
    });
    const queues = new Map<string, FixtureInteraction[]>();
    for (const { interaction, path, method } of replayable) {
      const key = `${method} ${path}`;
      queues.set(key, [...(queues.get(key) ?? []), interaction]);
    }
    const upstream = await startUpstream((req, res) => {
      const next = queues.get(`${req.method} ${req.url}`)?.shift();
      if (!next) {
        res.writeHead(599).end();
        return;
      }
      const { response } = next;
      const text = response.body !== undefined ? JSON.stringify(plant(next, response.body)) : (response.bodyText ?? '');
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(response.headers)) if (!NOT_REPLAYED.has(name) && value !== undefined) headers[name] = value;
      if (response.contentType && !headers['content-type']) headers['content-type'] = response.contentType;
      res.writeHead(response.status, headers);
      res.end(req.method === 'HEAD' || response.status === 204 || response.status === 304 ? undefined : text);
    });
    const service = `file-${fileIndex++}`;
    const proxy = await RecordingProxy.start({ port: 0, target: upstream.url, sink: writer, service });
    try {
      for (const { path, method } of replayable) {
        const answer = await request(`${proxy.url}${path}`, { method });
        expect(answer.status, `${method} ${path}`).not.toBe(599);
      }
      await proxy.stop(1000);
      await writer.flush();
      const store = SqliteRecordingStore.open(dbPath, { readonly: true });
      try {
        // The recordings of this file are under its own service (the one a Pact names is not what is tested here).
        return {
          replayable: replayable.length,
          report: checkFixtures(interactions.map((interaction) => ({ ...interaction, service })), {
            groups: store.recordedGroups({ service }),
            samples: (selector) => store.sampleBodies(selector, 20),
          }),
        };
      } finally {
        store.close();
      }
    } finally {
      await proxy.stop(1000);
      await upstream.close();
    }
  }

  it.each(FILES)('%s is read, and replaying its own responses verifies every interaction with no drift', async (file) => {
    const set = await loadFixtureSet([file], { cwd: ROOT! });
    const interactions = set.interactions;
    // Every interaction with a fixed response can be asked for.
    expect(interactions.filter((i) => requestPath(i) === undefined).map((i) => i.request.pathPattern)).toEqual([]);
    if (interactions.length === 0) {
      expect(set.skipped.map((skipped) => skipped.file)).toEqual([file]);
      return;
    }
    const { report } = await replay(interactions);
    const serious = report.findings.filter((finding) => finding.severity !== 'info').map((finding) => `${finding.kind} ${finding.interaction} ${finding.path ?? ''} ${JSON.stringify(finding.expected)} → ${JSON.stringify(finding.actual)}`);
    expect(serious, serious.join('\n')).toEqual([]);
    expect(report.summary.verified).toBe(interactions.length);
  });

  const NEW_FORMATS = FILES.filter((file) => file.startsWith('new-formats/'));

  it.each(NEW_FORMATS)('%s: a type change planted in a replayed response is found at its path', async (file) => {
    const interactions = (await loadFixtureSet([file], { cwd: ROOT! })).interactions;
    // The first interaction whose body is an object with a top-level string field.
    const target = interactions.find((interaction) => {
      const body = interaction.response.body;
      return typeof body === 'object' && body !== null && !Array.isArray(body) && Object.values(body).some((value) => typeof value === 'string');
    });
    if (!target) return;
    const body = target.response.body as Record<string, unknown>;
    const key = Object.keys(body).find((name) => typeof body[name] === 'string' && /^[A-Za-z_]\w*$/.test(name));
    if (!key) return;
    const { report } = await replay([target], (_, replayed) => ({ ...(replayed as Record<string, unknown>), [key]: 12345 }));
    expect(report.findings.filter((finding) => finding.kind === 'type-changed').map((finding) => [finding.path, finding.expected, finding.actual])).toContainEqual([`$.${key}`, 'string', 'number']);
  });
});
