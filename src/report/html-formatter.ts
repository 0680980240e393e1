import { randomBytes } from 'node:crypto';
import { SEVERITIES, type Finding, type Report, type Severity } from '../model/finding.js';
import { accepted, baselineLine, fixedEntryText, fixedHint, sinceText, unaccepted } from './baseline-text.js';
import type { ReportFormatter } from './report-formatter.js';
import { timelineSvg } from './timeline-svg.js';
import { annotatedJson, isAtOrBelow } from './annotated-json.js';
import { agreementText, findingSides, memberText, sharedFix, splitShared } from './finding-text.js';

/** How many fixtures a shared finding's card lists before it says how many more. */
const LISTED_MEMBERS = 50;

/**
 * One self-contained HTML page (no fonts, CDN or any other URL): the totals, buttons to filter by
 * severity, and a card per finding with the fixture and reality side by side.
 *
 * Everything from a fixture or a recording is escaped. As a second line of defence, a strict
 * Content-Security-Policy allows only the page's own script, by a nonce new at every render, so
 * markup that slipped through escaping could still not run or load anything.
 */
export class HtmlFormatter implements ReportFormatter {
  readonly format = 'html';
  readonly extension = 'html';

  render(report: Report): string {
    const nonce = randomBytes(16).toString('base64');
    const title = `mockdrift: ${verdict(report)}`;
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${headerHtml(report, title)}
${filtersHtml(report)}
<main>
${report.baseline && unaccepted(report.findings).length === 0 ? '<p class="none">No new findings.</p>' : findingsHtml(unaccepted(report.findings))}
${bodiesHtml(report)}
${baselineHtml(report)}
${skippedHtml(report)}
</main>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
  }
}

function verdict({ summary }: Report): string {
  if (summary.breaking > 0) return 'drift found';
  return summary.warning > 0 ? 'no breaking drift' : 'no drift';
}

function headerHtml(report: Report, title: string): string {
  const { summary } = report;
  const counts: [string, number, string][] = [
    ['fixture interactions', summary.fixtures, ''],
    ['verified', summary.verified, ''],
    ['unverified', summary.unverified, ''],
    ['breaking', summary.breaking, 'breaking'],
    ['warning', summary.warning, 'warning'],
    ['info', summary.info, 'info'],
  ];
  if (report.baseline) counts.push(['new', report.baseline.new, ''], ['accepted', report.baseline.accepted, ''], ['fixed', report.baseline.fixed.length, '']);
  const tiles = counts.map(([label, count, severity]) => `<div class="count ${severity}"><b>${count}</b><span>${escape(label)}</span></div>`);
  return `<header><h1>${escape(title)}</h1><div class="counts">${tiles.join('')}</div></header>`;
}

function filtersHtml({ summary }: Report): string {
  const buttons = [`<button type="button" data-filter="all" aria-pressed="true">all (${summary.breaking + summary.warning + summary.info})</button>`];
  for (const severity of SEVERITIES) buttons.push(`<button type="button" data-filter="${severity}" aria-pressed="false">${severity} (${summary[severity]})</button>`);
  return `<nav class="filters" aria-label="filter by severity">${buttons.join('')}</nav>`;
}

/** The files found but not compared, as a list; nothing when there are none. */
function skippedHtml(report: Report): string {
  const skipped = report.skippedFiles ?? [];
  if (skipped.length === 0) return '';
  return `<section class="skipped"><h2>Skipped files (not compared)</h2><ul>${skipped.map((entry) => `<li><code>${escape(entry.file)}</code>: ${escape(entry.reason)}</li>`).join('')}</ul></section>`;
}

function findingsHtml(findings: readonly Finding[]): string {
  if (findings.length === 0) return '<p class="none">No findings: every fixture agrees with the recordings.</p>';
  // One card per cause: findings shared by several fixtures are one card listing them.
  const { shared, single } = splitShared(findings);
  const cards = [...shared.map((group) => ({ finding: group.finding, members: group.members })), ...single.map((finding) => ({ finding, members: [finding] }))];
  // Stable sort: within a severity, the check's order (by fixture and line) stays.
  cards.sort((a, b) => SEVERITIES.indexOf(a.finding.severity) - SEVERITIES.indexOf(b.finding.severity));
  return cards.map(({ finding, members }, index) => cardHtml(finding, members, `f${index}`)).join('\n');
}

