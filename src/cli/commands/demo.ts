import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv, CommandModule } from 'yargs';
import type { CliContext, GlobalArgs } from '../context.js';
import { REPORT_FORMAT_NAMES, type ReportFormatName } from '../report-output.js';

interface DemoArgs extends Omit<GlobalArgs, 'db'> {
  readonly format: ReportFormatName;
  readonly db?: string;
}

/** The package's own directory: the demo's fixtures live in its `fixtures/`. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function demoCommand(context: CliContext): CommandModule<GlobalArgs, DemoArgs> {
  return {
    command: 'demo',
    describe: 'Run the whole pipeline on an embedded example: sandboxes, recording proxy, check',
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option('format', { choices: REPORT_FORMAT_NAMES, default: 'text' as const, describe: 'Report format' })
        // No default: without --db the demo records into a temporary store of its own.
        .option('db', { type: 'string', default: undefined, describe: 'Keep the demo recordings in this store (default: a temporary store, deleted afterwards)' })
        .example('$0 demo', 'Record the example sandboxes and show how the example fixtures drifted') as unknown as Argv<DemoArgs>,
    handler: (args) => demo(args, context),
  };
}

async function demo(args: DemoArgs, context: CliContext): Promise<void> {
  const terminal = context.terminal({ ...args, db: args.db ?? '' });
  const [{ startExampleSandboxes }, { demoTraffic }, { CaptureWriter }, { RecordingProxy }, { check, formatReport }] = await Promise.all([
    import('../../demo/example-sandbox.js'),
    import('../../demo/demo-traffic.js'),
    import('../../capture/capture-writer.js'),
    import('../../proxy/recording-proxy.js'),
    import('../../check.js'),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'mockdrift-demo-'));
  const db = args.db !== undefined ? resolve(context.cwd, args.db) : join(dir, 'demo.db');
  const sandboxes = await startExampleSandboxes();
  try {
    const writer = await CaptureWriter.start({ dbPath: db, onWarning: (message) => terminal.warn(message) });
    const proxies = {
      payments: await RecordingProxy.start({ target: sandboxes.payments.url, service: 'payments', port: 0, sink: writer }),
      warehouse: await RecordingProxy.start({ target: sandboxes.warehouse.url, service: 'warehouse', port: 0, sink: writer }),
    };
    terminal.log(`example sandboxes: payments ${sandboxes.payments.url}, warehouse ${sandboxes.warehouse.url}`);
    terminal.log(`recording through ${proxies.payments.url} (payments) and ${proxies.warehouse.url} (warehouse) into ${db}`);

    const traffic = demoTraffic();
    for (const request of traffic) {
      const response = await fetch(`${proxies[request.service].url}${request.path}`, {
        method: request.method,
        ...(request.body !== undefined ? { body: JSON.stringify(request.body), headers: { 'content-type': 'application/json' } } : {}),
      });
      await response.arrayBuffer();
    }
    await Promise.all([proxies.payments.stop(), proxies.warehouse.stop()]);
    const stats = await writer.close();
    if (args.db !== undefined) terminal.log(`the demo recordings are kept in ${args.db}`);
    terminal.log(`recorded ${stats.stored} exchanges; checking ${join(PACKAGE_ROOT, 'fixtures')} against them`);
    terminal.flush();

    const report = await check({ cwd: PACKAGE_ROOT, db, config: {}, fixtures: ['fixtures/'] });
    terminal.out(formatReport(report, args.format, { color: args.format === 'text' && terminal.color }));
    if (args.format === 'text') {
      terminal.log('This was the demo: in CI, `mockdrift check` exits 1 on breaking drift like this. See README.md to record your own sandbox.');
    }
  } finally {
    await Promise.all([sandboxes.payments.close(), sandboxes.warehouse.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
