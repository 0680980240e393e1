import type { Argv, CommandModule } from 'yargs';
import type { RouteSummary } from '../../store/recording-store.js';
import type { CliContext, GlobalArgs } from '../context.js';
import { parseDuration } from '../values.js';
import { openStoreToRead } from '../open-store.js';
import { storeLabel } from '../../store/store-location.js';

interface RoutesArgs extends GlobalArgs {
  readonly format: 'text' | 'json';
  readonly service?: string;
  readonly since?: number;
}

export function routesCommand(context: CliContext): CommandModule<GlobalArgs, RoutesArgs> {
  return {
    command: 'routes',
    describe: 'List what has been recorded: service, method, route, status, count, first and last seen',
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option('format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Output format' })
        .option('service', { type: 'string', describe: 'Only this service' })
        .option('since', { type: 'string', describe: 'Only recordings newer than this (e.g. 7d)', coerce: (v) => parseDuration('since', v) })
        .example('$0 routes', 'A table of every recorded route')
        .example('$0 routes --service payments --format json', 'The same as JSON, for tooling') as unknown as Argv<RoutesArgs>,
    handler: (args) => routes(args, context),
  };
}

async function routes(args: RoutesArgs, context: CliContext): Promise<void> {
  const terminal = context.terminal(args);
  const store = await openStoreToRead(context.cwd, args.db, context.env);
  try {
    const filter = {
      ...(args.service !== undefined ? { service: args.service } : {}),
      ...(args.since !== undefined ? { since: Date.now() - args.since } : {}),
    };
    const summaries = store.routes(filter);
    const failed = store.count({ ...filter, includeFailed: true }) - store.count(filter);
    if (args.format === 'json') {
      terminal.out(JSON.stringify(summaries, null, 2));
      return;
    }
    if (summaries.length === 0) {
      terminal.out(`No recordings in ${storeLabel(args.db)}${args.service ? ` for service ${args.service}` : ''} yet. Record some with: mockdrift record --target URL`);
    } else {
      terminal.out(routeTable(summaries));
    }
    if (failed > 0) terminal.out(`\n${failed} exchange(s) did not complete (upstream down, timed out or cut off) and are not listed.`);
  } finally {
    store.close();
  }
}

function routeTable(summaries: readonly RouteSummary[]): string {
  const header = ['SERVICE', 'METHOD', 'ROUTE', 'STATUS', 'COUNT', 'FIRST SEEN', 'LAST SEEN'];
  const rows = summaries.map((s) => [s.service, s.method, s.route, String(s.status), String(s.count), shortTime(s.firstSeen), shortTime(s.lastSeen)]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const numeric = new Set([3, 4]);
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
