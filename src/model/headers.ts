/**
 * HTTP headers as mockdrift keeps them: lower-case names; a header that appeared several times
 * (`set-cookie`) keeps every value in order.
 */
export type HeaderMap = Record<string, string | string[]>;

/**
 * Headers that describe one connection rather than the message (RFC 9110 §7.6.1). A proxy must
 * neither forward them nor store them as part of the exchange.
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const HOP_BY_HOP_LIST = [...HOP_BY_HOP_HEADERS];

/**
 * The hop-by-hop headers of a message: the fixed set plus those its `Connection` header names.
 * Called for every proxied message: without extra names in `Connection` (the usual case) it
 * returns the fixed list itself, allocating nothing.
 */
export function hopByHopHeaderNames(headers: Readonly<Record<string, unknown>>): readonly string[] {
  const connection = headers['connection'];
  const listed = Array.isArray(connection) ? connection.join(',') : connection;
  if (typeof listed !== 'string') return HOP_BY_HOP_LIST;
  const extra = listed
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((name) => name !== '' && name !== 'close' && name !== 'keep-alive' && !HOP_BY_HOP_HEADERS.has(name));
  return extra.length === 0 ? HOP_BY_HOP_LIST : [...HOP_BY_HOP_LIST, ...extra];
}

/** {@link hopByHopHeaderNames} as a set: without extra names in `Connection`, the fixed set itself. */
export function hopByHopHeaderSet(headers: Readonly<Record<string, unknown>>): ReadonlySet<string> {
  const names = hopByHopHeaderNames(headers);
  return names === HOP_BY_HOP_LIST ? HOP_BY_HOP_HEADERS : new Set(names);
}

/**
 * Removes the hop-by-hop headers from a header object in place. Only headers that are there are
 * deleted: deleting from an object makes V8 slow every later access to it.
 */
export function stripHopByHop(headers: Record<string, unknown>, keep?: string): void {
  for (const name of hopByHopHeaderNames(headers)) {
    if (name !== keep && headers[name] !== undefined) delete headers[name];
  }
}

/** The first value of a header, whether it was sent once or several times. */
export function headerValue(headers: HeaderMap | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Copies Node's `IncomingHttpHeaders` into a plain {@link HeaderMap}, dropping empty entries. */
export function toHeaderMap(headers: Readonly<Record<string, string | string[] | number | undefined>>): HeaderMap {
  const map: HeaderMap = Object.create(null) as HeaderMap;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    map[name.toLowerCase()] = Array.isArray(value) ? [...value] : String(value);
  }
  return map;
}
