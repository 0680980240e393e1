import type { FixtureInteraction, FixtureRequest } from '../model/fixture.js';
import type { HeaderMap } from '../model/headers.js';
import { jsonText } from '../model/json-text.js';
import type { PointerStep } from './fixture-document.js';
import type { FixtureLoader, FixtureSource } from './fixture-loader.js';
import { httpStatus } from './cassette-support.js';
import { bodyFromText, fixtureLocation, headerMap, invalidFixture, isObject, mediaTypeOf, responseContentType } from './loader-support.js';

/** How deep folders may nest; deeper ones are an input error, not a stack overflow. */
const MAX_FOLDER_DEPTH = 64;

/**
 * Reads Postman collections (v2.0 and v2.1): every saved example response (`item[].response[]`
 * with its `originalRequest`, `code`, `header`, `body`), in folders nested to any depth.
 * `{{variables}}` in URLs take the collection's `variable` values; one without a value is the
 * host when it leads the URL, else a route parameter, as `:name` path variables are.
 */
export class PostmanLoader implements FixtureLoader {
  readonly format = 'postman';

  /** A map with `info` (a Postman schema URL, or `_postman_id`) and an `item` list. */
  detect(document: unknown): boolean {
    if (!isObject(document) || !Array.isArray(document['item']) || !isObject(document['info'])) return false;
    const info = document['info'];
    return (typeof info['schema'] === 'string' && info['schema'].includes('getpostman.com')) || typeof info['_postman_id'] === 'string';
  }

  /**
   * One interaction per saved example response. Requests without examples have nothing to compare.
   * @throws MockdriftError `FIXTURE_INVALID` for an example without a status code or a URL.
   */
  load(source: FixtureSource): FixtureInteraction[] {
    const collection = source.document.value;
    if (!isObject(collection) || !Array.isArray(collection['item'])) throw invalidFixture(source, [], 'not a Postman collection: no item list');
    const variables = collectionVariables(collection['variable']);
    const interactions: FixtureInteraction[] = [];
    const pending: Array<{ items: unknown[]; pointer: PointerStep[]; depth: number }> = [{ items: collection['item'] as unknown[], pointer: ['item'], depth: 0 }];
    while (pending.length > 0) {
      const { items, pointer, depth } = pending.shift()!;
      items.forEach((item, i) => {
        const at = [...pointer, i];
        if (!isObject(item)) return;
        if (Array.isArray(item['item'])) {
          if (depth >= MAX_FOLDER_DEPTH) throw invalidFixture(source, at, `Postman folders nest deeper than ${MAX_FOLDER_DEPTH}`);
          const folderVariables = item['variable'];
          pending.push({ items: item['item'] as unknown[], pointer: [...at, 'item'], depth: depth + 1 });
          if (folderVariables !== undefined) for (const [key, value] of collectionVariables(folderVariables)) if (!variables.has(key)) variables.set(key, value);
          return;
        }
        const examples = item['response'];
        if (!Array.isArray(examples)) return;
        examples.forEach((example, j) => interactions.push(readExample(source, item, example, [...at, 'response', j], interactions.length, variables)));
      });
    }
    // Folders are walked breadth first; list interactions in file order.
    return interactions
      .sort((a, b) => comparePointers(a.location.interactionPointer, b.location.interactionPointer))
      .map((interaction, index) => ({ ...interaction, index }));
  }
}

function comparePointers(a: readonly PointerStep[], b: readonly PointerStep[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (typeof a[i] === 'number' && typeof b[i] === 'number') return (a[i] as number) - (b[i] as number);
    return String(a[i]) < String(b[i]) ? -1 : 1;
  }
  return a.length - b.length;
}

function collectionVariables(list: unknown): Map<string, string> {
  const variables = new Map<string, string>();
  if (!Array.isArray(list)) return variables;
  for (const variable of list) {
    if (!isObject(variable)) continue;
    const key = variable['key'] ?? variable['id'];
    const value = variable['value'];
    if (typeof key === 'string' && (typeof value === 'string' || typeof value === 'number') && String(value) !== '') variables.set(key, String(value));
  }
  return variables;
}

function readExample(source: FixtureSource, item: Record<string, unknown>, example: unknown, pointer: PointerStep[], index: number, variables: Map<string, string>): FixtureInteraction {
  const name = typeof item['name'] === 'string' ? item['name'] : `request ${index}`;
  const what = `Postman example ${index} (${name})`;
  if (!isObject(example)) throw invalidFixture(source, pointer, `${what} is not an object`);
  const original = isObject(example['originalRequest']) ? example['originalRequest'] : isObject(item['request']) ? item['request'] : undefined;
  const fallback = isObject(item['request']) ? item['request'] : undefined;
  const rawMethod = original?.['method'] ?? fallback?.['method'] ?? 'GET';
  const method = typeof rawMethod === 'string' && /^[a-z]+$/i.test(rawMethod) ? rawMethod.toUpperCase() : undefined;
  if (!method) throw invalidFixture(source, pointer, `${what} has no request method`);
  const url = original?.['url'] ?? fallback?.['url'] ?? (typeof original === 'string' ? original : undefined);
  const target = urlTarget(url, variables);
  if (!target) throw invalidFixture(source, pointer, `${what} has no request URL`);
  const status = httpStatus(example['code']);
  if (status === undefined) throw invalidFixture(source, [...pointer, 'code'], `${what} has no status code (an integer from 100 to 599)`);

  const headers = postmanHeaders(example['header']);
  const text = typeof example['body'] === 'string' ? example['body'] : undefined;
  const preview = example['_postman_previewlanguage'];
  const type = mediaTypeOf(headers) ?? (preview === 'json' ? 'application/json' : null);
  const read = text === undefined || text === '' ? {} : bodyFromText(text, type);
  const bodyAt = [...pointer, 'body'];
  const request: FixtureRequest = {
    method,
    path: target.path,
    ...(target.pathPattern !== undefined ? { pathPattern: target.pathPattern } : {}),
    query: target.query,
    headers: postmanHeaders(original?.['header']),
  };
  return {
    file: source.file,
    format: 'postman',
    index,
    name: `${name}${typeof example['name'] === 'string' ? ` — ${example['name']}` : ''}`,
    service: null,
    request,
    response: { status, headers, ...read, contentType: responseContentType(headers, read.body) ?? type, headersRecorded: true },
    matchers: {},
    pinsLiterals: false,
    location: fixtureLocation(source, pointer, bodyAt, false, read.body !== undefined ? bodyAt : null),
  };
}

