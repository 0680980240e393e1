import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { REDACTED, type Redactor } from './redactor.js';

/** Most parts looked at in one body; a body with more is not scanned part by part. */
const MAX_PARTS = 10_000;

/**
 * A `multipart/form-data` (or other `multipart/*`) body with secrets removed: a part whose field
 * name is a credential (`password`, `api_key`, …) loses its content, a text part is redacted as
 * text, a binary part (a file that is not UTF-8) is replaced by its size and digest unless binary
 * bodies are kept. Part headers and boundaries stay as they were. Returns undefined when the body
 * is not a well-formed multipart body with that boundary: the caller then treats it as binary.
 */
export function redactMultipart(bytes: Buffer, contentType: string, redactor: Redactor): Buffer | undefined {
  const boundary = boundaryOf(contentType);
  if (boundary === undefined) return undefined;
  // latin1 maps bytes to characters one to one: the body can be cut and joined without decoding it.
  const text = bytes.toString('latin1');
  const delimiter = `--${boundary}`;
  const first = text.indexOf(delimiter);
  if (first < 0) return undefined;
  const pieces: string[] = [text.slice(0, first)];
  let cursor = first;
  let parts = 0;
  while (cursor < text.length) {
    // `cursor` is at a delimiter: keep it and the line end (or the closing `--`) after it.
    const lineEnd = text.indexOf('\r\n', cursor + delimiter.length);
    const afterDelimiter = text.slice(cursor + delimiter.length, lineEnd < 0 ? text.length : lineEnd);
    if (afterDelimiter.startsWith('--') || lineEnd < 0) {
      pieces.push(text.slice(cursor));
      break;
    }
    if (++parts > MAX_PARTS) return undefined;
    const partStart = lineEnd + 2;
    const next = text.indexOf(`\r\n${delimiter}`, partStart);
    // A body cut off (over --max-body) ends inside a part: that part runs to the end.
    const partEnd = next < 0 ? text.length : next;
    pieces.push(text.slice(cursor, partStart), redactPart(text.slice(partStart, partEnd), redactor));
    if (next < 0) break;
    pieces.push('\r\n');
    cursor = next + 2;
  }
  return Buffer.from(pieces.join(''), 'latin1');
}

function redactPart(part: string, redactor: Redactor): string {
  const headerEnd = part.indexOf('\r\n\r\n');
  if (headerEnd < 0) return redactBytes(part, redactor);
  const head = part.slice(0, headerEnd + 4);
  const body = part.slice(headerEnd + 4);
  const name = /\bname="([^"]*)"|\bname=([^;\s]+)/i.exec(head);
  const field = name?.[1] ?? name?.[2];
  if (body !== '' && field !== undefined && redactor.isCredentialName(field)) return head + REDACTED;
  // Part headers may hold credentials too (`Authorization:` in a nested message).
  const redactedHead = Buffer.from(redactor.redactText(Buffer.from(head, 'latin1').toString('utf8')).text, 'utf8').toString('latin1');
  return redactedHead + redactBytes(body, redactor);
}

/** One part's content (latin1-encoded bytes): scanned as text when it is UTF-8, else size and digest. */
function redactBytes(latin1: string, redactor: Redactor): string {
  const bytes = Buffer.from(latin1, 'latin1');
  if (isUtf8(bytes)) return Buffer.from(redactor.redactText(bytes.toString('utf8')).text, 'utf8').toString('latin1');
  if (redactor.binaryBodies === 'keep') return latin1;
  return `[binary part: ${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}]`;
}

/** The `boundary` parameter of a multipart content type, unquoted; undefined when there is none. */
function boundaryOf(contentType: string): string | undefined {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}
