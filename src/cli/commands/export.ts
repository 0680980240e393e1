import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { describeError, MockdriftError } from '../../model/errors.js';
import type { ExchangeFilter } from '../../store/recording-store.js';
import type { CliContext, GlobalArgs } from '../context.js';
import { parseDuration } from '../values.js';
import { openStoreToRead } from '../open-store.js';

interface ExportArgs extends GlobalArgs {
  readonly har: string;
  readonly service?: string;
  readonly route?: string;
  readonly since?: number;
  readonly includeFailed: boolean;
}

const METHOD_AND_ROUTE = /^([A-Za-z]+)\s+(\S+)$/;

export function exportCommand(context: CliContext): CommandModule<GlobalArgs, ExportArgs> {
  return {
    command: 'export',
    describe: 'Write recorded exchanges to a HAR 1.2 file (redacted, as stored)',
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option('har', { type: 'string', demandOption: true, describe: 'The HAR file to write' })
        .option('service', { type: 'string', describe: 'Only this service' })
        .option('route', { type: 'string', describe: "Only this route, with or without a method: 'GET /v1/charges/:id' or '/v1/charges/:id'" })
        .option('since', { type: 'string', describe: 'Only recordings newer than this (e.g. 7d)', coerce: (v) => parseDuration('since', v) })
        .option('include-failed', { type: 'boolean', default: false, describe: 'Also export exchanges that got no response (status 0)' })
        .example('$0 export --har recordings.har', 'Every completed exchange')
        .example("$0 export --har charges.har --service payments --route 'GET /v1/charges/:id' --since 7d", "One route's last week") as unknown as Argv<ExportArgs>,
    handler: (args) => exportHar(args, context),
  };
}

async function exportHar(args: ExportArgs, context: CliContext): Promise<void> {
  const terminal = context.terminal(args);
  const filter = filterOf(args);
  const { exchangesToHar } = await import('../../store/har.js');
  const store = await openStoreToRead(context.cwd, args.db, context.env);
  let har;
  try {
    har = exchangesToHar(store.exchanges(filter), { name: 'mockdrift', version: packageVersion() });
  } finally {
    store.close();
  }
  writeHar(resolve(context.cwd, args.har), args.har, `${JSON.stringify(har, null, 2)}\n`);
  terminal.out(`exported ${har.log.entries.length} exchanges to ${args.har}`);
}

/** The store filter of the flags; `--route` may start with a method. */
function filterOf(args: ExportArgs): ExchangeFilter {
  const route = args.route?.trim();
  const methodAndRoute = route === undefined ? null : METHOD_AND_ROUTE.exec(route);
  const path = methodAndRoute ? methodAndRoute[2]! : route;
  if (path !== undefined && !path.startsWith('/')) {
    throw new MockdriftError('USAGE', `--route "${args.route}" is not a route; use e.g. '/v1/charges/:id' or 'GET /v1/charges/:id'`);
  }
  return {
    ...(args.service !== undefined ? { service: args.service } : {}),
    ...(methodAndRoute ? { method: methodAndRoute[1]! } : {}),
    // Stored routes have no trailing slash; `/v1/charges/` means the same route.
    ...(path !== undefined ? { route: path.length > 1 ? path.replace(/\/+$/, '') : path } : {}),
    ...(args.since !== undefined ? { since: Date.now() - args.since } : {}),
    includeFailed: args.includeFailed,
  };
}

function writeHar(path: string, shown: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (error) {
    throw new MockdriftError('USAGE', `Cannot write the HAR file ${shown}: ${describeError(error)}`, { cause: error });
  }
}

/** mockdrift's version, for the HAR's `creator`. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
