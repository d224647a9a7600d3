import { Counter, Histogram, renderAll } from '@takedown/shared';

const LATENCY_BOUNDS = [0.00001, 0.00002, 0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Per-instance metrics of the search service. */
export function createSearchMetrics() {
  const requests = new Counter('takedown_search_requests_total', 'Requests by endpoint and status.');
  const blocked = new Counter('takedown_search_blocked_total', 'Searches refused by a block_query rule (by category and rule) or a feature switch (category feature_off, rule: the switch rule).');
  const refused = new Counter('takedown_search_refused_total', 'Requests refused by the proxy, by reason.');
  const rewrite = new Histogram('takedown_search_rewrite_seconds', 'Time to guard and rewrite one search body.', LATENCY_BOUNDS);
  const upstream = new Histogram('takedown_search_upstream_seconds', 'Elasticsearch round trip per request.', LATENCY_BOUNDS);
  return { requests, blocked, refused, rewrite, upstream, render: () => renderAll([requests, blocked, refused, rewrite, upstream]) };
}

export type SearchMetrics = ReturnType<typeof createSearchMetrics>;
