import { Router, type Request, type Response } from 'express';
import { esAuthenticate, esInfo } from '@takedown/shared';
import type { SearchDeps } from '../deps';

/** Liveness, readiness (with the reason it is not ready) and metrics. */
export function opsRoutes(deps: SearchDeps): Router {
  const r = Router();
  const ops = esAuthenticate(deps.principals, ['search', 'admin'], 'the search service');

  r.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  r.get('/readyz', ops, async (_req: Request, res: Response) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    const loaded = deps.rules.version;
    const age = Date.now() - deps.rules.confirmedAt;
    checks['ruleset'] =
      loaded === undefined
        ? { ok: false, detail: 'no published ruleset loaded' }
        : age > deps.config.maxStalenessMs
          ? { ok: false, detail: `v${loaded} not confirmed for ${Math.round(age / 1000)} s` }
          : { ok: true, detail: `v${loaded}` };
    checks['takedowns'] = deps.tracker.healthy ? { ok: true, detail: `${deps.tracker.size} pending refresh` } : { ok: false, detail: 'subscription down' };
    try {
      await deps.es.ping();
      checks['elasticsearch'] = { ok: true };
    } catch {
      checks['elasticsearch'] = { ok: false, detail: 'unreachable' };
    }
    const ok = Object.values(checks).every((c) => c.ok);
    res.status(ok ? 200 : 503).json({ ok, checks });
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
