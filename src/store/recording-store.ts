import type { Exchange } from '../model/exchange.js';
import type { GroupSelector, RecordedGroup, RecordedRequest, RequestSelector } from '../model/recorded-group.js';
import type { BodyShape } from '../model/shape.js';

/** The default home of the store, relative to the working directory. */
export const DEFAULT_STORE_PATH = 'recordings/mockdrift.db';

/** Which recordings a query is about. Every field narrows; an empty filter means all of them. */
export interface ExchangeFilter {
  readonly service?: string;
  readonly method?: string;
  readonly route?: string;
  readonly status?: number;
  /** Only exchanges recorded at or after this time (ms since the epoch). */
  readonly since?: number;
  /** Only exchanges recorded before this time (ms since the epoch). */
  readonly before?: number;
  /** Include exchanges that did not complete (upstream down, timed out, cut off). Default: false. */
  readonly includeFailed?: boolean;
}

/** One line of `mockdrift routes`: what a route answered, how often and when. */
export interface RouteSummary {
  readonly service: string;
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly count: number;
  /** ISO 8601 time of the first and the last recording. */
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/** Counts of what a store holds. */
export interface StoreStats {
  readonly exchanges: number;
  readonly failed: number;
  readonly bodies: number;
  readonly shapes: number;
}

/** What {@link RecordingStore.prune} deleted (or, on a dry run, would delete). */
export interface PruneResult {
  readonly exchanges: number;
  /** Bodies no remaining exchange refers to. */
  readonly bodies: number;
  /** Shapes no remaining exchange refers to. */
  readonly shapes: number;
}

/**
 * Where recorded exchanges live. Writers hand over exchanges that are already decoded and
 * redacted; the store keeps them and answers the questions `check`, `routes` and `export` ask.
 */
export interface RecordingStore {
  /** Where the store lives, as given (a file path for SQLite). */
  readonly location: string;
  /** Writes a batch of exchanges atomically: all of them or none. */
  insert(exchanges: readonly Exchange[]): void;
  /** What each route answered, ordered by service, route, method and status. */
  routes(filter?: ExchangeFilter): RouteSummary[];
  /** The exchanges that match, oldest first. */
  exchanges(filter?: ExchangeFilter): IterableIterator<Exchange>;
  /** How many exchanges match. */
  count(filter?: ExchangeFilter): number;
  /** Completed recordings grouped for comparison with fixtures (see {@link RecordedGroup}). */
  recordedGroups(filter?: Pick<ExchangeFilter, 'service' | 'since'>): RecordedGroup[];
  /**
   * Completed recordings of one stored route, one entry per distinct request and answer (see
   * {@link RecordedRequest}), those seen last first, at most `limit` entries.
   */
  recordedRequests(selector: RequestSelector, limit: number): RecordedRequest[];
  /** The newest JSON response bodies of one group, parsed, newest first. */
  sampleBodies(selector: GroupSelector, limit: number): unknown[];
  /**
   * The time (ms since the epoch) of the recording of one group nearest to `time` — the first
   * strictly after it, or the last strictly before it — whose response body had one of `shapes`;
   * null when there is none. Answers from the stored shapes and times, reading no body: it tells
   * when a drift began where shapes that agree and shapes that drift were seen in turns.
   */
  nearestRecordingOf(selector: GroupSelector, shapes: readonly BodyShape[], time: number, direction: 'after' | 'before'): number | null;
  /** Whether an exchange of the same time, service, method, URL, status and response body is stored (HAR import twice). */
  contains(exchange: Exchange): boolean;
  stats(): StoreStats;
  /**
   * Retention: deletes the exchanges recorded before `olderThan` (ms since the epoch), then the
   * bodies and shapes that only they used, atomically. With `dryRun`, deletes nothing and
   * reports what would go.
   */
  prune(olderThan: number, options?: { readonly dryRun?: boolean }): PruneResult;
  close(): void;
}
