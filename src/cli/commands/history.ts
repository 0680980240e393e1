import { existsSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { isPostgresLocation, resolveStoreLocation, storeLabel } from '../../store/store-location.js';
import { MockdriftError } from '../../model/errors.js';
import type { CliContext, GlobalArgs } from '../context.js';

interface HistoryArgs extends GlobalArgs {
  readonly format: 'text' | 'json';
  readonly service?: string;
  readonly route?: string;
  readonly path?: string;
}

export function historyCommand(context: CliContext): CommandModule<GlobalArgs, HistoryArgs> {
  return {
    command: 'history',
    describe: "When each field of a route's responses first and last appeared, its types and the status mix over time",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option('format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Output format' })
        .option('service', { type: 'string', describe: 'Only this service' })
        .option('route', { type: 'string', describe: "Only this route, e.g. 'GET /v1/charges/:id' (a concrete path is taken to its route)" })
        .option('path', { type: 'string', describe: "Only this body path and those below it, e.g. '$.txn_id'" })
        .example("$0 history --route 'GET /v1/charges/:id'", 'Every field of the route with its first and last appearance')
        .example("$0 history --route 'GET /v1/charges/:id' --path '$.txn_id' --format json", 'One field, as JSON') as unknown as Argv<HistoryArgs>,
    handler: (args) => history(args, context),
  };
}

async function history(args: HistoryArgs, context: CliContext): Promise<void> {
  const terminal = context.terminal(args);
  if (args.path !== undefined && !args.path.startsWith('$')) throw new MockdriftError('USAGE', `--path "${args.path}" must be a body path such as '$.txn_id'`);
  const dbPath = resolveStoreLocation(context.cwd, args.db);
  if (!isPostgresLocation(dbPath) && !existsSync(dbPath)) {
    throw new MockdriftError('NOTHING_TO_CHECK', `No recordings: ${args.db} does not exist. Record first (mockdrift record or mockdrift probe), or pass --db.`);
  }
  const [{ openRecordingStore }, { shapeHistory }, { historyText }] = await Promise.all([
    import('../../store/open-recording-store.js'),
    import('../../compare/shape-history.js'),
    import('../../report/history-text.js'),
  ]);
  const store = openRecordingStore(dbPath, { readonly: true, env: context.env });
  try {
    // The stored shapes with their times: no body is read.
    const groups = store.recordedGroups(args.service !== undefined ? { service: args.service } : {});
    const routes = shapeHistory(groups, { ...(args.route !== undefined ? { route: args.route } : {}), ...(args.path !== undefined ? { path: args.path } : {}) });
    if (routes.length === 0) {
      const what = [args.service !== undefined ? `service ${args.service}` : '', args.route !== undefined ? `route ${args.route}` : ''].filter(Boolean).join(', ');
      throw new MockdriftError('NOTHING_TO_CHECK', `No recordings in ${storeLabel(args.db)}${what ? ` for ${what}` : ''}. mockdrift routes lists what was recorded.`);
    }
    terminal.out(args.format === 'json' ? JSON.stringify({ version: 1, routes }, null, 2) : historyText(routes).trimEnd());
  } finally {
    store.close();
  }
}
