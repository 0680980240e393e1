import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { PrepareOptions } from '../../capture/prepare-exchange.js';
import { describeError, MockdriftError } from '../../model/errors.js';
import type { CliContext, GlobalArgs } from '../context.js';
import { parseSize } from '../values.js';

interface ImportArgs extends GlobalArgs {
  readonly file: string;
  readonly service: string;
  readonly maxBody: number;
}

/** Exchanges written per transaction: one commit per batch rather than per exchange. */
const BATCH_SIZE = 500;

export function importCommand(context: CliContext): CommandModule<GlobalArgs, ImportArgs> {
  return {
    command: 'import <file>',
    describe: 'Store the exchanges of a HAR file (DevTools export, Polly.JS recording), redacted like recorded traffic',
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .positional('file', { type: 'string', demandOption: true, describe: 'The HAR 1.2 file to import' })
        .option('service', {
          type: 'string',
          default: 'default',
          describe: 'Service of entries that do not name one (HARs written by mockdrift export do)',
        })
        .option('max-body', { type: 'string', default: '10mb', describe: 'Bodies larger than this are stored truncated (and flagged)', coerce: (v) => parseSize('max-body', v) })
        .example('$0 import checkout.har --service payments', 'Store a DevTools "Save all as HAR" export as the payments service')
        .example('$0 import recordings/warehouse/recording.har --db shared.db', 'Add a Polly.JS recording to another store') as unknown as Argv<ImportArgs>,
    handler: (args) => importHar(args, context),
  };
}

async function importHar(args: ImportArgs, context: CliContext): Promise<void> {
  const terminal = context.terminal(args);
  const [{ randomUUID }, { FixtureDocument }, { harToCaptured }, { prepareExchange }, { Redactor }, { RouteTemplate }, { openRecordingStore }, { resolveStoreLocation, storeLabel }] =
    await Promise.all([
      import('node:crypto'),
      import('../../formats/fixture-document.js'),
      import('../../store/har.js'),
      import('../../capture/prepare-exchange.js'),
      import('../../capture/redactor.js'),
      import('../../model/route.js'),
      import('../../store/open-recording-store.js'),
      import('../../store/store-location.js'),
    ]);
  // Everything about the input is checked before the store is touched: a bad file creates no store.
  const document = FixtureDocument.parse(args.file, readHar(resolve(context.cwd, args.file), args.file), 'json');
  const captured = harToCaptured(document.value, { service: args.service, session: randomUUID(), file: args.file });
  const options: PrepareOptions = {
    redactor: configured('redact', () => new Redactor(context.config.redact ?? {})),
    routes: configured('routes', () => (context.config.routes ?? []).map((template) => RouteTemplate.parse(template))),
    maxBodyBytes: args.maxBody,
  };

  const store = openRecordingStore(resolveStoreLocation(context.cwd, args.db), { env: context.env });
  let known = 0;
  try {
    for (let start = 0; start < captured.length; start += BATCH_SIZE) {
      const batch = captured.slice(start, start + BATCH_SIZE);
      // Every exchange goes through the capture pipeline: that is where secrets are redacted.
      const prepared = await Promise.all(batch.map((exchange) => prepareExchange(exchange, options)));
      // An exchange already stored (the same HAR imported again) would count twice in every check.
      const fresh = prepared.filter((exchange) => !store.contains(exchange));
      known += prepared.length - fresh.length;
      store.insert(fresh);
      terminal.debug(`stored ${Math.min(start + BATCH_SIZE, captured.length)} of ${captured.length} exchange(s)`);
    }
  } finally {
    store.close();
  }
  const failed = captured.filter((exchange) => exchange.error !== null).length;
  const skipped = known > 0 ? `; ${known} already in the store, not imported again` : '';
  terminal.out(`imported ${captured.length - known} exchanges from ${args.file} into ${storeLabel(args.db)} (${failed} failed requests${skipped})`);
}

/**
 * The HAR file's text.
 * @throws MockdriftError `FIXTURE_INVALID` (exit 2) naming the file when it cannot be read.
 */
function readHar(path: string, shown: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new MockdriftError('FIXTURE_INVALID', `Cannot read the HAR file ${shown}: ${describeError(error)}`, { cause: error });
  }
}

/** Builds something from a config section; its errors are the config's. */
function configured<T>(section: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    throw new MockdriftError('CONFIG_INVALID', `${section}: ${describeError(error)}`, { cause: error });
  }
}
