import type { RedisClient } from '../clients/redis';
import { createRedisClient, type RedisTarget } from '../clients/redis';
import type { Logger } from '../logging/logger';
import { LiveRuleset, type LiveRulesetOptions } from './live-ruleset';
import { RulesetStore, rulesetKeys } from './ruleset-store';

/**
 * The published ruleset kept current in this process, on its own subscriber
 * connection (a subscribed client can do nothing else); `redis` reads the
 * versions. Started: the first load has run when this resolves.
 */
export async function startLiveRuleset<T>(o: {
  redis: RedisClient;
  /** Where the dedicated subscriber connects (config → redisTarget). */
  redisTarget: RedisTarget;
  queuePrefix: string;
  /** Names the subscriber connection (`<name>:rules`). */
  name: string;
  compile: LiveRulesetOptions<T>['compile'];
  logger: Logger;
  onLoad?: LiveRulesetOptions<T>['onLoad'];
  retire?: LiveRulesetOptions<T>['retire'];
  retireGraceMs?: number;
}): Promise<{ rules: LiveRuleset<T>; stop(): Promise<void> }> {
  const subscriber = createRedisClient(o.redisTarget, { connectionName: `${o.name}:rules`, maxRetriesPerRequest: null, shardedSubscriber: true });
  const rules = new LiveRuleset<T>({
    store: new RulesetStore(o.redis, rulesetKeys(o.queuePrefix)),
    subscriber,
    compile: o.compile,
    logger: o.logger,
    ...(o.onLoad ? { onLoad: o.onLoad } : {}),
    ...(o.retire ? { retire: o.retire } : {}),
    ...(o.retireGraceMs !== undefined ? { retireGraceMs: o.retireGraceMs } : {}),
  });
  await rules.start();
  return {
    rules,
    async stop() {
      await rules.stop();
      subscriber.disconnect();
    },
  };
}
