import type { Router } from 'express';
import { dependencyChecks, esOpsRoutes, rulesetCheck } from '@takedown/shared';
import type { SearchDeps } from '../deps';

/** Liveness, readiness (the ruleset, the takedown subscription, Elasticsearch), metrics, and what a client asks first. */
export function opsRoutes(deps: SearchDeps): Router {
  return esOpsRoutes({
    principals: deps.principals,
    role: 'search',
    realm: 'the search service',
    name: 'takedown-search',
    metrics: deps.metrics,
    logger: deps.logger,
    readiness: async () => ({
      ruleset: rulesetCheck(deps.rules, deps.config.maxStalenessMs),
      takedowns: deps.tracker.healthy ? { ok: true, detail: `${deps.tracker.size} pending refresh` } : { ok: false, detail: 'subscription down' },
      ...(await dependencyChecks({ es: deps.es })),
    }),
  });
}
