import type { ServerResponse } from 'node:http';
import { AggregatorRegistry, Counter, Histogram, Registry, createProcessMetrics, type Principal } from '@takedown/shared';

const LATENCY_BOUNDS = [0.00001, 0.00002, 0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** What a request came to: answered, blocked by a rule or switch (sendOutcome's X-Takedown-Blocked), refused (4xx), failed (5xx). */
export type RequestOutcome = 'ok' | 'blocked' | 'refused' | 'error';

/** The rule category whose blocked searches only a scraper with its grant may count. */
const RESTRICTED = 'csam';

/** Requests, latency, rewrite timings and blocked searches on `registry` (one set for the open figures, one for the restricted). */
function servedFamilies(registry: Registry) {
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: 'takedown_search_requests_total', help: 'Requests by endpoint and status.', labelNames: ['endpoint', 'status'], registers }),
    latency: new Histogram({
      name: 'takedown_search_request_duration_seconds',
      help: 'Time to answer one request, by endpoint and outcome (ok, blocked, refused, error).',
      labelNames: ['endpoint', 'outcome'],
      buckets: LATENCY_BOUNDS,
      registers,
    }),
    rewrite: new Histogram({ name: 'takedown_search_rewrite_seconds', help: 'Time to guard and rewrite one search body.', buckets: LATENCY_BOUNDS, registers }),
    blocked: new Counter({
      name: 'takedown_search_blocked_total',
      help: 'Searches refused by a block_query rule (by category and rule) or a feature switch (category feature_off, rule: the switch rule); restricted categories only for a scraper holding their grant.',
      labelNames: ['category', 'rule'],
      registers,
    }),
  };
}

/** Per-instance metrics of the search service, on the process registry (with Node's own). */
export function createSearchMetrics() {
  const process = createProcessMetrics('search');
  const registers = [process.registry];
  // Requests, their latency and rewrite timings are drawn per scrape too: a search blocked by a csam rule is
  // counted apart (`restricted`) and shown only with the grant, since its count is otherwise what the totals
  // (blocked outcomes, rewrites, requests) minus the visible blocked counts leave.
  const open = servedFamilies(new Registry());
  const restricted = servedFamilies(new Registry());
  // A csam block's count is figures about restricted material: on the restricted set, shown (as the
  // moderation API does with its csam figures) only to a scraper with the csam grant.
  const blocked = {
    inc(labels: { category: string; rule: string }): void {
      (labels.category === RESTRICTED ? restricted : open).blocked.inc(labels);
    },
  };
  // An msearch whose only blocked lines are csam's: how a scraper without the grant sees it (set by msearchBlocked).
  const shownAs = new WeakMap<ServerResponse, 'answered' | 'restricted'>();
  const refused = new Counter({ name: 'takedown_search_refused_total', help: 'Requests refused by the proxy, by reason.', labelNames: ['reason'], registers });
  const upstream = new Histogram({ name: 'takedown_search_upstream_seconds', help: 'Elasticsearch round trip per request.', buckets: LATENCY_BOUNDS, registers });
  return {
    process,
    /** The exposition for one scraper: csam blocks only with the csam grant. */
    async exposition(principal: Principal | undefined): Promise<string> {
      const csam = principal?.grants.csam === true;
      if (!csam) return process.exposition(open.registry);
      // Summed by name and labels (the restricted families share the open ones' names).
      return process.exposition(AggregatorRegistry.aggregate(await Promise.all([open.registry, restricted.registry].map((r) => r.getMetricsAsJSON()))));
    },
    /** The families drawn into each scrape (requests, duration, rewrite, blocked), as a scraper without the grant sees them. */
    scrapeFamilies: (): Registry => open.registry,
    blocked,
    refused,
    upstream,
    /** Times one guard and rewrite (`category`: the rule category that blocked it, if one did). */
    rewritten(seconds: number, category: string | undefined): void {
      (category === RESTRICTED ? restricted : open).rewrite.observe(seconds);
    },
    /**
     * An msearch's blocked lines (their categories) and whether any line went on to Elasticsearch: blocked by csam
     * rules alone, it counts as answered (a line went on) or, with the grant only, at all (none did, so no upstream
     * call either): its "blocked" outcome would otherwise give the csam blocks by subtraction too.
     */
    msearchBlocked(res: ServerResponse, categories: readonly string[], forwarded: boolean): void {
      if (categories.length > 0 && categories.every((c) => c === RESTRICTED)) shownAs.set(res, forwarded ? 'answered' : 'restricted');
    },
    /** Counts a finished request and its latency (`startedAt`: performance.now() when it arrived). */
    finished(res: ServerResponse, endpoint: string, startedAt: number): void {
      const status = res.statusCode;
      const blockedBy = res.getHeader('x-takedown-blocked');
      const shown = shownAs.get(res);
      const to = blockedBy === RESTRICTED || shown === 'restricted' ? restricted : open;
      to.requests.inc({ endpoint, status: String(status) });
      const outcome: RequestOutcome = blockedBy !== undefined && shown !== 'answered' ? 'blocked' : status >= 500 ? 'error' : status >= 400 ? 'refused' : 'ok';
      to.latency.observe({ endpoint, outcome }, (performance.now() - startedAt) / 1000);
    },
  };
}

export type SearchMetrics = ReturnType<typeof createSearchMetrics>;
