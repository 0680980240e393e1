/** Whether a finding under a baseline is new, or drift the team accepted. */
export type BaselineState = 'new' | 'accepted';

/**
 * One accepted drift in a baseline file. Keyed by what identifies the drift — service, fixture
 * file, interaction, kind, path and `to` — never by a line number, so editing a fixture elsewhere
 * does not un-accept it.
 */
export interface BaselineEntry {
  readonly service: string | null;
  /** The fixture file, relative to the working directory. */
  readonly fixture: string;
  /** The interaction's name. */
  readonly interaction: string;
  readonly kind: string;
  readonly path?: string;
  readonly to?: string;
  /** Why the drift is accepted (kept by `--write-baseline`). */
  readonly reason?: string;
  /** A date (`2026-12-31`) or time after which the entry no longer accepts the drift. */
  readonly expires?: string;
}

/** What applying a baseline to a report found. */
export interface BaselineSummary {
  /** The baseline file, as given. */
  readonly file: string;
  /** Findings the baseline does not accept (an expired entry accepts nothing). */
  readonly new: number;
  readonly accepted: number;
  /** Entries about interactions that were checked and whose drift no longer occurs. */
  readonly fixed: readonly BaselineEntry[];
}

/** An entry with its keys in one order, whatever order they came in: the file diffs well. */
export function orderedEntry(entry: BaselineEntry): BaselineEntry {
  return {
    service: entry.service,
    fixture: entry.fixture,
    interaction: entry.interaction,
    kind: entry.kind,
    ...(entry.path !== undefined ? { path: entry.path } : {}),
    ...(entry.to !== undefined ? { to: entry.to } : {}),
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
    ...(entry.expires !== undefined ? { expires: entry.expires } : {}),
  };
}
