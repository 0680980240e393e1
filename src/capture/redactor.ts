import { Buffer } from 'node:buffer';
import type { HeaderMap } from '../model/headers.js';
import type { ValueInspector } from '../model/shape.js';
import { compileSafeRegex, type SafeRegex } from '../model/safe-regex.js';
import { SECRET_SHAPES_HINT, SECRET_SHAPES_SOURCE } from './secret-shapes.js';

/**
 * What the redactor puts where a secret was. Text and query strings get it literally (not
 * URL-encoded as `%5BREDACTED%5D`) so that a stored body or URL reads the same everywhere.
 */
export const REDACTED = '[REDACTED]';

/** Headers whose values are always redacted, whatever they contain. */
export const DEFAULT_REDACTED_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
]);

/**
 * The default field-name pattern. It is matched (case-insensitively) against the *normalised*
 * name: camelCase split into words, lower-cased, every run of other characters (`-`, `.`, `[`,
 * spaces…) turned into `_`; `clientSecret`, `client-secret` and `card[cvc]` become `client_secret`
 * and `card_cvc`. A name is secret when its LAST word(s) name a secret (optionally plural, with a
 * trailing number, or followed by `_hash`/`_digest`/`_confirm(ation)`). Anchoring on the last word
 * is what keeps descriptive siblings such as `token_type`, `card_brand`, `card_last4`,
 * `cvc_check` or `tokenizer_version` while still catching `access_token`, `cardNumber` and
 * `x-api-key`.
 */
export const DEFAULT_FIELD_PATTERN: string =
  '(?:^|_)(?:password|passwd|passphrase|passcode|pwd|secret|token|api_?key|access_?key|' +
  'private_?key|signing_?key|credential|cookie|otp|pin|ssn|cvc|cvv|pan|card|card_?number|' +
  'cc_?number|auth|signature|sig)s?\\d*(?:_(?:hash|digest|confirm|confirmation))?$';

/**
 * Names that are credentials where they name a header or a query parameter, on top of
 * {@link DEFAULT_FIELD_PATTERN} (`x-stripe-key`, `?key=`, `session`, `X-Amz-Signature`, OAuth's
 * `?code=`). In a JSON body these words name ordinary data too often (`"key": "color"`, a
 * `"session"` object, an error `"code"`), so there they are not enough on their own.
 */
const CREDENTIAL_NAME = /(?:^|_)(?:keys?|session|session_?id|sid|csrf|xsrf|credentials?|security_token)\d*$/;
/** Query parameters that carry credentials under a generic name (OAuth authorization codes, signed URLs). */
const CREDENTIAL_QUERY_NAME = /^(?:code|sig|signature|x_amz_signature|x_amz_credential|x_amz_security_token|x_goog_signature|x_goog_credential|se|st)$/;

const DEFAULT_FIELD_REGEX = new RegExp(DEFAULT_FIELD_PATTERN, 'i');
/** The keys of a body path: `.name` steps and `['quoted']` steps. */
const PATH_KEY = /\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/g;

/**
 * Whether a body path (`$.user.password`, `$.items[*]['api-key']`) goes through a field whose name
 * is secret by the default rule: its recorded values are stored redacted, never to be compared.
 */
export function pathNamesSecret(path: string): boolean {
  for (const match of path.matchAll(PATH_KEY)) {
    const key = match[1] ?? match[2] ?? match[3] ?? '';
    if (DEFAULT_FIELD_REGEX.test(key) || DEFAULT_FIELD_REGEX.test(normaliseFieldName(key))) return true;
  }
  return false;
}

/** How a {@link Redactor} decides what is secret. Every member is optional. */
export interface RedactionOptions {
  /** Extra header names to redact, beyond {@link DEFAULT_REDACTED_HEADERS} (case-insensitive). Default: none. */
  readonly headers?: readonly string[];
  /**
   * Regular expression source matched (case-insensitive) against JSON field names and form & query
   * parameter names whose values are redacted. It is tried on the name as written and on its
   * normalised form (see {@link DEFAULT_FIELD_PATTERN}); either match counts.
   * Default: {@link DEFAULT_FIELD_PATTERN}.
   */
  readonly fields?: string;
  /**
   * Extra regular expression sources for secret-looking string values, redacted wherever they
   * appear (case-sensitive, as keys and tokens are). Default: none.
   */
  readonly values?: readonly string[];
  /**
   * What happens to a body that cannot be scanned (binary, not valid UTF-8, or not decodable):
   * `digest` stores only its size and digest, `keep` stores its bytes. Default: `digest`.
   */
  readonly binaryBodies?: 'digest' | 'keep';
}

