import type { FixtureInteraction, FixtureRequest } from '../model/fixture.js';
import type { PointerStep } from './fixture-document.js';
import type { FixtureLoader, FixtureSource } from './fixture-loader.js';
import { cassetteBodyField, httpStatus, isoTime, recordedBody, requestTarget } from './cassette-support.js';
import { fixtureLocation, headerMap, invalidFixture, isObject, responseContentType } from './loader-support.js';

/**
 * Reads Ruby VCR cassettes: VCR 2 and later (`http_interactions[]` with `request`, `response`,
 * `recorded_at`, and `recorded_with` at the top) and VCR 1.x (a bare list of interactions).
 * ERB tags (`<%= … %>`) are opaque values, never evaluated; `recorded_at` is the fixture's age.
 * Headers are recorded ones: every header the server sent.
 */
export class VcrLoader implements FixtureLoader {
  readonly format = 'vcr';

  /** `http_interactions` as a list, or (VCR 1.x) a non-empty list of `{request: {method, uri}, response}`. */
  detect(document: unknown): boolean {
    if (isObject(document)) return Array.isArray(document['http_interactions']);
    return Array.isArray(document) && document.length > 0 && document.every(isVcr1Interaction);
  }

  /**
   * The interactions of the cassette, one per recorded exchange.
   * @throws MockdriftError `FIXTURE_INVALID` for an interaction without a method, URI or status,
   *   or with a compressed body that does not decode.
   */
  load(source: FixtureSource): FixtureInteraction[] {
    const document = source.document.value;
    const list = isObject(document) ? document['http_interactions'] : document;
    if (!Array.isArray(list)) throw invalidFixture(source, [], 'not a VCR cassette: no http_interactions list');
    const base: PointerStep[] = isObject(document) ? ['http_interactions'] : [];
    return list.map((interaction, index) => readInteraction(source, interaction, [...base, index], index));
  }
}

function isVcr1Interaction(value: unknown): boolean {
  return isObject(value) && isObject(value['request']) && typeof value['request']['uri'] === 'string' && isObject(value['response']);
}

/** VCR writes methods as `get` (1.x: the symbol `:get`). */
export function methodName(method: unknown): string | undefined {
  if (typeof method !== 'string') return undefined;
  const name = method.replace(/^:/, '').trim().toUpperCase();
  return /^[A-Z]+$/.test(name) ? name : undefined;
}

function readInteraction(source: FixtureSource, interaction: unknown, pointer: PointerStep[], index: number): FixtureInteraction {
  const what = `VCR interaction ${index}`;
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
  const requestBodyField = cassetteBodyField(rawRequest['body']);
  const requestBody = recordedBody(source, requestBodyField.raw, requestHeaders, [...pointer, 'request', 'body'], what).read;
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
  const recordedAt = isoTime(interaction['recorded_at']);
  return {
    file: source.file,
    format: 'vcr',
    index,
    name: `${method} ${target.path ?? target.pathPattern ?? ''}`,
    service: null,
    request,
    response: { status, headers, ...body.read, contentType: responseContentType(headers, body.read.body), headersRecorded: true },
    matchers: {},
    pinsLiterals: false,
    location: fixtureLocation(source, pointer, [...bodyAt, ...field.key], false, textPointer),
    ...(recordedAt ? { recordedAt } : {}),
  };
}
