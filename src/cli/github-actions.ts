import { appendFileSync } from 'node:fs';
import type { Report } from '../model/finding.js';
import type { ReportFormatter } from '../report/report-formatter.js';
import type { Terminal } from './terminal.js';

/**
 * Under GitHub Actions (`GITHUB_ACTIONS=true`): each breaking finding becomes an `::error`
 * annotation on its fixture line, and the markdown report is appended to the job summary.
 * Annotations go to stderr — the runner reads workflow commands from both streams — so that a
 * JSON report on stdout stays clean.
 */
export function publishToGitHubActions(report: Report, env: NodeJS.ProcessEnv, terminal: Terminal, markdown: ReportFormatter): void {
  if (env['GITHUB_ACTIONS'] !== 'true') return;
  for (const finding of report.findings) {
    if (finding.severity !== 'breaking' || finding.baseline === 'accepted') continue;
    const title = `mockdrift ${finding.kind}${finding.path ? ` ${finding.path}` : ''}`;
    const message = [finding.message, finding.fix ? `Fix: ${finding.fix}` : ''].filter(Boolean).join('\n');
    terminal.annotate(`::error file=${property(finding.fixture)},line=${finding.line},title=${property(title)}::${data(message)}`);
  }
  const summary = env['GITHUB_STEP_SUMMARY'];
  if (summary) {
    try {
      appendFileSync(summary, `${markdown.render(report)}\n`);
    } catch (error) {
      terminal.warn(`cannot append the report to GITHUB_STEP_SUMMARY (${summary}): ${(error as Error).message}`);
    }
  }
}

/** Escaping of a workflow command's message. */
function data(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** Escaping of a workflow command's property values. */
function property(text: string): string {
  return data(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
