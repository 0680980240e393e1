import { mkdirSync, writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { dirname, resolve } from 'node:path';
import { describeError, MockdriftError } from '../model/errors.js';
import { atLeast, type Report, type Severity } from '../model/finding.js';
import type { CliContext } from './context.js';
import type { Terminal } from './terminal.js';

/** Report formats, listed here so that `--help` does not load the formatters. */
export const REPORT_FORMAT_NAMES = ['text', 'json', 'junit', 'markdown', 'html', 'sarif'] as const;
export type ReportFormatName = (typeof REPORT_FORMAT_NAMES)[number];

export const FAIL_ON = ['breaking', 'warning', 'info', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** Where a report goes: one `--format` (to stdout or `--output`), plus any `--report FORMAT=FILE`. */
export interface ReportOutput {
  readonly format: ReportFormatName;
  readonly output?: string;
  readonly reports?: ReadonlyArray<{ readonly format: ReportFormatName; readonly file: string }>;
}

/**
 * The report flags `check` and `probe --check` share: `--format`, `--output`, `--report`,
 * `--fail-on`. `note` is appended to each description (`' (with --check)'`).
 */
export function reportOptions<T>(yargs: Argv<T>, note = ''): Argv<T> {
  return yargs
    .option('format', { choices: REPORT_FORMAT_NAMES, default: 'text' as const, describe: `Report format${note}` })
    .option('output', { alias: 'o', type: 'string', describe: `Write the report to this file instead of stdout${note}` })
    .option('report', {
      type: 'string',
      array: true,
      describe: `Also write a report as FORMAT=FILE (repeatable), e.g. html=drift.html junit=drift.xml${note}`,
      coerce: (values: unknown[]) => values.map(parseReportFlag),
    })
    .option('fail-on', { choices: FAIL_ON, default: 'breaking' as const, describe: `Exit 1 when a finding is at least this severe${note}` }) as unknown as Argv<T>;
}

/** Parses one `--report FORMAT=FILE`. */
export function parseReportFlag(value: unknown): { format: ReportFormatName; file: string } {
  const text = String(value);
  const at = text.indexOf('=');
  const format = text.slice(0, at) as ReportFormatName;
  const file = text.slice(at + 1);
  if (at <= 0 || file === '' || !REPORT_FORMAT_NAMES.includes(format)) {
    throw new Error(`--report "${text}" must be FORMAT=FILE with FORMAT one of ${REPORT_FORMAT_NAMES.join(', ')} (e.g. html=drift.html)`);
  }
  return { format, file };
}

/**
 * Prints and writes a report as asked, publishes it to GitHub Actions when running there, and
 * sets the exit code by `--fail-on`.
 */
export async function emitReport(report: Report, output: ReportOutput & { readonly failOn: FailOn }, context: CliContext, terminal: Terminal): Promise<void> {
  const [{ formatReport }, { REPORT_FORMATTERS }, { publishToGitHubActions }] = await Promise.all([
    import('../check.js'),
    import('../report/formatters.js'),
    import('./github-actions.js'),
  ]);
  const render = (format: ReportFormatName, color = false): string => formatReport(report, format, { color });
  const write = (file: string, text: string): void => {
    try {
      const path = resolve(context.cwd, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    } catch (error) {
      throw new MockdriftError('USAGE', `Cannot write the report to ${file}: ${describeError(error)}`, { cause: error });
    }
  };
  if (output.output !== undefined) {
    write(output.output, render(output.format));
    terminal.log(`${output.format} report written to ${output.output}`);
  } else {
    terminal.out(render(output.format, output.format === 'text' && terminal.color));
  }
  for (const { format, file } of output.reports ?? []) {
    write(file, render(format));
    terminal.log(`${format} report written to ${file}`);
  }
  if (output.output !== undefined || output.format !== 'text') terminal.log(summaryText(report));
  publishToGitHubActions(report, context.env, terminal, REPORT_FORMATTERS['markdown']!);
  terminal.flush();
  process.exitCode = failed(report, output.failOn) ? 1 : 0;
}

/** Whether the report fails the build under `--fail-on`. */
export function failed(report: Report, failOn: Severity | 'never'): boolean {
  if (failOn === 'never') return false;
  // Drift a baseline accepts never fails the build.
  return report.findings.some((finding) => finding.baseline !== 'accepted' && atLeast(finding.severity, failOn));
}

function summaryText(report: Report): string {
  const s = report.summary;
  const baseline = report.baseline ? `; baseline: ${report.baseline.new} new, ${report.baseline.accepted} accepted, ${report.baseline.fixed.length} fixed` : '';
  return `${s.fixtures} fixture ${s.fixtures === 1 ? 'interaction' : 'interactions'} (${s.verified} verified, ${s.unverified} unverified): ${s.breaking} breaking, ${s.warning} warning, ${s.info} info${baseline}`;
}
