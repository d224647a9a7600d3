import { Router, type Request, type Response } from 'express';
import { dependencyChecks, esAuthenticate, esInfo, rulesetCheck, sendReadiness } from '@takedown/shared';
import type { SearchDeps } from '../deps';

/** Liveness, readiness (with the reason it is not ready) and metrics. */
export function opsRoutes(deps: SearchDeps): Router {
  const r = Router();
  const ops = esAuthenticate(deps.principals, ['search', 'admin'], 'the search service');

  r.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  r.get('/readyz', ops, async (_req: Request, res: Response) => {
    sendReadiness(res, {
      ruleset: rulesetCheck(deps.rules, deps.config.maxStalenessMs),
      takedowns: deps.tracker.healthy ? { ok: true, detail: `${deps.tracker.size} pending refresh` } : { ok: false, detail: 'subscription down' },
      ...(await dependencyChecks({ es: deps.es })),
    });
  });

  r.get('/metrics', ops, (_req: Request, res: Response) => {
    res.type('text/plain; version=0.0.4').send(deps.metrics.render());
  });

  // What an Elasticsearch client may ask first (`info`, `ping`).
  const client = esAuthenticate(deps.principals, ['search'], 'the search service');
  r.get('/', client, esInfo('takedown-search'));
  r.head('/', client, esInfo('takedown-search'));
  return r;
}
