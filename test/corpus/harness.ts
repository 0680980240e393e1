import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareExchange } from '../../src/capture/prepare-exchange.js';
import { Redactor } from '../../src/capture/redactor.js';
import { runCheck } from '../../src/check.js';
import type { MockdriftConfig } from '../../src/config.js';
import type { CapturedExchange, Exchange } from '../../src/model/exchange.js';
import type { Finding, Report } from '../../src/model/finding.js';
import type { FixtureFormat } from '../../src/model/fixture.js';
import { SqliteRecordingStore } from '../../src/store/sqlite-recording-store.js';
import { tempDir } from '../support/temp-dir.js';

/** Every fixture format, in the order the corpus runs them. */
export const FORMATS: readonly FixtureFormat[] = ['native', 'pact', 'wiremock', 'har', 'nock'];

/** When the corpus's recordings are made: 2026-04-17T10:00:00Z, one hour apart by default. */
export const BASE_TIME = Date.UTC(2026, 3, 17, 10, 0, 0);

/** One exchange the sandbox answered, as a case writes it. */
export interface RecordingSpec {
  /** Default: the fixture's service (see {@link checkCase}), else `default`. */
  readonly service?: string;
  readonly method: string;
  /** Path with the query string, e.g. `/v1/charges/ch_123?expand=customer`. */
  readonly path: string;
  readonly status: number;
  /** Response headers besides `content-type`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON value (serialised with JSON.stringify), or the raw text of the body. */
  readonly body: unknown;
  /** Default: `application/json`; null sends no content type. */
  readonly contentType?: string | null;
  /** ms since the epoch; default {@link BASE_TIME} plus one hour per position. */
  readonly recordedAt?: number;
  /** The request body (JSON value, or text); default none. */
  readonly requestBody?: unknown;
  /** The response bytes as they came over the wire (overrides `body`): for encodings that do not decode. */
  readonly raw?: Uint8Array;
}

/** One fixture interaction, written by a renderer in any format. */
export interface FixtureSpec {
  /** The service the fixture mocks; only native and Pact can say it. */
  readonly service?: string;
  readonly name: string;
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly status: number;
  /** Response headers besides `content-type` (which is always `application/json`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The response body; undefined for a response without one. */
  readonly body: unknown;
  /** The request body (a JSON value), when the fixture has one. */
  readonly requestBody?: unknown;
  /**
   * Pact only: the response's `matchingRules.body`. Default: a `type` matcher on `$`, so that
   * literal values are examples, not pinned (Pact pins every literal without a matcher).
   */
  readonly pactBodyRules?: Readonly<Record<string, unknown>>;
}

/** A fixture file as written by a renderer. */
export interface RenderedFixture {
  /** Relative to the case directory, forward slashes: `fixtures/create-a-charge.json`. */
  readonly file: string;
  readonly text: string;
}

const redactor = new Redactor();

/** Stores `recordings` in the SQLite store at `dbPath` (created when missing) through the capture pipeline. */
export async function recordInto(dbPath: string, recordings: readonly RecordingSpec[], defaultService = 'default', maxBodyBytes = 1024 * 1024): Promise<void> {
  const exchanges: Exchange[] = [];
  for (const [index, recording] of recordings.entries()) {
    exchanges.push(await prepareExchange(captured(recording, index, defaultService), { redactor, maxBodyBytes }));
  }
  const store = SqliteRecordingStore.open(dbPath);
  try {
    store.insert(exchanges);
  } finally {
    store.close();
  }
}

function captured(recording: RecordingSpec, index: number, defaultService: string): CapturedExchange {
  const text = typeof recording.body === 'string' ? recording.body : JSON.stringify(recording.body);
  const requestText =
    recording.requestBody === undefined ? undefined : typeof recording.requestBody === 'string' ? recording.requestBody : JSON.stringify(recording.requestBody);
  const contentType = recording.contentType === undefined ? 'application/json' : recording.contentType;
  return {
    source: 'record',
    service: recording.service ?? defaultService,
    session: 'corpus',
    startedAt: recording.recordedAt ?? BASE_TIME + index * 3_600_000,
    durationMs: 12,
    method: recording.method,
    url: `https://sandbox.example${recording.path}`,
    requestHeaders: { host: 'sandbox.example', accept: 'application/json', ...(requestText !== undefined ? { 'content-type': 'application/json' } : {}) },
    requestBody: requestText === undefined ? null : new Uint8Array(Buffer.from(requestText, 'utf8')),
    requestBodyTruncated: false,
    status: recording.status,
    responseHeaders: { ...(contentType !== null ? { 'content-type': contentType } : {}), ...recording.headers },
    responseBody: recording.raw ?? new Uint8Array(Buffer.from(text, 'utf8')),
    responseBodyTruncated: false,
    error: null,
  };
}

const pretty = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'fixture';
}

