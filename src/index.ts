/**
 * mockdrift's programmatic API: record a sandbox's traffic into a store, read it back, check
 * fixtures against it and update them. The CLI (`bin/mockdrift`) is built on exactly these.
 */
export { check, formatReport, type CheckApiOptions, type ReportFormat } from './check.js';
export { update, type FileUpdate, type UpdateApiOptions, type UpdateResult } from './update/run-update.js';
export { loadFixtures, type LoadFixturesOptions } from './formats/load-fixtures.js';
export { loadConfig, type MockdriftConfig, type ServiceConfig } from './config.js';
export type { Evidence, Finding, FindingKind, Report, ReportSummary, Severity } from './model/finding.js';
export type { FixtureFormat, FixtureInteraction } from './model/fixture.js';
export { CaptureWriter, DEFAULT_MAX_BODY_BYTES, type CaptureStats, type CaptureWriterOptions } from './capture/capture-writer.js';
export { Redactor, type RedactionOptions } from './capture/redactor.js';
export { MockdriftError, type MockdriftErrorCode } from './model/errors.js';
export type { CapturedExchange, Exchange, ExchangeError, ExchangeErrorCode, ExchangeSource, StoredBody } from './model/exchange.js';
export type { HeaderMap } from './model/headers.js';
export { RouteTemplate, routeOf } from './model/route.js';
export { shapeOf, type BodyShape, type JsonType, type PathFacts, type ValueFormat } from './model/shape.js';
export { RecordingProxy, type ExchangeSink, type RecordingProxyOptions } from './proxy/recording-proxy.js';
export { DEFAULT_STORE_PATH, type ExchangeFilter, type RecordingStore, type RouteSummary, type StoreStats } from './store/recording-store.js';
export { SqliteRecordingStore, type SqliteStoreOptions } from './store/sqlite-recording-store.js';
export { applyBaseline, DEFAULT_BASELINE_FILE, parseBaseline, writeBaseline } from './compare/baseline.js';
export { shapeHistory, type FieldHistory, type HistoryQuery, type RouteHistory, type StatusHistory } from './compare/shape-history.js';
export type { BaselineEntry, BaselineState, BaselineSummary } from './model/baseline.js';
export { PostgresRecordingStore, type PostgresStoreOptions } from './store/postgres-recording-store.js';
export { openRecordingStore, type OpenStoreOptions } from './store/open-recording-store.js';
