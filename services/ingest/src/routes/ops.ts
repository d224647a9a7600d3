import { Router, type Request, type Response } from 'express';
import { dependencyChecks, esAuthenticate, esInfo, rulesetCheck, sendReadiness } from '@takedown/shared';
import type { IngestDeps } from '../deps';

/** Liveness, readiness (with the reason it is not ready), metrics, and what a client asks first. */
export function opsRoutes(deps: IngestDeps): Router {
  const r = Router();
  const ops = esAuthenticate(deps.principals, ['ingest', 'admin'], 'the ingest service');

  r.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  r.get('/readyz', ops, async (_req: Request, res: Response) => {
    sendReadiness(res, { ruleset: rulesetCheck(deps.rules, deps.config.maxStalenessMs), ...(await dependencyChecks(deps)) });
  });

  r.get('/metrics', ops, (_req: Request, res: Response) => {
    res.type('text/plain; version=0.0.4').send(deps.metrics.render());
  });

  const client = esAuthenticate(deps.principals, ['ingest'], 'the ingest service');
  r.get('/', client, esInfo('takedown-ingest'));
  r.head('/', client, esInfo('takedown-ingest'));
  return r;
}