/** Under a baseline: the accepted findings apart (folded), and the fixed entries with the hint. */
function baselineHtml(report: Report): string {
  if (!report.baseline) return '';
  const parts = [`<p class="baseline">${escape(baselineLine(report))}</p>`];
  const acceptedFindings = accepted(report.findings);
  if (acceptedFindings.length > 0) {
    parts.push(`<details class="accepted"><summary>Accepted by the baseline (${acceptedFindings.length}, not failing)</summary>\n${acceptedFindings.map((finding, index) => cardHtml(finding, [finding], `a${index}`)).join('\n')}\n</details>`);
  }
  if (report.baseline.fixed.length > 0) {
    const items = report.baseline.fixed.map((entry) => `<li>${escape(fixedEntryText(entry))}</li>`).join('');
    parts.push(`<section class="fixed"><h2>Fixed (${report.baseline.fixed.length}): ${escape(fixedHint(report))}</h2><ul>${items}</ul></section>`);
  }
  return parts.join('\n');
}

/** @param key unique within the page: keeps the ids inside the card's timeline apart from other cards'. */
function cardHtml(finding: Finding, members: readonly Finding[], key: string): string {
  const severity = severityClass(finding.severity);
  const service = finding.service === null ? '' : ` [${finding.service}]`;
  const sides = findingSides(finding);
  const where = members.length === 1 ? `${finding.fixture}:${finding.line}` : `${members.length} fixtures`;
  const list =
    members.length === 1
      ? ''
      : `<ul class="members">${members
          .slice(0, LISTED_MEMBERS)
          .map((member) => `<li>${escape(memberText(member))}</li>`)
          .join('')}${members.length > LISTED_MEMBERS ? `<li>… and ${members.length - LISTED_MEMBERS} more</li>` : ''}</ul>`;
  return [
    `<article class="finding ${severity}" data-severity="${severity}"${finding.group ? ` data-group="${escape(finding.group)}"` : ''}>`,
    `<h2><span class="badge">${severity}</span> <code>${escape(finding.kind)}</code> <span class="where">${escape(where)}</span></h2>`,
    `<p class="route">${escape(`${finding.interaction} — ${finding.route} → ${finding.status}${service}`)}</p>`,
    list,
    `<p class="message">${escape(finding.message)}</p>`,
    finding.fix ? `<p class="fix"><b>fix:</b> ${escape((members.length > 1 ? sharedFix(finding) : finding.fix) ?? '')}</p>` : '',
    `<div class="sides">${sideHtml('fixture has', sides.fixture)}${sideHtml('reality has', sides.reality)}</div>`,
    `<p class="evidence">${escape(evidence(finding))}</p>`,
    timelineSvg(finding, key),
    '</article>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * The fixture's body and a recorded (redacted) one side by side for every interaction whose body
 * drifted, the lines the findings are about marked on each side.
 */
function bodiesHtml(report: Report): string {
  const blocks: string[] = [];
  for (const interaction of report.interactions ?? []) {
    if (interaction.recordedBody === undefined) continue;
    const findings = report.findings.filter(
      (finding) => finding.fixture === interaction.fixture && finding.interaction === interaction.interaction && finding.route === interaction.route && finding.path?.startsWith('$'),
    );
    const fixtureMarks = findings.filter((finding) => finding.kind !== 'field-added').map((finding) => finding.path!);
    const realityMarks = findings.map((finding) => finding.to ?? finding.path!);
    blocks.push(
      [
        `<article class="bodies">`,
        `<h2>${escape(`${interaction.fixture}:${interaction.line}`)} <span class="where">${escape(`${interaction.interaction} — ${interaction.route} → ${interaction.status}`)}</span></h2>`,
        `<div class="sides">${bodyHtml('fixture body', interaction.fixtureBody, fixtureMarks)}${bodyHtml('a recorded body (redacted)', interaction.recordedBody, realityMarks)}</div>`,
        '</article>',
      ].join('\n'),
    );
  }
  return blocks.length === 0 ? '' : `<h2 class="section">Fixture and reality, side by side</h2>\n${blocks.join('\n')}`;
}

function bodyHtml(label: string, body: unknown, marks: readonly string[]): string {
  const { lines, truncated } = annotatedJson(body);
  const rendered = lines.map((line) => {
    const marked = marks.some((mark) => isAtOrBelow(line.path, mark));
    return marked ? `<mark class="drift">${escape(line.text)}</mark>` : escape(line.text);
  });
  if (truncated) rendered.push('…');
  return `<section><h3>${escape(label)}</h3><pre>${rendered.join('\n')}</pre></section>`;
}

/** Severity is an enum, but the report may come from a file: only a known name becomes a class. */
function severityClass(severity: Severity): Severity {
  return SEVERITIES.includes(severity) ? severity : 'info';
}

function sideHtml(label: string, text: string): string {
  return `<section><h3>${label}</h3><pre>${escape(text === '' ? '—' : text)}</pre></section>`;
}

function evidence(finding: Finding): string {
  const since = sinceText(finding);
  const expired = finding.baselineExpired !== undefined ? `; its baseline entry expired ${finding.baselineExpired}` : '';
  return `${agreementText(finding)}${since ? `; drift ${since}` : ''}${expired}`;
}

/** Text for element content and quoted attribute values alike. */
function escape(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/** The filter buttons: CSS does the hiding, by the body's `data-filter`; no inline handlers, which the CSP forbids. */
const SCRIPT = `
document.body.dataset.filter = 'all';
for (const button of document.querySelectorAll('button[data-filter]')) {
  button.addEventListener('click', () => {
    document.body.dataset.filter = button.dataset.filter;
    for (const other of document.querySelectorAll('button[data-filter]')) other.setAttribute('aria-pressed', String(other === button));
  });
}
`;

const STYLE = `
:root { --breaking: #c62828; --warning: #b26a00; --info: #546e7a; --line: #d9dde3; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #f4f6f8; }
header { padding: 24px 32px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 16px; font-size: 24px; }
.counts { display: flex; flex-wrap: wrap; gap: 12px; }
.count { min-width: 120px; padding: 10px 14px; border: 1px solid var(--line); border-radius: 8px; background: #fafbfc; }
.count b { display: block; font-size: 22px; }
.count span { color: #57606a; font-size: 13px; }
.count.breaking b { color: var(--breaking); } .count.warning b { color: var(--warning); } .count.info b { color: var(--info); }
.filters { display: flex; gap: 8px; padding: 16px 32px 0; }
.filters button { font: inherit; padding: 4px 14px; border: 1px solid var(--line); border-radius: 999px; background: #fff; cursor: pointer; }
.filters button[aria-pressed="true"] { background: #1f2328; color: #fff; border-color: #1f2328; }
main { padding: 16px 32px 32px; display: grid; gap: 14px; }
.none { font-size: 17px; }
.finding { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--info); border-radius: 8px; padding: 14px 18px; }
.finding.breaking { border-left-color: var(--breaking); } .finding.warning { border-left-color: var(--warning); }
.finding h2 { margin: 0; font-size: 16px; display: flex; flex-wrap: wrap; gap: 10px; align-items: baseline; }
.badge { text-transform: uppercase; font-size: 11px; letter-spacing: .05em; color: #fff; background: var(--info); padding: 2px 8px; border-radius: 4px; }
.breaking .badge { background: var(--breaking); } .warning .badge { background: var(--warning); }
.where { color: #57606a; font-weight: normal; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
.route { margin: 6px 0; color: #57606a; }
.message { margin: 6px 0; }
.fix { margin: 6px 0; color: #0a5c2e; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; margin: 10px 0 6px; }
.sides h3 { margin: 0 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: #57606a; }
pre { margin: 0; padding: 10px; background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap; word-break: break-word; font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; }
.sides section:first-child pre { background: #fff8f8; } .sides section:last-child pre { background: #f6fbf7; }
.evidence { margin: 6px 0 0; color: #57606a; font-size: 13px; }
.timeline { display: block; margin: 8px 0 0; max-width: 100%; height: auto; }
.baseline { margin: 8px 0 0; font-weight: 600; }
.accepted > summary { cursor: pointer; margin: 4px 0 10px; color: #57606a; }
.accepted .finding { opacity: .75; margin-bottom: 10px; }
.fixed h2 { font-size: 15px; margin: 8px 0 4px; } .fixed ul { margin: 0; padding-left: 20px; font: 13px/1.5 ui-monospace, Menlo, Consolas, monospace; }
.members { margin: 6px 0; padding-left: 20px; font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; }
.section { margin: 16px 0 0; font-size: 18px; }
.bodies { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; }
.bodies h2 { margin: 0; font-size: 15px; }
mark.drift { background: #ffd8a8; color: inherit; display: inline-block; width: 100%; }
body[data-filter="breaking"] .finding:not(.breaking), body[data-filter="warning"] .finding:not(.warning), body[data-filter="info"] .finding:not(.info) { display: none; }
`;
