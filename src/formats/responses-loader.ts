import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { FixtureInteraction } from '../model/fixture.js';
import type { HeaderMap } from '../model/headers.js';
import type { PointerStep } from './fixture-document.js';
import type { FixtureLoader, FixtureSource } from './fixture-loader.js';
import { httpStatus, recordedBody, requestTarget } from './cassette-support.js';
import { fixtureLocation, headerMap, invalidFixture, isObject, responseContentType } from './loader-support.js';
import { methodName } from './vcr-loader.js';

/**
 * Reads the files Python's `responses` recorder writes (`responses._recorder`, read back by
 * `responses._add_from_file`): `responses[].response{method, url, body | body_file, status,
 * content_type, headers}`. Headers are recorded ones.
 */
export class ResponsesLoader implements FixtureLoader {
  readonly format = 'responses';

  /** A map whose `responses` is a list of `{response: {method, url}}`. */
  detect(document: unknown): boolean {
    if (!isObject(document) || !Array.isArray(document['responses'])) return false;
    const list = document['responses'] as unknown[];
    return list.length > 0 && list.every((item) => isObject(item) && isObject(item['response']) && typeof item['response']['url'] === 'string');
  }

  /**
   * One interaction per recorded response.
   * @throws MockdriftError `FIXTURE_INVALID` for a response without a method, URL or status, or
   *   with a `body_file` that cannot be read or lies outside the fixture's folder.
   */
  load(source: FixtureSource): FixtureInteraction[] {
    const document = source.document.value;
    const list = isObject(document) ? document['responses'] : undefined;
    if (!Array.isArray(list)) throw invalidFixture(source, [], 'not a responses recorder file: no responses list');
    return list.map((item, index) => readResponse(source, isObject(item) ? item['response'] : undefined, ['responses', index, 'response'], index));
  }
}

function readResponse(source: FixtureSource, raw: unknown, pointer: PointerStep[], index: number): FixtureInteraction {
  const what = `responses entry ${index}`;
  if (!isObject(raw)) throw invalidFixture(source, pointer, `${what} has no response`);
  const method = methodName(raw['method']);
  if (!method) throw invalidFixture(source, pointer, `${what} has no method`);
  const url = raw['url'];
  if (typeof url !== 'string' || url.trim() === '') throw invalidFixture(source, pointer, `${what} has no url`);
  const status = raw['status'] === undefined ? 200 : httpStatus(raw['status']);
  if (status === undefined) throw invalidFixture(source, [...pointer, 'status'], `${what} has a status that is not an HTTP status (an integer from 100 to 599)`);
  const headers: HeaderMap = headerMap(raw['headers']);
  const contentType = raw['content_type'];
  if (typeof contentType === 'string' && headers['content-type'] === undefined) headers['content-type'] = contentType;

  let text: string | undefined;
  let bodyAt: PointerStep[] = [...pointer, 'body'];
  if (typeof raw['body'] === 'string') text = raw['body'];
  else if (typeof raw['body_file'] === 'string') {
    text = readBodyFile(source, raw['body_file'], [...pointer, 'body_file'], what);
    bodyAt = [...pointer, 'body_file'];
  }
  const body = recordedBody(source, text, headers, bodyAt, what);
  const textPointer = typeof raw['body'] === 'string' && body.read.body !== undefined ? bodyAt : null;
  const target = requestTarget(url);
  return {
    file: source.file,
    format: 'responses',
    index,
    name: `${method} ${target.path ?? target.pathPattern ?? ''}`,
    service: null,
    request: { method, path: target.path, ...(target.pathPattern !== undefined ? { pathPattern: target.pathPattern } : {}), query: target.query, headers: Object.create(null) as HeaderMap },
    response: { status, headers, ...body.read, contentType: responseContentType(headers, body.read.body), headersRecorded: true },
    matchers: {},
    pinsLiterals: false,
    location: fixtureLocation(source, pointer, bodyAt, false, textPointer),
  };
}

/** A `body_file` next to the fixture; one that resolves outside the fixture's folder is refused. */
function readBodyFile(source: FixtureSource, name: string, at: PointerStep[], what: string): string {
  const folder = dirname(source.absolutePath);
  const path = resolve(folder, name);
  const inside = relative(folder, path);
  if (inside.startsWith('..') || isAbsolute(inside)) throw invalidFixture(source, at, `${what} has a body_file outside the fixture's folder (${JSON.stringify(name).slice(0, 200)})`);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw invalidFixture(source, at, `${what} has a body_file that cannot be read (${(error as Error).message})`);
  }
}
