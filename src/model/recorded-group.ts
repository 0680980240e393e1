import type { BodyShape } from './shape.js';

/**
 * Recordings of one route that a fixture can be compared with as a whole: same service, method,
 * route, status, query parameter names and content type. Holds no bodies — only the distinct
 * shapes they had and how often — so that a check over 100,000 recordings reads a few hundred
 * rows.
 */
export interface RecordedGroup {
  readonly service: string;
  readonly method: string;
  readonly route: string;
  readonly status: number;
  /** Names of the query parameters, sorted. */
  readonly queryNames: readonly string[];
  readonly contentType: string | null;
  readonly count: number;
  /** Oldest and newest recording, ms since the epoch. */
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** One concrete path of the group, for matching path patterns. */
  readonly samplePath: string;
  /** Response header name → number of recordings that had it. */
  readonly headers: ReadonlyMap<string, number>;
  /**
   * The distinct response body shapes and how many recordings had each (JSON bodies only), with
   * the first and last time each was seen (ms since the epoch; a store that cannot tell leaves
   * them out, and findings then carry no `since`). One shape may appear more than once.
   */
  readonly shapes: ReadonlyArray<{ readonly shape: BodyShape; readonly count: number; readonly firstSeen?: number; readonly lastSeen?: number }>;
  /** Recordings whose body could not be read, by reason. Default: none. */
  readonly unreadable?: Readonly<Partial<Record<UnreadableReason, number>>>;
  /** Recordings with an empty (or no) response body. Default: none. */
  readonly empty?: number;
}

/**
 * Why a recorded response body could not be read: `truncated` (stored cut off at `--max-body`),
 * `undecodable` (a `content-encoding` that did not decode: the stored bytes are still encoded),
 * `invalid-json` (not JSON although its content type says so). Such a recording never counts as
 * agreeing with a fixture.
 */
export type UnreadableReason = 'truncated' | 'undecodable' | 'invalid-json';

/** Which recorded requests to read: one stored route, or one concrete path (give one of the two). */
export interface RequestSelector {
  readonly service: string;
  readonly method: string;
  /** The route as stored. */
  readonly route?: string;
  /** The concrete path (normalised, without the query): the recordings of one request. */
  readonly path?: string;
  readonly since?: number;
}

/**
 * Recordings of one concrete request and one answer: same path, query, request body, status,
 * content type, header names, body shape and readability, with their count. Lets a check
 * compare a fixture with recordings of its own request before those of its whole route.
 */
export interface RecordedRequest {
  readonly service: string;
  readonly method: string;
  /** The route as stored. */
  readonly route: string;
  /** The concrete path, without the query. */
  readonly path: string;
  readonly query: Readonly<Record<string, readonly string[]>>;
  /** The request body as stored (redacted text); null when there was none or it was binary. */
  readonly requestBody: string | null;
  readonly status: number;
  readonly contentType: string | null;
  readonly headerNames: readonly string[];
  readonly shape: BodyShape | null;
  readonly unreadable: UnreadableReason | null;
  readonly empty: boolean;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** What picks recordings of one group out of the store (for reading sample bodies). */
export interface GroupSelector {
  readonly service: string;
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly queryNames?: readonly string[];
  readonly since?: number;
}
