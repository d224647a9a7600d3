import { Router, type Request, type Response } from 'express';
import { esAuthenticate, esInfo } from '@takedown/shared';
import type { IngestDeps } from '../deps';

/** Liveness, readiness (with the reason it is not ready), metrics, and what a client asks first. */
export function opsRoutes(deps: IngestDeps): Router {
  const r = Router();
  const ops = esAuthenticate(deps.principals, ['ingest', 'admin'], 'the ingest service');

  r.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  r.get('/readyz', ops, async (_req: Request, res: Response) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    try {
      const { version } = deps.rules.fresh(deps.config.maxStalenessMs);
      checks['ruleset'] = { ok: true, detail: `v${version}` };
    } catch (err) {
      checks['ruleset'] = { ok: false, detail: (err as Error).message };
    }
    try {
      await deps.es.ping({}, { requestTimeout: 2000 });
      checks['elasticsearch'] = { ok: true };
    } catch {
      checks['elasticsearch'] = { ok: false, detail: 'unreachable' };
    }
    try {
      await deps.redis.ping();
      checks['redis'] = { ok: true };
    } catch {
      checks['redis'] = { ok: false, detail: 'unreachable' };
    }
    const ok = Object.values(checks).every((c) => c.ok);
    res.status(ok ? 200 : 503).json({ ok, checks });
  });

  r.get('/metrics', ops, (_req: Request, res: Response) => {
    res.type('text/plain; version=0.0.4').send(deps.metrics.render());
  });

  const client = esAuthenticate(deps.principals, ['ingest'], 'the ingest service');
  r.get('/', client, esInfo('takedown-ingest'));
  r.head('/', client, esInfo('takedown-ingest'));
  return r;
}
