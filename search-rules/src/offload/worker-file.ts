import fs from 'node:fs';
import path from 'node:path';

/**
 * The built rule worker. A worker thread loads JavaScript, not the TypeScript
 * sources tests map packages to, so this is always dist (built by `tsc -b`),
 * found from the package's own package.json wherever this module runs from.
 */
export function ruleWorkerFile(): string {
  const root = path.dirname(require.resolve('@takedown/search-rules/package.json'));
  const file = path.join(root, 'dist', 'offload', 'rule-worker.js');
  if (!fs.existsSync(file)) throw new Error(`the rule worker is not built (${file} is missing): run \`npx tsc -b\` (npm run build) first`);
  return file;
}
