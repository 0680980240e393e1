import type { Finding, TimeSpan } from '../model/finding.js';

const WIDTH = 560;
const HEIGHT = 74;
const LEFT = 92;
const RIGHT = WIDTH - 10;
const ROW_HEIGHT = 12;
const AGREED_Y = 6;
const DRIFTED_Y = 24;

/**
 * A small timeline of one finding, as inline SVG (no script, no external reference): when
 * recordings that agree with the fixture and recordings that drift were seen, on one time axis,
 * with the moment reality changed marked. Readable without colour: agreeing spans are solid,
 * drifting spans hatched, every row and mark is labelled in text, and a `<title>` says it all in
 * words for screen readers. '' when the finding has no timeline.
 * @param key unique within the page, letters and digits only: keeps the hatch pattern's id apart from other timelines'.
 */
export function timelineSvg(finding: Finding, key: string): string {
  const timeline = finding.timeline;
  if (!timeline || (timeline.agreed.length === 0 && timeline.drifted.length === 0)) return '';
  const all = [...timeline.agreed, ...timeline.drifted];
  const start = all.reduce((time, span) => Math.min(time, span.first), Infinity);
  const end = all.reduce((time, span) => Math.max(time, span.last), -Infinity);
  const x = (time: number): number => (end === start ? (LEFT + RIGHT) / 2 : LEFT + ((time - start) / (end - start)) * (RIGHT - LEFT));
  const bars = (spans: readonly TimeSpan[], y: number, fill: string): string =>
    spans
      .map((span) => {
        const from = x(span.first);
        const width = Math.max(3, x(span.last) - from);
        return `<rect x="${round(Math.min(from, RIGHT - width))}" y="${y}" width="${round(width)}" height="${ROW_HEIGHT}" fill="${fill}" stroke="#1f2328" stroke-width="1"><title>${escape(spanTitle(span))}</title></rect>`;
      })
      .join('');
  const pattern = `md-hatch-${key.replace(/[^A-Za-z0-9]/g, '')}`;
  const sinceTime = finding.since !== undefined && !finding.since.startsWith('before ') ? Date.parse(finding.since) : undefined;
  const marker =
    sinceTime !== undefined && Number.isFinite(sinceTime)
      ? `<line x1="${round(x(sinceTime))}" y1="2" x2="${round(x(sinceTime))}" y2="${DRIFTED_Y + ROW_HEIGHT + 16}" stroke="#1f2328" stroke-width="1.5" stroke-dasharray="3 2"/>`
      : '';
  const label = (text: string, y: number): string => `<text x="0" y="${y + ROW_HEIGHT - 2}" font-size="11">${escape(text)}</text>`;
  const axisY = DRIFTED_Y + ROW_HEIGHT + 6;
  const axis = `<line x1="${LEFT}" y1="${axisY}" x2="${RIGHT}" y2="${axisY}" stroke="#57606a" stroke-width="1"/>`;
  const dates =
    `<text x="${LEFT}" y="${axisY + 12}" font-size="10">${escape(day(start))}</text>` +
    (end !== start ? `<text x="${RIGHT}" y="${axisY + 12}" font-size="10" text-anchor="end">${escape(day(end))}</text>` : '');
  // On a line of its own, under the marker: the dates at the ends never overlap it.
  const sinceLabel = sinceTime !== undefined && Number.isFinite(sinceTime) ? sinceText(x(sinceTime), axisY + 26, minute(sinceTime)) : '';
  return [
    `<svg class="timeline" role="img" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">`,
    `<title>${escape(description(finding, start, end))}</title>`,
    `<defs><pattern id="${pattern}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#1f2328" stroke-width="3"/></pattern></defs>`,
    label('fixture shape', AGREED_Y),
    label('drifted shape', DRIFTED_Y),
    bars(timeline.agreed, AGREED_Y, '#2e7d32'),
    bars(timeline.drifted, DRIFTED_Y, `url(#${pattern})`),
    marker,
    axis,
    dates,
    sinceLabel,
    '</svg>',
  ].join('');
}

/** The since label under its marker, anchored so that it stays inside the drawing at either end. */
function sinceText(at: number, y: number, time: string): string {
  const half = 75; // about half the label's width at 10px
  const [x, anchor] = at + half > RIGHT ? [RIGHT, 'end'] : at - half < LEFT ? [LEFT, 'start'] : [at, 'middle'];
  return `<text x="${round(x)}" y="${y}" font-size="10" text-anchor="${anchor}" font-weight="bold">since ${escape(time)}</text>`;
}

/** The timeline in words. */
function description(finding: Finding, start: number, end: number): string {
  const parts = [`Recordings from ${day(start)} to ${day(end)}.`];
  const timeline = finding.timeline!;
  parts.push(timeline.agreed.length > 0 ? `The fixture's shape was seen ${rangeOf(timeline.agreed)}.` : "The fixture's shape was never seen.");
  parts.push(timeline.drifted.length > 0 ? `The drifted shape was seen ${rangeOf(timeline.drifted)}.` : '');
  if (finding.since !== undefined) parts.push(`Drift since ${finding.since}${finding.lastAgreed !== undefined ? `; last agreed ${finding.lastAgreed}` : ''}.`);
  return parts.filter((part) => part !== '').join(' ');
}

function rangeOf(spans: readonly TimeSpan[]): string {
  const first = spans.reduce((time, span) => Math.min(time, span.first), Infinity);
  const last = spans.reduce((time, span) => Math.max(time, span.last), -Infinity);
  const count = spans.reduce((total, span) => total + span.count, 0);
  return `from ${minute(first)} to ${minute(last)} (${count} recording${count === 1 ? '' : 's'})`;
}

function spanTitle(span: TimeSpan): string {
  return `${span.count} recording${span.count === 1 ? '' : 's'}, ${minute(span.first)} to ${minute(span.last)}`;
}

function day(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

function minute(time: number): string {
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function round(value: number): string {
  return value.toFixed(1);
}

function escape(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}
