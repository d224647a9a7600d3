import express, { type Express } from 'express';
import { EsRefusal, esAuthenticate, esErrorHandler, securityHeaders } from '@takedown/shared';
import type { SearchDeps } from './deps';
import { msearchRoutes } from './routes/msearch';
import { opsRoutes } from './routes/ops';
import { searchRoutes } from './routes/search';
import { withFastPath } from './fast-path';
import { SEARCH_BODY_LIMIT, readText } from './body-limits';

/**
 * The search service: Elasticsearch's search API, filtered. Anything it
 * does not know is refused in Elasticsearch's error shape (allowlist).
 * Authenticated searches and counts take the fast path (fast-path.ts);
 * everything else, refusals included, is express's.
 */
export function createSearchApp(deps: SearchDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Security headers only: the Elasticsearch-compatible bodies are untouched.
  app.use(securityHeaders());
  app.use((req, res, next) => {
    const startedAt = performance.now();
    res.on('finish', () => {
      const endpoint = /\/(_search|_count|_msearch)$/.exec(req.path)?.[1] ?? (['/healthz', '/readyz', '/metrics', '/'].includes(req.path) ? req.path : 'other');
      deps.metrics.finished(res, endpoint, startedAt);
    });
    next();
  });
  const authenticate = esAuthenticate(deps.principals, ['search'], 'the search service');
  // The hot routes first, straight on the app with their own authentication: a search walks no ops routes and no
  // nested router. Their paths (/{index}/_search, /{index}/_count) are none of the ops routes' (/, /healthz, /readyz, /metrics).
  // Bodies are read by each route, so only for an authenticated caller and with that route's limit (body-limits.ts).
  searchRoutes(deps, app, [authenticate]);
  app.use(opsRoutes(deps));
  app.use(authenticate);
  app.use(msearchRoutes(deps));
  app.use((req, _res, next) => {
    next(new EsRefusal(400, 'takedown_endpoint_refused_exception', `${req.method} on this path is not available through the Takedown search service (search, count and msearch only)`, 'endpoint', {}, 'path'));
  });
  const onError = esErrorHandler({ logger: deps.logger, onRefused: (reason) => deps.metrics.refused.inc({ reason }) });
  app.use(onError);
  return withFastPath(app, deps, readText(SEARCH_BODY_LIMIT), onError);
}
