import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { stripComments } from 'jsonc-parser';
import { unterminatedComment } from '../../src/formats/json-syntax.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prepareExchange } from '../../src/capture/prepare-exchange.js';
import { Redactor } from '../../src/capture/redactor.js';
import { runUpdate } from '../../src/update/run-update.js';
import { aggregateShapes } from '../../src/compare/aggregate-shape.js';
import { checkFixtures, type Recordings } from '../../src/compare/check-fixtures.js';
import { FixtureDocument, type PointerStep } from '../../src/formats/fixture-document.js';
import { DocumentEditor } from '../../src/formats/document-editor.js';
import { FIXTURE_LOADERS, loadFixtureFile } from '../../src/formats/load-fixtures.js';
import { MockdriftError } from '../../src/model/errors.js';
import type { CapturedExchange } from '../../src/model/exchange.js';
import type { Finding, Report } from '../../src/model/finding.js';
import type { FixtureInteraction } from '../../src/model/fixture.js';
import { childPath, formatPath, itemsPath, parsePath, ROOT_PATH } from '../../src/model/json-path.js';
import type { RecordedGroup } from '../../src/model/recorded-group.js';
import { normalizePath, routeOf } from '../../src/model/route.js';
import { jsonTypeOf, MAX_SHAPE_DEPTH, shapeOf, type JsonType } from '../../src/model/shape.js';
import { REPORT_FORMATTERS } from '../../src/report/formatters.js';
import { harToCaptured } from '../../src/store/har.js';
import { recordInto } from '../corpus/harness.js';
import { tempDir } from '../support/temp-dir.js';

/*
 * Hostile input, fuzzed. Every fixture loader, the shape and aggregate code, the comparator, the
 * line index, the text editor, HAR import and the capture pipeline get arbitrary JSON, hostile keys
 * (`__proto__`, `constructor`, `prototype`, `toString`, …), NaN-like values, duplicate keys,
 * invalid UTF-8, 100,000-deep nesting and a 10 MB string. The outcome is always a correct result
 * or a MockdriftError FIXTURE_INVALID naming `file:line` — never another exception, never a
 * polluted prototype, never a hang (every property is time-boxed).
 */

// ---------------------------------------------------------------------------------------------
// Counting and time-boxing
// ---------------------------------------------------------------------------------------------

const counts = new Map<string, number>();
let currentProperty = '';

/** Wraps a property's predicate so that every case it runs is counted under the current test. */
function counted<A extends unknown[], R>(predicate: (...args: A) => R): (...args: A) => R {
  const name = currentProperty;
  return (...args: A) => {
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return predicate(...args);
  };
}

/** At most 200 runs, and never more than 3 s of them: a slow case must not stall the suite. */
const FUZZ = { numRuns: 200, interruptAfterTimeLimit: 3_000 } as const;

function fuzzIt(name: string, body: () => void | Promise<void>): void {
  it(name, async () => {
    currentProperty = name;
    await body();
  }, 15_000);
}

afterAll(() => {
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const detail = [...counts.entries()].map(([name, count]) => `  ${count}\t${name}`).join('\n');
  console.log(`hostile-input: ${total} fuzz cases run\n${detail}`);
});

// ---------------------------------------------------------------------------------------------
// The prototypes stay clean
// ---------------------------------------------------------------------------------------------

function snapshot(target: object): Map<string | symbol, unknown> {
  return new Map(Reflect.ownKeys(target).map((key) => [key, Object.getOwnPropertyDescriptor(target, key)?.value ?? Object.getOwnPropertyDescriptor(target, key)?.get]));
}

const PRISTINE = { object: snapshot(Object.prototype), array: snapshot(Array.prototype), fn: snapshot(Function.prototype) };

function expectCleanPrototypes(): void {
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>)['polluted']).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  for (const [name, target] of [['object', Object.prototype], ['array', Array.prototype], ['fn', Function.prototype]] as const) {
    const now = snapshot(target);
    const before = PRISTINE[name];
    expect([...now.keys()].map(String).sort()).toEqual([...before.keys()].map(String).sort());
    for (const [key, value] of before) expect(now.get(key)).toBe(value);
  }
}

afterEach(() => expectCleanPrototypes());

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const HOSTILE_KEYS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'toJSON', 'isPrototypeOf',
  '__defineGetter__', 'length', 'polluted', '0', '', ' ', 'a.b', "a'b", 'a"b', 'a\\b', 'a[0]', '[*]', '$', '..', '~1', '/', 'é', '\u2028',
];
const NAN_LIKE_STRINGS = ['NaN', 'Infinity', '-Infinity', '-0', '1e400', '-1e400', '0x1F', '1_000', '', ' ', 'null', 'true', 'undefined'];
/** Number tokens written raw into the JSON text (JSON.parse reads 1e400 as Infinity, -0 as -0). */
const RAW_NUMBERS = ['1e400', '-1e400', '-0', '1e-400', '-0.0', '123456789012345678901234567890', '0.1e1', '1E+2'];
const NASTY_URLS = [
  '/x', '//[', 'http://[', 'http://x:99999/', '//', '', '?', '#', '%', '/%E0%A4%A', '/x?__proto__=1&constructor=2&prototype=3',
  '/x?a=1&a=2&toString=3', 'javascript:alert(1)', 'file:///etc/passwd', 'http://user:pass@host/x?token=1', '/a/../../b', '/\u0000', ' /x ',
];

const RAW_MARK = '\u0000RAW:';

/** Keys: hostile names most of the time, arbitrary strings otherwise. */
const key = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE_KEYS) }, { weight: 2, arbitrary: fc.string({ maxLength: 6, unit: 'binary' }) });

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...NAN_LIKE_STRINGS),
  fc.constantFrom(...RAW_NUMBERS).map((token) => `${RAW_MARK}${token}`),
  fc.string({ maxLength: 12, unit: 'binary' }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('2026-04-17', '2026-04-17T10:00:00Z', '550e8400-e29b-41d4-a716-446655440000', 'a@b.co', 'https://x.example/'),
);

const { value: hostileValue } = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ maxDepth: 5, depthIdentifier: 'hostile' }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4, depthIdentifier: 'hostile' }),
  object: fc
    .uniqueArray(fc.tuple(key, tie('value')), { selector: ([name]) => name, maxLength: 5, depthIdentifier: 'hostile' })
    // Object.fromEntries defines properties: a `__proto__` key becomes data, as JSON.parse makes it.
    .map((entries) => Object.fromEntries(entries)),
}));

/** Arbitrary JSON: fast-check's own, and ours with hostile keys and NaN-like values. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }), hostileValue);
const anyObject = fc.dictionary(key, anyJson, { maxKeys: 5 });

/** JSON text of `value`, with the raw number markers written as bare number tokens. */
function toText(value: unknown, indent: number | undefined = 2): string {
  const text = JSON.stringify(value, null, indent) ?? 'null';
  return text.replace(/"\\u0000RAW:([^"\\]+)"/g, '$1');
}

/** The value the text parses to (markers read as numbers). */
function parsed(value: unknown, indent?: number): unknown {
  return JSON.parse(toText(value, indent)) as unknown;
}

