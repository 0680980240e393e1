import { isTextBody, type Exchange } from '../model/exchange.js';
import type { UnreadableReason } from '../model/recorded-group.js';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$|^text\/json$/;
/** Types whose bodies are stored as text once decoded: bytes under them mean decoding failed. */
const TEXT_MEDIA_TYPE = /^text\/|^application\/(?:[\w.+-]+\+)?(?:json|xml)$/;

/**
 * Reads from what capture stored whether a response body is unreadable: capture keeps a body it
 * could not decode as raw bytes, and summarises only complete JSON bodies as shapes. An empty
 * body is not unreadable: there is nothing to read.
 */
export function unreadableBody(exchange: Pick<Exchange, 'responseBody' | 'contentType' | 'contentEncoding' | 'responseShape' | 'status'>): UnreadableReason | null {
  const body = exchange.responseBody;
  if (exchange.status === null || body === null || body.size === 0) return null;
  if (body.truncated) return 'truncated';
  const encoding = exchange.contentEncoding?.trim().toLowerCase();
  const type = exchange.contentType;
  if (encoding && encoding !== 'identity' && !isTextBody(body) && (type === null || TEXT_MEDIA_TYPE.test(type))) return 'undecodable';
  if (type !== null && JSON_MEDIA_TYPE.test(type) && exchange.responseShape === null) return 'invalid-json';
  return null;
}
