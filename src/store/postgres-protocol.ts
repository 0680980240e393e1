/**
 * What the PostgreSQL store's caller and its client thread say to each other. Everything here
 * crosses a thread boundary by structured clone: plain data only.
 */
import type { GroupSelector, RequestSelector, UnreadableReason } from '../model/recorded-group.js';
import type { ExchangeFilter, PruneResult, RouteSummary, StoreStats } from './recording-store.js';
import type { MessagePort } from 'node:worker_threads';
import type { GroupAggregateRow } from './group-recordings.js';
import type { PostgresConnection } from './store-location.js';

/** A body to store, keyed by the SHA-1 of its content. */
export interface PgBody {
  readonly hash: string;
  readonly content: Uint8Array;
  readonly isText: boolean;
}

/** One exchange as columns; bodies and the shape are referred to by their digests. */
export interface PgExchangeRow {
  readonly source: string;
  readonly service: string;
  readonly session: string;
  readonly recordedAt: number;
  readonly durationMs: number;
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly route: string;
  readonly query: string;
  readonly queryNames: string;
  readonly requestHeaders: string;
  readonly requestBody: string | null;
  readonly requestBodySize: number | null;
  readonly requestBodyTruncated: boolean;
  readonly status: number | null;
  readonly responseHeaders: string | null;
  readonly responseBody: string | null;
  readonly responseBodySize: number | null;
  readonly responseBodyTruncated: boolean;
  readonly contentType: string | null;
  readonly contentEncoding: string | null;
  readonly shapeHash: string | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly headerNames: string | null;
  readonly bodyUnreadable: UnreadableReason | null;
}

export interface PgInsert {
  /** The prune generation the caller's body and shape caches belong to. */
  readonly generation: number;
  /** Bodies the caller does not know to be stored already. */
  readonly bodies: readonly PgBody[];
  /** Shapes the caller does not know to be stored already. */
  readonly shapes: ReadonlyArray<{ readonly hash: string; readonly text: string }>;
  /**
   * The exchanges as one JSON array of {@link PgExchangeRow}s: one string crosses the thread
   * boundary and goes to the server as one parameter, where json_to_recordset makes the rows.
   */
  readonly rowsJson: string;
}

/** Either written, or refused because a prune ran since the caller's cache was filled. */
export type PgInsertResult = { readonly written: true; readonly generation: number } | { readonly written: false; readonly generation: number };

/** One exchange as read back: columns plus the bodies' contents and the shape's text. */
export interface PgExchangeRecord extends Omit<PgExchangeRow, 'shapeHash' | 'requestBody' | 'responseBody' | 'bodyUnreadable'> {
  readonly id: number;
  readonly requestBody: { readonly content: Uint8Array; readonly isText: boolean } | null;
  readonly responseBody: { readonly content: Uint8Array; readonly isText: boolean } | null;
  readonly shape: string | null;
}

/** One row of the group aggregate, as both stores answer it. */
export type PgGroupRow = GroupAggregateRow;

/** One distinct recorded request and answer, as read; the shape by id, the request body as text. */
export interface PgRequestRow {
  readonly path: string;
  readonly route: string;
  readonly query: string;
  readonly requestBody: string | null;
  readonly status: number;
  readonly contentType: string | null;
  readonly headerNames: string | null;
  readonly shapeId: number | null;
  readonly bodyUnreadable: UnreadableReason | null;
  readonly empty: boolean;
  readonly count: number;
  readonly first: number;
  readonly last: number;
}

/** The calls, by name, with their arguments and results. */
export interface PgCalls {
  open(readonly: boolean): { readonly generation: number };
  insert(batch: PgInsert): PgInsertResult;
  routes(filter: ExchangeFilter): RouteSummary[];
  page(filter: ExchangeFilter, after: { readonly recordedAt: number; readonly id: number } | null, limit: number): PgExchangeRecord[];
  count(filter: ExchangeFilter): number;
  groups(filter: Pick<ExchangeFilter, 'service' | 'since'>): { readonly rows: PgGroupRow[]; readonly shapes: Array<[number, string]> };
  sampleBodies(selector: GroupSelector, limit: number): string[];
  requests(selector: RequestSelector, limit: number): { readonly rows: PgRequestRow[]; readonly shapes: Array<[number, string]> };
  nearest(selector: GroupSelector, shapeHashes: readonly string[], time: number, direction: 'after' | 'before'): number | null;
  contains(key: { readonly recordedAt: number; readonly service: string; readonly method: string; readonly url: string; readonly status: number | null; readonly responseBody: string | null }): boolean;
  stats(): StoreStats;
  prune(olderThan: number, dryRun: boolean): PruneResult;
  close(): void;
}

export type PgCallName = keyof PgCalls;

export interface PgRequest {
  readonly call: PgCallName;
  readonly args: readonly unknown[];
}

export type PgReply =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string; readonly code: string | null };

/** What the client thread is started with. */
export interface PgWorkerData {
  readonly connection: PostgresConnection;
  /** Int32 flag the caller waits on: the thread sets it to 1 once its reply is posted. */
  readonly signal: SharedArrayBuffer;
  readonly port: MessagePort;
}
