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

  /** A map with `interactions` (a list whose items have a request `uri`) and no Pact `consumer`. */
  detect(document: unknown): boolean {
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
    const list = (source.document.value as Record<string, unknown>)['interactions'] as unknown[];
    return list.map((interaction, index) => readInteraction(source, interaction, ['interactions', index], index));
  }
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
  const uri = rawRequest['uri'];
  if (typeof uri !== 'string' || uri.trim() === '') throw invalidFixture(source, [...pointer, 'request'], `${what} has no request uri`);
  const status = httpStatus(rawResponse['status']);
  if (status === undefined) throw invalidFixture(source, [...pointer, 'response', 'status'], `${what} has no HTTP status (a response status code from 100 to 599)`);

  const requestHeaders = headerMap(rawRequest['headers']);
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
  const headers = headerMap(rawResponse['headers']);
  const bodyAt: PointerStep[] = [...pointer, 'response', 'body'];
  const field = cassetteBodyField(rawResponse['body']);
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
