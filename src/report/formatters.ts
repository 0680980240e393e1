import { HtmlFormatter } from './html-formatter.js';
import { JsonFormatter } from './json-formatter.js';
import { JunitFormatter } from './junit-formatter.js';
import { MarkdownFormatter } from './markdown-formatter.js';
import type { ReportFormatter } from './report-formatter.js';
import { SarifFormatter } from './sarif-formatter.js';
import { TextFormatter } from './text-formatter.js';

/** Every report formatter, by format name. */
export const REPORT_FORMATTERS: Readonly<Record<string, ReportFormatter>> = Object.fromEntries(
  [new TextFormatter(), new JsonFormatter(), new JunitFormatter(), new MarkdownFormatter(), new HtmlFormatter(), new SarifFormatter()].map((formatter) => [
    formatter.format,
    formatter,
  ]),
);

/** The formats `--format` accepts. */
export const REPORT_FORMATS = Object.keys(REPORT_FORMATTERS);