function queryString(query: Readonly<Record<string, string>> | undefined): string {
  if (!query || Object.keys(query).length === 0) return '';
  return `?${new URLSearchParams(Object.entries(query)).toString()}`;
}

function responseHeaders(fixture: FixtureSpec): Record<string, string> {
  return { 'Content-Type': 'application/json', ...fixture.headers };
}

/** mockdrift's own format: `{service, interactions: [{name, request, response}]}`. */
export function renderNative(fixture: FixtureSpec): RenderedFixture {
  const document = {
    ...(fixture.service !== undefined ? { service: fixture.service } : {}),
    interactions: [
      {
        name: fixture.name,
        request: {
          method: fixture.method,
          path: fixture.path,
          ...(fixture.query ? { query: fixture.query } : {}),
          ...(fixture.requestBody !== undefined ? { body: fixture.requestBody } : {}),
        },
        response: { status: fixture.status, headers: responseHeaders(fixture), ...(fixture.body !== undefined ? { body: fixture.body } : {}) },
      },
    ],
  };
  return { file: `fixtures/${slug(fixture.name)}.json`, text: pretty(document) };
}

/** A Pact v3 contract with one interaction; the provider is the service. */
export function renderPact(fixture: FixtureSpec): RenderedFixture {
  const document = {
    consumer: { name: 'checkout-web' },
    ...(fixture.service !== undefined ? { provider: { name: fixture.service } } : {}),
    interactions: [
      {
        description: fixture.name,
        request: {
          method: fixture.method,
          path: fixture.path,
          ...(fixture.query ? { query: Object.fromEntries(Object.entries(fixture.query).map(([name, value]) => [name, [value]])) } : {}),
          ...(fixture.requestBody !== undefined ? { headers: { 'Content-Type': 'application/json' }, body: fixture.requestBody } : {}),
        },
        response: {
          status: fixture.status,
          headers: responseHeaders(fixture),
          ...(fixture.body !== undefined
            ? { body: fixture.body, matchingRules: { body: fixture.pactBodyRules ?? { $: { matchers: [{ match: 'type' }], combine: 'AND' } } } }
            : {}),
        },
      },
    ],
    metadata: { pactSpecification: { version: '3.0.0' } },
  };
  return { file: `fixtures/${slug(fixture.name)}.pact.json`, text: pretty(document) };
}

/** A WireMock stub mapping file: `urlPath` (+ `queryParameters`) and `jsonBody`. */
export function renderWireMock(fixture: FixtureSpec): RenderedFixture {
  const queryParameters = fixture.query
    ? Object.fromEntries(Object.entries(fixture.query).map(([name, value]) => [name, { equalTo: value }]))
    : undefined;
  const document = {
    mappings: [
      {
        name: fixture.name,
        request: {
          method: fixture.method,
          urlPath: fixture.path,
          ...(queryParameters ? { queryParameters } : {}),
          ...(fixture.requestBody !== undefined ? { bodyPatterns: [{ equalToJson: fixture.requestBody }] } : {}),
        },
        response: { status: fixture.status, headers: responseHeaders(fixture), ...(fixture.body !== undefined ? { jsonBody: fixture.body } : {}) },
      },
    ],
  };
  return { file: `fixtures/${slug(fixture.name)}.wiremock.json`, text: pretty(document) };
}

/** A HAR 1.2 file with one entry, as a browser or Polly.JS writes it (absolute URL, body as text). */
export function renderHar(fixture: FixtureSpec): RenderedFixture {
  const text = fixture.body === undefined ? '' : JSON.stringify(fixture.body);
  const headers = Object.entries(responseHeaders(fixture)).map(([name, value]) => ({ name: name.toLowerCase(), value }));
  const document = {
    log: {
      version: '1.2',
      creator: { name: 'Polly.JS', version: '6.0.6' },
      entries: [
        {
          startedDateTime: '2026-04-01T09:00:00.000Z',
          time: 42,
          request: {
            method: fixture.method,
            url: `https://api.example.test${fixture.path}${queryString(fixture.query)}`,
            httpVersion: 'HTTP/1.1',
            headers: [{ name: 'accept', value: 'application/json' }],
            queryString: Object.entries(fixture.query ?? {}).map(([name, value]) => ({ name, value })),
            cookies: [],
            headersSize: -1,
            bodySize: 0,
            ...(fixture.requestBody !== undefined ? { postData: { mimeType: 'application/json', text: JSON.stringify(fixture.requestBody) } } : {}),
          },
          response: {
            status: fixture.status,
            statusText: '',
            httpVersion: 'HTTP/1.1',
            headers,
            cookies: [],
            content: { mimeType: 'application/json', size: Buffer.byteLength(text), text },
            redirectURL: '',
            headersSize: -1,
            bodySize: -1,
          },
          cache: {},
          timings: { send: 0, wait: 42, receive: 0 },
        },
      ],
    },
  };
  return { file: `fixtures/${slug(fixture.name)}.har`, text: pretty(document) };
}

