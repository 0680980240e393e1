import type { Argv, CommandModule } from 'yargs';
import type { CapturedExchange } from '../../model/exchange.js';
import { MockdriftError } from '../../model/errors.js';
import { resolveStoreLocation, storeLabel } from '../../store/store-location.js';
import type { FixtureInteraction } from '../../model/fixture.js';
import type { ProbeEvent, ProbeResult } from '../../probe/prober.js';
import type { CliContext, GlobalArgs } from '../context.js';
import type { ExchangeLog } from '../exchange-log.js';
import type { Terminal } from '../terminal.js';
import { parseDuration, parseInteger, parseSize } from '../values.js';
import { emitReport, reportOptions, type FailOn, type ReportFormatName } from '../report-output.js';
import { withoutCredentials } from '../safe-text.js';
import type { RedactionOptions } from '../../capture/redactor.js';

interface ProbeArgs extends GlobalArgs {
  readonly target?: string;
  readonly fixtures?: string[];
  readonly service?: string;
  readonly header?: Record<string, string>;
  readonly concurrency: number;
  readonly timeout: number;
  readonly retries: number;
  readonly allowUnsafe: boolean;
  readonly maxBody: number;
  readonly check: boolean;
  readonly format: ReportFormatName;
  readonly output?: string;
  readonly report?: Array<{ format: ReportFormatName; file: string }>;
  readonly failOn: FailOn;
}

/** `mockdrift probe`: replays the fixtures' requests against the sandbox and stores the answers. */
export function probeCommand(context: CliContext): CommandModule<GlobalArgs, ProbeArgs> {
  return {
    command: 'probe',
    describe: "Replay the fixtures' requests against the sandbox and store its answers (like record does)",
    builder: (yargs: Argv<GlobalArgs>) =>
      reportOptions(yargs, ' (with --check)')
        .option('target', {
          type: 'string',
          describe: "The sandbox's base URL (default: services.NAME.target of the config, with --service NAME)",
          coerce: (v) => parseTargetFlag(v),
        })
        .option('fixtures', { type: 'string', array: true, describe: 'Fixture files, directories or quoted globs (default: fixtures/)' })
        .option('service', { type: 'string', describe: 'Only fixtures of this service (or of none); stored under this name' })
        .option('header', {
          type: 'string',
          array: true,
          describe: "Header sent with every request, 'Name: value'; ${VAR} and $VAR are read from the environment",
          coerce: (v) => parseHeaders(v, context.env),
        })
        .option('concurrency', { type: 'string', default: '4', describe: 'Requests under way at once', coerce: (v) => parseInteger('concurrency', v, 1, 64) })
        .option('timeout', { type: 'string', default: '10s', describe: 'Longest one attempt may take, body included', coerce: (v) => positiveDuration('timeout', v) })
        .option('retries', { type: 'string', default: '2', describe: 'Further attempts after 429, 502-504 or a network error', coerce: (v) => parseInteger('retries', v, 0, 10) })
        .option('allow-unsafe', { type: 'boolean', default: false, describe: 'Also replay POST, PUT, PATCH and DELETE (they may create data on the sandbox)' })
        .option('max-body', { type: 'string', default: '10mb', describe: 'Bodies larger than this are stored truncated (and flagged)', coerce: (v) => parseSize('max-body', v) })
        .option('check', { type: 'boolean', default: false, describe: 'Run check afterwards and print its report' })
        .example('$0 probe --target https://sandbox.payments.example --service payments', 'Replay the GET fixtures of fixtures/ and store the answers')
        .example(
          "$0 probe --target https://sandbox.example --header 'Authorization: Bearer ${SANDBOX_TOKEN}' --check",
          'Authenticate from the environment, then check the fixtures against what came back',
        ) as unknown as Argv<ProbeArgs>,
    handler: (args) => probeSandbox(args, context),
  };
}