const maybe = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: anyJson });
const method = fc.constantFrom('GET', 'POST', 'get', 'ANY', '', 'TRACE');
const path = fc.oneof(fc.constantFrom('/things', '/things/123', '/__proto__/constructor'), fc.constantFrom(...NASTY_URLS));
const headerObject = fc.oneof(
  fc.constant({ 'Content-Type': 'application/json' }),
  fc.dictionary(key, fc.oneof(fc.string(), anyJson), { maxKeys: 3 }),
);

/** One document per format, with any part possibly replaced by arbitrary JSON. */
const nativeDocument = fc
  .tuple(
    fc.record({
      name: maybe(fc.string()),
      request: maybe(fc.record({ method: maybe(method), path: maybe(path), query: maybe(fc.dictionary(key, fc.string(), { maxKeys: 2 })), headers: maybe(headerObject) }, { requiredKeys: ['method', 'path'] })),
      response: maybe(fc.record({ status: maybe(fc.constantFrom(200, 201, 404, 99, 600, 200.5)), headers: maybe(headerObject), body: anyJson }, { requiredKeys: ['status'] })),
    }),
    fc.constantFrom('single', 'list', 'interactions'),
    maybe(fc.string()),
  )
  .map(([interaction, form, service]) =>
    form === 'single' ? interaction : form === 'list' ? [interaction] : { service, interactions: [interaction] },
  );

const pactDocument = fc
  .record({
    version: fc.constantFrom('2.0.0', '3.0.0', '4.0'),
    provider: maybe(fc.record({ name: maybe(fc.string()) })),
    description: maybe(fc.string()),
    type: fc.constantFrom(undefined, 'Synchronous/HTTP', 'Asynchronous/Messages'),
    request: maybe(fc.record({ method: maybe(method), path: maybe(path), query: maybe(fc.oneof(fc.string(), fc.dictionary(key, anyJson, { maxKeys: 2 }))), headers: maybe(headerObject) })),
    status: maybe(fc.constantFrom(200, 404, 0, 200.5)),
    headers: maybe(headerObject),
    body: fc.oneof(anyJson, fc.record({ content: anyJson, contentType: maybe(fc.constantFrom('application/json', 'text/plain')), encoded: maybe(fc.constantFrom(false, true, 'base64', 'JSON')) })),
    rules: maybe(fc.dictionary(fc.oneof(fc.constantFrom('$', '$.a', '$.__proto__', '$.body', '$[*]', '$.*'), fc.string()), maybe(fc.record({ matchers: maybe(fc.array(maybe(fc.record({ match: maybe(fc.constantFrom('type', 'regex', 'integer', 'equality', 'include', 'date', 'min')), regex: maybe(fc.constantFrom('.*', 'a+', '[', '^x$')), value: anyJson, min: anyJson })), { maxLength: 2 })) })), { maxKeys: 3 })),
  })
  .map(({ version, provider, description, type, request, status, headers, body, rules }) => ({
    consumer: { name: 'web' },
    provider,
    interactions: [
      {
        description,
        ...(type !== undefined ? { type } : {}),
        request,
        response: { status, headers, body, matchingRules: version.startsWith('2') ? rules : { body: rules } },
      },
    ],
    metadata: { pactSpecification: { version } },
  }));

const wireMockDocument = fc
  .tuple(
    fc.record({
      name: maybe(fc.string()),
      request: maybe(
        fc.record({
          method: maybe(method),
          [`url`]: maybe(fc.constantFrom(...NASTY_URLS)),
          urlPath: maybe(path),
          urlPattern: maybe(fc.constantFrom('/x\\?.*', '(', '/things/[^/]+(\\?.*)?$', '.*')),
          queryParameters: maybe(fc.dictionary(key, maybe(fc.record({ equalTo: maybe(fc.string()) })), { maxKeys: 2 })),
          headers: maybe(fc.dictionary(key, maybe(fc.record({ equalTo: anyJson })), { maxKeys: 2 })),
        }, { requiredKeys: [] }),
      ),
      response: maybe(
        fc.record({
          status: maybe(fc.constantFrom(200, 404, 200.5)),
          headers: maybe(headerObject),
          jsonBody: anyJson,
          body: anyJson,
          base64Body: maybe(fc.base64String()),
          bodyFileName: maybe(fc.constantFrom('missing.json', '{{request.path}}', 'sub')),
        }, { requiredKeys: [] }),
      ),
    }),
    fc.boolean(),
  )
  .map(([stub, wrapped]) => (wrapped ? { mappings: [stub] } : stub));

const harDocument = fc
  .record({
    method: maybe(method),
    url: maybe(fc.oneof(fc.constantFrom(...NASTY_URLS.map((url) => `https://api.example${url}`)), fc.constantFrom(...NASTY_URLS))),
    requestHeaders: maybe(fc.array(maybe(fc.record({ name: maybe(fc.oneof(key, fc.constant(':authority'))), value: anyJson })), { maxLength: 3 })),
    queryString: maybe(fc.array(maybe(fc.record({ name: maybe(key), value: anyJson })), { maxLength: 2 })),
    postData: maybe(fc.record({ mimeType: maybe(fc.string()), text: maybe(fc.string()), params: maybe(fc.array(anyJson, { maxLength: 2 })) })),
    status: maybe(fc.constantFrom(200, 0, 404, 99, 1000)),
    responseHeaders: maybe(fc.array(maybe(fc.record({ name: maybe(key), value: anyJson })), { maxLength: 3 })),
    content: maybe(fc.record({ mimeType: maybe(fc.constantFrom('application/json', 'x-unknown', 'text/html')), text: maybe(anyJson.map((value) => toText(value, 0))), encoding: maybe(fc.constantFrom('base64', 'utf8')) })),
    startedDateTime: maybe(fc.constantFrom('2026-04-01T09:00:00.000Z', 'yesterday')),
  })
  .map(({ method, url, requestHeaders, queryString, postData, status, responseHeaders, content, startedDateTime }) => ({
    log: {
      version: '1.2',
      entries: [{ startedDateTime, request: { method, url, headers: requestHeaders, queryString, postData }, response: { status, headers: responseHeaders, content } }],
    },
  }));

const nockDocument = fc
  .tuple(
    fc.record({
      scope: fc.constantFrom('https://api.example:443', 'http://[', ''),
      method: fc.constantFrom('GET', 'POST', ''),
      path: maybe(path),
      body: anyJson,
      status: maybe(fc.constantFrom(200, 404, 99, 600, '200')),
      response: anyJson,
      rawHeaders: maybe(fc.oneof(fc.constant(['Content-Type', 'application/json']), fc.array(anyJson, { maxLength: 4 }), headerObject)),
      reqheaders: maybe(headerObject),
      responseIsBinary: maybe(fc.boolean()),
    }),
    fc.boolean(),
  )
  .map(([definition, single]) => (single ? definition : [definition]));

