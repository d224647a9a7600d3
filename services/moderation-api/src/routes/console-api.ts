import { createHash } from 'node:crypto';
import { Router } from 'express';
import { NotFoundError, ValidationError, actorOf, appendAudit, compileValidator, TAKEDOWN_LATENCY_BUCKETS_MS, type AuditEventInput } from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';
import { assertMaySee, requireCase } from './cases';

export const validateReveal = compileValidator<{ leaseToken: string; index: number }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['leaseToken', 'index'],
    properties: { leaseToken: { type: 'string', minLength: 1, maxLength: 200 }, index: { type: 'integer', minimum: 0, maximum: 99 } },
  },
  'reveal',
);

/** Endpoints the moderator console needs beyond the review API. */
export function consoleApiRoutes(deps: ApiDeps): Router {
  const r = Router();
  const audit = (event: AuditEventInput) => appendAudit(deps.redis, deps.cases.keys, event);

  r.get('/v1/me', guard(deps, 'GET /v1/me'), (req, res) => {
    const p = principalOf(req);
    res.json({ actorId: p.actorId, name: p.name, role: p.role, grants: p.grants, tokenId: p.tokenId, tokenName: p.tokenName });
  });

  r.get('/v1/queues', guard(deps, 'GET /v1/queues'), async (req, res) => {
    const p = principalOf(req);
    const lanes = await deps.cases.laneStats();
    res.json({ queues: lanes.filter((l) => l.lane !== 'csam' || p.grants.csam).map((l) => ({ queue: l.lane, depth: l.depth, oldestAgeSeconds: Math.round(l.oldestAgeSeconds) })) });
  });

  // Every reveal of a blurred item is an audit event (who, which case, which item).
  r.post('/v1/review/:caseId/reveal', guard(deps, 'POST /v1/review/:caseId/reveal'), async (req, res) => {
    const body = validateReveal(req.body);
    const p = principalOf(req);
    const c = await requireCase(deps, String(req.params['caseId']));
    assertMaySee(p, c);
    await deps.cases.assertLease(c.id, body.leaseToken);
    const hash = c.content.mediaSha256?.[body.index];
    if (!hash) throw new ValidationError('reveal: /index names no media item of this case', '/index');
    await audit({ type: 'media.revealed', actor: actorOf(p), at: new Date().toISOString(), caseId: c.id, contentId: c.contentId, data: { index: body.index, sha256: hash } });
    res.status(204).end();
  });

  /**
   * A stand-in picture per media hash (the platform's media store is not
   * ours to serve): deterministic shapes from the hash, so the console's
   * blur, greyscale and reveal have something real to act on.
   */
  r.get('/v1/cases/:caseId/media/:index', guard(deps, 'GET /v1/cases/:caseId/media/:index'), async (req, res) => {
    const c = await requireCase(deps, String(req.params['caseId']));
    assertMaySee(principalOf(req), c);
    const hash = c.content.mediaSha256?.[Number(req.params['index'])];
    if (!hash) throw new NotFoundError('no such media item', 'not_found', 'index');
    const h = createHash('sha256').update(hash).digest();
    const shapes = Array.from({ length: 6 }, (_, i) => {
      const b = (k: number) => h[(i * 5 + k) % h.length] as number;
      return `<circle cx="${b(0) % 320}" cy="${b(1) % 200}" r="${20 + (b(2) % 60)}" fill="hsl(${b(3) * 1.4},70%,55%)" opacity="0.85"/>`;
    }).join('');
    res
      .type('image/svg+xml')
      .set('Cache-Control', 'no-store')
      .send(`<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200" viewBox="0 0 320 200"><rect width="320" height="200" fill="#223"/>${shapes}<text x="10" y="190" fill="#fff" font-size="12" font-family="monospace">${hash.slice(0, 16)}…</text></svg>`);
  });

  /**
   * Dashboard figures: decisions per hour by action (audit), takedown
   * latency, blocked searches, queues. Without the csam grant every csam
   * figure is left out: the csam lane, csam decisions, csam blocked searches.
   */
  r.get('/v1/stats', guard(deps, 'GET /v1/stats'), async (req, res) => {
    const cleared = principalOf(req).grants.csam === true;
    const since = new Date(Date.now() - 24 * 3_600_000).toISOString();
    const agg = await deps.es.search({
      index: deps.indices.audit,
      size: 0,
      query: { bool: { filter: [{ term: { type: 'decision.recorded' } }, { range: { at: { gte: since } } }], must_not: cleared ? [] : [{ term: { category: 'csam' } }] } },
      aggs: { hours: { date_histogram: { field: 'at', fixed_interval: '1h', min_doc_count: 0, extended_bounds: { min: since, max: new Date().toISOString() } }, aggs: { action: { terms: { field: 'action', size: 10 } } } } },
    });
    const buckets = (agg.aggregations?.['hours'] as { buckets: { key_as_string: string; action: { buckets: { key: string; doc_count: number }[] } }[] } | undefined)?.buckets ?? [];
    const latency = await deps.cases.takedownLatency();
    const blocked = await deps.redis.hgetall(deps.rulesets.keys.blockedCounts);
    res.json({
      decisionsPerHour: buckets.map((b) => ({ hour: b.key_as_string, byAction: Object.fromEntries(b.action.buckets.map((a) => [a.key, a.doc_count])) })),
      takedownLatency: {
        buckets: [...TAKEDOWN_LATENCY_BUCKETS_MS.map(String), '+Inf'].map((le) => ({ leMs: le, count: Number(latency[`le:${le}`] ?? 0) })),
        count: Number(latency['count'] ?? 0),
        sumMs: Number(latency['sum'] ?? 0),
      },
      blockedSearches: Object.fromEntries(Object.entries(blocked).filter(([k]) => cleared || k !== 'csam').map(([k, v]) => [k, Number(v)])),
      queues: (await deps.cases.laneStats()).filter((l) => cleared || l.lane !== 'csam').map((l) => ({ queue: l.lane, depth: l.depth, oldestAgeSeconds: Math.round(l.oldestAgeSeconds) })),
    });
  });

  return r;
}
