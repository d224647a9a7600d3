import { Router } from 'express';
import { aggregateArt15, art15Csv, compileValidator, parseArt15Period } from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard } from '../http/auth';
import { readArt15Records } from '../dsa/art15-reader';

const day = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' } as const;

export const validateArt15Query = compileValidator<{ period?: string; from?: string; to?: string; format?: 'json' | 'csv' }>(
  {
    type: 'object',
    additionalProperties: false,
    properties: { period: { type: 'string', pattern: '^[0-9]{4}(-(H[12]|Q[1-4]))?$' }, from: day, to: day, format: { type: 'string', enum: ['json', 'csv'] } },
  },
  'query',
);

/**
 * GET /v1/transparency/dsa: the DSA Art. 15(1) figures for a period (JSON,
 * or CSV with format=csv), the draft of the published report. Counts and
 * medians only, no personal data; the method travels with the figures.
 */
export function dsaTransparencyRoutes(deps: ApiDeps): Router {
  const r = Router();
  r.get('/v1/transparency/dsa', guard(deps, 'GET /v1/transparency/dsa'), async (req, res) => {
    const q = validateArt15Query(req.query);
    const { period, from, to } = parseArt15Period(q);
    const records = await readArt15Records({ es: deps.esScan, indices: deps.indices, legal: deps.legal.deps.store }, period, from, to);
    const figures = aggregateArt15(records, q);
    res.set('Cache-Control', 'no-store');
    if (q.format === 'csv') {
      res.type('text/csv; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="takedown-dsa-art15-${period.replace(/[^0-9A-Za-z-]/g, '_')}.csv"`);
      res.send(art15Csv(figures));
      return;
    }
    res.json(figures);
  });
  return r;
}
