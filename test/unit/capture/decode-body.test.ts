import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../../src/capture/decode-body.js';

const JSON_BODY = Buffer.from(
  JSON.stringify({
    object: 'list',
    data: Array.from({ length: 50 }, (_, i) => ({ id: `ch_${i}`, amount: i * 100, currency: 'usd', paid: i % 2 === 0 })),
  }),
);

/** Text that barely compresses, so that half of its compressed form is about half of it. */
function incompressibleText(bytes: number): Buffer {
  return Buffer.from(randomBytes(Math.ceil((bytes * 3) / 4)).toString('base64').slice(0, bytes));
}

const fastBrotli = (input: Buffer): Buffer =>
  zlib.brotliCompressSync(input, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } });

const MB = 1024 * 1024;

describe('decodeBody', () => {
  it('decodes a gzip body', async () => {
    const result = await decodeBody(zlib.gzipSync(JSON_BODY), 'gzip', MB);
    expect(result.bytes.equals(JSON_BODY)).toBe(true);
    expect(result.truncated).toBe(false);
    expect(result.error).toBeUndefined();
  });

  it('decodes an x-gzip body and ignores the case and spacing of the encoding', async () => {
    const result = await decodeBody(zlib.gzipSync(JSON_BODY), '  X-Gzip ', MB);
    expect(result.bytes.equals(JSON_BODY)).toBe(true);
    expect(result.error).toBeUndefined();
  });

  it('decodes a zlib-wrapped deflate body', async () => {
    const result = await decodeBody(zlib.deflateSync(JSON_BODY), 'deflate', MB);
    expect(result.bytes.equals(JSON_BODY)).toBe(true);
    expect(result.truncated).toBe(false);
    expect(result.error).toBeUndefined();
  });

  it('decodes a raw deflate body sent without the zlib wrapper', async () => {
    const result = await decodeBody(zlib.deflateRawSync(JSON_BODY), 'deflate', MB);
    expect(result.bytes.equals(JSON_BODY)).toBe(true);
    expect(result.truncated).toBe(false);
    expect(result.error).toBeUndefined();
  });

  it('decodes a brotli body', async () => {
    const result = await decodeBody(zlib.brotliCompressSync(JSON_BODY), 'br', MB);
    expect(result.bytes.equals(JSON_BODY)).toBe(true);
    expect(result.truncated).toBe(false);
    expect(result.error).toBeUndefined();
  });

  it('undoes a list of encodings last first', async () => {
    const encoded = fastBrotli(zlib.gzipSync(JSON_BODY));
    const result = await decodeBody(encoded, 'gzip, br', MB);
    expect(result.bytes.equals(JSON_BODY)).toBe(true);
    expect(result.error).toBeUndefined();
  });

  it('returns the bytes unchanged for identity, an empty encoding and no encoding', async () => {
    for (const encoding of ['identity', '', null, undefined, ' , identity ,']) {
      const result = await decodeBody(JSON_BODY, encoding, MB);
      expect(result.bytes.equals(JSON_BODY)).toBe(true);
      expect(result.truncated).toBe(false);
      expect(result.error).toBeUndefined();
    }
  });

  it('returns an empty body as it is whatever the encoding says', async () => {
    const result = await decodeBody(new Uint8Array(0), 'gzip', MB);
    expect(result.bytes.length).toBe(0);
    expect(result.error).toBeUndefined();
  });

  it('decodes a view into a larger buffer without reading outside it', async () => {
    const gzipped = zlib.gzipSync(JSON_BODY);
    const backing = Buffer.concat([Buffer.from('junk-before'), gzipped, Buffer.from('junk-after')]);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 11, gzipped.length);
    const result = await decodeBody(view, 'gzip', MB);
    expect(result.bytes.equals(JSON_BODY)).toBe(true);
    expect(result.error).toBeUndefined();
  });

  it('returns the raw bytes with an error for an unknown encoding', async () => {
    const raw = Buffer.from('compressed with something exotic');
    const result = await decodeBody(raw, 'zstd', MB);
    expect(result.bytes.equals(raw)).toBe(true);
    expect(result.truncated).toBe(false);
    expect(result.error).toMatch(/unknown content-encoding "zstd"/);
  });

  it('returns the raw bytes with an error for a list ending in an unknown encoding', async () => {
    const raw = zlib.gzipSync(JSON_BODY);
    const result = await decodeBody(raw, 'gzip, compress', MB);
    expect(result.bytes.equals(raw)).toBe(true);
    expect(result.error).toMatch(/compress/);
  });

  it.each(['gzip', 'deflate', 'br'])('returns the raw bytes with an error when a %s body is corrupt', async (encoding) => {
    const raw = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff]);
    const result = await decodeBody(raw, encoding, MB);
    expect(result.bytes.equals(raw)).toBe(true);
    expect(result.error).toMatch(new RegExp(`^${encoding} body did not decode`));
  });

  it('stops a gzip bomb at the cap quickly', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(50 * MB), { level: 1 });
    expect(bomb.length).toBeLessThan(MB);
    const started = performance.now();
    const result = await decodeBody(bomb, 'gzip', MB);
    expect(performance.now() - started).toBeLessThan(500);
    expect(result.bytes.length).toBe(MB);
    expect(result.truncated).toBe(true);
    expect(result.error).toBeUndefined();
    expect(result.bytes.every((byte) => byte === 0)).toBe(true);
  });

  it.each([
    ['gzip', 'gzip', (input: Buffer) => zlib.gzipSync(input)],
    ['zlib-wrapped deflate', 'deflate', (input: Buffer) => zlib.deflateSync(input)],
    ['raw deflate', 'deflate', (input: Buffer) => zlib.deflateRawSync(input)],
    ['br', 'br', fastBrotli],
  ])('keeps the start of a %s body that decodes to more than the cap', async (_name, encoding, encode) => {
    const original = incompressibleText(300_000);
    const result = await decodeBody(encode(original), encoding, 100_000);
    expect(result.error).toBeUndefined();
    expect(result.truncated).toBe(true);
    expect(result.bytes.equals(original.subarray(0, 100_000))).toBe(true);
  });

  it('keeps a body that decodes to exactly the cap whole', async () => {
    const original = incompressibleText(4096);
    const result = await decodeBody(zlib.gzipSync(original), 'gzip', 4096);
    expect(result.bytes.equals(original)).toBe(true);
    expect(result.truncated).toBe(false);
  });

  it('truncates an identity body longer than the cap', async () => {
    const result = await decodeBody(Buffer.from('0123456789'), null, 4);
    expect(result.bytes.toString()).toBe('0123');
    expect(result.truncated).toBe(true);
  });

  it.each([
    ['gzip', (input: Buffer) => zlib.gzipSync(input)],
    ['deflate', (input: Buffer) => zlib.deflateSync(input)],
    ['br', fastBrotli],
  ])('decodes a %s body cut in half to a prefix of the original', async (encoding, encode) => {
    const original = incompressibleText(200_000);
    const encoded = encode(original);
    const result = await decodeBody(encoded.subarray(0, encoded.length >> 1), encoding, MB);
    expect(result.error).toBeUndefined();
    expect(result.bytes.length).toBeGreaterThan(50_000);
    expect(result.bytes.length).toBeLessThan(original.length);
    expect(result.bytes.equals(original.subarray(0, result.bytes.length))).toBe(true);
  });

  it('decodes a gzip body cut short that still inflates past the cap to the cap', async () => {
    const original = incompressibleText(400_000);
    const encoded = zlib.gzipSync(original);
    const result = await decodeBody(encoded.subarray(0, encoded.length >> 1), 'gzip', 50_000);
    expect(result.error).toBeUndefined();
    expect(result.truncated).toBe(true);
    expect(result.bytes.equals(original.subarray(0, 50_000))).toBe(true);
  });
});
