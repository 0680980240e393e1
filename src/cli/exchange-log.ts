import type { Redactor } from '../capture/redactor.js';
import type { CapturedExchange } from '../model/exchange.js';
import type { Terminal } from './terminal.js';

/** What the client got when the sandbox gave no status: the proxy's own answer. */
const CLIENT_STATUS: Partial<Record<string, string>> = {
  'upstream-unreachable': '502',
  'upstream-timeout': '504',
  'proxy-error': '502',
};

/**
 * The log lines of `record` and `probe`: one per exchange, `200 GET /v1/charges?limit=3 12 ms
 * 1.2 kB`. Query strings go through the same redaction as the store: a log is a file too.
 */
export class ExchangeLog {
  readonly #redactor: Redactor;
  readonly #terminal: Terminal;
  readonly #withService: boolean;

  constructor(redactor: Redactor, terminal: Terminal, options: { withService?: boolean } = {}) {
    this.#redactor = redactor;
    this.#terminal = terminal;
    this.#withService = options.withService ?? false;
  }

  /** The line for one exchange. */
  line(exchange: CapturedExchange): string {
    const paint = (style: Parameters<Terminal['paint']>[0], text: string): string => this.#terminal.paint(style, text, 'stderr');
    const status = exchange.status !== null ? String(exchange.status) : (CLIENT_STATUS[exchange.error?.code ?? ''] ?? '---');
    const style = exchange.error || Number(status) >= 500 ? 'red' : Number(status) >= 400 ? 'yellow' : 'green';
    const service = this.#withService ? `[${exchange.service}] ` : '';
    const size = exchange.responseBody ? ` ${formatBytes(exchange.responseBody.byteLength)}` : '';
    const detail = exchange.error ? ` ${paint('red', `${exchange.error.code}: ${exchange.error.message}`)}` : '';
    return `${service}${paint(style, status)} ${exchange.method} ${this.path(exchange.url)} ${Math.round(exchange.durationMs)} ms${size}${detail}`;
  }

  /** The redacted path and query of a URL: what a line about a forwarded exchange shows. */
  path(url: string): string {
    const parsed = parse(url);
    return parsed ? `${this.#redactor.redactPath(parsed.pathname)}${this.#redactor.redactQueryString(parsed.search).search}` : '(unparseable request target)';
  }

  /** A request target as the client sent it (absolute ones keep their origin), query redacted. */
  target(url: string): string {
    const parsed = parse(url);
    const origin = parsed && ABSOLUTE.test(url) ? parsed.origin : '';
    return `${origin}${this.path(url)}`;
  }
}

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

function parse(url: string): URL | undefined {
  try {
    return new URL(url, 'http://request.invalid');
  } catch {
    return undefined;
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