const FORMAT_DOCUMENTS = { native: nativeDocument, pact: pactDocument, wiremock: wireMockDocument, har: harDocument, nock: nockDocument } as const;
const anyDocument = fc.oneof(...Object.values(FORMAT_DOCUMENTS), anyJson);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** What a loader may do with any input: return interactions, or throw FIXTURE_INVALID at `file:line`. */
function expectLoadedOrInvalid(load: () => FixtureInteraction[], file: string): FixtureInteraction[] | null {
  try {
    return load();
  } catch (error) {
    expectFixtureInvalid(error, file);
    return null;
  }
}

async function expectLoadedOrInvalidAsync(load: () => Promise<FixtureInteraction[]>, file: string): Promise<FixtureInteraction[] | null> {
  try {
    return await load();
  } catch (error) {
    expectFixtureInvalid(error, file);
    return null;
  }
}

function expectFixtureInvalid(error: unknown, file: string): void {
  if (!(error instanceof MockdriftError)) throw error; // any other exception fails the property, with its stack
  expect(error.code).toBe('FIXTURE_INVALID');
  expect(error.message.startsWith(`${file}:`)).toBe(true);
  expect(error.message.slice(file.length)).toMatch(/^:\d+/);
}

const NOW = Date.UTC(2026, 3, 17, 10, 0, 0);

/** One recorded group holding `bodies`, for the route, method and status of `interaction` (or `GET /things` 200). */
function recordingsOf(bodies: readonly unknown[], interaction?: FixtureInteraction): Recordings {
  const shapes = new Map<string, { shape: ReturnType<typeof shapeOf>; count: number }>();
  for (const body of bodies) {
    const shape = shapeOf(body);
    const id = JSON.stringify(Object.entries(shape));
    const entry = shapes.get(id);
    if (entry) entry.count += 1;
    else shapes.set(id, { shape, count: 1 });
  }
  const requestPath = interaction?.request.path ?? '/things';
  const samplePath = normalizePath(requestPath);
  const group: RecordedGroup = {
    service: interaction?.service ?? 'default',
    method: interaction && interaction.request.method !== 'ANY' ? interaction.request.method : 'GET',
    route: routeOf(samplePath),
    status: interaction?.response.status ?? 200,
    queryNames: Object.keys(interaction?.request.query ?? {}).sort(),
    contentType: 'application/json',
    count: Math.max(1, bodies.length),
    firstSeen: NOW - 60_000,
    lastSeen: NOW,
    samplePath,
    headers: new Map([['content-type', bodies.length]]),
    shapes: [...shapes.values()],
  };
  return { groups: [group], samples: () => bodies };
}

function fixtureOf(body: unknown, options: { pins?: boolean } = {}): FixtureInteraction {
  return {
    file: 'fixtures/things.json',
    format: options.pins ? 'pact' : 'native',
    index: 0,
    name: 'GET /things',
    service: null,
    request: { method: 'GET', path: '/things', query: null, headers: {} },
    response: { status: 200, headers: { 'content-type': 'application/json' }, body, contentType: 'application/json' },
    matchers: {},
    pinsLiterals: options.pins ?? false,
    location: { interactionPointer: [], bodyPointer: null, line: 1, lineOf: () => 1 },
  };
}

/** Every report format renders; the JSON one parses back. */
function expectReportsRender(report: Report): void {
  for (const [format, formatter] of Object.entries(REPORT_FORMATTERS)) {
    const text = formatter.render(report);
    expect(typeof text).toBe('string');
    if (format === 'json') expect((JSON.parse(text) as { version: number }).version).toBe(1);
  }
}

const serious = (findings: readonly Finding[]): string[] =>
  findings.filter((finding) => finding.severity !== 'info').map((finding) => `${finding.kind} ${finding.path ?? '-'}`);

/** The paths and types of a small value, by a plain recursive walk: what shapeOf must say. */
function referenceShape(value: unknown, path = ROOT_PATH, out = new Map<string, Set<JsonType>>()): Map<string, Set<JsonType>> {
  const types = out.get(path) ?? new Set<JsonType>();
  types.add(jsonTypeOf(value));
  out.set(path, types);
  if (Array.isArray(value)) for (const item of value) referenceShape(item, itemsPath(path), out);
  else if (typeof value === 'object' && value !== null) {
    for (const name of Object.keys(value)) referenceShape((value as Record<string, unknown>)[name], childPath(path, name), out);
  }
  return out;
}

/** Every JSON pointer of a value, with the value there. */
function pointersOf(value: unknown, pointer: PointerStep[] = [], out: Array<[PointerStep[], unknown]> = []): Array<[PointerStep[], unknown]> {
  out.push([pointer, value]);
  if (Array.isArray(value)) value.forEach((item, index) => pointersOf(item, [...pointer, index], out));
  else if (typeof value === 'object' && value !== null) {
    for (const name of Object.keys(value)) pointersOf((value as Record<string, unknown>)[name], [...pointer, name], out);
  }
  return out;
}

/** A copy of `root` with `edit` applied to the container holding `pointer`'s last step. Keys are defined, never assigned. */
function editedCopy(root: unknown, pointer: readonly PointerStep[], edit: (container: Array<[string, unknown]> | unknown[], step: PointerStep) => void): unknown {
  const copy = (value: unknown, depth: number): unknown => {
    if (depth === pointer.length - 1) {
      if (Array.isArray(value)) {
        const items = value.slice();
        edit(items, pointer[depth]!);
        return items;
      }
      const entries = Object.entries(value as Record<string, unknown>);
      edit(entries, pointer[depth]!);
      return objectFrom(entries);
    }
    const step = pointer[depth]!;
    if (Array.isArray(value)) return value.map((item, index) => (index === step ? copy(item, depth + 1) : item));
    return objectFrom(Object.entries(value as Record<string, unknown>).map(([name, child]) => [name, name === step ? copy(child, depth + 1) : child]));
  };
  return copy(root, 0);
}

function objectFrom(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [name, value] of entries) Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

function captured(body: Uint8Array | null, headers: Record<string, string>, url = 'https://sandbox.example/things'): CapturedExchange {
  return {
    source: 'record',
    service: 'default',
    session: 'hostile',
    startedAt: NOW,
    durationMs: 1,
    method: 'POST',
    url,
    requestHeaders: { host: 'sandbox.example', ...headers },
    requestBody: body,
    requestBodyTruncated: false,
    status: 200,
    responseHeaders: { ...headers },
    responseBody: body,
    responseBodyTruncated: false,
    error: null,
  };
}

const redactor = new Redactor();
const prepare = (exchange: CapturedExchange, maxBodyBytes = 1024 * 1024) => prepareExchange(exchange, { redactor, maxBodyBytes });

const DEEP = 100_000;
const deepArrayText = '['.repeat(DEEP) + ']'.repeat(DEEP);
const deepObjectText = '{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP);
const deepHostileText = '{"__proto__":'.repeat(DEEP) + '{"polluted":true}' + '}'.repeat(DEEP);

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir('mockdrift-hostile-');
});
afterAll(() => dir.remove());

