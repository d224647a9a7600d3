import { Router } from 'express';
import { METRICS_CONTENT_TYPE, dependencyChecks, liveWorkers, sendReadiness } from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';
import { renderMetrics } from '../metrics/render-metrics';

/** Workers the pipeline cannot do without: reports pile up without triage, decisions without actions. */
const REQUIRED_WORKERS = ['triage', 'actions'] as const;

export function healthRoutes(deps: ApiDeps): Router {
  const r = Router();

  // Liveness: the process answers. Carries no data, so it needs no token.
  r.get('/healthz', guard(deps, 'GET /healthz'), (_req, res) => {
    res.json({ ok: true });
  });

  // Readiness: needs no token either (an orchestrator's probe) and says up/down per dependency, nothing more.
  r.get('/readyz', guard(deps, 'GET /readyz'), async (_req, res) => {
    const checks = await dependencyChecks(deps);
    const live = checks['redis']?.ok ? await liveWorkers(deps.redis, deps.cases.keys).catch(() => ({}) as Record<string, number>) : {};
    for (const kind of REQUIRED_WORKERS) {
      const n = (live as Record<string, number>)[kind] ?? 0;
      checks[`workers.${kind}`] = n > 0 ? { ok: true, detail: `${n} live` } : { ok: false, detail: 'no heartbeat in 15 s' };
    }
    sendReadiness(res, checks, deps.logger);
  });

  r.get('/metrics', guard(deps, 'GET /metrics'), async (req, res) => {
    res.type(METRICS_CONTENT_TYPE).send(await renderMetrics(deps, { csam: principalOf(req).grants.csam === true }));
  });

  return r;
}