async function probeSandbox(given: ProbeArgs, context: CliContext): Promise<void> {
  const args = { ...given, target: probeTarget(given, context) };
  const terminal = context.terminal(args);
  // Loaded here, not at start-up: `mockdrift --help` should not pay for SQLite and undici.
  const [{ loadRunFixtures }, { CaptureWriter }, { probe }, { Redactor }, { ExchangeLog }] = await Promise.all([
    import('../../check.js'),
    import('../../capture/capture-writer.js'),
    import('../../probe/prober.js'),
    import('../../capture/redactor.js'),
    import('../exchange-log.js'),
  ]);
  const interactions = await loadRunFixtures({
    cwd: context.cwd,
    config: context.config,
    fixtures: args.fixtures ?? [],
    ...(args.service !== undefined ? { service: args.service } : {}),
  });

  // Every --header value is a credential until proven otherwise: its name and its value are redacted everywhere.
  const redaction = withHeaderCredentials(context.config.redact ?? {}, args.header ?? {});
  const writer = await CaptureWriter.start({
    dbPath: resolveStoreLocation(context.cwd, args.db),
    redaction,
    routes: context.config.routes ?? [],
    maxBodyBytes: args.maxBody,
    onWarning: (message) => terminal.warn(message),
  });
  const progress = new ProbeProgress(terminal, new ExchangeLog(new Redactor(redaction), terminal));
  let result: ProbeResult;
  try {
    result = await probe({
      target: args.target,
      interactions,
      sink: writer,
      ...(args.service !== undefined ? { service: args.service } : {}),
      headers: args.header ?? {},
      concurrency: args.concurrency,
      timeoutMs: args.timeout,
      retries: args.retries,
      allowUnsafe: args.allowUnsafe,
      maxBodyBytes: args.maxBody,
      onProgress: (event) => progress.onEvent(event),
    });
  } catch (error) {
    // The capture worker keeps the process alive until the writer is closed.
    progress.finish();
    await writer.close();
    throw error;
  }
  progress.finish();
  const stats = await writer.close();
  terminal.log(summaryLine(result, args, stats.stored));
  terminal.flush();
  if (stats.lost > 0) {
    throw new MockdriftError('STORE_UNAVAILABLE', `${stats.lost} exchange(s) could not be written to ${storeLabel(args.db)}: ${stats.lastError ?? 'unknown error'}`);
  }
  if (result.unreachable) {
    throw new MockdriftError(
      'TARGET_UNREACHABLE',
      `The sandbox at ${withoutCredentials(args.target)} is unreachable: every request failed (last: ${progress.lastError ?? 'no answer'}). Check that it is running and that --target is right.`,
    );
  }
  if (args.check) await checkAfterProbe(args, context, terminal);
}

/** Fixture globs per service from the config, for fixtures that do not name their service. */
/** `probe --check`: the same report and exit code as `check` over the same fixtures. */
async function checkAfterProbe(args: ProbeArgs, context: CliContext, terminal: Terminal): Promise<void> {
  const { check } = await import('../../check.js');
  const report = await check({
    cwd: context.cwd,
    db: args.db,
    config: context.config,
    fixtures: args.fixtures ?? [],
    ...(args.service !== undefined ? { service: args.service } : {}),
  });
  await emitReport(
    report,
    { format: args.format, ...(args.output !== undefined ? { output: args.output } : {}), reports: args.report ?? [], failOn: args.failOn },
    context,
    terminal,
  );
}

/**
 * `--target`, else the target of `--service NAME` in the config's `services`.
 * @throws MockdriftError `USAGE` naming both ways to give it.
 */
function probeTarget(args: ProbeArgs, context: CliContext): string {
  if (args.target !== undefined) return args.target;
  const services = context.config.services ?? {};
  const service = args.service !== undefined && Object.hasOwn(services, args.service) ? services[args.service] : undefined;
  if (service !== undefined) {
    try {
      return parseTargetFlag(service.target);
    } catch (error) {
      throw new MockdriftError('CONFIG_INVALID', `services.${args.service}.target: ${(error as Error).message.replace(/^--target /, '')}`, { cause: error });
    }
  }
  const named = Object.keys(services);
  throw new MockdriftError(
    'USAGE',
    args.service !== undefined
      ? `probe needs --target: the config has no service "${args.service}"${named.length > 0 ? ` (it has ${named.join(', ')})` : ''}.`
      : `probe needs --target URL, or --service NAME of a service in the config${named.length > 0 ? ` (${named.join(', ')})` : ''}.`,
  );
}

function summaryLine(result: ProbeResult, args: ProbeArgs & { readonly target: string }, stored: number): string {
  const duplicates = result.duplicates > 0 ? ` (${result.duplicates} duplicate request(s) sent once)` : '';
  return (
    `probed ${withoutCredentials(args.target)}: ${result.sent} request(s)${duplicates}, ${result.answered} answered, ${result.failed} failed, ` +
    `${result.skipped.length} skipped; stored ${stored} exchange(s) in ${storeLabel(args.db)}`
  );
}

const BAR_WIDTH = 20;

/**
 * Shows a probe's progress: on a terminal one line redrawn in place; otherwise (CI logs) one
 * plain line per request. Skipped interactions are warnings either way.
 */