let fileCounter = 0;
/** Writes `content` to a fresh file in the temp dir; returns its absolute path and the name reports show. */
function writeFixtureFile(content: string | Uint8Array, extension = 'json'): { absolute: string; file: string } {
  const name = `f${fileCounter++}.${extension}`;
  const absolute = join(dir.path, name);
  writeFileSync(absolute, content);
  return { absolute, file: `fixtures/${name}` };
}

/** The document of each format with `body` in its body slot, as text. */
const ENVELOPES: Readonly<Record<string, (body: string) => string>> = {
  native: (body) => `{"request":{"method":"GET","path":"/things"},"response":{"status":200,"body":${body}}}`,
  pact: (body) =>
    `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d","request":{"method":"GET","path":"/things"},` +
    `"response":{"status":200,"headers":{"Content-Type":"application/json"},"body":${body}}}],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`,
  wiremock: (body) => `{"request":{"method":"GET","urlPath":"/things"},"response":{"status":200,"jsonBody":${body}}}`,
  har: (body) =>
    `{"log":{"entries":[{"request":{"method":"GET","url":"https://api.example/things"},` +
    `"response":{"status":200,"content":{"mimeType":"application/json","text":${JSON.stringify(body)}}}}]}}`,
  nock: (body) => `[{"scope":"https://api.example:443","method":"GET","path":"/things","status":200,"response":${body}}]`,
};

/** The same documents with `value` in places other than the body (headers, query, status, name). */
const SIDE_SLOTS: Readonly<Record<string, (value: string) => string>> = {
  'native headers': (value) => `{"request":{"method":"GET","path":"/things","headers":{"x":${value}}},"response":{"status":200,"headers":{"x":[${value}]},"body":{}}}`,
  'native query': (value) => `{"request":{"method":"GET","path":"/things","query":{"q":${value}}},"response":{"status":200}}`,
  'native status': (value) => `{"request":{"method":"GET","path":"/things"},"response":{"status":${value}}}`,
  'pact query': (value) => `{"consumer":{"name":"c"},"interactions":[{"request":{"method":"GET","path":"/x","query":{"q":${value},"r":[${value}]}},"response":{"status":200}}]}`,
  'pact status': (value) => `{"consumer":{"name":"c"},"interactions":[{"request":{"method":"GET","path":"/x"},"response":{"status":${value}}}]}`,
  'pact headers': (value) => `{"consumer":{"name":"c"},"interactions":[{"request":{"method":"GET","path":"/x","headers":{"x":${value}}},"response":{"status":200,"headers":{"y":[${value}]}}}]}`,
  'pact rules': (value) => `{"consumer":{"name":"c"},"interactions":[{"request":{"method":"GET","path":"/x"},"response":{"status":200,"body":{"a":1},"matchingRules":{"body":{"$.a":${value}}}}}]}`,
  'wiremock status': (value) => `{"request":{"method":"GET","urlPath":"/x"},"response":{"status":${value}}}`,
  'wiremock query': (value) => `{"request":{"method":"GET","urlPath":"/x","queryParameters":{"q":${value}},"headers":{"h":{"equalTo":${value}}}},"response":{"status":200}}`,
  'har headers': (value) => `{"log":{"entries":[{"request":{"method":"GET","url":"https://x/x","headers":[{"name":"h","value":${value}}],"queryString":[{"name":"q","value":${value}}]},"response":{"status":200,"headers":[{"name":"h","value":${value}}]}}]}}`,
  'har status': (value) => `{"log":{"entries":[{"request":{"method":"GET","url":"https://x/x"},"response":{"status":${value}}}]}}`,
  'nock headers': (value) => `[{"scope":"https://x","method":"GET","path":"/x","rawHeaders":{"h":${value}},"reqheaders":{"h":[${value}]}}]`,
  'nock status': (value) => `[{"scope":"https://x","method":"GET","path":"/x","status":${value}}]`,
};

// ---------------------------------------------------------------------------------------------
// Fuzzed: fixture loading
// ---------------------------------------------------------------------------------------------