/** Postman headers: `[{key, value, disabled}]` (or a `Name: value` text, one per line, in v2.0). */
function postmanHeaders(header: unknown): HeaderMap {
  if (typeof header === 'string') {
    const list = header.split('\n').flatMap((line) => {
      const colon = line.indexOf(':');
      return colon > 0 ? [{ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() }] : [];
    });
    return headerMap(list);
  }
  if (!Array.isArray(header)) return headerMap(undefined);
  return headerMap(
    header.flatMap((entry) => (isObject(entry) && typeof entry['key'] === 'string' && entry['disabled'] !== true ? [{ name: entry['key'], value: jsonText(entry['value'] ?? '') }] : [])),
  );
}

const VARIABLE = /\{\{([^{}]+)\}\}/g;

/** The path (or pattern) and query of a Postman URL: a string, or `{raw, host, path, query, variable}`. */
function urlTarget(url: unknown, variables: Map<string, string>): { path: string | null; pathPattern?: string; query: Record<string, string[]> | null } | undefined {
  let raw: string | undefined;
  let queryList: unknown;
  // Path variables (`:id`) with a concrete value in the example take it; placeholders stay parameters.
  const pathValues = new Map<string, string>();
  if (isObject(url) && Array.isArray(url['variable'])) {
    for (const variable of url['variable']) {
      if (!isObject(variable) || typeof variable['key'] !== 'string' || variable['disabled'] === true) continue;
      const value = variable['value'];
      if ((typeof value === 'string' || typeof value === 'number') && /^[\w.~-]+$/.test(String(value))) pathValues.set(variable['key'], String(value));
    }
  }
  if (typeof url === 'string') raw = url;
  else if (isObject(url)) {
    queryList = url['query'];
    if (typeof url['raw'] === 'string') raw = url['raw'];
    else {
      const host = Array.isArray(url['host']) ? url['host'].map((part) => jsonText(part)).join('.') : typeof url['host'] === 'string' ? url['host'] : '';
      const path = Array.isArray(url['path'])
        ? url['path'].map((step) => (isObject(step) ? jsonText(step['value'] ?? '') : jsonText(step))).join('/')
        : typeof url['path'] === 'string'
          ? url['path']
          : '';
      raw = `${host}/${path.replace(/^\//, '')}`;
    }
  }
  if (raw === undefined || raw.trim() === '') return undefined;
  const resolved = raw.trim().replace(VARIABLE, (whole, name: string) => variables.get(name.trim()) ?? whole);
  let rest = resolved.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  // Up to the first slash is the host (a variable without a value standing for it too).
  const slash = rest.search(/[/?#]/);
  rest = slash < 0 ? '/' : rest.slice(slash);
  if (!rest.startsWith('/')) rest = `/${rest}`;
  rest = rest.split('#', 1)[0]!;
  const queryStart = rest.indexOf('?');
  const pathPart = queryStart < 0 ? rest : rest.slice(0, queryStart);
  const query = queryOf(queryStart < 0 ? '' : rest.slice(queryStart + 1), queryList);
  const segments = pathPart.split('/').map((segment) => (segment.startsWith(':') ? (pathValues.get(segment.slice(1)) ?? segment) : segment));
  const parameter = (segment: string): boolean => /^:[A-Za-z_][\w-]*$/.test(segment) || /^\{\{[^{}]+\}\}$/.test(segment);
  if (!segments.some(parameter) && !pathPart.includes('{{')) return { path: decodeSegments(segments.join('/')), query };
  const pattern = segments.map((segment) => (parameter(segment) ? '[^/]+' : escapeRegex(segment.replace(VARIABLE, '')))).join('/');
  return { path: null, pathPattern: `${pattern}/?`, query };
}

function queryOf(text: string, list: unknown): Record<string, string[]> | null {
  const query: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  if (Array.isArray(list)) {
    for (const entry of list) if (isObject(entry) && typeof entry['key'] === 'string' && entry['disabled'] !== true) (query[entry['key']] ??= []).push(jsonText(entry['value'] ?? ''));
  } else {
    for (const [name, value] of new URLSearchParams(text)) (query[name] ??= []).push(value);
  }
  return Object.keys(query).length > 0 ? query : null;
}

function decodeSegments(path: string): string {
  try {
    return new URL(path, 'http://fixture.invalid').pathname;
  } catch {
    return path;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
