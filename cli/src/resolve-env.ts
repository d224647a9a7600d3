import fs from 'node:fs';
import path from 'node:path';

/**
 * The environment the CLI runs with. When REDIS_URL / ELASTICSEARCH_URL are
 * not set, it uses the servers `npm start` / `npm run services:up` started
 * for this checkout (recorded in .data/services.json), so `npx takedown`
 * talks to the running demo without extra setup.
 */
export function resolveEnv(env: NodeJS.ProcessEnv, root: string): NodeJS.ProcessEnv {
  const out = { ...env };
  const stateFile = path.join(path.resolve(root, env['TAKEDOWN_DATA_DIR'] || '.data'), 'services.json');
  if ((out['REDIS_URL'] && out['ELASTICSEARCH_URL']) || !fs.existsSync(stateFile)) return out;
  try {
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { redis?: { url?: string }; elasticsearch?: { url?: string } };
    if (!out['REDIS_URL'] && state.redis?.url) out['REDIS_URL'] = state.redis.url;
    if (!out['ELASTICSEARCH_URL'] && state.elasticsearch?.url) out['ELASTICSEARCH_URL'] = state.elasticsearch.url;
  } catch {
    // an unreadable state file: fall back to the defaults
  }
  return out;
}
