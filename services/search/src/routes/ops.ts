import { Router, type Request, type Response } from 'express';
import type { SearchDeps } from '../deps';
import { authenticate } from '../search-auth';
import { sendEs } from './search';

/** Liveness, readiness (with the reason it is not ready) and metrics. */
export function opsRoutes(deps: SearchDeps): Router {
  const r = Router();
  const ops = authenticate(deps, ['search', 'admin']);

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
  const info = (_req: Request, res: Response) =>
    sendEs(res, 200, { name: 'takedown-search', cluster_name: 'takedown', version: { number: '8.14.3', build_flavor: 'default' }, tagline: 'You Know, for Search (filtered by Takedown)' });
  r.get('/', authenticate(deps, ['search']), info);
  r.head('/', authenticate(deps, ['search']), (_req: Request, res: Response) => {
    res.status(200).set('X-Elastic-Product', 'Elasticsearch').end();
  });
  return r;
}
