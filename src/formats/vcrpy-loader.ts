import type { FixtureInteraction, FixtureRequest } from '../model/fixture.js';
import type { PointerStep } from './fixture-document.js';
import type { FixtureLoader, FixtureSource } from './fixture-loader.js';
import { cassetteBodyField, httpStatus, recordedBody, requestTarget } from './cassette-support.js';
import { fixtureLocation, headerMap, invalidFixture, isObject, responseContentType } from './loader-support.js';
import { methodName } from './vcr-loader.js';

/**
 * Reads vcrpy cassettes: `interactions[]` of `{request: {body, headers, method, uri}, response:
 * {body: {string}, headers, status: {code, message}}}` and `version: 1`. Bodies written as
 * `!!binary` (often gzip, with `content-encoding: gzip`) are decoded. Headers are recorded ones.
 */
export class VcrpyLoader implements FixtureLoader {
  readonly format = 'vcrpy';

  /**
   * A map with `interactions` (a list whose items have a request `uri`) and no Pact `consumer`;
   * or the list vcrpy wrote before 1.0, whose requests have `host`, `path` and `protocol`.
   */
  detect(document: unknown): boolean {
    if (Array.isArray(document)) return document.length > 0 && document.every(isOldInteraction);
    if (!isObject(document) || !Array.isArray(document['interactions']) || 'consumer' in document || 'provider' in document) return false;
    const interactions = document['interactions'] as unknown[];
    if (interactions.length === 0) return document['version'] === 1;
    return interactions.every((item) => isObject(item) && isObject(item['request']) && typeof item['request']['uri'] === 'string');
  }

  /**
   * The interactions of the cassette.
   * @throws MockdriftError `FIXTURE_INVALID` for an interaction without a method, URI or status,
   *   or with a compressed body that does not decode.
   */
  load(source: FixtureSource): FixtureInteraction[] {
    const document = source.document.value;
    if (Array.isArray(document)) return document.map((interaction, index) => readInteraction(source, interaction, [index], index));
    const list = isObject(document) ? document['interactions'] : undefined;
    if (!Array.isArray(list)) throw invalidFixture(source, [], 'not a vcrpy cassette: no interactions list');
    return list.map((interaction, index) => readInteraction(source, interaction, ['interactions', index], index));
  }
}

function isOldInteraction(item: unknown): boolean {
  if (!isObject(item) || !isObject(item['request']) || !isObject(item['response'])) return false;
  const request = item['request'];
  return typeof request['path'] === 'string' && typeof request['host'] === 'string' && typeof request['protocol'] === 'string';
}

/** Headers as vcrpy writes them: `{Name: [values]}`, or (before 1.0) `["name: value\r\n", …]` and tuples. */
function vcrpyHeaders(headers: unknown): ReturnType<typeof headerMap> {
  if (!Array.isArray(headers)) return headerMap(headers);
  const pairs: Array<{ name: string; value: string }> = [];
  const pending: unknown[] = [headers];
  for (let steps = 0; pending.length > 0 && steps < 10_000; steps++) {
    const item = pending.shift();
    if (typeof item === 'string') {
      const colon = item.indexOf(':');
      if (colon > 0) pairs.push({ name: item.slice(0, colon).trim(), value: item.slice(colon + 1).trim() });
    } else if (Array.isArray(item)) {
      const [name, value] = item as unknown[];
      if (item.length === 2 && typeof name === 'string' && !name.includes(':') && typeof value === 'string') pairs.push({ name, value });
      else if (item.length === 2 && typeof name === 'string' && Array.isArray(value) && value.every((one) => typeof one === 'string')) for (const one of value) pairs.push({ name, value: one as string });
      else pending.push(...item.slice(0, 1000));
    }
  }
  return headerMap(pairs);
}

function readInteraction(source: FixtureSource, interaction: unknown, pointer: PointerStep[], index: number): FixtureInteraction {
  const what = `vcrpy interaction ${index}`;
  if (!isObject(interaction)) throw invalidFixture(source, pointer, `${what} is not a map`);
  const rawRequest = interaction['request'];
  const rawResponse = interaction['response'];
  if (!isObject(rawRequest)) throw invalidFixture(source, pointer, `${what} has no request`);
  if (!isObject(rawResponse)) throw invalidFixture(source, pointer, `${what} has no response`);
  const method = methodName(rawRequest['method']);
  if (!method) throw invalidFixture(source, [...pointer, 'request'], `${what} has no request method`);
  const uri = typeof rawRequest['uri'] === 'string' ? rawRequest['uri'] : typeof rawRequest['path'] === 'string' ? rawRequest['path'] : undefined;
  if (typeof uri !== 'string' || uri.trim() === '') throw invalidFixture(source, [...pointer, 'request'], `${what} has no request uri`);
  // vcrpy's httpx support once wrote `status_code` and `content` for `status` and `body`.
  const status = httpStatus(rawResponse['status'] ?? rawResponse['status_code']);
  if (status === undefined) throw invalidFixture(source, [...pointer, 'response', 'status'], `${what} has no HTTP status (a response status code from 100 to 599)`);

  const requestHeaders = vcrpyHeaders(rawRequest['headers']);
  const requestBody = recordedBody(source, cassetteBodyField(rawRequest['body']).raw, requestHeaders, [...pointer, 'request', 'body'], what).read;
  const target = requestTarget(uri);
  const request: FixtureRequest = {
    method,
    path: target.path,
    ...(target.pathPattern !== undefined ? { pathPattern: target.pathPattern } : {}),
    query: target.query,
    headers: requestHeaders,
    ...(requestBody.body !== undefined ? { body: requestBody.body } : requestBody.bodyText !== undefined ? { body: requestBody.bodyText } : {}),
  };
  const headers = vcrpyHeaders(rawResponse['headers']);
  const bodyKey = rawResponse['body'] === undefined && rawResponse['content'] !== undefined ? 'content' : 'body';
  const bodyAt: PointerStep[] = [...pointer, 'response', bodyKey];
  const field = cassetteBodyField(rawResponse[bodyKey]);
  const body = recordedBody(source, field.raw, headers, bodyAt, what);
  const textPointer = body.plainText && body.read.body !== undefined ? [...bodyAt, ...field.key] : null;
  return {
    file: source.file,
    format: 'vcrpy',
    index,
    name: `${method} ${target.path ?? target.pathPattern ?? ''}`,
    service: null,
    request,
    response: { status, headers, ...body.read, contentType: responseContentType(headers, body.read.body), headersRecorded: true },
    matchers: {},
    pinsLiterals: false,
    location: fixtureLocation(source, pointer, [...bodyAt, ...field.key], false, textPointer),
  };
}
