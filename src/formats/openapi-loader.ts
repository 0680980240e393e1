import { MockdriftError } from '../model/errors.js';
import type { FixtureInteraction, FixtureLocation, JsonPointer } from '../model/fixture.js';
import type { HeaderMap } from '../model/headers.js';
import { normalizePath } from '../model/route.js';
import { deeperThan } from '../model/shape.js';
import type { SchemaAt, SpecDialect, SpecOperation, SpecSchema } from '../model/spec-schema.js';
import { isJsonMediaType, isObject } from './loader-support.js';
import type { OpenApiDocument } from './openapi-document.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** How deep a document may nest: deeper is hostile, not an API description. */
const MAX_DOCUMENT_DEPTH = 256;
/** How many `$ref`s one document may hold before it is refused. */
const MAX_REFS = 1_000_000;

/**
 * Turns an OpenAPI 3.0/3.1 or Swagger 2.0 document into fixture interactions: one per operation
 * and listed response status, its JSON schema the expected shape of the body and its path template
 * (`/pets/{petId}`, below the base path) the route. `$ref`s are resolved by
 * `@apidevtools/json-schema-ref-parser`, local ones only: every `$ref` is checked here, so that a
 * remote or dangling one is an input error naming it, never a silent hole in the comparison.
 * @throws MockdriftError `FIXTURE_INVALID` naming `file:line:column` for a malformed document.
 */
export async function loadOpenApi(document: OpenApiDocument): Promise<FixtureInteraction[]> {
  const root = document.value as Record<string, unknown>;
  const file = document.file;
  const invalid = (pointer: JsonPointer, message: string): MockdriftError => {
    const { line, column } = document.positionOf(pointer);
    return new MockdriftError('FIXTURE_INVALID', `${file}:${line}:${column}: ${message}`);
  };
  if (deeperThan(root, MAX_DOCUMENT_DEPTH)) throw invalid([], `the document nests more than ${MAX_DOCUMENT_DEPTH} levels deep; it is not read.`);
  const dialect = dialectOf(root);
  if (!dialect) throw invalid(['openapi' in root ? 'openapi' : 'swagger'], `unsupported OpenAPI version ${JSON.stringify(root['openapi'] ?? root['swagger'])}: mockdrift reads Swagger 2.0 and OpenAPI 3.0 and 3.1.`);
  const paths = root['paths'] ?? {};
  if (!isObject(paths)) throw invalid(['paths'], '`paths` must be an object of path templates.');

  const { $RefParser } = await import('@apidevtools/json-schema-ref-parser');
  const refs = await new $RefParser().resolve(root as never, { resolve: { external: false } });
  const resolve = (ref: string): SchemaAt | undefined => {
    if (!ref.startsWith('#')) return undefined;
    try {
      return { value: refs.get(ref) as unknown, pointer: pointerOf(ref) };
    } catch {
      return undefined;
    }
  };
  checkRefs(root, resolve, invalid);

  const lineOf = (pointer: JsonPointer): number => document.lineOf(pointer);
  const base = basePath(root, dialect);
  const interactions: FixtureInteraction[] = [];
  for (const [template, rawItem] of Object.entries(paths)) {
    if (template.startsWith('x-')) continue;
    if (!template.startsWith('/')) throw invalid(['paths', template], `the path "${template}" must start with "/".`);
    const pathItem = followRef({ value: rawItem, pointer: ['paths', template] }, resolve);
    const item = pathItem.value;
    if (!isObject(item)) throw invalid(['paths', template], `the path item of ${template} must be an object.`);
    for (const method of METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      const opPointer = [...pathItem.pointer, method];
      if (!isObject(operation)) throw invalid(opPointer, `${method.toUpperCase()} ${template} must be an operation object.`);
      const responses = operation['responses'];
      if (responses === undefined) continue;
      if (!isObject(responses)) throw invalid([...opPointer, 'responses'], `the responses of ${method.toUpperCase()} ${template} must be an object of statuses.`);
      const listed = listedStatuses(responses, (status) => invalid([...opPointer, 'responses', status], `"${status}" is not a response status (a number such as 200, a range such as 2XX, or default).`));
      const name = `${method.toUpperCase()} ${base}${template}`;
      const specOperation = (first: boolean): SpecOperation => ({ name, ...listed, first, line: lineOf(opPointer), ...(base ? { barePath: routePath(template) } : {}) });
      const produces = stringList(operation['produces']) ?? stringList(root['produces']) ?? [];
      let first = true;
      for (const status of listed.statuses) {
        const key = Object.hasOwn(responses, String(status)) ? String(status) : Object.keys(responses).find((k) => Number(k) === status)!;
        const responsePointer = [...opPointer, 'responses', key];
        const response = followRef({ value: responses[key], pointer: responsePointer }, resolve);
        if (!isObject(response.value)) throw invalid(responsePointer, `the ${key} response of ${name} must be an object.`);
        const body = dialect === 'swagger-2.0' ? swaggerBody(response, produces) : openApiBody(response);
        const schema: SpecSchema | undefined = body.schema ? { dialect, root: body.schema, resolve, lineOf } : undefined;
        const line = lineOf(body.schema?.pointer ?? response.pointer);
        const location: FixtureLocation = { interactionPointer: responsePointer, bodyPointer: null, line, lineOf: () => line };
        const operationId = typeof operation['operationId'] === 'string' ? operation['operationId'] : null;
        interactions.push({
          file,
          format: 'openapi',
          index: interactions.length,
          name: `${operationId ?? name} ${status}`,
          service: null,
          request: { method: method.toUpperCase(), path: routePath(`${base}${template}`), query: null, headers: {} },
          response: {
            status,
            headers: requiredHeaders(response, dialect, resolve),
            contentType: body.contentType,
            ...(schema ? { schema } : {}),
          },
          matchers: {},
          pinsLiterals: false,
          location,
          operation: specOperation(first),
        });
        first = false;
      }
    }
  }
  return interactions;
}

