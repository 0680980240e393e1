import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';

/** A body after its content encoding was undone. */
export interface DecodedBody {
  readonly bytes: Buffer;
  /** True when the decoded body was longer than the cap and only its start is kept. */
  readonly truncated: boolean;
  /** Set when the encoding is unknown or the bytes did not decode; `bytes` are then the raw ones. */
  readonly error?: string;
}

type Codec = 'gzip' | 'deflate' | 'br';

const CODECS: Record<string, Codec> = { gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate', br: 'br' };

/**
 * Undoes a `content-encoding` (gzip, deflate, br, or a list of them) for storage, keeping at
 * most `cap` decoded bytes: a small compressed body may inflate to gigabytes. A body cut short
 * on the wire decodes as far as it goes.
 */
export async function decodeBody(raw: Uint8Array, contentEncoding: string | null | undefined, cap: number): Promise<DecodedBody> {
  let bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '' && token !== 'identity');
  let truncated = false;
  // Encodings are listed in the order they were applied; undo them last first.
  for (const encoding of encodings.reverse()) {
    const codec = CODECS[encoding];
    if (!codec) return { bytes, truncated, error: `unknown content-encoding "${encoding}"` };
    if (bytes.length === 0) break;
    try {
      const decoded = await decode(codec, bytes, cap);
      bytes = decoded.bytes;
      truncated ||= decoded.truncated;
    } catch (error) {
      return { bytes, truncated, error: `${encoding} body did not decode: ${(error as Error).message}` };
    }
  }
  if (bytes.length > cap) return { bytes: bytes.subarray(0, cap), truncated: true };
  return { bytes, truncated };
}

async function decode(codec: Codec, input: Buffer, cap: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  try {
    // The common case, in one call: a complete body that fits the cap.
    return { bytes: decodeSync(codec, input, cap), truncated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw error;
  }
  if (codec !== 'deflate') return decodeStreaming(codec, input, cap);
  // As in decodeSync: a deflate body without the zlib wrapper is raw DEFLATE.
  try {
    return await decodeStreaming(codec, input, cap);
  } catch {
    return decodeStreaming('deflate-raw', input, cap);
  }
}

function decodeSync(codec: Codec, input: Buffer, cap: number): Buffer {
  // Flushing instead of finishing lets a body cut off on the wire decode as far as it goes.
  if (codec === 'br') {
    return zlib.brotliDecompressSync(input, {
      maxOutputLength: cap,
      finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
    });
  }
  const options = { maxOutputLength: cap, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  if (codec === 'gzip') return zlib.gunzipSync(input, options);
  try {
    return zlib.inflateSync(input, options);
  } catch (error) {
    // Some servers send raw DEFLATE without the zlib wrapper that RFC 9110 asks for.
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw error;
    return zlib.inflateRawSync(input, options);
  }
}

/** Decodes until `cap` bytes have come out, then stops: the rest is never inflated. */
async function decodeStreaming(codec: Codec | 'deflate-raw', input: Buffer, cap: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let kept = 0;
  const decoder =
    codec === 'br'
      ? zlib.createBrotliDecompress()
      : codec === 'gzip'
        ? zlib.createGunzip()
        : codec === 'deflate'
          ? zlib.createInflate()
          : zlib.createInflateRaw();
  const collector = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const room = cap - kept;
      if (room > 0) {
        const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
        chunks.push(piece);
        kept += piece.length;
      }
      // Enough: stop the pipeline instead of inflating the rest of a possible bomb.
      callback(kept >= cap ? new CapReached() : null);
    },
  });
  try {
    await pipeline(Readable.from([input]), decoder, collector);
  } catch (error) {
    if (!(error instanceof CapReached)) throw error;
  }
  return { bytes: Buffer.concat(chunks, kept), truncated: true };
}

class CapReached extends Error {}
