import type { Router } from 'express';
import { dependencyChecks, esOpsRoutes, rulesetCheck } from '@takedown/shared';
import type { IngestDeps } from '../deps';

/** Liveness, readiness (the ruleset, Elasticsearch, Redis), metrics, and what a client asks first. */
export function opsRoutes(deps: IngestDeps): Router {
  return esOpsRoutes({
    principals: deps.principals,
    role: 'ingest',
    realm: 'the ingest service',
    name: 'takedown-ingest',
    metrics: deps.metrics,
    logger: deps.logger,
    readiness: async () => ({ ruleset: rulesetCheck(deps.rules, deps.config.maxStalenessMs), ...(await dependencyChecks(deps)) }),
  });
}