/** Headers whose credentials start with an auth scheme that is worth keeping (`Bearer [REDACTED]`). */
const SCHEME_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization']);

/** Field-name verdicts are cached; a hostile body with endless distinct keys only resets the cache. */
const FIELD_CACHE_LIMIT = 10_000;
/** Header values remembered with their redaction, and the longest value remembered. */
const HEADER_CACHE_LIMIT = 4096;
const HEADER_CACHE_VALUE_LIMIT = 1024;
/** An ISO date, time or date-time, or a UUID: values whose every character is spoken for. */
const PLAIN_VALUE =
  /^(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?|\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
/** Innocent strings remembered, and the longest one remembered. */
const INNOCENT_CACHE_LIMIT = 16_384;
const INNOCENT_CACHE_VALUE_LIMIT = 256;

/** The characters of an RFC 9110 `token68` credential. */
const TOKEN68 = String.raw`[A-Za-z0-9\-._~+/]+=*`;
const AUTH_SCHEME = '(?:[Bb]earer|BEARER|[Bb]asic|BASIC)';
const JWT = String.raw`eyJ[A-Za-z0-9_-]{7,}(?:\.[A-Za-z0-9_-]*){2,4}`;
/**
 * 13–19 digits, either in one run or in groups of 3–6 after a first group of 4 (4-4-4-4, Amex
 * 4-6-5, 4-4-4-4-3) separated by single spaces or dashes. Only major industry identifiers 2–6
 * (Mastercard/Mir, Amex/JCB/Diners, Visa, Mastercard/Maestro, Discover/UnionPay) count: that keeps
 * millisecond timestamps and snowflake ids (which start with 1) from being taken for cards.
 */
const CARD = String.raw`[2-6](?:\d{12,18}|\d{3}(?:[ -]\d{3,6}){2,4})`;

/** Secret-looking values inside a longer text; each hit is validated again by {@link replaceSecretValue}. */
const SECRET_VALUE = new RegExp(
  [
    String.raw`(?<scheme>\b${AUTH_SCHEME}[ \t]+)(?<credential>${TOKEN68})`,
    String.raw`(?<![A-Za-z0-9_-])${JWT}`,
    SECRET_SHAPES_SOURCE,
    // Not glued to a word, a decimal point or a neighbouring digit group: part of a longer number is no card.
    String.raw`(?<card>(?<![\w.]|\d[ -])${CARD}(?![\w]|[ -]?\d|\.\d))`,
  ].join('|'),
  'g',
);

const AUTH_WHOLE = new RegExp(String.raw`^(${AUTH_SCHEME})[ \t]+(${TOKEN68})$`);
const JWT_WHOLE = new RegExp(`^${JWT}$`);
const SHAPE_WHOLE = new RegExp(`^(?:${SECRET_SHAPES_SOURCE})$`);
const CARD_WHOLE = new RegExp(`^${CARD}$`);

/**
 * Every built-in rule needs one of these in the text: a quote (JSON pair), `=` (form pair), an
 * auth scheme, a JWT or key prefix, or a digit run long enough to start a card number. Testing it
 * first keeps the ordinary strings of a large body on a single cheap regex.
 */
const MAYBE_SECRET = new RegExp(String.raw`[="<:]|eyJ|[Bb]earer|BEARER|[Bb]asic|BASIC|\d{4}[ -]?\d{3}|${SECRET_SHAPES_HINT}`);

/**
 * A JSON object key in text that may not parse: a quoted string followed by a colon. An escaped
 * quote never opens a key, and keys are bounded in length: a long run of `\"` cannot make the
 * scan quadratic.
 */
const JSONISH_KEY = /(?<!\\)"((?:[^"\\\r\n]|\\.){0,256})"\s*:\s*/g;
const NUMBER = /-?\d+(?:\.\d*)?(?:[eE][+-]?\d*)?/y;
const COLON_AHEAD = /\s*:/y;
/**
 * `name=value` in form bodies, query strings, URLs and prose. The name must start the text or
 * follow a separator so that `a.b/c?token=x` yields the name `token`; a value stops at `&`, `;`,
 * whitespace or `"` (the end of a JSON string it sits in), unless it is quoted.
 */
