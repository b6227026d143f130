// Runs graphql-http's server audits (the GraphQL-over-HTTP spec) against a
// URL; prints each result and exits 1 on any MUST or SHOULD failure.
// Usage: node audit.mjs MODULES_DIR URL
import { createRequire } from 'node:module';
import path from 'node:path';

const [modules, url] = process.argv.slice(2);
const require = createRequire(path.join(modules, 'node_modules', 'x.js'));
const { serverAudits } = require('graphql-http');

let failed = 0;
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  const bad = result.status === 'error' || (result.status === 'warn' && audit.name.startsWith('SHOULD'));
  if (bad) failed += 1;
  console.log(`${result.status.padEnd(5)} ${audit.name}${bad ? `\n      ${result.reason}` : ''}`);
}
console.log(`${failed} MUST or SHOULD audits failed`);
process.exit(failed ? 1 : 0);
