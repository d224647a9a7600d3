import type { RedisClient } from '../clients/redis';
import type { RulesetKeys } from './ruleset-store';

export interface ShadowHit {
  ruleId: string;
}

/** Counts shadow-rule hits (what they would have done) and keeps the last 20 samples per rule. */
export async function recordShadowHits(redis: RedisClient, keys: RulesetKeys, version: number, hits: readonly ShadowHit[], sample: string, where: 'query' | 'content'): Promise<void> {
  if (hits.length === 0) return;
  const p = redis.pipeline();
  const at = new Date().toISOString();
  for (const ruleId of new Set(hits.map((h) => h.ruleId))) {
    p.hincrby(keys.shadowCounts, `${version}:${ruleId}`, 1);
    p.lpush(keys.shadowSamples(ruleId), JSON.stringify({ version, where, at, sample: sample.slice(0, 300) }));
    p.ltrim(keys.shadowSamples(ruleId), 0, 19);
  }
  await p.exec();
}
