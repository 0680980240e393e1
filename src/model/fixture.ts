import type { HeaderMap } from './headers.js';
import type { SpecOperation, SpecSchema } from './spec-schema.js';

/** The fixture formats mockdrift reads. */
export type FixtureFormat = 'native' | 'pact' | 'wiremock' | 'har' | 'nock' | 'vcr' | 'vcrpy' | 'responses' | 'postman' | 'openapi';

/**
 * What a fixture says about the values at one body path, beyond their shape. Pact matching rules
 * map onto these; a path without a matcher is compared by shape only (unless the fixture pins
 * its literal values, as Pact does).
 */
export type ValueMatcher =
  /** Any value of the example's JSON type (Pact `type`; arrays may bound their length). */
  | { readonly kind: 'type'; readonly min?: number; readonly max?: number }
  /** A string matching the regular expression, anchored at both ends (Pact `regex`). */
  | { readonly kind: 'regex'; readonly pattern: string }
  /** A number with no fractional part (Pact `integer`). */
  | { readonly kind: 'integer' }
  /** A number with a fractional part (Pact `decimal`). */
  | { readonly kind: 'decimal' }
  /** Any number (Pact `number`). */
  | { readonly kind: 'number' }
  /** Exactly the example's value (Pact `equality`, or a literal in a pinning fixture). */
  | { readonly kind: 'equality' }
  /** A string containing the given text (Pact `include`). */
  | { readonly kind: 'include'; readonly value: string }
  /** A date, time or timestamp, optionally in the given format (Pact `date`/`time`/`timestamp`). */
  | { readonly kind: 'datetime'; readonly format?: string };

/** The request side of an interaction: how it is matched to recordings. */
export interface FixtureRequest {
  readonly method: string;
  /** The concrete path, e.g. `/v1/charges/ch_123` (no query); null when only a pattern is known. */
  readonly path: string | null;
  /** A regular expression the path must match (WireMock `urlPattern`/`urlPathPattern`). */
  readonly pathPattern?: string;
  /** Query parameters by name; null when the fixture does not constrain them. */
  readonly query: Readonly<Record<string, readonly string[]>> | null;
  readonly headers: HeaderMap;
  /** The request body as declared (parsed JSON, or text); undefined when none. */
  readonly body?: unknown;
}

/** The response side of an interaction: what the mock answers, and so what reality is held to. */
export interface FixtureResponse {
  readonly status: number;
  readonly headers: HeaderMap;
  /** The body as parsed JSON; undefined when the fixture declares no JSON body. */
  readonly body?: unknown;
  /** The body as text when it is not JSON (HTML, plain text). */
  readonly bodyText?: string;
  /** The media type the fixture answers with (declared, or `application/json` for a JSON body). */
  readonly contentType: string | null;
  /**
   * Whether `headers` were captured by a recorder (VCR, vcrpy, `responses`, HAR, Polly, nock,
   * Postman examples) — every header the server happened to send — rather than declared by a
   * person (native, WireMock, Pact). Absent means declared.
   */
  readonly headersRecorded?: boolean;
  /** The JSON schema the body must fit, instead of an example body (OpenAPI documents). */
  readonly schema?: SpecSchema;
}

/** Steps from the root of a JSON file to one of its values: keys and array indexes. */
export type JsonPointer = ReadonlyArray<string | number>;

/** Where in its file an interaction, or one of its body's values, is written. */
export interface FixtureLocation {
  /** The interaction's place in its file, e.g. `['interactions', 2]`. */
  readonly interactionPointer: JsonPointer;
  /** The response body's place, when the body is JSON written inline (not a string holding JSON). */
  readonly bodyPointer: JsonPointer | null;
  /**
   * The response body's place when it is written as a string holding JSON (a HAR `text`, a VCR
   * `string`, a Postman `body`): `update` edits the JSON inside and writes the string back.
   */
  readonly bodyTextPointer?: JsonPointer | null;
  /** Line of the response body (or of the interaction when it has none), 1-based. */
  readonly line: number;
  /** Line of the value at a body path (`$.items[*].sku`), or of its nearest ancestor that exists. */
  lineOf(path: string): number;
}

/** One request/response pair a mock serves, whatever format it was written in. */
export interface FixtureInteraction {
  /** The file, relative to the working directory (forward slashes). */
  readonly file: string;
  readonly format: FixtureFormat;
  /** Position of the interaction in its file, from 0. */
  readonly index: number;
  /** A name for people: the Pact description, the WireMock stub name, or `GET /v1/charges`. */
  readonly name: string;
  /** The service the fixture mocks; null when the fixture does not say (compared with any). */
  readonly service: string | null;
  readonly request: FixtureRequest;
  readonly response: FixtureResponse;
  /** Matchers by body path (`$.amount`, `$.items[*].sku`). */
  readonly matchers: Readonly<Record<string, ValueMatcher>>;
  /** Whether body values without a matcher are pinned literals (Pact) rather than examples. */
  readonly pinsLiterals: boolean;
  readonly location: FixtureLocation;
  /** When the interaction was recorded (ISO 8601), when the fixture says (VCR `recorded_at`): the fixture's age. */
  readonly recordedAt?: string;
  /** The OpenAPI operation the interaction is one response of (OpenAPI documents only). */
  readonly operation?: SpecOperation;
}