const FORM_PAIR = /(?<=^|[\s&;?#"'(<,{])([^\s=&;?#"'<>(),{}]+)=("[^"]*"?|'[^']*'?|[^\s&;"]*)/g;

/**
 * An XML element with text content: the name (with an optional prefix), the content (text or one
 * CDATA section) and the matching end tag. Names and attributes are bounded: no quadratic scan.
 */
const XML_ELEMENT = /(<([A-Za-z_][\w.-]{0,64}(?::[A-Za-z_][\w.-]{0,64})?)(?:\s[^<>]{0,1024})?>)(<!\[CDATA\[[\s\S]*?\]\]>|[^<]*)(<\/\2\s*>)/g;
/** Auth schemes kept in front of a redacted credential on a header-like line. */
const AUTH_LINE_SCHEME = /^(?:Bearer|Basic|Token|Digest|Bot|ApiKey|SSWS|OAuth|Negotiate|AWS4-HMAC-SHA256)[ \t]+(?=\S)/i;
/** `Name: value` at the start of a line. */
const HEADER_LINE = /^([ \t]*([A-Za-z][\w.-]{0,64})[ \t]*:[ \t]*)([^\r\n]*)/gm;

type JsonContainer = unknown[] | Record<string, unknown>;

/** One container being walked by {@link Redactor.redactJson}: the explicit stack replaces recursion. */
interface Frame {
  readonly source: JsonContainer;
  /** Own keys of an object; undefined for an array. */
  readonly keys: readonly string[] | undefined;
  readonly length: number;
  /** True inside a secret field: every leaf below is redacted. */
  readonly redactAll: boolean;
  index: number;
  /** Children so far, created only once one of them changed (copy-on-write). */
  out: unknown[] | undefined;
}

/**
 * Removes secrets from everything mockdrift stores: headers, JSON bodies, other text bodies and
 * query strings. Secrets are found by name (headers, JSON fields, form and query parameters) and
 * by shape (bearer/basic credentials, JWTs, Stripe-style keys, Luhn-valid card numbers, configured
 * patterns). Instances are immutable and may be shared.
 */
export class Redactor {
  readonly #headers: ReadonlySet<string>;
  readonly #fieldPattern: Pick<SafeRegex, 'test'>;
  /** Extra value patterns, global, for replacing inside text. */
  readonly #extraValues: readonly SafeRegex[];
  /** The same patterns anchored, for {@link looksSecret}. */
  readonly #extraWholeValues: readonly SafeRegex[];
  readonly #fieldCache = new Map<string, boolean>();
  readonly #credentialCache = new Map<string, boolean>();
  /**
   * Redacted header values by header name, then value: no key string built and hashed per header.
   * At most {@link HEADER_CACHE_LIMIT} values in all.
   */
  readonly #headerCache = new Map<string, Map<string, string>>();
  #headerCacheSize = 0;
  /** Strings found innocent lately: a body repeats most of its values from one answer to the next. */
  readonly #innocent = new Set<string>();
  /** See {@link RedactionOptions.binaryBodies}. */
  readonly binaryBodies: 'digest' | 'keep';
  /**
   * Tells, key by key and leaf by leaf, whether {@link redactJson} would change anything about a
   * parsed JSON body: a secret field name, a string holding a secret, a card-like number. A walk
   * that meets none of them can keep the body as it is without a second walk.
   */
  readonly inspector: ValueInspector = {
    key: (name) => this.#isSecretField(name),
    string: (value) => this.#hidesSecret(value),
    number: (value) => value !== 0 && isCardLikeNumber(value),
  };

  /** @throws Error naming the option and the pattern when a regular expression source is invalid. */
  constructor(options: RedactionOptions = {}) {
    this.#headers = new Set([
      ...DEFAULT_REDACTED_HEADERS,
      ...(options.headers ?? []).map((name) => name.trim().toLowerCase()),
    ]);
    // The default is ours and known to be linear; a configured pattern runs on RE2.
    this.#fieldPattern = options.fields === undefined ? new RegExp(DEFAULT_FIELD_PATTERN, 'i') : compilePattern('fields', options.fields, 'i');
    const values = options.values ?? [];
    this.#extraValues = values.map((source) => compilePattern('values', source, 'g'));
    this.#extraWholeValues = values.map((source) => compilePattern('values', `^(?:${source})$`, ''));
    this.binaryBodies = options.binaryBodies ?? 'digest';
  }

  /**
   * A new header map with secrets removed. Listed headers lose their value (`authorization` and
   * `proxy-authorization` keep their scheme: `Bearer [REDACTED]`; `cookie` and `set-cookie` keep
   * cookie names and attributes: `session=[REDACTED]; Path=/`). Any other header has secret-looking
   * values redacted in place. Arrays stay arrays of the same length.
   */
  redactHeaders(headers: HeaderMap): HeaderMap {
    // Null prototype like `toHeaderMap`: a `__proto__` header becomes an own property, not a prototype.
    const out = Object.create(null) as HeaderMap;
    for (const name of Object.keys(headers)) {
      const value = headers[name]!;
      const lower = name.toLowerCase();
      out[name] = Array.isArray(value) ? value.map((item) => this.#redactHeaderValue(lower, item)) : this.#redactHeaderValue(lower, value);
    }
    return out;
  }

  /**
   * One header value, redacted. A sandbox sends the same few header values over and over
   * (`content-type`, `server`, `cache-control`): their results are remembered, so that the value
   * patterns run once per distinct value rather than once per exchange. In memory only.
   */
  #redactHeaderValue(name: string, value: string): string {
    if (value.length > HEADER_CACHE_VALUE_LIMIT) return this.#headerRedaction(name)(value);
    let values = this.#headerCache.get(name);
    let redacted = values?.get(value);
    if (redacted === undefined) {
      redacted = this.#headerRedaction(name)(value);
      if (this.#headerCacheSize >= HEADER_CACHE_LIMIT) {
        this.#headerCache.clear();
        this.#headerCacheSize = 0;
        values = undefined;
      }
      if (values === undefined) this.#headerCache.set(name, (values = new Map()));
      values.set(value, redacted);
      this.#headerCacheSize += 1;
    }
    return redacted;
  }

  /**
   * Type-preserving redaction of a parsed JSON value; never mutates it. Under a field whose name is
   * secret, strings become `[REDACTED]`, numbers `0`, and containers keep their keys and lengths
   * while every leaf below is redacted the same way; booleans and null stay. Elsewhere, strings that
   * contain secrets are redacted (entirely when the whole string is one). When nothing changed the
   * original value itself is returned, so callers can keep the original bytes.
   * Iterative, so any nesting depth is fine; expects a tree (as from `JSON.parse`), not a cyclic graph.
   */
  redactJson(value: unknown): { value: unknown; changed: boolean } {
    const stack: Frame[] = [];
    let node = value;
    let redactAll = false;
    for (;;) {
      let result: unknown;
      if (isContainer(node)) {
        const frame = openFrame(node, redactAll);
        if (frame.length > 0) {
          stack.push(frame);
          node = childOf(frame);
          redactAll = this.#childRedactAll(frame);
          continue;
        }
        result = node;
      } else {
        result = this.#redactLeaf(node, redactAll);
      }
      let changed = !Object.is(result, node);
      // Hand the result up until a container with children left to visit is found.
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) return { value: result, changed };
        if (changed && top.out === undefined) top.out = copyChildren(top);
        if (top.out !== undefined) top.out[top.index] = result;
        top.index += 1;
        if (top.index < top.length) {
          node = childOf(top);
          redactAll = this.#childRedactAll(top);
          break;
        }
        stack.pop();
        changed = top.out !== undefined;
        result = top.out === undefined ? top.source : rebuild(top, top.out);
      }
    }
  }

  /**
   * Redaction of text that is not parseable JSON (truncated JSON, form bodies, plain text, HTML):
   * JSON-ish `"name": value` pairs and `name=value` pairs with secret names lose their value
   * (`"[REDACTED]"`, `0`, `name=[REDACTED]`; a string cut off by truncation is redacted to the end),
   * and secret-looking values anywhere become `[REDACTED]` (`Bearer [REDACTED]` keeps the scheme).
   */
  redactText(text: string): { text: string; changed: boolean } {
    let redacted = text;
    // Formats of whole bodies (not of the strings inside JSON): XML elements and header-like lines.
    if (redacted.includes('<')) redacted = this.#redactXmlElements(redacted);
    if (redacted.includes(':')) redacted = this.#redactHeaderLines(redacted);
    redacted = this.#redactTextContent(redacted);
    return { text: redacted, changed: redacted !== text };
  }

  /** `<password>hunter2</password>`, `<ns:apiKey>…</ns:apiKey>`, CDATA included: the content goes. */
  #redactXmlElements(text: string): string {
    return text.replace(XML_ELEMENT, (match: string, open: string, name: string, content: string, close: string) => {
      const local = name.slice(name.lastIndexOf(':') + 1);
      if (content.trim() === '' || !this.isCredentialName(local)) return match;
      return `${open}${REDACTED}${close}`;
    });
  }

  /** `Authorization: Token abc`, `password: hunter2` on a line of their own (logs, YAML, pasted headers). */
  #redactHeaderLines(text: string): string {
    return text.replace(HEADER_LINE, (match: string, head: string, name: string, value: string) => {
      if (value.trim() === '' || !this.isCredentialName(name)) return match;
      const scheme = AUTH_LINE_SCHEME.exec(value);
      return head + (scheme === null ? REDACTED : scheme[0] + REDACTED);
    });
  }

  /**
   * Redacts query parameters whose names match the field pattern or whose values contain secrets;
   * `search` may start with `?` or not. Parameter order and encoding are kept, the redacted value is
   * a literal `[REDACTED]`; when nothing changed the very same string is returned.
   */
  redactQueryString(search: string): { search: string; changed: boolean } {
    const prefix = search.startsWith('?') ? '?' : '';
    const params = search.slice(prefix.length).split('&');
    let changed = false;
    const redacted = params.map((param) => {
      const result = this.#redactQueryParam(param);
      if (result !== param) changed = true;
      return result;
    });
    return changed ? { search: prefix + redacted.join('&'), changed } : { search, changed };
  }

  /**
   * True when the string, apart from surrounding whitespace, is a secret on its own: a `Bearer` or
   * `Basic` credential, a JWT, a Stripe-style key (`sk_live_`, `sk_test_`, `rk_live_`, `rk_test_`,
   * `whsec_`), a Luhn-valid card number, or a full match of a configured value pattern.
   */
  looksSecret(value: string): boolean {
    const candidate = value.trim();
    if (candidate === '') return false;
    const auth = AUTH_WHOLE.exec(candidate);
    if (auth !== null) return isPlausibleCredential(auth[1] ?? '', auth[2] ?? '');
    if (JWT_WHOLE.test(candidate) || SHAPE_WHOLE.test(candidate)) return true;
    if (CARD_WHOLE.test(candidate) && isCardNumber(candidate)) return true;
    return this.#extraWholeValues.some((pattern) => pattern.test(candidate));
  }

  /**
   * A URL path with every segment that is or holds a secret redacted (`/keys/sk_live_…/roll` →
   * `/keys/[REDACTED]/roll`, a JWT segment, a token glued into a segment). Other segments, and
   * their percent-encoding, are kept; when nothing changed the very same string is returned.
   */
  redactPath(pathname: string): string {
    // Percent-encoded segments are decoded before they are judged: no shortcut for them.
    if (this.#extraValues.length === 0 && !pathname.includes('%') && !MAYBE_SECRET.test(pathname)) return pathname;
    let changed = false;
    const segments = pathname.split('/').map((segment) => {
      if (segment === '') return segment;
      const decoded = decodeFormComponent(segment.replaceAll('+', '%2B'));
      const redacted = this.looksSecret(decoded) ? REDACTED : this.#redactTextContent(decoded);
      if (redacted === decoded) return segment;
      changed = true;
      return encodeURIComponent(redacted).replaceAll(encodeURIComponent(REDACTED), REDACTED);
    });
    return changed ? segments.join('/') : pathname;
  }

  /** Whether a field or parameter name names a secret; see {@link RedactionOptions.fields}. */
  #isSecretField(name: string): boolean {
    let secret = this.#fieldCache.get(name);
    if (secret === undefined) {
      secret = this.#fieldPattern.test(name) || this.#fieldPattern.test(normaliseFieldName(name));
      if (this.#fieldCache.size >= FIELD_CACHE_LIMIT) this.#fieldCache.clear();
      this.#fieldCache.set(name, secret);
    }
    return secret;
  }

  #childRedactAll(frame: Frame): boolean {
    if (frame.redactAll) return true;
    const key = frame.keys?.[frame.index];
    return key !== undefined && this.#isSecretField(key);
  }

  #redactLeaf(value: unknown, redactAll: boolean): unknown {
    if (typeof value === 'string') return redactAll ? REDACTED : this.#redactString(value);
    if (typeof value === 'number') {
      // A card number can arrive as a JSON number too; 0 keeps the type.
      if (value !== 0 && (redactAll || isCardLikeNumber(value))) return 0;
    }
    return value;
  }

  /** Whether redacting the string would change it; innocent short strings are remembered. */
  #hidesSecret(value: string): boolean {
    if (this.#innocent.has(value)) return false;
    // A timestamp or a UUID, and nothing else, holds no secret: no pattern below needs to look
    // (a timestamp's colons would send it through all of them). Configured patterns still do.
    if (this.#extraValues.length === 0 && value.length <= 40 && PLAIN_VALUE.test(value)) return false;
    if (this.#redactString(value) !== value) return true;
    if (value.length <= INNOCENT_CACHE_VALUE_LIMIT) {
      if (this.#innocent.size >= INNOCENT_CACHE_LIMIT) this.#innocent.clear();
      this.#innocent.add(value);
    }
    return false;
  }

  /** A string that is a secret becomes `[REDACTED]`; secrets inside a longer string are cut out. */
  #redactString(value: string): string {
    if (this.#extraValues.length === 0 && !MAYBE_SECRET.test(value)) return value;
    return this.looksSecret(value) ? REDACTED : this.#redactTextContent(value);
  }

  #redactTextContent(text: string): string {
    let out = text;
    // Cheap guards first: most strings in a body have neither quotes nor `=`.
    if (out.includes('"')) out = this.#redactJsonishPairs(out);
    if (out.includes('=')) out = this.#redactFormPairs(out);
    out = out.replace(SECRET_VALUE, replaceSecretValue);
    for (const pattern of this.#extraValues) {
      // An empty match would scatter markers between characters; it hides nothing anyway.
      out = pattern.replace(out, (match) => (match === '' ? match : REDACTED));
    }
    return out;
  }

  /** `"secret_name": value` pairs in JSON that does not parse (usually a truncated body). */
  #redactJsonishPairs(text: string): string {
    const key = JSONISH_KEY;
    key.lastIndex = 0;
    let out = '';
    let cursor = 0;
    for (let match = key.exec(text); match !== null; match = key.exec(text)) {
      const start = key.lastIndex;
      if (!this.#isSecretField(decodeJsonKey(match[1] ?? ''))) {
        // Skipping a string value keeps the scan in step: a quote inside it cannot start a key.
        // An innocent container is entered instead, so that secret keys nested in it are found.
        if (text[start] === '"') key.lastIndex = stringEnd(text, start).end;
        continue;
      }
      const value = redactJsonishValue(text, start);
      if (value === undefined) continue;
      if (value.text !== text.slice(start, value.end)) {
        out += text.slice(cursor, start) + value.text;
        cursor = value.end;
      }
      key.lastIndex = value.end;
    }
    return cursor === 0 ? text : out + text.slice(cursor);
  }

  /** `secret_name=value` pairs (forms, query strings, URLs in text); the name is URL-decoded first. */
  #redactFormPairs(text: string): string {
    return text.replace(FORM_PAIR, (match: string, name: string, value: string) => {
      const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
      const closed = quote !== '' && value.length > 1 && value.endsWith(quote);
      const closing = closed ? quote : '';
      if (value !== '' && this.#isSecretField(decodeFormComponent(name))) return `${name}=${quote}${REDACTED}${closing}`;
      // `href="/cb?access_token=…"`: an innocent quoted value may hold pairs of its own.
      if (quote === '') return match;
      const inner = value.slice(1, value.length - closing.length);
      return `${name}=${quote}${this.#redactFormPairs(inner)}${closing}`;
    });
  }

  #redactQueryParam(param: string): string {
    const eq = param.indexOf('=');
    if (eq < 0) return this.looksSecret(decodeFormComponent(param)) ? REDACTED : param;
    const name = param.slice(0, eq);
    const raw = param.slice(eq + 1);
    if (raw === '' || raw === REDACTED) return param;
    const decodedName = decodeFormComponent(name);
    if (this.isCredentialName(decodedName) || CREDENTIAL_QUERY_NAME.test(normaliseFieldName(decodedName))) return `${name}=${REDACTED}`;
    const value = decodeFormComponent(raw);
    const redacted = this.#redactString(value);
    if (redacted === value) return param;
    return `${name}=${encodeURIComponent(redacted).replaceAll(encodeURIComponent(REDACTED), REDACTED)}`;
  }

  /**
   * Whether a header or query parameter name names a credential: the field rule, or one of the
   * words that are credentials there ({@link CREDENTIAL_NAME}).
   */
  isCredentialName(name: string): boolean {
    let secret = this.#credentialCache.get(name);
    if (secret === undefined) {
      secret = this.#headers.has(name.toLowerCase()) || this.#isSecretField(name) || CREDENTIAL_NAME.test(normaliseFieldName(name));
      if (this.#credentialCache.size >= FIELD_CACHE_LIMIT) this.#credentialCache.clear();
      this.#credentialCache.set(name, secret);
    }
    return secret;
  }

  #headerRedaction(name: string): (value: string) => string {
    if (!this.#headers.has(name)) {
      if (this.isCredentialName(name)) return (value) => (value === '' ? value : REDACTED);
      return (value) => this.#redactString(value);
    }
    if (SCHEME_HEADERS.has(name)) return redactCredentials;
    if (name === 'cookie') return redactCookieHeader;
    if (name === 'set-cookie') return redactSetCookie;
    return (value) => (value === '' ? value : REDACTED);
  }
}

