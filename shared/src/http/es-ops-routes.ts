import { Router, type Request, type Response } from 'express';
import { SCRAPE_ROLES, type Principal, type Role } from '../auth/roles';
import { METRICS_CONTENT_TYPE, type ProcessMetrics } from '../metrics/process-metrics';
import type { PrincipalCache } from './es-auth';
import { esAuthenticate, esInfo } from './es-auth';
import { sendReadiness, type ReadinessCheck } from './readiness';
import type { Logger } from '../logging/logger';

/**
 * The routes every Elasticsearch-shaped service has besides its API:
 * liveness and readiness (no token: an orchestrator probes them; up/down
 * per dependency and nothing more), its
 * Prometheus metrics (for its own role and the scrape roles), and what an
 * Elasticsearch client asks first (`info`, `ping`; its own role).
 */
export function esOpsRoutes(o: {
  principals: PrincipalCache;
  /** The role the service's clients hold (search, ingest). */
  role: Role;
  /** "the search service": how refusals name it. */
  realm: string;
  /** The `name` an info request answers. */
  name: string;
  readiness: () => Promise<Record<string, ReadinessCheck>>;
  /** `exposition`, when given, answers per scraper (e.g. figures only a grant may see); else the process registry. */
  metrics: { process: ProcessMetrics; exposition?: (principal: Principal | undefined) => Promise<string> };
  /** Where readiness logs why a check failed (the answer only says which). */
  logger?: Pick<Logger, 'warn'>;
}): Router {
  const r = Router();
  const ops = esAuthenticate(o.principals, [o.role, ...SCRAPE_ROLES], o.realm);
  r.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  r.get('/readyz', async (_req: Request, res: Response) => {
    sendReadiness(res, await o.readiness(), o.logger);
  });
  r.get('/metrics', ops, (req: Request, res: Response, next) => {
    const principal = req.principal;
    (o.metrics.exposition ? o.metrics.exposition(principal) : o.metrics.process.exposition()).then((text) => res.type(METRICS_CONTENT_TYPE).send(text), next);
  });
  const client = esAuthenticate(o.principals, [o.role], o.realm);
  r.get('/', client, esInfo(o.name));
  r.head('/', client, esInfo(o.name));
  return r;
}
