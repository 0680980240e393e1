import * as zlib from 'node:zlib';

const HEX = /^(?:[0-9a-f]{2})+$/i;

/**
 * The wire bytes of a body Polly.JS recorded as a JSON array of hex chunks: its node-http and
 * fetch adapters keep a compressed (or otherwise binary) response that way in `content.text`,
 * newer versions marking it `_isBinary`. Undefined when `content` holds no such body.
 * @param encoded whether the response has a `content-encoding` header (older Polly versions
 *   write no `_isBinary`, and then only an encoded body is taken for chunks)
 */
export function pollyChunkBytes(content: Record<string, unknown>, encoded: boolean): Buffer | undefined {
  const text = content['text'];
  if (typeof text !== 'string' || !text.startsWith('[') || (content['_isBinary'] !== true && !encoded)) return undefined;
  let chunks: unknown;
  try {
    chunks = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(chunks) || chunks.length === 0 || !chunks.every((chunk) => typeof chunk === 'string' && HEX.test(chunk))) return undefined;
  return Buffer.from((chunks as string[]).join(''), 'hex');
}

/** Bytes decoded as their `content-encoding` says; undefined when the encoding is unknown or they do not decode. */
export function decodeContent(bytes: Buffer, encoding: string | undefined): Buffer | undefined {
  const name = encoding?.trim().toLowerCase();
  try {
    if (name === undefined || name === '' || name === 'identity') return bytes;
    if (name === 'gzip' || name === 'x-gzip') return zlib.gunzipSync(bytes);
    if (name === 'deflate') return zlib.inflateSync(bytes);
    if (name === 'br') return zlib.brotliDecompressSync(bytes);
  } catch {
    return undefined;
  }
  return undefined;
}