function compilePattern(option: string, source: string, flags: string): SafeRegex {
  try {
    return compileSafeRegex(source, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Redaction option "${option}" has a regular expression "${source}" that cannot be used: ${reason}`);
  }
}

/** `clientSecret` / `Client-Secret` / `client.secret` / `card[cvc]` → `client_secret` / `card_cvc`. */
function normaliseFieldName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function isContainer(value: unknown): value is JsonContainer {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  // Only plain objects: a Date or a Buffer is not a JSON object and is left alone.
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function openFrame(source: JsonContainer, redactAll: boolean): Frame {
  const keys = Array.isArray(source) ? undefined : Object.keys(source);
  const length = keys === undefined ? (source as unknown[]).length : keys.length;
  return { source, keys, length, redactAll, index: 0, out: undefined };
}

function childOf(frame: Frame): unknown {
  if (frame.keys === undefined) return (frame.source as unknown[])[frame.index];
  // Reads the own property even for a `__proto__` key, which JSON.parse creates as own data.
  return (frame.source as Record<string, unknown>)[frame.keys[frame.index] ?? ''];
}

function copyChildren(frame: Frame): unknown[] {
  if (frame.keys === undefined) return (frame.source as unknown[]).slice();
  const source = frame.source as Record<string, unknown>;
  return frame.keys.map((key) => source[key]);
}

/** A redacted copy of a container. Keys are defined, never assigned, so `__proto__` stays data. */
function rebuild(frame: Frame, children: unknown[]): unknown {
  if (frame.keys === undefined) return children;
  const copy = Object.create(Object.getPrototypeOf(frame.source) as object | null) as Record<string, unknown>;
  frame.keys.forEach((key, index) => {
    Object.defineProperty(copy, key, { value: children[index], writable: true, enumerable: true, configurable: true });
  });
  return copy;
}

/**
 * The redacted form of the JSON-ish value at `start` and where the original ends; undefined for
 * `true`/`false`/`null` (nothing to hide) and for the end of the text.
 */
function redactJsonishValue(text: string, start: number): { end: number; text: string } | undefined {
  const first = text[start];
  if (first === '"') {
    const { end, terminated } = stringEnd(text, start);
    // A string cut off by truncation is redacted to the end and stays unterminated.
    return { end, text: terminated ? `"${REDACTED}"` : `"${REDACTED}` };
  }
  if (first === '{' || first === '[') return redactJsonishContainer(text, start);
  if (first === '-' || (first !== undefined && first >= '0' && first <= '9')) {
    NUMBER.lastIndex = start;
    const number = NUMBER.exec(text)?.[0] ?? first;
    return { end: start + number.length, text: number === '-' ? number : '0' };
  }
  return undefined;
}

/**
 * Redacts every leaf of the JSON-ish container at `start` (strings → `"[REDACTED]"`, numbers → 0),
 * keeping keys, up to its closing bracket or the end of a truncated text.
 */
function redactJsonishContainer(text: string, start: number): { end: number; text: string } {
  let out = '';
  let cursor = start;
  let depth = 0;
  let index = start;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === '"') {
      const { end: next, terminated } = stringEnd(text, index);
      const isKey = terminated && isFollowedByColon(text, next);
      const replacement = terminated ? `"${REDACTED}"` : `"${REDACTED}`;
      if (!isKey && replacement !== text.slice(index, next)) {
        out += text.slice(cursor, index) + replacement;
        cursor = next;
      }
      index = next;
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      NUMBER.lastIndex = index;
      const number = NUMBER.exec(text)?.[0] ?? char;
      if (number !== '0' && number !== '-') {
        out += text.slice(cursor, index) + '0';
        cursor = index + number.length;
      }
      index += number.length;
    } else {
      index += 1;
      if (char === '{' || char === '[') depth += 1;
      if ((char === '}' || char === ']') && --depth <= 0) break;
    }
  }
  return { end: index, text: out + text.slice(cursor, index) };
}

