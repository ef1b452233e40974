// Preloaded with `node --import` by the benchmarks: writes the process's peak RSS (KB) to
// $TRACE_WIZARD_MAXRSS_FILE when it exits.
import { appendFileSync } from 'node:fs';
const file = process.env.TRACE_WIZARD_MAXRSS_FILE;
if (file) process.on('exit', () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));