/** A nock recorder file (`output_objects: true`): scope, path with query, response, rawHeaders. */
export function renderNock(fixture: FixtureSpec): RenderedFixture {
  const document = [
    {
      scope: 'https://api.example.test:443',
      method: fixture.method,
      path: `${fixture.path}${queryString(fixture.query)}`,
      body: fixture.requestBody ?? '',
      status: fixture.status,
      response: fixture.body ?? '',
      rawHeaders: Object.entries(responseHeaders(fixture)).flat(),
      responseIsBinary: false,
    },
  ];
  return { file: `fixtures/${slug(fixture.name)}.nock.json`, text: pretty(document) };
}

export const RENDERERS: Readonly<Partial<Record<FixtureFormat, (fixture: FixtureSpec) => RenderedFixture>>> = {
  native: renderNative,
  pact: renderPact,
  wiremock: renderWireMock,
  har: renderHar,
  nock: renderNock,
};

/** Writes `fixture` in `format` below `dir`; returns what was written. */
export function writeFixture(dir: string, format: FixtureFormat, fixture: FixtureSpec): RenderedFixture {
  const rendered = RENDERERS[format]!(fixture);
  mkdirSync(join(dir, 'fixtures'), { recursive: true });
  writeFileSync(join(dir, rendered.file), rendered.text);
  return rendered;
}

export interface CaseOptions {
  readonly config?: MockdriftConfig;
  /** Most bytes of a body stored (`--max-body`). Default: 1 MiB. */
  readonly maxBodyBytes?: number;
}

/** A case laid out on disk: the fixture file and the store, ready to be checked (any number of times). */
export interface PreparedCase {
  readonly dir: string;
  readonly fixture: RenderedFixture;
  check(): Promise<Report>;
  remove(): void;
}

/** Writes the fixture and records the recordings into a fresh temp dir. Recordings default to the fixture's service. */
export async function prepareCase(
  format: FixtureFormat,
  fixture: FixtureSpec,
  recordings: readonly RecordingSpec[],
  options: CaseOptions = {},
): Promise<PreparedCase> {
  const dir = tempDir('mockdrift-corpus-');
  try {
    const rendered = writeFixture(dir.path, format, fixture);
    await recordInto(join(dir.path, 'recordings.db'), recordings, fixture.service ?? 'default', options.maxBodyBytes);
    return {
      dir: dir.path,
      fixture: rendered,
      check: () => runCheck({ cwd: dir.path, db: 'recordings.db', config: options.config ?? {}, fixtures: ['fixtures/'] }),
      remove: () => dir.remove(),
    };
  } catch (error) {
    dir.remove();
    throw error;
  }
}

/** Renders `fixture` in `format`, records `recordings`, runs the whole check and returns its report. */
export async function checkCase(
  format: FixtureFormat,
  fixture: FixtureSpec,
  recordings: readonly RecordingSpec[],
  options: CaseOptions = {},
): Promise<Report> {
  const prepared = await prepareCase(format, fixture, recordings, options);
  try {
    return await prepared.check();
  } finally {
    prepared.remove();
  }
}

/** A finding as one comparable line: `breaking field-renamed $.user_id -> $.userId`. */
export function describeFinding(finding: Finding): string {
  return [finding.severity, finding.kind, finding.path ?? '-', ...(finding.to !== undefined ? ['->', finding.to] : [])].join(' ');
}

/** The findings of the given severities as sorted lines (see {@link describeFinding}). */
export function findingLines(report: Report, severities: readonly Finding['severity'][]): string[] {
  return report.findings
    .filter((finding) => severities.includes(finding.severity))
    .map(describeFinding)
    .sort();
}

/** Like {@link prepareCase}, with several fixtures (each in its own file) against one store. */
export async function prepareFixtures(
  format: FixtureFormat,
  fixtures: readonly FixtureSpec[],
  recordings: readonly RecordingSpec[],
  options: CaseOptions = {},
): Promise<PreparedCase & { readonly fixtures: readonly RenderedFixture[] }> {
  const dir = tempDir('mockdrift-corpus-');
  try {
    const rendered = fixtures.map((fixture) => writeFixture(dir.path, format, fixture));
    if (new Set(rendered.map((file) => file.file)).size !== rendered.length) throw new Error('fixture names must give distinct files');
    await recordInto(join(dir.path, 'recordings.db'), recordings, fixtures[0]?.service ?? 'default', options.maxBodyBytes);
    return {
      dir: dir.path,
      fixture: rendered[0]!,
      fixtures: rendered,
      check: () => runCheck({ cwd: dir.path, db: 'recordings.db', config: options.config ?? {}, fixtures: ['fixtures/'] }),
      remove: () => dir.remove(),
    };
  } catch (error) {
    dir.remove();
    throw error;
  }
}
