import type { FindingKind, Severity } from '../model/finding.js';

/**
 * One difference found by the comparator, before it is tied to a fixture file and given an id:
 * the pure part of a finding.
 */
export interface Drift {
  readonly kind: FindingKind;
  /**
   * Another severity than the kind's own, when the rules say so: lower for a recorder's incidental
   * header, higher for a property `additionalProperties: false` forbids. Default: the kind's.
   */
  readonly severity?: Severity;
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
}

/** `3 of 40 recordings` */
export function ofRecordings(count: number, total: number): string {
  return `${count} of ${total} recording${total === 1 ? '' : 's'}`;
}
