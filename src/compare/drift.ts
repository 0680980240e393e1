import type { FindingKind, Severity } from '../model/finding.js';

/**
 * One difference found by the comparator, before it is tied to a fixture file and given an id:
 * the pure part of a finding.
 */
export interface Drift {
  readonly kind: FindingKind;
  /** Lower than the kind's own severity, when the rules say so (a recorder's incidental header). Default: the kind's. */
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
}

/** `3 of 40 recordings` */
export function ofRecordings(count: number, total: number): string {
  return `${count} of ${total} recording${total === 1 ? '' : 's'}`;
}
