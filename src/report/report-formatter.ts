import type { Report } from '../model/finding.js';

/** How a formatter may decorate its output. */
export interface FormatOptions {
  /** ANSI colour (text only; the CLI decides: a TTY, and no NO_COLOR). Default: false. */
  readonly color?: boolean;
}

/** Turns a report into one output format. One class per format, looked up by `format`. */
export interface ReportFormatter {
  readonly format: string;
  /** File extension for `--report FORMAT=FILE` defaults. */
  readonly extension: string;
  render(report: Report, options?: FormatOptions): string;
}