function dialectOf(root: Record<string, unknown>): SpecDialect | undefined {
  if (root['swagger'] === '2.0' || root['swagger'] === 2) return 'swagger-2.0';
  const version = typeof root['openapi'] === 'string' || typeof root['openapi'] === 'number' ? String(root['openapi']) : '';
  if (/^3\.0(\.|$)/.test(version)) return 'openapi-3.0';
  if (/^3\.[1-9](\.|$)/.test(version)) return 'openapi-3.1';
  return undefined;
}

/** `#/components/schemas/A~1B` → `['components', 'schemas', 'A/B']` (RFC 6901, URI fragment encoding). */
export function pointerOf(ref: string): string[] {
  const fragment = ref.startsWith('#') ? ref.slice(1) : ref;
  if (fragment === '' || fragment === '/') return fragment === '/' ? [''] : [];
  return fragment
    .slice(1)
    .split('/')
    .map((token) => safeDecode(token).replaceAll('~1', '/').replaceAll('~0', '~'));
}

function safeDecode(token: string): string {
  try {
    return decodeURIComponent(token);
  } catch {
    return token;
  }
}

/** Every `$ref` of the document must be local and name something: checked once, iteratively. */
function checkRefs(root: unknown, resolve: (ref: string) => SchemaAt | undefined, invalid: (pointer: JsonPointer, message: string) => MockdriftError): void {
  const stack: Array<{ value: unknown; pointer: JsonPointer }> = [{ value: root, pointer: [] }];
  let count = 0;
  while (stack.length > 0) {
    const { value, pointer } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], pointer: [...pointer, i] });
      continue;
    }
    const object = value as Record<string, unknown>;
    const ref = object['$ref'];
    // Under `properties`, `$ref` may be a property's name, and under `example(s)` it is data.
    const isData = pointer.length > 0 && ['properties', 'example', 'examples', 'value'].includes(String(pointer[pointer.length - 1]));
    if (typeof ref === 'string' && !isData) {
      if (++count > MAX_REFS) throw invalid(pointer, `more than ${MAX_REFS} $refs; the document is not read.`);
      if (!ref.startsWith('#')) {
        throw invalid([...pointer, '$ref'], `the $ref "${ref}" points outside this document; mockdrift follows local references (#/...) only. Bundle the spec into one file first (e.g. \`redocly bundle\`).`);
      }
      if (!resolve(ref)) throw invalid([...pointer, '$ref'], `the $ref "${ref}" names nothing in this document.`);
    }
    for (const key of Object.keys(object)) {
      if (key === 'example' || key === 'examples' || key === 'x-examples') continue;
      stack.push({ value: object[key], pointer: [...pointer, key] });
    }
  }
}

/** Follows a chain of `$ref`s (bounded: a reference cycle without a schema in it ends here). */
export function followRef(at: SchemaAt, resolve: (ref: string) => SchemaAt | undefined): SchemaAt {
  let current = at;
  for (let hops = 0; hops < 32; hops++) {
    if (!isObject(current.value) || typeof current.value['$ref'] !== 'string') return current;
    const next = resolve(current.value['$ref']);
    if (!next) return current;
    current = next;
  }
  return current;
}

