// Brings the real servers up through the same script as `npm run services:up`
// and hands their URLs to the test workers through the environment.
import { up } from '../../scripts/services.mjs';

export default async function globalSetup() {
  const before = Date.now();
  const r = await up(process.env);
  process.env.REDIS_URL = r.redisUrl;
  process.env.ELASTICSEARCH_URL = r.elasticsearchUrl;
  // Stop at teardown only what this run started itself.
  globalThis.__takedownStarted = r.redis.startedByUs || r.elasticsearch.startedByUs;
  globalThis.__takedownStartedAt = before;
}
