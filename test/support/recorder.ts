import { join } from 'node:path';
import { CaptureWriter, type CaptureStats, type CaptureWriterOptions } from '../../src/capture/capture-writer.js';
import type { CapturedExchange } from '../../src/model/exchange.js';
import { RecordingProxy, type RecordingProxyOptions } from '../../src/proxy/recording-proxy.js';
import { SqliteRecordingStore } from '../../src/store/sqlite-recording-store.js';
import { tempDir } from './temp-dir.js';

/** The real proxy and the real capture worker, writing a real SQLite file in a temp dir. */
export interface Recorder {
  readonly proxy: RecordingProxy;
  readonly writer: CaptureWriter;
  readonly dir: string;
  readonly dbPath: string;
  /** Exchanges as the proxy handed them over (before decoding and redaction). */
  readonly captured: CapturedExchange[];
  readonly warnings: string[];
  /** Commits what was captured and opens the store to read it (close it when done). */
  flushAndOpen(): Promise<SqliteRecordingStore>;
  /** Stops the proxy, closes the writer and removes the temp dir. */
  stop(): Promise<CaptureStats>;
}

export async function startRecorder(
  target: string,
  options: Partial<Omit<RecordingProxyOptions, 'target' | 'sink'>> & { writer?: Partial<CaptureWriterOptions> } = {},
): Promise<Recorder> {
  const dir = tempDir();
  const dbPath = join(dir.path, 'recordings', 'mockdrift.db');
  const warnings: string[] = [];
  const captured: CapturedExchange[] = [];
  const writer = await CaptureWriter.start({ dbPath, onWarning: (message) => warnings.push(message), ...options.writer });
  const { writer: _, ...proxyOptions } = options;
  const proxy = await RecordingProxy.start({
    port: 0,
    ...proxyOptions,
    target,
    sink: writer,
    onExchange: (exchange) => captured.push(exchange),
  });
  let stopped: Promise<CaptureStats> | null = null;
  return {
    proxy,
    writer,
    dir: dir.path,
    dbPath,
    captured,
    warnings,
    async flushAndOpen() {
      await writer.flush();
      return SqliteRecordingStore.open(dbPath, { readonly: true });
    },
    stop() {
      stopped ??= (async () => {
        await proxy.stop(1000);
        const stats = await writer.close();
        dir.remove();
        return stats;
      })();
      return stopped;
    },
  };
}

/** Waits until `predicate` holds, polling every 10 ms, at most `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
