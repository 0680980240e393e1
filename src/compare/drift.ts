import type { FindingKind, Severity } from '../model/finding.js';

/**
 * One difference found by the comparator, before it is tied to a fixture file and given an id:
 * the pure part of a finding.
 */
export interface Drift {
  readonly kind: FindingKind;
  readonly path?: string;
  readonly to?: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  /** Recordings this point was judged on, and how many of them agree with the fixture. */
  readonly recordings: number;
  readonly matching: number;
  readonly message: string;
  /** What to change in the fixture; `{at}` stands for `file:line`. */
  readonly fix?: string;
  /** The line the finding points at, when the comparator knows better than the body path (a schema property). */
  readonly line?: number;
  /** Overrides the kind's severity (a property `additionalProperties: false` forbids is breaking). */
  readonly severity?: Severity;
}

/** `3 of 40 recordings` */
export function ofRecordings(count: number, total: number): string {
  return `${count} of ${total} recording${total === 1 ? '' : 's'}`;
}