/** The end (past the closing quote) of the JSON string whose opening quote is at `start`; the text's end if cut off. */
function stringEnd(text: string, start: number): { end: number; terminated: boolean } {
  // A loop, not a regular expression: `(?:[^"\\]|\\.)*` over a string of megabytes overflows the
  // regexp engine's backtracking stack (a RangeError for any long string in a truncated body).
  let bodyEnd = start + 1;
  while (bodyEnd < text.length) {
    const code = text.charCodeAt(bodyEnd);
    if (code === 0x22 /* " */) break;
    bodyEnd += code === 0x5c /* \ */ ? 2 : 1;
  }
  bodyEnd = Math.min(bodyEnd, text.length);
  const terminated = text[bodyEnd] === '"';
  return { end: terminated ? bodyEnd + 1 : text.length, terminated };
}

function isFollowedByColon(text: string, from: number): boolean {
  COLON_AHEAD.lastIndex = from;
  return COLON_AHEAD.test(text);
}

function decodeJsonKey(raw: string): string {
  if (!raw.includes('\\')) return raw;
  try {
    return String(JSON.parse(`"${raw}"`));
  } catch {
    return raw;
  }
}

function decodeFormComponent(component: string): string {
  const spaced = component.replaceAll('+', ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Replacer for {@link SECRET_VALUE}: validates the hit before redacting it. */
function replaceSecretValue(match: string, ...rest: unknown[]): string {
  const groups = rest[rest.length - 1] as Partial<Record<'scheme' | 'credential' | 'card', string>>;
  const { scheme, credential, card } = groups;
  if (scheme !== undefined && credential !== undefined) {
    if (isPlausibleCredential(scheme.trim(), credential)) return scheme + REDACTED;
    // Not a credential after all ("Basic plan"); still look inside what the scheme swallowed.
    return scheme + credential.replace(SECRET_VALUE, replaceSecretValue);
  }
  if (card !== undefined) return isCardNumber(card) ? REDACTED : match;
  return REDACTED;
}

/**
 * Whether `Scheme value` is a real credential rather than prose: a Basic value must be base64 of
 * printable `user:password`; a Bearer token must be 8+ characters and not a plain word, so that
 * "Bearer authentication" or "Basic plan" stay readable.
 */
function isPlausibleCredential(scheme: string, value: string): boolean {
  if (scheme.toLowerCase() === 'basic') {
    if (!/^[A-Za-z0-9+/]{2,}={0,2}$/.test(value)) return false;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.includes(':') && /^[\x20-\x7e\u00a0-\ufffc]+$/.test(decoded);
  }
  return value.length >= 8 && !/^(?:[A-Z]?[a-z]+|[A-Z]+)\.?$/.test(value);
}

/** 13–19 digits (separators ignored), industry identifier 2–6 (see {@link CARD}), valid Luhn checksum. */
function isCardNumber(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, '');
  if (!/^[2-6]\d{12,18}$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function isCardLikeNumber(value: number): boolean {
  return value >= 1e12 && Number.isSafeInteger(value) && isCardNumber(String(value));
}

/** `Bearer abc` → `Bearer [REDACTED]`; a value without a scheme is redacted whole. */
function redactCredentials(value: string): string {
  const match = /^(\s*[A-Za-z][\w!#$%&'*+.^`|~-]*\s+)\S/.exec(value);
  if (match !== null) return (match[1] ?? '') + REDACTED;
  return value.trim() === '' ? value : REDACTED;
}

/** `a=1; b=2` → `a=[REDACTED]; b=[REDACTED]`: which cookies were sent is kept, not their values. */
function redactCookieHeader(value: string): string {
  return value.split(';').map(redactCookiePair).join(';');
}

/** `session=abc; Path=/; HttpOnly` → `session=[REDACTED]; Path=/; HttpOnly`. */
function redactSetCookie(value: string): string {
  const end = value.indexOf(';');
  return end < 0 ? redactCookiePair(value) : redactCookiePair(value.slice(0, end)) + value.slice(end);
}

function redactCookiePair(pair: string): string {
  const eq = pair.indexOf('=');
  if (eq < 0) return pair.trim() === '' ? pair : pair.replace(/\S[\s\S]*/, REDACTED);
  // An empty value (a cookie being deleted) holds nothing secret.
  return pair.slice(eq + 1).trim() === '' ? pair : `${pair.slice(0, eq)}=${REDACTED}`;
}
