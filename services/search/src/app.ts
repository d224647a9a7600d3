import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { UnavailableError, isTakedownError } from '@takedown/shared';
import type { SearchDeps } from './deps';
import { Refusal, sendEsError } from './es-error';
import { msearchRoutes } from './routes/msearch';
import { opsRoutes } from './routes/ops';
import { searchRoutes } from './routes/search';
import { authenticate } from './search-auth';

/**
 * The search service: Elasticsearch's search API, filtered. Anything it
 * does not know is refused in Elasticsearch's error shape (allowlist).
 */
export function createSearchApp(deps: SearchDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Bodies are JSON (search) or NDJSON (msearch), under any content type the client picks.
  app.use(express.text({ type: () => true, limit: '2mb' }));
  app.use((req, res, next) => {
    res.on('finish', () => {
      const endpoint = /\/(_search|_count|_msearch)$/.exec(req.path)?.[1] ?? (['/healthz', '/readyz', '/metrics', '/'].includes(req.path) ? req.path : 'other');
      deps.metrics.requests.inc({ endpoint, status: String(res.statusCode) });
    });
    next();
  });
  app.use(opsRoutes(deps));
  const search = authenticate(deps, ['search']);
  app.use(search);
  app.use(searchRoutes(deps));
  app.use(msearchRoutes(deps));
  app.use((req, _res, next) => {
    next(new Refusal(400, 'takedown_endpoint_refused_exception', `${req.method} on this path is not available through the Takedown search service (search, count and msearch only)`, 'endpoint'));
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof Refusal) {
      deps.metrics.refused.inc({ reason: err.reason });
      return sendEsError(res, err.status, err.type, err.message, err.extra);
    }
    if (err instanceof UnavailableError) {
      deps.metrics.refused.inc({ reason: err.code });
      return sendEsError(res, 503, 'takedown_unavailable_exception', `search refused, never served unfiltered: ${err.message}`, { takedown: { code: err.code } });
    }
    const type = (err as { type?: string } | null)?.type;
    if (type === 'entity.too.large') return sendEsError(res, 413, 'content_too_long_exception', 'request body is too large');
    if (isTakedownError(err) && err.status < 500) return sendEsError(res, err.status, err.code, err.message);
    deps.logger.error({ err, method: req.method, path: req.path }, 'search request failed');
    sendEsError(res, 500, 'takedown_internal_exception', 'internal error');
  });
  return app;
}
