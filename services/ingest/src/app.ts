import express, { type Express } from 'express';
import { EsRefusal, esAuthenticate, esErrorHandler, securityHeaders } from '@takedown/shared';
import type { IngestDeps } from './deps';
import { opsRoutes } from './routes/ops';
import { writeRoutes } from './routes/write';

/**
 * The ingest service: Elasticsearch's write API for the content index,
 * every document scanned on the way in. Anything else is refused in
 * Elasticsearch's error shape (allowlist): reads go through the search
 * service, index administration stays with the platform.
 */
export function createIngestApp(deps: IngestDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Security headers only: the Elasticsearch-compatible bodies are untouched.
  app.use(securityHeaders());
  app.use((req, res, next) => {
    res.on('finish', () => {
      const endpoint = /\/(_bulk|_doc|_create|_update)(\/|$)/.exec(req.path)?.[1] ?? (['/healthz', '/readyz', '/metrics', '/'].includes(req.path) ? req.path : 'other');
      deps.metrics.requests.inc({ endpoint, status: String(res.statusCode) });
    });
    next();
  });
  app.use(opsRoutes(deps));
  app.use(esAuthenticate(deps.principals, ['ingest'], 'the ingest service'));
  // Bodies are read only for an authenticated caller: an anonymous 100 MB upload is refused before a byte of it is buffered.
  app.use(express.text({ type: () => true, limit: deps.config.maxBodyBytes }));
  app.use(writeRoutes(deps));
  app.use((req, _res, next) => {
    next(new EsRefusal(400, 'takedown_endpoint_refused_exception', `${req.method} on this path is not available through Takedown ingest (index, create, update, delete and bulk on the content index only)`, 'endpoint'));
  });
  app.use(esErrorHandler({ logger: deps.logger, onRefused: (reason) => deps.metrics.refused.inc({ reason }) }));
  return app;
}
