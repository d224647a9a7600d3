import { Router } from 'express';
import { compileValidator } from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';
import { STATS_RANGES, readStatsSeries, type StatsRange } from '../stats/stats-series';
import { DEFAULT_STATS_INTERVAL_SECONDS } from '../stats/stats-config';

export const validateStatsSeriesQuery = compileValidator<{ range?: StatsRange }>(
  {
    type: 'object',
    additionalProperties: false,
    properties: { range: { type: 'string', enum: Object.keys(STATS_RANGES) } },
  },
  'query',
);

/**
 * GET /v1/stats/series: the dashboard's history (queue depth and oldest age
 * per lane, decisions by action, blocked searches by category), at most
 * MAX_POINTS points per series. Without the csam grant, no csam lane,
 * decisions or blocked searches, as GET /v1/stats.
 */
export function statsSeriesRoutes(deps: ApiDeps): Router {
  const r = Router();
  r.get('/v1/stats/series', guard(deps, 'GET /v1/stats/series'), async (req, res) => {
    const q = validateStatsSeriesQuery(req.query);
    const series = await readStatsSeries(deps.redis, deps.cases.keys, {
      range: q.range ?? '1h',
      cleared: principalOf(req).grants.csam === true,
      sampleIntervalMs: (deps.config.stats?.intervalSeconds ?? DEFAULT_STATS_INTERVAL_SECONDS) * 1000,
    });
    res.set('Cache-Control', 'no-store');
    res.json(series);
  });
  return r;
}