describe('fixture loaders under arbitrary input (fast-check)', () => {
  fuzzIt('loadFixtureFile: any document of any format, pretty or compact, loads or is FIXTURE_INVALID at file:line', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyDocument,
        fc.constantFrom(0, 2),
        counted(async (document: unknown, indent: number) => {
          const { absolute, file } = writeFixtureFile(toText(document, indent === 0 ? undefined : indent));
          const interactions = await expectLoadedOrInvalidAsync(() => loadFixtureFile(absolute, file), file);
          for (const interaction of interactions ?? []) {
            expect(interaction.file).toBe(file);
            expect(Number.isInteger(interaction.response.status)).toBe(true);
            if (interaction.response.body !== undefined) shapeOf(interaction.response.body);
          }
          expectCleanPrototypes();
        }),
      ),
      FUZZ,
    );
  });

  fuzzIt('every loader: detect never throws; load on any document (its format or not) loads or is FIXTURE_INVALID', () => {
    fc.assert(
      fc.property(
        anyDocument,
        counted((document: unknown) => {
          const file = 'fixtures/any.json';
          const text = toText(document);
          const source = { file, absolutePath: join(dir.path, 'any.json'), document: FixtureDocument.parse(file, text) };
          for (const loader of FIXTURE_LOADERS) {
            expect(typeof loader.detect(source.document.value)).toBe('boolean');
            const interactions = expectLoadedOrInvalid(() => loader.load(source), file);
            for (const interaction of interactions ?? []) {
              expect(interaction.location.line).toBeGreaterThanOrEqual(1);
              expect(interaction.location.lineOf('$.__proto__.constructor')).toBeGreaterThanOrEqual(1);
            }
          }
          expectCleanPrototypes();
        }),
      ),
      FUZZ,
    );
  });

  fuzzIt('loaded fixtures compared with arbitrary recordings: a report in every format, no exception', () => {
    fc.assert(
      fc.property(
        anyDocument,
        fc.array(anyJson, { minLength: 1, maxLength: 3 }),
        counted((document: unknown, recorded: unknown[]) => {
          const file = 'fixtures/any.json';
          const source = { file, absolutePath: join(dir.path, 'any.json'), document: FixtureDocument.parse(file, toText(document)) };
          const loader = FIXTURE_LOADERS.find((candidate) => candidate.detect(source.document.value));
          const interactions = loader ? expectLoadedOrInvalid(() => loader.load(source), file) : null;
          for (const interaction of interactions ?? []) {
            const bodies = recorded.map((value) => parsed(value));
            const report = checkFixtures([interaction], recordingsOf(bodies, interaction), { now: NOW, enums: ['$.a', '$.__proto__'] });
            expect(report.summary.fixtures).toBe(1);
            expectReportsRender(report);
          }
          expectCleanPrototypes();
        }),
      ),
      FUZZ,
    );
  });

  fuzzIt('text that is not JSON (cut, spliced, raw NaN/Infinity tokens) is FIXTURE_INVALID naming file:line:column', () => {
    const broken = fc
      .tuple(anyDocument, fc.nat(), fc.constantFrom('', 'NaN', 'Infinity', '-Infinity', 'undefined', "'", '\u0000', '}', ',', '/*', '0x1', '+1', '.5', '01'))
      .map(([document, at, splice]) => {
        const text = toText(document);
        const cut = at % (text.length + 1);
        return text.slice(0, cut) + splice + (splice === '' ? '' : text.slice(cut));
      });
    fc.assert(
      fc.property(
        broken,
        counted((text: string) => {
          let valid = true;
          try {
            JSON.parse(text);
          } catch {
            // Comments are allowed, as WireMock allows them: a spliced `/*` may close on a `*/` later.
            try {
              JSON.parse(stripComments(text, ' '));
              valid = unterminatedComment(text) === undefined;
            } catch {
              valid = false;
            }
          }
          try {
            FixtureDocument.parse('fixtures/broken.json', text);
            expect(valid).toBe(true);
          } catch (error) {
            expect(valid).toBe(false);
            expectFixtureInvalid(error, 'fixtures/broken.json');
            expect((error as Error).message).toMatch(/^fixtures\/broken\.json:\d+:\d+: not valid JSON/);
          }
        }),
      ),
      FUZZ,
    );
  });

  fuzzIt('invalid UTF-8 bytes anywhere in a fixture file: loads (replacement characters) or is FIXTURE_INVALID', async () => {
    const bytes = fc.uint8Array({ minLength: 1, maxLength: 6 }).map((array) => array.map((byte) => 0x80 | byte)); // continuation / lead bytes with nothing valid after
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(...Object.values(FORMAT_DOCUMENTS)),
        bytes,
        fc.nat(),
        counted(async (document: unknown, invalid: Uint8Array, at: number) => {
          const text = Buffer.from(toText(document));
          const cut = at % (text.length + 1);
          const { absolute, file } = writeFixtureFile(Buffer.concat([text.subarray(0, cut), invalid, text.subarray(cut)]));
          await expectLoadedOrInvalidAsync(() => loadFixtureFile(absolute, file), file);
          expectCleanPrototypes();
        }),
      ),
      FUZZ,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzzed: shapes, aggregates, comparison
// ---------------------------------------------------------------------------------------------

describe('shapes, aggregates and the comparator under arbitrary input (fast-check)', () => {
  fuzzIt('shapeOf says exactly the paths and types a plain walk finds; hostile keys are ordinary paths that parse back', () => {
    fc.assert(
      fc.property(
        anyJson,
        counted((value: unknown) => {
          const body = parsed(value);
          const shape = shapeOf(body);
          const reference = referenceShape(body);
          expect(Object.keys(shape).sort()).toEqual([...reference.keys()].sort());
          for (const [path, types] of reference) {
            expect(Object.hasOwn(shape, path)).toBe(true);
            expect([...shape[path]!.types]).toEqual([...types].sort());
            // A path is an ordinary path: it parses back to itself.
            const steps = parsePath(path);
            expect(steps).toBeDefined();
            expect(formatPath(steps!)).toBe(path);
          }
          expectCleanPrototypes();
        }),
      ),
      FUZZ,
    );
  });

  fuzzIt('aggregateShapes counts every path of every shape, hostile keys included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(anyJson, fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 4 }),
        counted((entries: Array<[unknown, number]>) => {
          const shapes = entries.map(([value, count]) => ({ shape: shapeOf(parsed(value)), count }));
          const aggregate = aggregateShapes(shapes);
          expect(aggregate.recordings).toBe(entries.reduce((sum, [, count]) => sum + count, 0));
          const expected = new Map<string, number>();
          for (const { shape, count } of shapes) for (const path of Object.keys(shape)) expected.set(path, (expected.get(path) ?? 0) + count);
          expect(new Map([...aggregate.paths].map(([path, stats]) => [path, stats.present]))).toEqual(expected);
          expectCleanPrototypes();
        }),
      ),
      FUZZ,
    );
  });

  fuzzIt('checkFixtures: a body compared with recordings of itself has no breaking or warning finding (native and Pact)', () => {
    fc.assert(
      fc.property(
        anyJson,
        fc.boolean(),
        counted((value: unknown, pins: boolean) => {
          const body = parsed(value);
          const report = checkFixtures([fixtureOf(body, { pins })], recordingsOf([parsed(value), parsed(value)]), { now: NOW });
          if (body !== null && typeof body === 'object') expect(serious(report.findings)).toEqual([]);
          expectReportsRender(report);
          expectCleanPrototypes();
        }),
      ),
      FUZZ,
    );
  });

  fuzzIt('checkFixtures: a field reality lost is reported at its path, whatever its key', () => {
    fc.assert(
      fc.property(
        anyObject.filter((object) => Object.keys(object).length > 0),
        fc.nat(),
        counted((object: Record<string, unknown>, pick: number) => {
          const body = parsed(object) as Record<string, unknown>;
          const keys = Object.keys(body);
          const lost = keys[pick % keys.length]!;
          const reality = objectFrom(Object.entries(body).filter(([name]) => name !== lost));
          const findings = checkFixtures([fixtureOf(body)], recordingsOf([reality]), { now: NOW }).findings;
          const at = childPath(ROOT_PATH, lost);
          const breaking = findings.filter((finding) => finding.severity === 'breaking');
          expect(breaking.map((finding) => finding.path)).toEqual([at]);
          expect(['field-missing', 'field-renamed']).toContain(breaking[0]!.kind);
          expectCleanPrototypes();
        }),
      ),
      FUZZ,
    );
  });

  fuzzIt('checkFixtures: a literal a Pact fixture pins and reality changed is value-changed at its own path only', () => {
    const literal = fc.oneof(fc.constantFrom('red', 'green', 'blue'), fc.integer({ min: 1, max: 9 }), fc.boolean());
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key.filter((name) => !/id$|Id$|^id|token|_at$|At$|^version$|^etag$|timestamp|^created$|^updated$|^uuid$/i.test(name)), literal), {
          selector: ([name]) => name,
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(),
        counted((entries: Array<[string, string | number | boolean]>, pick: number) => {
          const body = objectFrom(entries);
          const [changedKey, old] = entries[pick % entries.length]!;
          const changed = typeof old === 'string' ? `${old}-changed` : typeof old === 'number' ? old + 100 : !old;
          const reality = objectFrom(entries.map(([name, value]) => [name, name === changedKey ? changed : value]));
          const findings = checkFixtures([fixtureOf(body, { pins: true })], recordingsOf([reality, reality]), { now: NOW }).findings;
          const valueChanged = findings.filter((finding) => finding.kind === 'value-changed');
          expect(valueChanged.map((finding) => [finding.path, finding.expected, finding.actual])).toEqual([[childPath(ROOT_PATH, changedKey), old, changed]]);
          expectCleanPrototypes();
        }),
      ),
      FUZZ,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzzed: the line index and the text editor
// ---------------------------------------------------------------------------------------------

describe('FixtureDocument.lineOf and DocumentEditor under arbitrary input (fast-check)', () => {
  fuzzIt('lineOf finds the line of every value of a pretty-printed document, and nothing for pointers it lacks', () => {
    fc.assert(
      fc.property(
        anyJson,
        counted((value: unknown) => {
          const text = toText(value);
          const document = FixtureDocument.parse('fixtures/x.json', text);
          const lines = text.split('\n');
          for (const [pointer, child] of pointersOf(document.value)) {
            const line = document.lineOf(pointer);
            expect(line).toBeDefined();
            const last = pointer[pointer.length - 1];
            const lineText = lines[line! - 1]!.trimStart();
            if (typeof last === 'string') expect(lineText.startsWith(`${JSON.stringify(last)}: `)).toBe(true);
            else if (typeof child === 'number') expect(lineText).toMatch(/^-?\d/); // 1e400 and -0 are written as they were
            else if (child === null || typeof child !== 'object') expect(lineText.startsWith(toText(child, 0))).toBe(true);
          }
          expect(document.lineOf(['\u0000no such key'])).toBeUndefined();
          expect(document.nearestLineOf(['\u0000no such key', 3])).toBe(1);
          expectCleanPrototypes();
        }),
      ),
      FUZZ,
    );
  });

  fuzzIt('DocumentEditor: rename, replace and remove at any pointer give the JSON one would expect, and touch nothing else', () => {
    fc.assert(
      fc.property(
        anyJson.filter((value) => typeof value === 'object' && value !== null),
        fc.nat(),
        fc.constantFrom('rename', 'replace', 'remove'),
        anyJson,
        fc.constantFrom(0, 2),
        counted((value: unknown, pick: number, op: string, replacement: unknown, indent: number) => {
          const text = toText(value, indent === 0 ? undefined : indent);
          const before = JSON.parse(text) as unknown;
          const candidates = pointersOf(before).filter(([pointer]) => pointer.length > 0);
          if (candidates.length === 0) return;
          const [pointer] = candidates[pick % candidates.length]!;
          const last = pointer[pointer.length - 1]!;
          const editor = new DocumentEditor(text);
          const newValue = parsed(replacement);
          let expected: unknown;
          if (op === 'replace') {
            expect(editor.replaceValue(pointer, newValue)).toBe(true);
            expected = editedCopy(before, pointer, (container, step) => {
              if (typeof step === 'number') (container as unknown[])[step] = newValue;
              else for (const entry of container as Array<[string, unknown]>) if (entry[0] === step) entry[1] = newValue;
            });
          } else if (typeof last === 'number') {
            // Array items have no key to rename or member to remove.
            expect(op === 'rename' ? editor.renameKey(pointer, 'x') : editor.removeMember(pointer)).toBe(false);
            expected = before;
          } else if (op === 'rename') {
            const siblings = Object.keys(pointer.length === 1 ? (before as object) : (pointersOf(before).find(([p]) => JSON.stringify(p) === JSON.stringify(pointer.slice(0, -1)))![1] as object));
            const newKey = ['__proto__', 'constructor', 'renamed', 'renamed2'].find((candidate) => !siblings.includes(candidate))!;
            expect(editor.renameKey(pointer, newKey)).toBe(true);
            expected = editedCopy(before, pointer, (container) => {
              for (const entry of container as Array<[string, unknown]>) if (entry[0] === last) entry[0] = newKey;
            });
          } else {
            expect(editor.removeMember(pointer)).toBe(true);
            expected = editedCopy(before, pointer, (container) => {
              const entries = container as Array<[string, unknown]>;
              entries.splice(entries.findIndex((entry) => entry[0] === last), 1);
            });
          }
          expect(toText(JSON.parse(editor.text), 0)).toBe(toText(expected, 0));
          expectCleanPrototypes();
        }),
      ),
      FUZZ,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzzed: what is recorded (capture pipeline, HAR import)
// ---------------------------------------------------------------------------------------------

describe('recorded bodies and imported HAR under arbitrary input (fast-check)', () => {
  fuzzIt('prepareExchange: any bytes under any content type and encoding are stored, never thrown on', async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      anyJson.map((value) => new Uint8Array(Buffer.from(toText(value)))),
      fc.tuple(anyJson, fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([value, junk]) => new Uint8Array(Buffer.concat([Buffer.from(toText(value)), Buffer.from(junk.map((b) => 0x80 | b))]))),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom('application/json', 'text/plain', 'text/html', 'application/x-www-form-urlencoded', 'application/octet-stream', ''),
        fc.constantFrom('', 'gzip', 'deflate', 'br', 'identity', 'gzip, br'),
        fc.boolean(),
        fc.constantFrom(...NASTY_URLS.filter((url) => URL.canParse(url, 'https://sandbox.example')).map((url) => new URL(url, 'https://sandbox.example').href)),
        counted(async (bytes: Uint8Array, type: string, encoding: string, compress: boolean, url: string) => {
          const wire = compress && encoding === 'gzip' ? new Uint8Array(gzipSync(bytes)) : bytes;
          const headers: Record<string, string> = { ...(type ? { 'content-type': type } : {}), ...(encoding ? { 'content-encoding': encoding } : {}), ['__proto__']: 'x', ['constructor']: 'y' };
          const exchange = await prepare(captured(wire, headers, url));
          expect(exchange.responseBody).not.toBeNull();
          if (exchange.responseShape) expect(typeof exchange.responseShape).toBe('object');
          expect(exchange.responseHeaders?.['__proto__']).toBe('x');
          expectCleanPrototypes();
        }),
      ),
      FUZZ,
    );
  });

  fuzzIt('harToCaptured (mockdrift import): any HAR-like document is read or refused with FIXTURE_INVALID; what it reads prepares', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(harDocument, anyJson),
        counted(async (document: unknown) => {
          let exchanges: CapturedExchange[] = [];
          try {
            exchanges = harToCaptured(parsed(document), { service: 'default', session: 's', file: 'session.har' });
          } catch (error) {
            if (!(error instanceof MockdriftError)) throw error;
            expect(error.code).toBe('FIXTURE_INVALID');
            expect(error.message).toMatch(/^session\.har: /);
          }
          for (const exchange of exchanges) await prepare(exchange);
          expectCleanPrototypes();
        }),
      ),
      FUZZ,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Single hostile cases: 100,000-deep nesting, a 10 MB string, NaN-likes, duplicate keys
// ---------------------------------------------------------------------------------------------

describe('100,000-deep nesting', () => {
  for (const [format, envelope] of Object.entries(ENVELOPES)) {
    it(`a ${format} fixture whose body nests 100,000 deep loads, and its shape stops at depth ${MAX_SHAPE_DEPTH}`, async () => {
      for (const deep of [deepArrayText, deepObjectText, deepHostileText]) {
        const { absolute, file } = writeFixtureFile(envelope(deep));
        const [interaction] = await loadFixtureFile(absolute, file);
        const shape = shapeOf(interaction!.response.body);
        expect(Object.keys(shape).length).toBeLessThanOrEqual(MAX_SHAPE_DEPTH + 1);
        expect(interaction!.location.lineOf(`$${'.a'.repeat(200)}`)).toBe(1);
        const report = checkFixtures([interaction!], recordingsOf([JSON.parse(deep), { a: 1 }, [1]], interaction), { now: NOW });
        expectReportsRender(report);
      }
    });
  }

  for (const [slot, envelope] of Object.entries(SIDE_SLOTS)) {
    it(`100,000-deep nesting in the ${slot} loads or is FIXTURE_INVALID`, async () => {
      for (const deep of [deepArrayText, deepObjectText]) {
        const { absolute, file } = writeFixtureFile(envelope(deep));
        const interactions = await expectLoadedOrInvalidAsync(() => loadFixtureFile(absolute, file), file);
        for (const interaction of interactions ?? []) expectReportsRender(checkFixtures([interaction], recordingsOf([{}], interaction), { now: NOW }));
      }
    });
  }

  it('hostile keys in a header, query or status slot load or are FIXTURE_INVALID (no String() of a {"toString": …} object)', async () => {
    for (const [slot, envelope] of Object.entries(SIDE_SLOTS)) {
      for (const value of ['{"toString":1,"valueOf":2}', '[{"toString":1}]', '{"__proto__":{"polluted":1}}']) {
        const { absolute, file } = writeFixtureFile(envelope(value));
        const interactions = await expectLoadedOrInvalidAsync(() => loadFixtureFile(absolute, file), `${file}`).catch((error: unknown) => {
          throw new Error(`${slot} with ${value}: ${String(error)}`);
        });
        for (const interaction of interactions ?? []) expectReportsRender(checkFixtures([interaction], recordingsOf([{}], interaction), { now: NOW }));
      }
    }
  });

  it('shapeOf, aggregateShapes, lineOf and the text editor handle it without recursion', () => {
    for (const deep of [deepArrayText, deepObjectText, deepHostileText]) {
      const value = JSON.parse(deep) as unknown;
      const shape = shapeOf(value);
      expect(aggregateShapes([{ shape, count: 3 }]).paths.size).toBe(Object.keys(shape).length);
      const document = FixtureDocument.parse('fixtures/deep.json', deep);
      // Down to the innermost array (which is empty), the 1 at the bottom, or the {"polluted": true} one.
      const steps: PointerStep[] = deep === deepArrayText ? Array.from({ length: DEEP - 1 }, () => 0) : Array.from({ length: DEEP }, () => (deep === deepObjectText ? 'a' : '__proto__'));
      expect(document.lineOf(steps)).toBe(1);
      const editor = new DocumentEditor(deep);
      if (deep === deepArrayText) expect(editor.replaceValue(steps, { ok: true })).toBe(true);
      else expect(editor.renameKey(steps, 'renamed')).toBe(true);
      expect(editor.text.length).toBeGreaterThan(DEEP);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('checkFixtures: deep fixture, deep recordings, pinned literals and value matchers give a report', () => {
    const deep = JSON.parse(deepObjectText) as unknown;
    const deepArray = JSON.parse(deepArrayText) as unknown;
    const cases: Array<[FixtureInteraction, unknown[], object]> = [
      [fixtureOf(deep, { pins: true }), [deep, { a: 2 }], {}],
      [fixtureOf({ a: 'x', b: [1] }, { pins: true }), [{ a: deep, b: deepArray }], {}],
      [{ ...fixtureOf({ a: 'x' }), matchers: { '$.a': { kind: 'regex', pattern: 'x' } } }, [{ a: deepArray }, { a: deep }], {}],
      [{ ...fixtureOf({ a: 'x' }), matchers: { '$.a': { kind: 'equality' } } }, [{ a: deep }], {}],
      [{ ...fixtureOf({ a: 'x' }), matchers: { '$.a': { kind: 'include', value: 'x' } } }, [{ a: deepArray }], {}],
      [fixtureOf({ a: 'x' }), [{ a: deepArray }], { enums: ['$.a'] }],
      [{ ...fixtureOf({ a: 'x' }), matchers: { '$.a': { kind: 'regex', pattern: 'x' } } }, [{ a: { toString: 1, valueOf: 2 } }], {}],
    ];
    const reports = cases.map(([fixture, samples, options]) => checkFixtures([fixture], recordingsOf(samples), { now: NOW, ...options }));
    for (const report of reports) expectReportsRender(report);
    // A container where a regex matcher wants a string is a violation, named by its type.
    expect(reports[2]!.findings.find((finding) => finding.kind === 'value-changed')).toMatchObject({ path: '$.a', actual: 'array' });
  });

  it('a recorded body nesting 100,000 deep is stored with a bounded shape; update against it ends with a clear result', async () => {
    const exchange = await prepare(captured(new Uint8Array(Buffer.from(`{"a":${deepObjectText},"token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}`)), { 'content-type': 'application/json' }));
    expect(Object.keys(exchange.responseShape ?? {}).length).toBeLessThanOrEqual(MAX_SHAPE_DEPTH + 2);
    expect(String(exchange.responseBody?.content)).not.toContain('eyJhbGciOiJIUzI1NiJ9');

    const work = tempDir('mockdrift-hostile-update-');
    try {
      writeFileSync(join(work.path, 'things.json'), '{\n  "request": { "method": "GET", "path": "/things" },\n  "response": { "status": 200, "body": { "a": 1, "b": [] } }\n}\n');
      await recordInto(join(work.path, 'recordings.db'), [{ method: 'GET', path: '/things', status: 200, body: `{"a":${deepObjectText},"b":${deepArrayText}}` }]);
      const result = await runUpdate({ cwd: work.path, db: 'recordings.db', config: {}, fixtures: ['things.json'], dryRun: true });
      // $.a turned from a number into a 100,000-deep object: too deep to write into the fixture, so left to a person.
      expect(result.skipped.map((entry) => `${entry.finding.kind} ${entry.finding.path} ${entry.reason}`)).toContain(
        'type-changed $.a the recorded value of $.a nests too deeply to write into a fixture',
      );
    } finally {
      work.remove();
    }
  });
});

describe('a 10 MB string (one case, not fuzzed)', () => {
  const huge = 'x'.repeat(10 * 1024 * 1024);

  it('in a fixture body and as a key: loads, shapes, compares, points at lines, edits', async () => {
    for (const [format, envelope] of Object.entries(ENVELOPES)) {
      if (format === 'har') continue; // the same body as an escaped string: covered by native
      const { absolute, file } = writeFixtureFile(envelope(`{"s":"${huge}","n":1}`));
      const [interaction] = await loadFixtureFile(absolute, file);
      expect(Object.keys(shapeOf(interaction!.response.body))).toEqual(['$', '$.n', '$.s']);
      const report = checkFixtures([interaction!], recordingsOf([{ s: huge, n: 'one' }], interaction), { now: NOW });
      // Pact pins its literals, so the changed value is reported too.
      expect(serious(report.findings).filter((line) => !line.startsWith('value-changed'))).toEqual(['type-changed $.n']);
      expectReportsRender(report);
    }
    const text = `{\n  "${huge}": 1,\n  "b": "${huge}"\n}`;
    const document = FixtureDocument.parse('fixtures/huge.json', text);
    expect(document.lineOf([huge])).toBe(2);
    expect(document.lineOf(['b'])).toBe(3);
    const editor = new DocumentEditor(text);
    expect(editor.renameKey([huge], 'short')).toBe(true);
    expect(editor.replaceValue(['b'], 2)).toBe(true);
    expect(JSON.parse(editor.text)).toEqual({ short: 1, b: 2 });
    // As a status it is an input error with a bounded message, not a crash.
    const { absolute, file } = writeFixtureFile(`{"request":{"method":"GET","path":"/x"},"response":{"status":"${huge}"}}`);
    await expect(loadFixtureFile(absolute, file)).rejects.toMatchObject({ code: 'FIXTURE_INVALID' });
  });

  it('in a recorded body: stored, redacted and shaped within the time limit', async () => {
    const body = new Uint8Array(Buffer.from(`{"s":"${huge}","password":"hunter2-hunter2"}`));
    const exchange = await prepare(captured(body, { 'content-type': 'application/json' }), 16 * 1024 * 1024);
    expect(Object.keys(exchange.responseShape ?? {})).toEqual(['$', '$.password', '$.s']);
    expect(String(exchange.responseBody?.content)).not.toContain('hunter2-hunter2');
    // The same text cut short (as a truncated body is): redacted as text, no hang.
    const cut = await prepare({ ...captured(body.subarray(0, body.length - 3), { 'content-type': 'application/json' }), responseBodyTruncated: true }, 16 * 1024 * 1024);
    expect(cut.responseShape).toBeNull();
  });
});

describe('NaN-like values, duplicate keys, invalid UTF-8 in recordings', () => {
  it('NaN-like strings stay strings; 1e400 and -0 as number tokens are numbers', async () => {
    const body = `{"a":"NaN","b":"Infinity","c":"-0","d":"1e400","e":1e400,"f":-0,"g":-1e400}`;
    for (const [format, envelope] of Object.entries(ENVELOPES)) {
      const { absolute, file } = writeFixtureFile(envelope(body));
      const [interaction] = await loadFixtureFile(absolute, file);
      const shape = shapeOf(interaction!.response.body);
      for (const path of ['$.a', '$.b', '$.c', '$.d']) expect(shape[path]?.types, `${format} ${path}`).toEqual(['string']);
      for (const path of ['$.e', '$.f', '$.g']) expect(shape[path]?.types, `${format} ${path}`).toEqual(['number']);
      expectReportsRender(checkFixtures([interaction!], recordingsOf([JSON.parse(body)], interaction), { now: NOW }));
    }
    const recorded = await prepare(captured(new Uint8Array(Buffer.from(body)), { 'content-type': 'application/json' }));
    expect(recorded.responseShape?.['$.e']?.types).toEqual(['number']);
    expect(recorded.responseShape?.['$.a']?.types).toEqual(['string']);
  });

  it('duplicate keys: the last one wins, as in JSON.parse, for the value, its line and its edits', async () => {
    const text = '{\n  "request": { "method": "GET", "path": "/x" },\n  "response": {\n    "status": 500,\n    "status": 200,\n    "body": {\n      "a": 1,\n      "a": "two"\n    }\n  }\n}\n';
    const { absolute, file } = writeFixtureFile(text);
    const [interaction] = await loadFixtureFile(absolute, file);
    expect(interaction!.response.status).toBe(200);
    expect(interaction!.response.body).toEqual({ a: 'two' });
    expect(interaction!.location.lineOf('$.a')).toBe(8);
    const document = FixtureDocument.parse(file, text);
    expect(document.lineOf(['response', 'status'])).toBe(5);
    const editor = new DocumentEditor(text);
    expect(editor.replaceValue(['response', 'body', 'a'], 3)).toBe(true);
    expect((JSON.parse(editor.text) as { response: { body: { a: number } } }).response.body.a).toBe(3);
    expect(editor.text).toContain('"a": 1,'); // the shadowed one is left alone
  });

  it('__proto__, constructor and prototype keys in every format: ordinary paths, no pollution', async () => {
    const body = '{"__proto__":{"polluted":true,"constructor":{"prototype":{"polluted":1}}},"constructor":{"prototype":{"polluted":2}},"prototype":[{"__proto__":3}]}';
    for (const [format, envelope] of Object.entries(ENVELOPES)) {
      const { absolute, file } = writeFixtureFile(envelope(body));
      const [interaction] = await loadFixtureFile(absolute, file);
      const shape = shapeOf(interaction!.response.body);
      expect(Object.keys(shape), format).toEqual([
        '$',
        '$.__proto__',
        '$.__proto__.constructor',
        '$.__proto__.constructor.prototype',
        '$.__proto__.constructor.prototype.polluted',
        '$.__proto__.polluted',
        '$.constructor',
        '$.constructor.prototype',
        '$.constructor.prototype.polluted',
        '$.prototype',
        '$.prototype[*]',
        '$.prototype[*].__proto__',
      ]);
      const aggregate = aggregateShapes([{ shape, count: 2 }]);
      expect(aggregate.paths.get('$.__proto__.polluted')?.present).toBe(2);
      const report = checkFixtures([interaction!], recordingsOf([JSON.parse('{"__proto__":{"polluted":false},"constructor":{}}')], interaction), { now: NOW, enums: ['$.__proto__.polluted'] });
      expect(serious(report.findings)).toContain('field-missing $.constructor.prototype');
      expectReportsRender(report);
      expectCleanPrototypes();
    }
  });

  it('invalid UTF-8 in a recorded JSON body: not scanned, so stored as its size and digest only, with no shape', async () => {
    const bytes = new Uint8Array([...Buffer.from('{"a":"'), 0xff, 0xfe, 0xc3, ...Buffer.from('"}')]);
    for (const type of ['application/json', 'text/plain', '']) {
      const exchange = await prepare(captured(bytes, type ? { 'content-type': type } : {}));
      expect(exchange.responseShape).toBeNull();
      expect((exchange.responseBody!.content as Uint8Array).length).toBe(0);
      expect(exchange.responseBody!.size).toBe(bytes.length);
    }
    const gzipped = await prepare(captured(new Uint8Array(gzipSync(bytes)), { 'content-type': 'application/json', 'content-encoding': 'gzip' }));
    expect(gzipped.responseShape).toBeNull();
  });

  it('invalid UTF-8 in a fixture: inside a string it loads as U+FFFD; outside, FIXTURE_INVALID at file:line', async () => {
    const inside = writeFixtureFile(Buffer.concat([Buffer.from('{"request":{"method":"GET","path":"/x"},"response":{"status":200,"body":{"a":"'), Buffer.from([0xff, 0xc3]), Buffer.from('"}}}')]));
    const [interaction] = await loadFixtureFile(inside.absolute, inside.file);
    expect((interaction!.response.body as { a: string }).a).toBe('\ufffd\ufffd');
    const outside = writeFixtureFile(Buffer.concat([Buffer.from('{"request":{"method":"GET","path":"/x"},\n"response":{"status":200,"body":{"a":1'), Buffer.from([0xff]), Buffer.from('}}}')]));
    await expect(loadFixtureFile(outside.absolute, outside.file)).rejects.toThrow(new RegExp(`^${outside.file}:2:\\d+: not valid JSON`));
  });
});
