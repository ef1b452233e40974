#!/usr/bin/env node
// Launcher: checks the Node version before loading anything that would fail on an old one.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`trace-wizard needs Node.js 20.19 or newer; this is ${process.version}.\nInstall a newer Node.js (https://nodejs.org) and run it again.\n`);
  process.exit(2);
}
// Dependencies' deprecation notices (grpc-js sets an IP address as TLS server name) are not the user's business.
process.noDeprecation = true;
process.on('SIGINT', () => {
  // Files are only ever replaced by atomic renames, and every apply is backed up first,
  // so stopping here leaves each file in its before or after state.
  process.stderr.write('\nInterrupted. Any backup session left in progress can be undone with: trace-wizard rollback --last\n');
  process.exit(3);
});
// `--version` answers without loading the CLI: it is what scripts call most often.
if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-v')) {
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  process.exit(0);
}
const { main } = await import('../dist/bundle/cli.js');
process.exitCode = await main(process.argv.slice(2));
