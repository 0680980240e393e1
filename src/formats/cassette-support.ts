import * as zlib from 'node:zlib';
import { headerValue, type HeaderMap } from '../model/headers.js';
import type { PointerStep } from './fixture-document.js';
import type { FixtureSource } from './fixture-loader.js';
import { bodyFromText, invalidFixture, isObject, mediaTypeOf } from './loader-support.js';

/** Pieces shared by the recorders' formats (VCR, vcrpy, `responses`, Postman). */

/** An ERB tag (`<%= ENV['HOST'] %>`): an opaque value, never evaluated. */
const ERB_TAG = /<%=?[\s\S]*?%>/g;

/** A placeholder a recorder's filter left where the scheme and host were: `<API_HOST>`, `<%= host %>`. */
const LEADING_PLACEHOLDER = /^\s*(?:<%=?[\s\S]*?%>|<[A-Za-z0-9_.-]+>)/;

/**
 * The path (or a pattern, when ERB tags stand for path segments) and query of a recorded URI.
 * The scheme and host are dropped (fixtures are compared with whatever host the sandbox runs
 * on), including a placeholder left where they were.
 */
export function requestTarget(uri: string): { path: string | null; pathPattern?: string; query: Record<string, string[]> | null } {
  let rest = uri.trim().replace(LEADING_PLACEHOLDER, '');
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  if (!rest.startsWith('/')) rest = `/${rest}`;
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const queryStart = rest.indexOf('?');
  const pathPart = queryStart < 0 ? rest : rest.slice(0, queryStart);
  const query = parseQuery(queryStart < 0 ? '' : rest.slice(queryStart + 1));
  if (!ERB_TAG.test(pathPart)) return { path: decodePath(pathPart), query };
  ERB_TAG.lastIndex = 0;
  // A tag in the path stands for whatever it renders to: one segment's worth of text.
  const pattern = pathPart
    .split(ERB_TAG)
    .map((literal) => escapeRegex(decodePath(literal)))
    .join('[^/]+');
  return { path: null, pathPattern: `${pattern}/?`, query };
}

function decodePath(path: string): string {
  try {
    return new URL(path, 'http://fixture.invalid').pathname;
  } catch {
    return path;
  }
}

function parseQuery(text: string): Record<string, string[]> | null {
  if (text === '') return null;
  const query: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [name, value] of new URLSearchParams(text)) (query[name] ??= []).push(value);
  return Object.keys(query).length > 0 ? query : null;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces ERB tags outside JSON strings by a string, so that a body with them still parses; tags inside strings stay. */
export function withOpaqueErbTags(text: string): string {
  if (!text.includes('<%')) return text;
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    if (c === '<' && text[i + 1] === '%') {
      const end = text.indexOf('%>', i + 2);
      if (end >= 0) {
        out += JSON.stringify(text.slice(i, end + 2));
        i = end + 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** Decoders for the content encodings recorders keep compressed bodies in. */
const DECODERS: Record<string, (input: Buffer) => Buffer> = {
  gzip: (input) => zlib.gunzipSync(input),
  'x-gzip': (input) => zlib.gunzipSync(input),
  deflate: (input) => zlib.inflateSync(input),
  br: (input) => zlib.brotliDecompressSync(input),
};

/** What a recorded body reads as, and whether the file writes it as a plain string `update` can rewrite. */
export interface RecordedBody {
  readonly read: { body?: unknown; bodyText?: string };
  /** True when the body is written as a plain string in the file (not bytes, base64 or compressed). */
  readonly plainText: boolean;
}

/**
 * A body a recorder wrote as text or bytes (`!!binary`, base64), decompressed when the headers
 * say it is compressed and the bytes are, then read as JSON or text.
 * @throws MockdriftError `FIXTURE_INVALID` when compressed bytes do not decode
 */
export function recordedBody(
  source: FixtureSource,
  raw: string | Uint8Array | undefined,
  headers: HeaderMap,
  at: readonly PointerStep[],
  what: string,
): RecordedBody {
  if (raw === undefined) return { read: {}, plainText: false };
  const type = mediaTypeOf(headers);
  let bytes: Buffer | undefined = typeof raw === 'string' ? undefined : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const encoding = headerValue(headers, 'content-encoding')?.trim().toLowerCase();
  const decode = encoding === undefined ? undefined : DECODERS[encoding];
  // Some recorders keep the compressed bytes as a latin-1 string: take them back as bytes.
  if (!bytes && decode && typeof raw === 'string' && raw.length > 1 && raw.charCodeAt(0) === 0x1f && raw.charCodeAt(1) === 0x8b) bytes = Buffer.from(raw, 'latin1');
  if (!bytes) {
    const text = raw as string;
    return { read: text === '' ? {} : bodyFromText(withOpaqueErbTags(text), type), plainText: text !== '' };
  }
  if (decode && looksCompressed(bytes, encoding!)) {
    try {
      bytes = decode(bytes);
    } catch (error) {
      throw invalidFixture(source, at, `${what} has a ${encoding} body that does not decode (${(error as Error).message})`);
    }
  }
  const text = bytes.toString('utf8');
  return { read: text === '' ? {} : bodyFromText(text, type), plainText: false };
}

/** Whether bytes start as the encoding's streams do (a recorder may keep the decoded body under the header). */
function looksCompressed(bytes: Buffer, encoding: string): boolean {
  if (encoding === 'gzip' || encoding === 'x-gzip') return bytes.length > 1 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (encoding === 'deflate') return bytes.length > 0 && (bytes[0]! & 0x0f) === 8;
  return !/^\s*[[{"]/.test(bytes.subarray(0, 16).toString('latin1'));
}

/** The body field of a VCR or vcrpy cassette: `{string}`, `{base64_string}`, a bare string or bytes. */
export function cassetteBodyField(body: unknown): { raw: string | Uint8Array | undefined; key: PointerStep[] } {
  if (body === null || body === undefined) return { raw: undefined, key: [] };
  if (typeof body === 'string' || body instanceof Uint8Array) return { raw: body, key: [] };
  if (!isObject(body)) return { raw: undefined, key: [] };
  const base64 = body['base64_string'];
  if (typeof base64 === 'string') return { raw: new Uint8Array(Buffer.from(base64, 'base64')), key: ['base64_string'] };
  const string = body['string'];
  if (typeof string === 'string' || string instanceof Uint8Array) return { raw: string, key: ['string'] };
  return { raw: undefined, key: [] };
}

/** A status written as `200`, `'200'`, or `{code: 200, message: OK}`; undefined when it is none. */
export function httpStatus(status: unknown): number | undefined {
  const code = isObject(status) ? status['code'] : status;
  const number = typeof code === 'string' && /^\d{3}$/.test(code.trim()) ? Number(code) : code;
  return typeof number === 'number' && Number.isInteger(number) && number >= 100 && number <= 599 ? number : undefined;
}

/** An HTTP date (`Tue, 28 Feb 2023 21:02:39 GMT`) or ISO time as ISO 8601; undefined when it is neither. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string' && !(value instanceof Date)) return undefined;
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
