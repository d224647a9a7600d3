import type { Client } from '@elastic/elasticsearch';
import type { Response } from 'express';
import type { RedisClient } from '../clients/redis';
import type { LiveRuleset } from '../rulesets/live-ruleset';
import type { Logger } from '../logging/logger';

export interface ReadinessCheck {
  ok: boolean;
  detail?: string;
}

/** How long a readiness probe waits for a dependency before calling it unreachable. */
export const PROBE_TIMEOUT_MS = 2000;

/** Redis and/or Elasticsearch answer a ping within PROBE_TIMEOUT_MS. */
export async function dependencyChecks(deps: { redis?: RedisClient; es?: Client }): Promise<Record<string, ReadinessCheck>> {
  const checks: Record<string, ReadinessCheck> = {};
  const timeout = <T>(p: Promise<T>) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS).unref())]);
  const [redis, es] = await Promise.allSettled([
    deps.redis ? timeout(deps.redis.ping()) : Promise.resolve(undefined),
    deps.es ? deps.es.ping({}, { requestTimeout: PROBE_TIMEOUT_MS, maxRetries: 0 }) : Promise.resolve(undefined),
  ]);
  if (deps.redis) checks['redis'] = redis.status === 'fulfilled' ? { ok: true } : { ok: false, detail: 'unreachable' };
  if (deps.es) checks['elasticsearch'] = es.status === 'fulfilled' ? { ok: true } : { ok: false, detail: 'unreachable' };
  return checks;
}

/** Whether a live ruleset is loaded and confirmed current within `maxStalenessMs` (what search and ingest refuse without). */
export function rulesetCheck(rules: Pick<LiveRuleset<unknown>, 'version' | 'confirmedAt'>, maxStalenessMs: number): ReadinessCheck {
  const loaded = rules.version;
  if (loaded === undefined) return { ok: false, detail: 'no published ruleset loaded' };
  const age = Date.now() - rules.confirmedAt;
  return age > maxStalenessMs ? { ok: false, detail: `v${loaded} not confirmed for ${Math.round(age / 1000)} s` } : { ok: true, detail: `v${loaded}` };
}

/**
 * 200 when every check passes, else 503: `{ ok, checks: { <dependency>: { ok } } }`
 * and nothing more, since readiness needs no token (an orchestrator's probe).
 * Why a check failed (a version, a count, an age) goes to the log, never to
 * the caller.
 */
export function sendReadiness(res: Response, checks: Record<string, ReadinessCheck>, logger?: Pick<Logger, 'warn'>): void {
  const ok = Object.values(checks).every((c) => c.ok);
  if (!ok && logger) {
    const failing = Object.fromEntries(Object.entries(checks).filter(([, c]) => !c.ok).map(([name, c]) => [name, c.detail ?? 'down']));
    logger.warn({ failing }, 'not ready');
  }
  res.status(ok ? 200 : 503).json({ ok, checks: Object.fromEntries(Object.entries(checks).map(([name, c]) => [name, { ok: c.ok }])) });
}
