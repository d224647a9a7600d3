#!/usr/bin/env node
// `npm run bench -- <name> [args]`: runs bench/dist/<name>.bench.js against
// the same real servers as the tests (brought up through services.mjs when a
// bench needs them). Each bench prints a baseline measured in the same run
// and ends with one JSON line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { up } from './services.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'bench', 'dist');
const available = fs.existsSync(DIST)
  ? fs.readdirSync(DIST).filter((f) => f.endsWith('.bench.js')).map((f) => f.replace(/\.bench\.js$/, ''))
  : [];

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(
    `usage: npm run bench -- <name>\navailable: ${available.length ? available.join(', ') : '(none yet)'}\n`,
  );
  process.exit(name ? 1 : 2);
}
const env = { ...process.env };
const source = fs.readFileSync(path.join(DIST, `${name}.bench.js`), 'utf8');
if (source.includes('needs-servers')) {
  const s = await up(process.env);
  env.REDIS_URL = s.redisUrl;
  env.ELASTICSEARCH_URL = s.elasticsearchUrl;
}
const r = spawnSync(process.execPath, ['--expose-gc', path.join(DIST, `${name}.bench.js`), ...args], {
  env,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
