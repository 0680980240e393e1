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
