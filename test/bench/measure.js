// Runs the mockdrift CLI in this process and, at exit, writes its peak RSS (MB) to the file named
// by MOCKDRIFT_BENCH_RSS: the parent measures wall time, this measures memory.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.MOCKDRIFT_BENCH_RSS) writeFileSync(process.env.MOCKDRIFT_BENCH_RSS, String(process.resourceUsage().maxRSS / 1024));
});
const { main } = await import('../../dist/cli/main.js');
await main(process.argv.slice(2));
