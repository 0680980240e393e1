import type { Argv, CommandModule } from 'yargs';
import type { RecordingProxy } from '../../proxy/recording-proxy.js';
import { MockdriftError } from '../../model/errors.js';
import { resolveStoreLocation, storeLabel } from '../../store/store-location.js';
import type { CliContext, GlobalArgs } from '../context.js';
import type { Terminal } from '../terminal.js';
import { parseDuration, parsePort, parseSize } from '../values.js';
import { withoutCredentials } from '../safe-text.js';
import { HeapReserve } from '../heap-reserve.js';

interface RecordArgs extends GlobalArgs {
  readonly target?: string;
  readonly port: number;
  readonly host: string;
  readonly service?: string;
  readonly timeout: number;
  readonly maxBody: number;
  readonly insecure: boolean;
}

interface Sandbox {
  readonly service: string;
  readonly target: string;
  readonly host: string;
  readonly port: number;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function recordCommand(context: CliContext): CommandModule<GlobalArgs, RecordArgs> {
  return {
    command: 'record',
    describe: 'Run a recording reverse proxy in front of a sandbox; every exchange is stored',
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option('target', { type: 'string', describe: "The sandbox's base URL (or record every service of the config file)" })
        .option('port', { type: 'string', default: '8080', describe: 'Port to listen on; 0 picks a free one', coerce: (v) => parsePort('port', v) })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'Interface to listen on (0.0.0.0 exposes the proxy to the network)' })
        .option('service', { type: 'string', describe: 'Service name stored with each exchange (default: "default")' })
        .option('timeout', { type: 'string', default: '30s', describe: 'How long the sandbox may stay silent before the client gets a 504', coerce: (v) => parseDuration('timeout', v) })
        .option('max-body', { type: 'string', default: '10mb', describe: 'Bodies larger than this are stored truncated (and flagged)', coerce: (v) => parseSize('max-body', v) })
        .option('insecure', { type: 'boolean', default: false, describe: "Accept the sandbox's self-signed TLS certificate" })
        .example('$0 record --target https://sandbox.payments.example --service payments', 'Record on http://127.0.0.1:8080')
        .example('$0 record --target http://localhost:4010 --port 0 --quiet', 'Pick a free port, log no exchanges')
        .example('$0 record', 'Record every service listed under "services" in mockdrift.config.json') as unknown as Argv<RecordArgs>,
    handler: (args) => record(args, context),
  };
}

async function record(args: RecordArgs, context: CliContext): Promise<void> {
  const terminal = context.terminal(args);
  const sandboxes = sandboxesToRecord(args, context);
  const dbPath = resolveStoreLocation(context.cwd, args.db);
  // Loaded here, not at start-up: `mockdrift --help` should not pay for SQLite and the proxy.
  const [{ CaptureWriter }, proxyModule, { Redactor }, { ExchangeLog }] = await Promise.all([
    import('../../capture/capture-writer.js'),
    import('../../proxy/recording-proxy.js'),
    import('../../capture/redactor.js'),
    import('../exchange-log.js'),
  ]);
  const log = new ExchangeLog(new Redactor(context.config.redact ?? {}), terminal, { withService: sandboxes.length > 1 });
  // Held while recording: see HeapReserve.
  const reserve = new HeapReserve();

  const writer = await CaptureWriter.start({
    dbPath,
    redaction: context.config.redact ?? {},
    routes: context.config.routes ?? [],
    maxBodyBytes: args.maxBody,
    onWarning: (message) => terminal.warn(message),
  });
  // Listen for signals before announcing the address: a script may send one as soon as it reads it.
  const stopSignal = untilSignal(terminal);
  const tally = { answered: 0, failed: 0 };
  const proxies: RecordingProxy[] = [];
  try {
    for (const sandbox of sandboxes) {
      const proxy = await proxyModule.RecordingProxy.start({
        ...sandbox,
        sink: writer,
        timeoutMs: args.timeout,
        maxBodyBytes: args.maxBody,
        insecure: args.insecure,
        onExchange: (exchange) => {
          if (exchange.error) tally.failed += 1;
          else tally.answered += 1;
          // Under --quiet the line is not even written: building it (a redacted URL) costs per request.
          if (!terminal.quiet) terminal.log(log.line(exchange));
        },
        onRefused: (method, url, reason) => terminal.warn(`refused ${method} ${log.target(url)}: ${reason}`),
      });
      proxies.push(proxy);
      const service = sandbox.service === 'default' ? '' : `service ${sandbox.service}, `;
      terminal.out(`mockdrift recording ${proxy.url} -> ${withoutCredentials(proxy.target.href).replace(/\/$/, '')} (${service}store ${storeLabel(args.db)})`);
      if (!LOOPBACK.test(sandbox.host)) {
        terminal.warn(`listening on ${sandbox.host}: anyone who can reach this machine can use the proxy and its sandbox credentials`);
      }
    }
  } catch (error) {
    await Promise.all(proxies.map((proxy) => proxy.stop(0)));
    await writer.close();
    reserve.release();
    throw error;
  }

  const signal = await stopSignal;
  const inFlight = proxies.reduce((sum, proxy) => sum + proxy.inFlight, 0);
  terminal.log(`${signal}: stopping${inFlight > 0 ? `, finishing ${inFlight} exchange(s) in flight` : ''}`);
  await Promise.all(proxies.map((proxy) => proxy.stop()));
  const stats = await writer.close();
  // Released only now: the use also keeps the reserve alive until the store is closed.
  reserve.release();
  terminal.log(
    `stored ${stats.stored} of ${stats.captured} exchange(s) in ${storeLabel(args.db)}` +
      (tally.failed > 0 ? ` (${tally.failed} did not complete: see the log above)` : ''),
  );
  terminal.flush();
  if (stats.lost > 0) {
    throw new MockdriftError('STORE_UNAVAILABLE', `${stats.lost} exchange(s) could not be written to ${storeLabel(args.db)}: ${stats.lastError ?? 'unknown error'}`);
  }
}

/** One sandbox from `--target`, or every service of the config file. */
function sandboxesToRecord(args: RecordArgs, context: CliContext): Sandbox[] {
  if (args.target !== undefined) {
    return [{ service: args.service ?? 'default', target: args.target, host: args.host, port: args.port }];
  }
  const services = Object.entries(context.config.services ?? {}).filter(([name]) => args.service === undefined || name === args.service);
  if (services.length === 0) {
    throw new MockdriftError(
      'USAGE',
      args.service !== undefined
        ? `No service "${args.service}" in the config file, and no --target given.`
        : 'record needs --target URL (or "services" in mockdrift.config.json).',
    );
  }
  return services.map(([service, config]) => ({ service, target: config.target, host: config.host ?? args.host, port: config.port ?? 0 }));
}

/** Resolves on the first SIGINT or SIGTERM; a second one ends the process at once. */
function untilSignal(terminal: Terminal): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', forceExit);
      process.once('SIGTERM', forceExit);
      resolve(signal);
    };
    const forceExit = (signal: NodeJS.Signals): void => {
      terminal.error(`${signal} again: exiting without waiting; exchanges not yet written are lost`);
      process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