/** Swagger 2.0 `basePath`, or the path of the first OpenAPI 3 server URL (variables at their defaults). */
function basePath(root: Record<string, unknown>, dialect: SpecDialect): string {
  let path = '';
  if (dialect === 'swagger-2.0') {
    path = typeof root['basePath'] === 'string' ? root['basePath'] : '';
  } else {
    const server = Array.isArray(root['servers']) ? root['servers'][0] : undefined;
    if (isObject(server) && typeof server['url'] === 'string') {
      const variables = isObject(server['variables']) ? server['variables'] : {};
      const url = server['url'].replace(/\{([^}]{1,100})\}/g, (whole, name: string) => {
        const variable = variables[name];
        return isObject(variable) && variable['default'] !== undefined ? String(variable['default']) : whole;
      });
      try {
        path = new URL(url, 'http://base.invalid').pathname;
      } catch {
        path = '';
      }
    }
  }
  const normalized = normalizePath(path);
  return normalized === '/' ? '' : normalized;
}

/** `/pets/{petId}` → `/pets/:petId`: the spec's template as a route template. */
export function routePath(template: string): string {
  return normalizePath(template.replace(/\{([^}/]{1,200})\}/g, (_, name: string) => `:${name.replace(/[^\w-]/g, '_')}`));
}

function listedStatuses(responses: Record<string, unknown>, invalid: (status: string) => MockdriftError): Pick<SpecOperation, 'statuses' | 'ranges' | 'hasDefault'> {
  const statuses: number[] = [];
  const ranges: number[] = [];
  let hasDefault = false;
  for (const key of Object.keys(responses)) {
    if (key.startsWith('x-')) continue;
    if (key === 'default') hasDefault = true;
    else if (/^[1-5]XX$/i.test(key)) ranges.push(Number(key[0]));
    else if (/^[1-5]\d\d$/.test(key)) statuses.push(Number(key));
    else throw invalid(key);
  }
  return { statuses: statuses.sort((a, b) => a - b), ranges, hasDefault };
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

/** The media type to hold reality to, preferring JSON, and its schema (OpenAPI 3). */
function openApiBody(response: SchemaAt): { contentType: string | null; schema?: SchemaAt } {
  const content = (response.value as Record<string, unknown>)['content'];
  if (!isObject(content)) return { contentType: null };
  const types = Object.keys(content);
  const json = types.find((type) => mediaType(type) === 'application/json') ?? types.find((type) => isJsonMediaType(mediaType(type)));
  // `*/*` or `application/*` says nothing of the type: its schema still holds for a JSON body.
  const wildcard = json ? undefined : types.find((type) => /^(?:\*|application)\/\*$/.test(mediaType(type)));
  const chosen = json ?? wildcard;
  if (!chosen) return { contentType: types.length > 0 ? mediaType(types[0]!) : null };
  const media = content[chosen];
  const schema = isObject(media) ? media['schema'] : undefined;
  return { contentType: json ? mediaType(json) : null, ...(isObject(schema) ? { schema: { value: schema, pointer: [...response.pointer, 'content', chosen, 'schema'] } } : {}) };
}

/** Swagger 2.0: one schema per response, in the media type the operation produces. */
function swaggerBody(response: SchemaAt, produces: readonly string[]): { contentType: string | null; schema?: SchemaAt } {
  const schema = (response.value as Record<string, unknown>)['schema'];
  if (!isObject(schema)) return { contentType: null };
  const json = produces.find((type) => isJsonMediaType(mediaType(type)));
  if (!json && produces.length > 0) return { contentType: mediaType(produces[0]!) };
  return { contentType: json ? mediaType(json) : 'application/json', schema: { value: schema, pointer: [...response.pointer, 'schema'] } };
}

function mediaType(type: string): string {
  return type.split(';', 1)[0]!.trim().toLowerCase();
}

/**
 * Response headers the spec says are always sent (`required: true`, OpenAPI 3): a declared header
 * that may be absent says nothing when it is.
 */
function requiredHeaders(response: SchemaAt, dialect: SpecDialect, resolve: (ref: string) => SchemaAt | undefined): HeaderMap {
  const headers: HeaderMap = Object.create(null) as HeaderMap;
  const declared = (response.value as Record<string, unknown>)['headers'];
  if (dialect === 'swagger-2.0' || !isObject(declared)) return headers;
  for (const [name, header] of Object.entries(declared)) {
    const value = followRef({ value: header, pointer: [] }, resolve).value;
    if (isObject(value) && value['required'] === true && name.toLowerCase() !== 'content-type') headers[name.toLowerCase()] = '';
  }
  return headers;
}