class ProbeProgress {
  /** The last failure's message, for the "unreachable" error. */
  lastError: string | null = null;
  readonly #terminal: Terminal;
  /** Whether to draw the bar: on a terminal only; CI logs get one line per request. */
  readonly #bar: boolean;
  readonly #failures: string[] = [];
  readonly #log: ExchangeLog;

  constructor(terminal: Terminal, log: ExchangeLog) {
    this.#terminal = terminal;
    this.#log = log;
    this.#bar = terminal.interactive;
  }

  onEvent(event: ProbeEvent): void {
    switch (event.type) {
      case 'skipped': {
        const { skipped } = event;
        this.#terminal.warn(`skipped ${skipped.request} (${skipped.file}): ${skipped.reason}`);
        break;
      }
      case 'start':
        if (this.#bar && event.total > 0) this.#draw(0, event.total, 0);
        break;
      case 'retry':
        this.#terminal.debug(`retrying ${event.method} ${event.url} in ${event.delayMs} ms (attempt ${event.attempt}): ${event.reason}`);
        break;
      case 'exchange':
        this.#onExchange(event.exchange);
        if (this.#bar) this.#draw(event.done, event.total, event.failed);
        break;
    }
  }

  /** Ends the bar's line and lists the failures it stood for. */
  finish(): void {
    this.#terminal.endProgress();
    for (const failure of this.#failures) this.#terminal.warn(failure);
  }

  #onExchange(exchange: CapturedExchange): void {
    if (exchange.error) this.lastError = exchange.error.message;
    if (!this.#bar) this.#terminal.log(this.#log.line(exchange));
    else if (exchange.error) this.#failures.push(`failed ${exchange.method} ${this.#log.path(exchange.url)}: ${exchange.error.message}`);
  }

  #draw(done: number, total: number, failures: number): void {
    const filled = Math.round((done / total) * BAR_WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
    this.#terminal.progress(`probe ${done}/${total} ▕${bar}▏ ${failures} failed`);
  }
}

/**
 * The redaction rules with the `--header` flags added: their names as redacted headers, and their
 * values (and each word of 8+ characters in them: the token after `Bearer `) as literal value
 * patterns, so that a sandbox echoing one back does not get it stored either.
 */
function withHeaderCredentials(redact: RedactionOptions, headers: Readonly<Record<string, string>>): RedactionOptions {
  const names = Object.keys(headers);
  if (names.length === 0) return redact;
  const values = new Set<string>();
  for (const value of Object.values(headers)) {
    for (const part of [value, ...value.split(/\s+/)]) if (part.length >= 8) values.add(part.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'));
  }
  return { ...redact, headers: [...(redact.headers ?? []), ...names], values: [...(redact.values ?? []), ...values] };
}

function parseTargetFlag(value: unknown): string {
  const text = String(value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--target "${text}" is not a URL; give the sandbox's base URL, e.g. https://sandbox.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--target "${text}" must be an http:// or https:// URL`);
  return text;
}

function positiveDuration(flag: string, value: unknown): number {
  const ms = parseDuration(flag, value);
  if (ms <= 0) throw new Error(`--${flag} must be longer than 0, e.g. 10s`);
  return ms;
}

/** A header name: an RFC 9110 token. */
const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;
/** `${NAME}` or `$NAME`. */
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Parses `--header 'Name: value'` flags, expanding `${VAR}` and `$VAR` in values from `env`
 * (so that tokens stay out of shell history and CI logs). Later flags win over earlier ones.
 * @throws Error naming the flag or the variable, never echoing an expanded value.
 */
export function parseHeaders(values: unknown, env: NodeJS.ProcessEnv): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const raw of (Array.isArray(values) ? values : [values]).map(String)) {
    const match = HEADER.exec(raw);
    if (!match) throw new Error(`--header "${raw}" is not a header; write it as 'Name: value', e.g. 'Authorization: Bearer \${SANDBOX_TOKEN}'`);
    const name = match[1]!.toLowerCase();
    const value = match[2]!.replace(VARIABLE, (_whole, braced: string | undefined, bare: string | undefined) => {
      const variable = (braced ?? bare)!;
      const found = env[variable];
      if (found === undefined) throw new Error(`--header ${match[1]}: the environment variable ${variable} is not set`);
      return found;
    });
    // A line break inside a value would smuggle further headers into the request.
    if (/[\r\n\0]/.test(value)) throw new Error(`--header ${match[1]}: the value contains a line break or NUL`);
    headers[name] = value;
  }
  return headers;
}
