// Runs the mockdrift CLI in this process and, at exit, writes its peak RSS (MB) to the file named
// by BENCH_RSS_FILE: the parent measures wall time, this measures memory.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS / 1024));
});
const { main } = await import('../../dist/cli/main.js');
await main(process.argv.slice(2));
