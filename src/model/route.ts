/**
 * Routes: the path of a request with its identifier segments turned into parameters, so that
 * `/v1/charges/ch_1NqkZ2` and `/v1/charges/ch_9XyzW3` are grouped under `/v1/charges/:id`.
 *
 * Explicit {@link RouteTemplate}s win; otherwise {@link isIdLikeSegment} decides segment by
 * segment. Everything here runs once per recorded exchange, so all regexes are module constants.
 */

// Strips `scheme://host[:port]` from an absolute URL (only tried when the text does not start with '/').
const URL_ORIGIN = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;
// Runs of slashes, collapsed to one by normalizePath.
const REPEATED_SLASHES = /\/{2,}/g;

const LOWER_WORD = /^[a-z][a-z._-]*$/;
const ALL_DIGITS = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LONG_HEX = /^[0-9a-f]{16,}$/i;
const LONG_ALNUM = /^[A-Za-z0-9]{16,}$/;
const PREFIXED_ID = /^[a-z]{1,8}(?:_(?:test|live))?_[A-Za-z0-9]{6,}$/;
const CODE_TOKEN = /^[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*$/;
const DIGIT_RUN = /\d{3}/;
const VERSION = /^v\d+(?:\.\d+)*(?:(?:alpha|beta|rc)\d*)?$/;
const HAS_DIGIT = /\d/;
const HAS_UPPER = /[A-Z]/;
const LAST_PART_HAS_LOWER = /[a-z][A-Za-z0-9]*$/;

/** Fixed API words that end in a run of digits (algorithm and format names), never ids. */
const DIGIT_WORD =
  /^(?:sha(?:3-)?(?:224|256|384|512)|x509|(?:ed|x)(?:25519|448)|p(?:256|384|521)|aes(?:128|192|256)|rfc\d{3,4}|iso8601)$/i;

/**
 * Normalises a URL path: strips the query and fragment, collapses repeated slashes, removes a
 * trailing slash (except for `/` itself) and ensures a leading `/`. Does not percent-decode.
 * When given an absolute URL (`https://host/path`), its origin is dropped first.
 *
 * @example normalizePath('//v1//charges/?limit=3') // '/v1/charges'
 */
export function normalizePath(path: string): string {
  let p = path;
  if (!p.startsWith('/')) p = p.replace(URL_ORIGIN, '');
  const q = p.indexOf('?');
  if (q !== -1) p = p.slice(0, q);
  const h = p.indexOf('#');
  if (h !== -1) p = p.slice(0, h);
  if (p.includes('//')) p = p.replace(REPEATED_SLASHES, '/');
  if (!p.startsWith('/')) p = '/' + p;
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

/**
 * Whether one path segment looks like an identifier rather than a fixed part of the API.
 *
 * Ids: numbers, UUIDs, long hex, Stripe-style `prefix_XXXXXX` ids, long base62 ids (ULIDs
 * included) and codes with a run of three or more digits (`SHIP123`, `ORD-2024-0001`, dates).
 * Not ids: words, versions (`v1`, `v1.2`), short digit mixes (`oauth2`, `p95`, `page-2`),
 * algorithm names (`sha256`) and anything percent-encoded or with a dot (`openapi.json`).
 */
export function isIdLikeSegment(segment: string): boolean {
  // A segment whose secret was redacted before storing stood for a key or token: a parameter.
  if (segment === '[REDACTED]') return true;
  // Lower-case words (most segments) are vocabulary, unless 16+ chars of hex: settle them first.
  if (LOWER_WORD.test(segment)) return segment.length >= 16 && LONG_HEX.test(segment);
  // Versions such as v1, v10, v1.2, v2beta1 name the API, however many digits they carry.
  if (VERSION.test(segment)) return false;
  // Plain numbers: auto-increment keys, timestamps.
  if (ALL_DIGITS.test(segment)) return true;
  // UUIDs of any version, any case.
  if (UUID.test(segment)) return true;
  // Long hex: Mongo ObjectIds, sha1/sha256 digests; no English word is 16 hex letters long.
  if (LONG_HEX.test(segment)) return true;
  // Stripe-style ids (pi_3Mtw…, cus_Nffr…): a short lower-case prefix, then random characters.
  if (isPrefixedId(segment)) return true;
  // Long random base62 ids with a digit; this covers ULIDs, whose first character is always 0-7.
  if (LONG_ALNUM.test(segment) && HAS_DIGIT.test(segment)) return true;
  // Business codes (SHIP123, ORD-2024-0001, INV_0042, 2026-04-17): a run of 3+ digits in a token.
  return isCodeWithDigitRun(segment);
}

/** `prefix_body` where the body is ≥ 6 alphanumerics with a digit or with mixed case. */
function isPrefixedId(segment: string): boolean {
  if (!PREFIXED_ID.test(segment)) return false;
  // The prefix is lower-case letters only, so a digit or a capital can only be in the body.
  return (
    HAS_DIGIT.test(segment) ||
    (HAS_UPPER.test(segment) && LAST_PART_HAS_LOWER.test(segment))
  );
}

/** A letters/digits token (with `-` or `_` between parts) holding ≥ 3 digits in a row. */
function isCodeWithDigitRun(segment: string): boolean {
  return (
    DIGIT_RUN.test(segment) &&
    CODE_TOKEN.test(segment) &&
    !DIGIT_WORD.test(segment)
  );
}

/** Splits a normalised path into its segments; `/` has none. */
function segmentsOf(normalized: string): string[] {
  return normalized === '/' ? [] : normalized.slice(1).split('/');
}

/** How a template segment matches: text as-is, one segment (`:name`), or the rest (`*`). */
type SegmentKind = 'literal' | 'param' | 'rest';

/** Module-private access to a template's matcher, so routeOf splits a path only once. */
let matchSegments: (template: RouteTemplate, segments: readonly string[]) => boolean;

/** A parsed route template such as `/api/v1/shipments/:id`. */
export class RouteTemplate {
  /** Normalised text of the template, e.g. `/api/v1/shipments/:id`. */
  readonly template: string;
  readonly #segments: readonly string[];
  readonly #kinds: readonly SegmentKind[];
  readonly #hasRest: boolean;

  private constructor(template: string, segments: string[], kinds: SegmentKind[]) {
    this.template = template;
    this.#segments = segments;
    this.#kinds = kinds;
    this.#hasRest = kinds[kinds.length - 1] === 'rest';
  }

  /**
   * Parses a template: literal segments, `:name` parameters (one segment each) and an optional
   * final `*` (one or more segments).
   *
   * @throws Error naming the template when it does not start with `/`, has a `:` without a
   *   name, or has `*` anywhere but as the last segment.
   */
  static parse(template: string): RouteTemplate {
    if (!template.startsWith('/')) {
      throw new Error(`Invalid route template "${template}": it must start with '/'.`);
    }
    const normalized = normalizePath(template);
    const segments = segmentsOf(normalized);
    const kinds = segments.map((segment, i): SegmentKind => {
      if (segment === '*') {
        if (i !== segments.length - 1) {
          throw new Error(
            `Invalid route template "${template}": '*' is only allowed as the last segment.`,
          );
        }
        return 'rest';
      }
      if (segment.startsWith(':')) {
        if (segment.length === 1) {
          throw new Error(
            `Invalid route template "${template}": parameter ${i + 1} has no name after ':'.`,
          );
        }
        return 'param';
      }
      return 'literal';
    });
    return new RouteTemplate(normalized, segments, kinds);
  }

  /**
   * Whether a concrete path (`/api/v1/shipments/SHIP123`) or an already-derived route
   * (`/api/v1/shipments/:id`) fits this template. Literal segments must be equal
   * (case-sensitive), `:name` takes exactly one segment and a final `*` one or more. A `:param`
   * segment of a route therefore fits a `:name` or `*` of the template, never a literal.
   */
  matches(pathOrRoute: string): boolean {
    return this.#matchSegments(segmentsOf(normalizePath(pathOrRoute)));
  }

  static {
    matchSegments = (template, segments) => template.#matchSegments(segments);
  }

  #matchSegments(segments: readonly string[]): boolean {
    const own = this.#segments;
    const count = this.#hasRest ? own.length - 1 : own.length;
    if (this.#hasRest ? segments.length <= count : segments.length !== count) return false;
    for (let i = 0; i < count; i++) {
      if (this.#kinds[i] === 'literal' && own[i] !== segments[i]) return false;
    }
    return true;
  }
}

/**
 * The route of a path. The first of `templates` that matches is returned as-is; otherwise the
 * normalised path with every id-like segment (see {@link isIdLikeSegment}) replaced by `:id`.
 *
 * @example routeOf('/users/42/orders/7') // '/users/:id/orders/:id'
 */
export function routeOf(path: string, templates: readonly RouteTemplate[] = []): string {
  const segments = segmentsOf(normalizePath(path));
  for (const template of templates) {
    if (matchSegments(template, segments)) return template.template;
  }
  let route = '';
  for (const segment of segments) {
    route += isIdLikeSegment(segment) ? '/:id' : '/' + segment;
  }
  return route === '' ? '/' : route;
}
